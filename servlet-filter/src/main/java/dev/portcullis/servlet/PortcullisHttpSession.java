package dev.portcullis.servlet;

import dev.portcullis.session.Session;
import dev.portcullis.session.SessionRegistry;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import java.util.Collections;
import java.util.Enumeration;

/**
 * {@link HttpSession} over a core {@link Session}. {@link #getId()} is a non-secret stand-in, never the cookie value.
 * The timeouts are the configuration's: {@link #setMaxInactiveInterval} is ignored.
 */
final class PortcullisHttpSession implements HttpSession {
  private final Session session;
  private final SessionState state;
  private final ServletContext context;

  PortcullisHttpSession(Session session, SessionState state, ServletContext context) {
    this.session = session;
    this.state = state;
    this.context = context;
  }

  @Override
  public long getCreationTime() {
    checkValid();
    return session.created().toEpochMilli();
  }

  @Override
  public String getId() {
    return session.opaqueId();
  }

  @Override
  public long getLastAccessedTime() {
    checkValid();
    return session.lastAccess().toEpochMilli();
  }

  @Override
  public ServletContext getServletContext() {
    return context;
  }

  @Override
  public void setMaxInactiveInterval(int interval) {
    // Timeouts are configured once, in SessionConfig, and enforced by the store.
  }

  @Override
  public int getMaxInactiveInterval() {
    return Math.toIntExact(state.idleTimeout().toSeconds());
  }

  @Override
  public Object getAttribute(String name) {
    return session.getAttribute(name);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    return Collections.enumeration(session.attributeNames());
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException for the attributes Portcullis keeps for itself (the client recorded at login)
   */
  @Override
  public void setAttribute(String name, Object value) {
    checkNotReserved(name);
    session.setAttribute(name, value);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException for the attributes Portcullis keeps for itself (the client recorded at login)
   */
  @Override
  public void removeAttribute(String name) {
    checkNotReserved(name);
    session.removeAttribute(name);
  }

  private static void checkNotReserved(String name) {
    if (SessionRegistry.isReserved(name)) {
      throw new IllegalArgumentException(
          "session attribute " + name + " is reserved for Portcullis");
    }
  }

  @Override
  public void invalidate() {
    checkValid();
    state.invalidate(session);
  }

  @Override
  public boolean isNew() {
    checkValid();
    return session.isNew();
  }

  private void checkValid() {
    if (!session.isValid()) {
      throw new IllegalStateException("session is no longer valid");
    }
  }
}
