package dev.portcullis.internal;

import org.slf4j.Logger;
import org.slf4j.helpers.NOPLogger;

/**
 * Whether SLF4J found a logging backend. Without one it hands out its no-operation logger, which drops every message
 * it is given: the callers that must not lose a message (the audit sinks, configuration warnings) ask here first.
 *
 * <p>Unsupported outside Portcullis: this package is internal.
 */
public final class Slf4jBackend {
  private Slf4jBackend() {}

  /** Whether {@code logger} is SLF4J's no-operation logger, the sign that it found no backend. */
  public static boolean missing(Logger logger) {
    return logger instanceof NOPLogger;
  }
}
