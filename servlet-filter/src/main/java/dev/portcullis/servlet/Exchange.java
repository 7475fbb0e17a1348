package dev.portcullis.servlet;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.login.AuthCheck;
import dev.portcullis.transport.internal.TrustedProxies;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One request on its way through the pipeline: the wrapped request and response and what the stages found out. The
 * request wrapper answers the application's questions (session, principal) from here.
 *
 * <p>Every {@code Set-Cookie} header of the response goes through {@link #setCookie}: queued here, written before the
 * response commits, and written again if the application resets the headers.
 */
final class Exchange {
  static final String ATTRIBUTE = Exchange.class.getName();

  private final HttpServletRequest original;
  private final PortcullisRequest request;
  private final PortcullisResponse response;
  private final String method;
  private final List<LoginListener> loginListeners;
  private final List<Runnable> beforeCommit = new CopyOnWriteArrayList<>();
  private volatile SessionState sessions = SessionState.NONE;
  private volatile TrustedProxies.Client client;
  private volatile PortalPrincipal principal;
  private volatile AuthCheck authCheck;
  private volatile String cookieCheckValue;
  private final List<String> cookies = new CopyOnWriteArrayList<>();
  private int cookiesWritten;
  private String requestId;
  private Map<String, List<String>> requestCookies;

  /** @param loginListeners hear about every login this request makes, in order */
  Exchange(
      HttpServletRequest request,
      HttpServletResponse response,
      List<LoginListener> loginListeners) {
    this.original = request;
    String m = request.getMethod();
    this.method = m == null ? "" : m.toUpperCase(Locale.ROOT);
    this.loginListeners = loginListeners;
    this.response = new PortcullisResponse(response, this);
    this.request = new PortcullisRequest(request, this);
  }

  /** The container's request, unwrapped: for the connection's own facts (peer address, TLS, raw headers). */
  HttpServletRequest original() {
    return original;
  }

  PortcullisRequest request() {
    return request;
  }

  PortcullisResponse response() {
    return response;
  }

  /**
   * The request's method, upper-cased once ({@link Locale#ROOT}) for every decision of the pipeline: {@code post}
   * and {@code POST} are one method to every stage.
   */
  String method() {
    return method;
  }

  /** Whether the method is one that does not change state: GET, HEAD, OPTIONS or TRACE. */
  boolean safeMethod() {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE" -> true;
      default -> false;
    };
  }

  SessionState sessions() {
    return sessions;
  }

  void sessions(SessionState sessions) {
    this.sessions = sessions;
  }

  /**
   * Where the request came from and whether it arrived over HTTPS, after trusted-proxy resolution by the transport
   * stage; without that stage, the connection's own peer address and security.
   */
  TrustedProxies.Client client() {
    TrustedProxies.Client c = client;
    return c != null ? c : new TrustedProxies.Client(original.getRemoteAddr(), original.isSecure());
  }

  void client(TrustedProxies.Client client) {
    this.client = client;
  }

  /** The logged-in user, set by the authentication stage or a login; null when anonymous. */
  PortalPrincipal principal() {
    return principal;
  }

  void principal(PortalPrincipal principal) {
    this.principal = principal;
  }

  /**
   * The auth check made together with the session lookup (one store round trip for both); null when the session
   * stage made none and the authentication stage asks for itself.
   */
  AuthCheck authCheck() {
    return authCheck;
  }

  void authCheck(AuthCheck check) {
    this.authCheck = check;
  }

  /**
   * The browser's cookie-check value, well formed, as the request sent it or as the login page has just set it; null
   * when it has none. The anti-forgery token of a request without a session is bound to it.
   */
  String cookieCheckValue() {
    return cookieCheckValue;
  }

  void cookieCheckValue(String value) {
    this.cookieCheckValue = value;
  }

  /** Tells the login listeners that {@code user} has just logged in during this request, the {@code kind} way. */
  void loggedIn(PortalUser user, LoginListener.Kind kind) {
    for (LoginListener listener : loginListeners) {
      listener.loggedIn(this, user, kind);
    }
  }

  /** Registers work (session state, headers) that must happen before the response commits. Must be idempotent. */
  void beforeCommit(Runnable hook) {
    beforeCommit.add(hook);
  }

  /**
   * Queues a {@code Set-Cookie} header value (see {@link SetCookie}); it is written before the response commits, and
   * again if the application resets the headers. The one way a cookie leaves the filter.
   */
  void setCookie(String headerValue) {
    cookies.add(headerValue);
  }

  /** The request's cookies, read from its Cookie headers once (see {@link Cookies}). */
  synchronized Map<String, List<String>> requestCookies() {
    if (requestCookies == null) {
      requestCookies = Cookies.parse(original);
    }
    return requestCookies;
  }

  /** An id for this request in audit events, drawn once from {@code audit}'s random: never from the client. */
  synchronized String requestId(AuditLog audit) {
    if (requestId == null) {
      requestId = audit.newRequestId();
    }
    return requestId;
  }

  /** Runs the registered hooks, in pipeline order, then writes the queued cookies. Possibly called often. */
  void committing() {
    for (Runnable hook : beforeCommit) {
      hook.run();
    }
    writeCookies();
  }

  /** Writes the cookies queued since the last write, unless the response has committed. */
  void writeCookies() {
    synchronized (cookies) {
      if (!response.isCommitted()) {
        for (; cookiesWritten < cookies.size(); cookiesWritten++) {
          response.addHeader(SetCookie.HEADER, cookies.get(cookiesWritten));
        }
      }
    }
  }

  /** The response's headers were reset: every cookie queued so far must be written again. */
  void headersReset() {
    synchronized (cookies) {
      cookiesWritten = 0;
    }
  }
}
