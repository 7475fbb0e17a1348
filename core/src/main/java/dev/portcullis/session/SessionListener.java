package dev.portcullis.session;

import java.util.Objects;

/**
 * Hears about session events, for audit. Every method has a no-op default, so a listener implements only what it
 * needs. Stores and the registry call listeners through {@link #guarded}, so a listener that throws is logged and
 * never breaks a request.
 *
 * <p>Calls may come from a request thread or a store's maintenance thread; implementations must be thread-safe and
 * should not block for long.
 */
public interface SessionListener {

  /** A new session was stored. */
  default void sessionCreated(SessionEvent event) {}

  /** A session got a new id (log-in, or the application asked for it); the old id is dead. */
  default void sessionRenewed(SessionEvent event) {}

  /** A session timed out or was dropped for capacity. */
  default void sessionExpired(SessionEvent event) {}

  /**
   * A new anonymous session was not stored because its client address had made too many
   * ({@link SessionEvent.Reason#RATE_LIMITED}); it served its request without a cookie. Called once per such session,
   * possibly very often under a flood: count it, do not write a line for each.
   */
  default void sessionRefused(SessionEvent event) {}

  /** A listener that does nothing. */
  static SessionListener noop() {
    return NoopSessionListener.INSTANCE;
  }

  /** {@code delegate}, with every exception it throws logged and swallowed. */
  static SessionListener guarded(SessionListener delegate) {
    Objects.requireNonNull(delegate, "delegate");
    return delegate instanceof GuardedSessionListener || delegate instanceof NoopSessionListener
        ? delegate
        : new GuardedSessionListener(delegate);
  }
}
