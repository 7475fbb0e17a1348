package dev.portcullis.servlet;

import dev.portcullis.session.Session;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpSession;
import java.security.Principal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request the application sees. The single place that answers {@code getSession} and {@code getUserPrincipal}:
 * from the {@link Exchange}, never from the container, so the container's own session is never created.
 */
final class PortcullisRequest extends HttpServletRequestWrapper {
  private final Exchange exchange;
  private volatile GuardedAsyncContext guarded;
  /** The values a WebSocket upgrade's session holds for the upgraded connection only; see {@link #getSession}. */
  private volatile Map<String, Object> connectionValues;

  PortcullisRequest(HttpServletRequest request, Exchange exchange) {
    super(request);
    this.exchange = exchange;
  }

  @Override
  public HttpSession getSession() {
    return getSession(true);
  }

  /**
   * {@inheritDoc}
   *
   * <p>On a WebSocket upgrade request the session also holds, for the upgraded connection only, values of types no
   * session keeps: the container registers its own bookkeeping of an authenticated connection there (Tomcat's, so as
   * to close the socket when the HTTP session ends) once the filter has answered, when nothing could be stored any
   * more. The filter closes such a socket itself when its login ends ({@link PortalPrincipal#closeWhenLoginEnds}).
   */
  @Override
  public HttpSession getSession(boolean create) {
    SessionState state = exchange.sessions();
    Session session = state.session(create);
    if (session == null) {
      return null;
    }
    Map<String, Object> local = exchange.webSocketUpgrade() ? connectionValues() : null;
    return new PortcullisHttpSession(session, state, getServletContext(), local);
  }

  private Map<String, Object> connectionValues() {
    Map<String, Object> values = connectionValues;
    if (values == null) {
      synchronized (this) {
        values = connectionValues;
        if (values == null) {
          values = new ConcurrentHashMap<>();
          connectionValues = values;
        }
      }
    }
    return values;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The session moves to a new, freshly drawn id and the old one is dead. When the request is logged in, the login
   * moves with it: the response carries the new session cookie and a new auth cookie bound to the new id, the login's
   * expiry unchanged, and the change is audited ({@code session_renewed}). Returns a non-secret stand-in for the new id
   * ({@link Session#opaqueId()}).
   *
   * @throws IllegalStateException when the request has no session, or the response has committed (nothing changes)
   */
  @Override
  public String changeSessionId() {
    return exchange.sessions().changeIdForApplication().opaqueId();
  }

  /** A non-secret stand-in for the requested id (see {@link Session#opaqueId()}), or null. */
  @Override
  public String getRequestedSessionId() {
    Session requested = exchange.sessions().requestedSession();
    return requested == null ? null : requested.opaqueId();
  }

  @Override
  public boolean isRequestedSessionIdValid() {
    return exchange.sessions().requestedSessionValid();
  }

  @Override
  public boolean isRequestedSessionIdFromCookie() {
    return exchange.sessions().requestedSession() != null;
  }

  @Override
  public boolean isRequestedSessionIdFromURL() {
    return false;
  }

  /**
   * The request's attribute; asking for {@link PortcullisFilter#CSRF_TOKEN_ATTRIBUTE} while it is set marks the
   * response as one no cache may keep ({@code Cache-Control: no-store}, as on the login page): the token is bound to
   * this browser's session or cookie-check cookie, and a page that shows it, public or not, must not be served to
   * another browser from a shared cache. Asked for only after the response has committed, the header can no longer
   * be added.
   */
  @Override
  public Object getAttribute(String name) {
    Object value = super.getAttribute(name);
    if (value != null && PortcullisFilter.CSRF_TOKEN_ATTRIBUTE.equals(name)) {
      exchange.notToBeStored();
    }
    return value;
  }

  /** The Portcullis principal, or null when anonymous. The container's own principal is never used. */
  @Override
  public Principal getUserPrincipal() {
    return exchange.principal();
  }

  /** The opaque user handle, or null. */
  @Override
  public String getRemoteUser() {
    PortalPrincipal p = exchange.principal();
    return p == null ? null : p.getName();
  }

  @Override
  public boolean isUserInRole(String role) {
    PortalPrincipal p = exchange.principal();
    return p != null && role != null && p.user().hasRole(role);
  }

  @Override
  public String getAuthType() {
    return exchange.principal() == null ? null : "PORTCULLIS";
  }

  /** The client address after trusted-proxy resolution. */
  @Override
  public String getRemoteAddr() {
    return exchange.clientAddress();
  }

  /**
   * Whether the client's connection was HTTPS: the transport stage's one decision (the connection's own encryption, or
   * what a trusted proxy says), never the scheme of the request's target.
   */
  @Override
  public boolean isSecure() {
    return exchange.clientSecure();
  }

  /** Keeps async processing on the wrappers, so that the response's commit is still seen. */
  @Override
  public AsyncContext startAsync() {
    return startAsync(this, exchange.response());
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
    AsyncContext started = super.startAsync(request, response);
    GuardedAsyncContext current = guarded;
    if (current == null || !current.wraps(started)) {
      current = new GuardedAsyncContext(started, exchange);
      guarded = current;
    }
    return current;
  }

  @Override
  public AsyncContext getAsyncContext() {
    AsyncContext context = super.getAsyncContext();
    GuardedAsyncContext current = guarded;
    return current != null && current.wraps(context) ? current : context;
  }
}
