package dev.portcullis.spring;

import java.util.function.Supplier;

/**
 * Portcullis cannot start with the application's configuration. The message says what is wrong; {@link #action()}
 * says what to change. {@link PortcullisFailureAnalyzer} prints both as the first thing in the start-up failure.
 * Messages come from the core builders and name settings and key ids, never secrets.
 */
final class PortcullisConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String action;

  PortcullisConfigurationException(String message, String action, Throwable cause) {
    super(message, cause);
    this.action = action;
  }

  PortcullisConfigurationException(String message, String action) {
    this(message, action, null);
  }

  String action() {
    return action;
  }

  /**
   * Runs a core builder step and turns its refusal into a configuration failure that names {@code what} and says
   * what to do.
   */
  static <T> T building(String what, String action, Supplier<T> step) {
    try {
      return step.get();
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new PortcullisConfigurationException(what + ": " + e.getMessage(), action, e);
    }
  }
}
