package dev.portcullis.audit;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/** The SLF4J sinks: one escaped line per event, fields also as key-values. */
final class Slf4jSinks {
  private Slf4jSinks() {}

  static void log(Logger logger, List<Map.Entry<String, String>> fields) {
    LoggingEventBuilder builder = logger.atInfo();
    for (Map.Entry<String, String> field : fields) {
      builder = builder.addKeyValue(field.getKey(), Json.escaped(field.getValue()));
    }
    builder.log(EventFormat.logLine(fields));
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
      this.logger = checked(logger);
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
