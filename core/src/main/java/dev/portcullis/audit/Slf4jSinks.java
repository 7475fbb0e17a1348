package dev.portcullis.audit;

import dev.portcullis.internal.Slf4jBackend;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventAware;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The SLF4J sinks: one escaped line per event, fields also as key-values. A backend that implements
 * {@link LoggingEventAware} (Logback, Log4j's SLF4J 2 provider) gets the raw values, so that a structured encoder
 * escapes them once instead of escaping an already escaped string again; for any other backend (slf4j-simple, the JDK
 * logging bridge) SLF4J renders the key-values into the message text as {@code key=value}, so they are written as the
 * message writes them, quoted and escaped: unquoted, a value with spaces and {@code =} (a path a user asked for) would
 * read as more fields.
 */
final class Slf4jSinks {
  private Slf4jSinks() {}

  static void log(Logger logger, List<Map.Entry<String, String>> fields) {
    // A backend that takes logging events gets the key-values as data, for its encoder to escape;
    // for any other SLF4J itself writes them into the message text, so they go quoted and escaped.
    boolean raw = logger instanceof LoggingEventAware;
    LoggingEventBuilder builder = logger.atInfo();
    for (Map.Entry<String, String> field : fields) {
      builder = builder.addKeyValue(
          field.getKey(), raw ? field.getValue() : Json.quoted(field.getValue()));
    }
    builder.log(EventFormat.logLine(fields));
  }

  /**
   * Refuses SLF4J's no-operation logger, which SLF4J hands out when it finds no backend: it drops every event, and
   * the warning below with them, so the audit would vanish without a word. The search-demand sink is not refused:
   * it is the default even where no search endpoint is audited.
   */
  private static Logger withBackend(Logger logger) {
    Objects.requireNonNull(logger, "logger");
    if (Slf4jBackend.missing(logger)) {
      throw new IllegalStateException(
          "SLF4J has no logging backend on the class path (it prints 'No SLF4J"
              + " providers were found'), so the audit events sent to it would be lost:"
              + " add one (slf4j-simple, Logback, Log4j's SLF4J 2 provider), or write the audit"
              + " log to a file (AuditSink.jsonLines or AuditSink.hashChained; portcullis.audit.sink)");
    }
    return logger;
  }

  private static Logger checked(Logger logger) {
    Objects.requireNonNull(logger, "logger");
    if (!logger.isInfoEnabled()) {
      logger.warn(
          "INFO is off for logger {}: events sent to it are not recorded", logger.getName());
    }
    return logger;
  }

  static final class Audit implements AuditSink {
    private final Logger logger;

    Audit(Logger logger) {
      this.logger = checked(withBackend(logger));
    }

    @Override
    public void accept(AuditEvent event) {
      log(logger, EventFormat.fields(event));
    }

    @Override
    public String toString() {
      return "AuditSink.slf4j(" + logger.getName() + ")";
    }
  }

  static final class Demand implements SearchDemandSink {
    private final Logger logger;

    Demand(Logger logger) {
      this.logger = checked(logger);
    }

    @Override
    public void accept(SearchDemandEvent event) {
      log(logger, EventFormat.fields(event));
    }

    @Override
    public String toString() {
      return "SearchDemandSink.slf4j(" + logger.getName() + ")";
    }
  }
}
