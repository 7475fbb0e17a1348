package dev.portcullis.dropwizard;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The applications of one test class, from {@code portcullis-app.yml} with the test key ring (or from another test
 * configuration, {@link #withoutKeyFile}): each set of settings is
 * started once, by the first test that asks for it, and stopped by {@link #close} (from the class's
 * {@code @AfterAll}). Tests that share a start read its settings or log in browsers of their own, so they do not
 * depend on each other's order; a test that moves the application's clock only moves it forward, past logins of its
 * own.
 */
final class SharedStarts implements AutoCloseable {
  private final Map<List<String>, DropwizardTestSupport<PortalApp.Config>> started =
      new LinkedHashMap<>();
  private final String file;
  private final boolean testKeyFile;

  /** The starts of {@code portcullis-app.yml}, with the test key ring's file. */
  SharedStarts() {
    this("portcullis-app.yml", true);
  }

  private SharedStarts(String file, boolean testKeyFile) {
    this.file = file;
    this.testKeyFile = testKeyFile;
  }

  /**
   * The starts of the test resource {@code file} without the test key ring's file: the file or each start's settings
   * say where the key ring is.
   */
  static SharedStarts withoutKeyFile(String file) {
    return new SharedStarts(file, false);
  }

  /**
   * The running {@code application} with {@code settings} ({@code name, value} pairs) over {@code portcullis-app.yml};
   * started now if no earlier test of the class started it. A start that fails is stopped before its failure is
   * thrown, and tried again by the next test that asks.
   */
  synchronized DropwizardTestSupport<PortalApp.Config> app(
      Class<? extends PortalApp> application, String... settings) throws Exception {
    if (settings.length % 2 != 0) {
      throw new IllegalArgumentException("settings come in name, value pairs");
    }
    List<String> key = new ArrayList<>();
    key.add(application.getName());
    key.addAll(List.of(settings));
    DropwizardTestSupport<PortalApp.Config> running = started.get(key);
    if (running != null) {
      return running;
    }
    List<ConfigOverride> given = new ArrayList<>();
    if (testKeyFile) {
      given.add(
          ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()));
    }
    for (int i = 0; i < settings.length; i += 2) {
      given.add(ConfigOverride.config(settings[i], settings[i + 1]));
    }
    ConfigOverride[] overrides = given.toArray(ConfigOverride[]::new);
    DropwizardTestSupport<PortalApp.Config> support =
        new DropwizardTestSupport<>(application, ResourceHelpers.resourceFilePath(file), overrides);
    try {
      support.before();
    } catch (Exception | Error e) {
      support.after();
      throw e;
    }
    // The overrides are system properties, read by the start and otherwise left set until after():
    // taken back now,
    // so that they do not reach the next application started while this one runs.
    for (ConfigOverride override : overrides) {
      override.removeFromSystemProperties();
    }
    started.put(key, support);
    return support;
  }

  @Override
  public synchronized void close() {
    for (DropwizardTestSupport<PortalApp.Config> support : started.values()) {
      support.after();
    }
    started.clear();
  }
}
