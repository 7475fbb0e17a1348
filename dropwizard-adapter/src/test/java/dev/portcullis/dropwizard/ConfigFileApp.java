package dev.portcullis.dropwizard;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Dropwizard application started from a YAML configuration file, as a deployer writes one: the YAML is written to
 * a file in the test's directory and read by Dropwizard itself, with {@code portcullis.keys.file} overridden to the
 * test key ring's file and nothing else but what the test overrides. Closing it stops the application.
 */
final class ConfigFileApp<C extends Configuration> implements AutoCloseable {
  /**
   * Dropwizard's {@code server:} block with the application and admin connectors on loopback and free ports. More
   * {@code server:} settings may follow it, indented by two spaces, and then the other top-level blocks.
   */
  static final String LOOPBACK_SERVER = """
      server:
        applicationConnectors:
          - type: http
            bindHost: 127.0.0.1
            port: 0
        adminConnectors:
          - type: http
            bindHost: 127.0.0.1
            port: 0
      """;

  /**
   * The start of a {@code portcullis:} block with what every test application needs: the key file ({@link #start}
   * overrides it with the test key ring's), the terms version and development mode (plain HTTP from loopback). More
   * settings of the block may follow it, indented by two spaces.
   */
  static final String PORTCULLIS_BLOCK = """
      portcullis:
        keys:
          file: set-by-the-test
        login:
          terms-version: "2026-01"
        transport:
          development-mode: true
      """;

  private final DropwizardTestSupport<C> support;

  private ConfigFileApp(DropwizardTestSupport<C> support) {
    this.support = support;
  }

  /**
   * Writes {@code yaml} to {@code dir}'s {@code config.yml} and starts {@code application} from it, with the test key
   * ring's file and {@code more} overridden. A start that fails is stopped before its failure is thrown.
   */
  static <C extends Configuration> ConfigFileApp<C> start(
      Class<? extends Application<C>> application, Path dir, String yaml, ConfigOverride... more)
      throws Exception {
    Path file = dir.resolve("config.yml");
    Files.writeString(file, yaml);
    List<ConfigOverride> overrides = new ArrayList<>();
    overrides.add(
        ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()));
    overrides.addAll(List.of(more));
    DropwizardTestSupport<C> support = new DropwizardTestSupport<>(
        application, file.toString(), overrides.toArray(ConfigOverride[]::new));
    try {
      support.before();
    } catch (Exception | Error e) {
      support.after();
      throw e;
    }
    return new ConfigFileApp<>(support);
  }

  /** The application Dropwizard made and runs. */
  @SuppressWarnings("unchecked")
  <A extends Application<C>> A application() {
    return (A) support.getApplication();
  }

  /** The application connector's address, {@code http://127.0.0.1:port}. */
  String base() {
    return "http://127.0.0.1:" + support.getLocalPort();
  }

  /** Stops the application: its connectors, its managed objects, its log appenders. */
  @Override
  public void close() {
    support.after();
  }
}
