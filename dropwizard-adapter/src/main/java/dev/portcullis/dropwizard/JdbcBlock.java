package dev.portcullis.dropwizard;

import dev.portcullis.jdbc.JdbcSchema;
import dev.portcullis.jdbc.JdbcStores;
import dev.portcullis.revocation.StoreUnavailableException;
import java.time.InstantSource;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The {@code portcullis.jdbc} block and the application's {@code DataSource} turned into the PostgreSQL stores, with
 * the Spring Boot starter's checks and advice. {@code portcullis-jdbc} is an optional dependency: the bundle calls
 * {@link #requireModule} before this class or any of the module's types is used, so that an application without the
 * module and without the block never loads them.
 *
 * <p><b>Security.</b> The block holds no address or password, and no message repeats the {@code DataSource}'s.
 */
final class JdbcBlock {
  /** A class of {@code portcullis-jdbc}, looked up to tell whether the module is on the class path. */
  static final String MODULE_CLASS = "dev.portcullis.jdbc.JdbcStores";

  /** The core's names of the settings, and the block's. */
  private static final Map<String, String> YAML_NAMES = Map.of(
      "queryTimeout", "portcullis.jdbc.query-timeout",
      "networkTimeout", "portcullis.jdbc.network-timeout",
      "clockSkew", "portcullis.jdbc.clock-skew",
      "cleanUpEvery", "portcullis.jdbc.clean-up-every",
      "cleanUpBatchSize", "portcullis.jdbc.clean-up-batch-size");

  private JdbcBlock() {}

  /**
   * @throws IllegalStateException naming the artifact to add when {@code className} cannot be loaded
   */
  static void requireModule(String className, ClassLoader loader) {
    try {
      Class.forName(className, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "portcullis.jdbc is set but dev.portcullis:portcullis-jdbc is not on the class path. Add the dependency"
              + " dev.portcullis:portcullis-jdbc (the version of portcullis-dropwizard), or remove portcullis.jdbc"
              + " to keep every store in this node's memory.",
          e);
    }
  }

  /**
   * The stores on {@code dataSource}, after creating the missing tables when the block asks for it. Checks no
   * connection unless it applies the schema: a database that is down makes requests fail closed until it answers.
   *
   * @param dataSource what the application gave, {@code null} when it gave nothing
   * @throws IllegalStateException when there is no {@code DataSource}, the core refuses a setting or the schema cannot
   *     be applied, with what to fix
   */
  static JdbcStores stores(
      PortcullisFactory.Jdbc block, DataSource dataSource, InstantSource clock) {
    if (dataSource == null) {
      throw new IllegalStateException(
          "portcullis.jdbc is set but the application gave no DataSource: hand the PostgreSQL DataSource to"
              + " PortcullisBundle.dataSource((configuration, environment) -> ...) before the application runs,"
              + " or remove portcullis.jdbc to keep every store in this node's memory.");
    }
    JdbcStores stores;
    try {
      JdbcStores.Builder b = JdbcStores.builder(dataSource, clock);
      if (block.getQueryTimeout() != null) {
        b.queryTimeout(block.getQueryTimeout().toJavaDuration());
      }
      if (block.getNetworkTimeout() != null) {
        b.networkTimeout(block.getNetworkTimeout().toJavaDuration());
      }
      if (block.getClockSkew() != null) {
        b.clockSkew(block.getClockSkew().toJavaDuration());
      }
      if (block.getCleanUpBatchSize() != null) {
        b.cleanUpBatchSize(block.getCleanUpBatchSize());
      }
      b.cleanUpEvery(block.getCleanUpEvery().toJavaDuration());
      // The settings are checked before the database is asked anything.
      stores = b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException(
          "portcullis.jdbc was refused: " + inYamlTerms(e.getMessage())
              + ". In the YAML: query-timeout is above zero and at most 30 s; network-timeout at least the query"
              + " timeout and at most 60 s; clock-skew at most 10 minutes; clean-up-every at least a second;"
              + " clean-up-batch-size 1 to 100000 (all under portcullis.jdbc).",
          e);
    }
    if (block.isApplySchema()) {
      try {
        JdbcSchema.apply(dataSource);
      } catch (StoreUnavailableException e) {
        stores.close();
        throw new IllegalStateException(
            "portcullis.jdbc.apply-schema: " + e.getMessage()
                + ". Check that the DataSource reaches PostgreSQL, that the tables exist (or its user may create"
                + " them) and that its user holds SELECT, INSERT, UPDATE and DELETE on them; or apply the schema"
                + " with your migration tool (classpath:" + JdbcSchema.LOCATION + ") and set"
                + " portcullis.jdbc.apply-schema: false.",
            e);
      }
    }
    return stores;
  }

  /** The core's refusal with its Java names replaced by the block's. */
  static String inYamlTerms(String refusal) {
    String message = String.valueOf(refusal);
    for (Map.Entry<String, String> name : YAML_NAMES.entrySet()) {
      message = message.replace(name.getKey(), name.getValue());
    }
    return message;
  }
}
