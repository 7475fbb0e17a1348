package dev.portcullis.session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A listener whose failures are logged and swallowed: {@link SessionListener#guarded}. */
final class GuardedSessionListener implements SessionListener {
  private static final Logger log = LoggerFactory.getLogger(SessionListener.class);
  private final SessionListener delegate;

  GuardedSessionListener(SessionListener delegate) {
    this.delegate = delegate;
  }

  @Override
  public void sessionCreated(SessionEvent event) {
    try {
      delegate.sessionCreated(event);
    } catch (RuntimeException e) {
      failed(event, e);
    }
  }

  @Override
  public void sessionRenewed(SessionEvent event) {
    try {
      delegate.sessionRenewed(event);
    } catch (RuntimeException e) {
      failed(event, e);
    }
  }

  @Override
  public void sessionExpired(SessionEvent event) {
    try {
      delegate.sessionExpired(event);
    } catch (RuntimeException e) {
      failed(event, e);
    }
  }

  @Override
  public void sessionRefused(SessionEvent event) {
    try {
      delegate.sessionRefused(event);
    } catch (RuntimeException e) {
      failed(event, e);
    }
  }

  private static void failed(SessionEvent event, RuntimeException e) {
    log.warn("session listener failed on {}", event.type().vocabularyName(), e);
  }
}
