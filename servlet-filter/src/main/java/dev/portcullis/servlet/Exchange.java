package dev.portcullis.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.portcullis.transport.TrustedProxies;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One request on its way through the pipeline: the wrapped request and response and what the stages found out. The
 * request wrapper answers the application's questions (session, principal) from here.
 */
final class Exchange {
  static final String ATTRIBUTE = Exchange.class.getName();

  private final HttpServletRequest original;
  private final PortcullisRequest request;
  private final PortcullisResponse response;
  private final List<Runnable> beforeCommit = new CopyOnWriteArrayList<>();
  private volatile SessionState sessions = SessionState.NONE;
  private volatile TrustedProxies.Client client;
  private volatile PortalPrincipal principal;
  private final List<String> cookies = new CopyOnWriteArrayList<>();
  private int cookiesWritten;
  private String requestId;
  private java.util.Map<String, List<String>> requestCookies;

  Exchange(HttpServletRequest request, HttpServletResponse response) {
    this.original = request;
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

  /** The logged-in user, set by the authentication stage; null when anonymous. */
  PortalPrincipal principal() {
    return principal;
  }

  void principal(PortalPrincipal principal) {
    this.principal = principal;
  }

  /** Registers work (cookies, session state) that must happen before the response commits. Must be idempotent. */
  void beforeCommit(Runnable hook) {
    beforeCommit.add(hook);
  }

  /**
   * Queues a {@code Set-Cookie} header value (see {@link SetCookie}); it is written before the response commits, and
   * again if the application resets the headers.
   */
  void setCookie(String headerValue) {
    cookies.add(headerValue);
  }

  /** The request's cookies, read from its Cookie headers once (see {@link Cookies}). */
  synchronized java.util.Map<String, List<String>> requestCookies() {
    if (requestCookies == null) {
      requestCookies = Cookies.parse(original);
    }
    return requestCookies;
  }

  /** An id for this request in audit events: random, not derived from anything the client sent. */
  synchronized String requestId() {
    if (requestId == null) {
      requestId = java.util.UUID.randomUUID().toString();
    }
    return requestId;
  }

  /** Runs the registered hooks, in pipeline order. Called whenever a commit may be imminent, possibly often. */
  void committing() {
    for (Runnable hook : beforeCommit) {
      hook.run();
    }
    synchronized (cookies) {
      if (!response.isCommitted()) {
        for (; cookiesWritten < cookies.size(); cookiesWritten++) {
          response.addHeader(SetCookie.HEADER, cookies.get(cookiesWritten));
        }
      }
    }
  }

  /** The response's headers were reset: cookies written so far are gone. */
  void headersReset() {
    sessions.headersReset();
    synchronized (cookies) {
      cookiesWritten = 0;
    }
  }
}
