package dev.portcullis.audit;

import dev.portcullis.internal.Slf4jBackend;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventAware;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The SLF4J sinks: one escaped line per event. A backend that implements {@link LoggingEventAware} (Logback, Log4j's
 * SLF4J 2 provider) also gets the fields as key-values with their raw values, so that a structured encoder escapes
 * them once instead of escaping an already escaped string again; the message then leaves out {@code kind}, which is
 * a key-value. Any other backend (slf4j-simple, the JDK logging bridge) gets no key-values: SLF4J would write them into
 * the text beside the message, and every field would appear twice. Its message is the whole line, {@code kind}
 * included, every value quoted and escaped: unquoted, a value with spaces and {@code =} (a path a user asked for)
 * would read as more fields.
 */
final class Slf4jSinks {
  private Slf4jSinks() {}

  static void log(Logger logger, List<Map.Entry<String, String>> fields) {
    if (!(logger instanceof LoggingEventAware)) {
      logger.info("{}", textLine(fields));
      return;
    }
    LoggingEventBuilder builder = logger.atInfo();
    for (Map.Entry<String, String> field : fields) {
      builder = builder.addKeyValue(field.getKey(), field.getValue());
    }
    builder.log(EventFormat.logLine(fields));
  }

  /** Every field as {@code key="value"}, escaped, in order. */
  private static String textLine(List<Map.Entry<String, String>> fields) {
    StringBuilder out = new StringBuilder(256);
    for (Map.Entry<String, String> field : fields) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(field.getKey()).append('=');
      Json.appendString(out, field.getValue());
    }
    return out.toString();
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
