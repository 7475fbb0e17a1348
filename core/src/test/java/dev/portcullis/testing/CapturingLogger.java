package dev.portcullis.testing;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * An SLF4J logger that keeps what it is given, key-values included, and renders each event as a line-based backend
 * would: {@code key=value ... message}. Hand it to a sink that takes a logger ({@code AuditSink.slf4j(Logger)},
 * {@code SearchDemandSink.slf4j(Logger)}) to see exactly what that sink wrote. Thread-safe.
 */
public final class CapturingLogger extends LegacyAbstractLogger implements LoggingEventAware {
  /** One logging call: its level, the formatted message and the key-values. */
  public record Captured(Level level, String message, List<KeyValuePair> keyValues) {
    /** The event as one line: {@code key=value ... message}. */
    public String rendered() {
      StringBuilder out = new StringBuilder();
      for (KeyValuePair kv : keyValues) {
        out.append(kv.key).append('=').append(kv.value).append(' ');
      }
      return out.append(message).append('\n').toString();
    }
  }

  private final List<Captured> events = new ArrayList<>();
  private final boolean infoEnabled;

  public CapturingLogger(String name) {
    this(name, true);
  }

  public CapturingLogger(String name, boolean infoEnabled) {
    this.name = name;
    this.infoEnabled = infoEnabled;
  }

  public synchronized List<Captured> events() {
    return List.copyOf(events);
  }

  /** Every event so far, rendered, one line each. */
  public synchronized String output() {
    StringBuilder out = new StringBuilder();
    events.forEach(e -> out.append(e.rendered()));
    return out.toString();
  }

  @Override
  public synchronized void log(LoggingEvent event) {
    List<KeyValuePair> kvs =
        event.getKeyValuePairs() == null ? List.of() : List.copyOf(event.getKeyValuePairs());
    Object[] args = event.getArgumentArray();
    String message = args == null
        ? event.getMessage()
        : MessageFormatter.basicArrayFormat(event.getMessage(), args);
    events.add(new Captured(event.getLevel(), message, kvs));
  }

  @Override
  protected synchronized void handleNormalizedLoggingCall(
      Level level, Marker marker, String messagePattern, Object[] arguments, Throwable throwable) {
    events.add(new Captured(
        level, MessageFormatter.basicArrayFormat(messagePattern, arguments), List.of()));
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  public boolean isTraceEnabled() {
    return false;
  }

  @Override
  public boolean isDebugEnabled() {
    return false;
  }

  @Override
  public boolean isInfoEnabled() {
    return infoEnabled;
  }

  @Override
  public boolean isWarnEnabled() {
    return true;
  }

  @Override
  public boolean isErrorEnabled() {
    return true;
  }
}
