package dev.portcullis.dropwizard;

import dev.portcullis.jdbc.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One {@link PostgresServer} for this module's test run, given to each class that asks for it as a parameter: made
 * and started by the first, stopped and deleted when the run ends, so that initdb and the start run once, not once
 * per class. Classes keep apart by schema ({@link PostgresServer#freshDataSource()}); one that stops the server must
 * make its own. Skips the class, saying why, where the PostgreSQL binaries are not installed.
 */
final class OnePostgres implements BeforeAllCallback, ParameterResolver {
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
        .getStore(ExtensionContext.Namespace.create(OnePostgres.class))
        .getOrComputeIfAbsent(PostgresServer.class, k -> create(), PostgresServer.class);
  }

  private static PostgresServer create() {
    try {
      return PostgresServer.create();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
