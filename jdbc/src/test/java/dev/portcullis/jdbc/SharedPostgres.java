package dev.portcullis.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test a {@link PostgresServer} shared by the whole test run (made and started on first use, stopped and
 * deleted when the run ends), and skips the test, saying why, when the PostgreSQL binaries are not installed. Tests
 * keep apart by schema ({@link PostgresServer#freshDataSource()}), not by server.
 */
final class SharedPostgres implements BeforeAllCallback, ParameterResolver {
  @Override
  public void beforeAll(ExtensionContext context) {
    Assumptions.assumeTrue(PostgresServer.binaries().isPresent(), PostgresServer.MISSING);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == PostgresServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(SharedPostgres.class))
        .getOrComputeIfAbsent(
            PostgresServer.class,
            k -> {
              try {
                return PostgresServer.create();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
              }
            },
            PostgresServer.class);
  }
}
