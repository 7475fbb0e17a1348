package dev.portcullis.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test a {@link RedisServer} shared by the whole test run (started on first use, killed when the run ends),
 * and skips the test, saying why, when {@code redis-server} is not installed. Tests keep apart by key prefix
 * ({@link #freshPrefix()}), not by server.
 */
final class SharedRedis implements BeforeAllCallback, ParameterResolver {
  /**
   * The command timeout of tests about what the stores store, not about how fast: a loaded CI machine can hold a
   * command past the production default (500 ms). The tests about timeouts set their own.
   */
  static final Duration PATIENT = Duration.ofSeconds(10);

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  @Override
  public void beforeAll(ExtensionContext context) {
    Assumptions.assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RedisServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(SharedRedis.class))
        .getOrComputeIfAbsent(
            RedisServer.class,
            k -> {
              try {
                return RedisServer.start();
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            RedisServer.class);
  }

  /** A store configuration for {@code server} with the {@link #PATIENT} command timeout; the test adds the rest. */
  static RedisStoreConfig.Builder patientConfig(RedisServer server) {
    return RedisStoreConfig.builder().uri(server.uri()).commandTimeout(PATIENT);
  }

  /** A key prefix no other test in this run uses. */
  static String freshPrefix() {
    return "test" + PREFIXES.incrementAndGet() + ":";
  }
}
