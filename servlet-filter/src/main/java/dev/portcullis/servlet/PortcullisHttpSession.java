package dev.portcullis.servlet;

import dev.portcullis.session.Session;
import dev.portcullis.session.SessionRegistry;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@link HttpSession} over a core {@link Session}. {@link #getId()} is a non-secret stand-in, never the cookie value.
 * The timeouts are the configuration's: {@link #setMaxInactiveInterval} is ignored.
 *
 * <p>The session keeps plain values only ({@link Session#setAttribute}). The session of a WebSocket upgrade request
 * also holds a value of any other type, never stored, for the upgraded connection only ({@code connectionValues}):
 * the container's bookkeeping of the connection, which it registers after the filter has answered.
 */
final class PortcullisHttpSession implements HttpSession {
  private final Session session;
  private final SessionState state;
  private final ServletContext context;
  /** Null but on a WebSocket upgrade request. */
  private final Map<String, Object> connectionValues;

  PortcullisHttpSession(
      Session session,
      SessionState state,
      ServletContext context,
      Map<String, Object> connectionValues) {
    this.session = session;
    this.state = state;
    this.context = context;
    this.connectionValues = connectionValues;
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
    Object local = connectionValues == null ? null : connectionValues.get(name);
    return local != null ? local : session.getAttribute(name);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    if (connectionValues == null || connectionValues.isEmpty()) {
      return Collections.enumeration(session.attributeNames());
    }
    Set<String> names = new LinkedHashSet<>(session.attributeNames());
    names.addAll(connectionValues.keySet());
    return Collections.enumeration(names);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException for the attributes Portcullis keeps for itself (the client recorded at login)
   */
  @Override
  public void setAttribute(String name, Object value) {
    checkNotReserved(name);
    if (connectionValues != null) {
      if (value != null && !Session.keepsTypeOf(value)) {
        connectionValues.put(name, value);
        return;
      }
      connectionValues.remove(name);
    }
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
    if (connectionValues != null && connectionValues.remove(name) != null) {
      return;
    }
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
    if (connectionValues != null) {
      connectionValues.clear();
    }
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
