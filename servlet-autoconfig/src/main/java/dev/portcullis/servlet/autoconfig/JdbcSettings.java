package dev.portcullis.servlet.autoconfig;

import dev.portcullis.jdbc.JdbcSchema;
import dev.portcullis.jdbc.JdbcStores;
import dev.portcullis.revocation.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;

/**
 * {@code portcullis.jdbc.enabled=true} turned into the PostgreSQL stores, on the {@link DataSource} the application
 * puts in the context attribute {@link PortcullisInitializer#DATA_SOURCE_ATTRIBUTE}. {@code portcullis-jdbc} is
 * optional: {@link PortcullisAssembly} looks for {@link #MODULE_CLASS} with the application's class loader before it
 * uses this class, which names the module's types.
 */
final class JdbcSettings {
  /** A class of {@code portcullis-jdbc}, looked up to tell whether the module is on the class path. */
  static final String MODULE_CLASS = "dev.portcullis.jdbc.JdbcStores";

  static final String PREFIX = "portcullis.jdbc";

  /** As in the Spring Boot starter: each node deletes expired rows every five minutes unless told otherwise. */
  private static final Duration CLEAN_UP_EVERY = Duration.ofMinutes(5);

  private JdbcSettings() {}

  /**
   * Reads the settings now, so that a value that does not parse is reported at deployment; the core checks their
   * ranges when the filter starts, as the {@code DataSource} is only there then.
   */
  static SharedStores.Connection connection(PortcullisSettings s) {
    boolean applySchema = s.bool(PREFIX + ".apply-schema").orElse(false);
    for (String duration :
        List.of("query-timeout", "network-timeout", "clock-skew", "clean-up-every")) {
      s.duration(PREFIX + "." + duration);
    }
    s.integer(PREFIX + ".clean-up-batch-size");
    return (clock, contextAttributes) -> {
      Object attribute = contextAttributes.apply(PortcullisInitializer.DATA_SOURCE_ATTRIBUTE);
      if (!(attribute instanceof DataSource dataSource)) {
        throw refused(
            PREFIX + ".enabled is true, but the context attribute "
                + PortcullisInitializer.DATA_SOURCE_ATTRIBUTE + " holds "
                + (attribute == null ? "nothing" : "a " + attribute.getClass().getName())
                + ": put the application's PostgreSQL DataSource there from a ServletContextListener, or set "
                + PREFIX + ".enabled=false",
            null);
      }
      JdbcStores.Builder b = JdbcStores.builder(dataSource, clock);
      s.duration(PREFIX + ".query-timeout").ifPresent(b::queryTimeout);
      s.duration(PREFIX + ".network-timeout").ifPresent(b::networkTimeout);
      s.duration(PREFIX + ".clock-skew").ifPresent(b::clockSkew);
      s.integer(PREFIX + ".clean-up-batch-size").ifPresent(b::cleanUpBatchSize);
      b.cleanUpEvery(s.duration(PREFIX + ".clean-up-every").orElse(CLEAN_UP_EVERY));
      if (applySchema) {
        try {
          JdbcSchema.apply(dataSource);
        } catch (StoreUnavailableException e) {
          throw refused(
              PREFIX + ".apply-schema: " + e.getMessage()
                  + "; check that the DataSource reaches PostgreSQL and that its user may create the tables, or"
                  + " apply the schema with your migration tool (classpath:" + JdbcSchema.LOCATION
                  + ") and set "
                  + PREFIX + ".apply-schema=false",
              e);
        }
      }
      JdbcStores stores;
      try {
        stores = b.build();
      } catch (IllegalArgumentException e) {
        throw refused(
            PREFIX + " (query-timeout, network-timeout, clock-skew, clean-up-every,"
                + " clean-up-batch-size): " + e.getMessage(),
            e);
      }
      return new SharedStores(
          stores::sessionStore,
          stores.revocationStore(),
          stores.loginAttemptStore(),
          stores.accountLinkStore(),
          stores.replayStore(),
          stores);
    };
  }

  private static IllegalStateException refused(String problem, Exception cause) {
    return new IllegalStateException(PortcullisAssembly.report(List.of(problem)), cause);
  }
}
