package dev.portcullis.servlet;

import dev.portcullis.access.RequestPath;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.login.AuthCheck;
import dev.portcullis.login.LoginFormTokens;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on its way through the pipeline: the wrapped request and response and what the stages found out. The
 * request wrapper answers the application's questions (session, principal) from here.
 *
 * <p>Every {@code Set-Cookie} header of the response goes through {@link #setCookie}: queued here, written before the
 * response commits, and written again if the application resets the headers.
 *
 * <p><b>Threads.</b> Like the container's request and response, an exchange belongs to one thread at a time: the
 * request's, then (after {@code startAsync}) the one the application hands the request to, through the container or an
 * executor, which publish what the first thread wrote (the servlet specification leaves any other sharing of a request
 * to the application). So its fields take no lock. The one overlap the specification allows is a {@code complete()} or
 * {@code dispatch()} on the application's thread while the request's thread is still leaving the filter; the work both
 * may do then, running the commit hooks and writing the queued cookies, takes this object's lock
 * ({@link #committing()}, {@link #end(boolean)}).
 */
final class Exchange implements Stage.Next {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);
  static final String ATTRIBUTE = Exchange.class.getName();
  private static final String NO_PATH = new String("");
  /** The states of {@link #pass}. */
  private static final byte NOT_IN_PASS = 0;

  private static final byte IN_PASS_OPEN = 1;
  private static final byte IN_PASS_COMMITTED = 2;

  private final HttpServletRequest original;
  private final HttpServletResponse originalResponse;
  private final PortcullisRequest request;
  private final PortcullisResponse response;
  private final String method;
  private final List<LoginListener> loginListeners;
  /** The bound on form bodies read at once per client address and anonymous forms; null for none. */
  private final FormBodyReads formReads;
  /** Whether the form body has been read ({@link #readFormBody()}). */
  private boolean formBodyRead;
  /** Why the form body was not read, or null. */
  private FormBodyReads.Refusal formBodyRefused;
  /**
   * The transport stage's writer of the security headers, run before the hooks at every commit; null without that
   * stage. It is the stage's own, shared by its requests: what it wrote for this response is in the three fields
   * after it.
   */
  private TransportStage.HeaderWriter securityHeaders;

  /** Whether {@link #securityHeaders} has written the headers on this response. */
  boolean headersWritten;
  /** The response wrapper's count of header changes when the security headers were last written. */
  int headerChangesWhenWritten;
  /** Whether {@code Cache-Control: no-store} was among the security headers last written. */
  boolean noStoreWhenWritten;

  /**
   * The hooks of {@link #beforeCommit}, in order: the first in a field (nearly every request has one, the session's),
   * so that no array is made for it; any further ones in {@link #moreHooks}.
   */
  private Runnable firstHook;

  private Runnable[] moreHooks;
  private int hookCount;
  private SessionState sessions = SessionState.NONE;
  /** {@link #clientAddress()} and {@link #clientSecure()} as the transport stage resolved them, once it has. */
  private String clientAddress;

  private boolean clientSecure;
  private boolean clientResolved;
  private PortalPrincipal principal;
  /** Whether the response is for this browser alone although nobody is logged in (the login page). */
  private boolean notToBeStored;

  private AuthCheck authCheck;
  /** Read from the two fields below on first use. */
  private String cookieCheckValue;

  private String cookieCheckName;
  private LoginFormTokens cookieCheckFormat;
  /**
   * Decides whether to show the single sign-on upgrade offer (see {@link #upgradeOffered()}); set by the SSO stage for
   * a logged-in request, null otherwise.
   */
  private Predicate<Exchange> upgradeOfferCheck;

  /** {@link #upgradeOffered()}'s answer once decided. */
  private Boolean upgradeOffered;

  /** The queued {@code Set-Cookie} values, made on the first. */
  private List<String> cookies;

  private int cookiesWritten;
  /** Whether {@link #committing()} has seen the response committed: it then has nothing left to do. */
  private boolean committed;

  /** Whether commit work is under way, and if so whether the response had committed when it began. */
  private byte pass;

  private String requestId;
  private Cookies requestCookies;
  /** The path in context (see {@link Paths}), read once; {@link #NO_PATH} when the request has none. */
  private String path;

  /** The path as access and audit rules match it, read from {@link #path} on first use; null when refused. */
  private RequestPath requestPath;

  private boolean requestPathRead;
  private String traceId;
  private boolean traceIdRead;
  /** The stages of this request's pass ({@link #through}), the index of the next one, and the chain after them. */
  private Stage[] stages;

  private int nextStage;
  private FilterChain chain;

  /** @param loginListeners hear about every login this request makes, in order */
  Exchange(
      HttpServletRequest request,
      HttpServletResponse response,
      List<LoginListener> loginListeners) {
    this(request, response, loginListeners, null);
  }

  /**
   * @param loginListeners hear about every login this request makes, in order
   * @param formReads bounds the form bodies read at once per client address; null for no bound
   */
  Exchange(
      HttpServletRequest request,
      HttpServletResponse response,
      List<LoginListener> loginListeners,
      FormBodyReads formReads) {
    this.formReads = formReads;
    this.original = request;
    this.originalResponse = response;
    String m = request.getMethod();
    this.method = m == null ? "" : upperCase(m);
    this.loginListeners = loginListeners;
    this.response = new PortcullisResponse(response, this);
    this.request = new PortcullisRequest(request, this);
  }

  /** {@code method} upper-cased; the common methods, as sent, without a scan. */
  private static String upperCase(String method) {
    return switch (method) {
      case "GET", "POST", "HEAD" -> method;
      default -> method.toUpperCase(Locale.ROOT);
    };
  }

  /**
   * Starts the request's one pass through {@code stages}, which ends in the application's {@code chain}: the exchange
   * keeps the request's place in the pipeline and is the {@link Stage.Next} each stage is handed.
   */
  Stage.Next through(Stage[] stages, FilterChain chain) {
    this.stages = stages;
    this.chain = chain;
    this.nextStage = 0;
    return this;
  }

  /** The next stage of the pass, or after the last one the application's chain. */
  @Override
  public void proceed() throws IOException, ServletException {
    if (nextStage < stages.length) {
      stages[nextStage++].handle(this, this);
    } else {
      chain.doFilter(request, response);
    }
  }

  /** The container's request, unwrapped: for the connection's own facts (peer address, TLS, raw headers). */
  HttpServletRequest original() {
    return original;
  }

  /**
   * The container's response, unwrapped: for headers the pipeline writes itself, which need none of the wrapper's
   * bookkeeping.
   */
  HttpServletResponse originalResponse() {
    return originalResponse;
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

  /**
   * The headers through which a client asks the framework behind the filter to dispatch the request as another method,
   * in lower case. Javalin's router takes {@code X-HTTP-Method-Override} from a request of any method; the others are
   * the spellings other frameworks and gateways read.
   */
  private static final String[] METHOD_OVERRIDE_HEADERS = {
    "x-http-method-override", "x-http-method", "x-method-override"
  };

  /**
   * Whether the request does not change state: its method is GET, HEAD, OPTIONS or TRACE, and no method-override header
   * ({@code X-HTTP-Method-Override}, {@code X-HTTP-Method}, {@code X-Method-Override}) names another method, which the
   * framework behind the filter could dispatch it to.
   */
  boolean safeMethod() {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE" -> unsafeMethodOverride() == null;
      default -> false;
    };
  }

  /**
   * The method-override header (lower case) of this request that names a method other than GET, HEAD, OPTIONS and
   * TRACE, or null when none does. Every value counts, whichever one a framework reads.
   */
  String unsafeMethodOverride() {
    String[] found = methodOverride(value -> switch (value) {
      case "GET", "HEAD", "OPTIONS", "TRACE" -> false;
      default -> true;
    });
    return found == null ? null : found[0];
  }

  /**
   * The method the audit rules judge the request by: its own, except for an {@code OPTIONS} or {@code TRACE} (which
   * the rules leave unrecorded) with a method-override header naming another method, which the framework behind the
   * filter may run as that method's handler (Javalin runs the {@code GET} handler of an {@code OPTIONS} with {@code
   * X-HTTP-Method-Override: GET}): then the first such value, in upper case.
   */
  String auditedMethod() {
    if (!method.equals("OPTIONS") && !method.equals("TRACE")) {
      return method;
    }
    String[] found = methodOverride(value -> !value.equals("OPTIONS") && !value.equals("TRACE"));
    return found == null ? method : found[1];
  }

  /**
   * The first method-override header's name (lower case) and value (stripped, upper case) whose value {@code counts},
   * or null.
   */
  private String[] methodOverride(Predicate<String> counts) {
    for (String name : METHOD_OVERRIDE_HEADERS) {
      // Asked in lower case, as the upgrade header is below; a request without the header (nearly
      // every one) costs one lookup and no enumeration.
      if (original.getHeader(name) == null) {
        continue;
      }
      Enumeration<String> values = original.getHeaders(name);
      while (values != null && values.hasMoreElements()) {
        String value = values.nextElement();
        String upper = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
        if (counts.test(upper)) {
          return new String[] {name, upper};
        }
      }
    }
    return null;
  }

  /** Whether the request is a WebSocket upgrade: 0 until asked, then 1 or -1 (read once, by the CSRF stage first). */
  private byte webSocketUpgrade;

  /** Whether this is a WebSocket upgrade request: a GET with {@code websocket} among its {@code Upgrade} tokens. */
  boolean webSocketUpgrade() {
    byte known = webSocketUpgrade;
    if (known == 0) {
      known = readWebSocketUpgrade() ? (byte) 1 : (byte) -1;
      webSocketUpgrade = known;
    }
    return known > 0;
  }

  private boolean readWebSocketUpgrade() {
    if (!method.equals("GET")) {
      return false;
    }
    // Read only when present, so that an ordinary request allocates nothing here. Header names
    // are case-insensitive; asked in lower case, a container that lower-cases names to look them
    // up (Spring's mock request) makes no copy of it.
    String upgrade = original.getHeader("upgrade");
    if (upgrade == null) {
      return false;
    }
    for (String token : upgrade.split(",", -1)) {
      if (token.strip().equalsIgnoreCase("websocket")) {
        return true;
      }
    }
    return false;
  }

  SessionState sessions() {
    return sessions;
  }

  void sessions(SessionState sessions) {
    this.sessions = sessions;
  }

  /**
   * Where the request came from, after trusted-proxy resolution by the transport stage; without that stage, the
   * connection's own peer address.
   */
  String clientAddress() {
    return clientResolved ? clientAddress : TransportStage.peerAddress(original.getRemoteAddr());
  }

  /**
   * Whether the request arrived over HTTPS, as the transport stage decided (a trusted proxy's word, or the
   * connection's own encryption); without that stage, the connection's own ({@link TransportStage#connectionSecure},
   * never the request's scheme).
   */
  boolean clientSecure() {
    return clientResolved ? clientSecure : TransportStage.connectionSecure(original);
  }

  /** Sets the transport stage's resolution of the connection and any trusted proxy's headers. */
  void client(String address, boolean secure) {
    this.clientAddress = address;
    this.clientSecure = secure;
    this.clientResolved = true;
  }

  /** Sets the writer of the security headers that runs before the hooks at every commit. */
  void securityHeaders(TransportStage.HeaderWriter writer) {
    this.securityHeaders = writer;
  }

  /**
   * Reads the request's form body into the container's parameters, once, within the client address's share of form
   * reads and, when nobody is logged in to the request, within the places for anonymous forms ({@link
   * FormBodyReads}): the container's thread waits while a body arrives, so no address, and no crowd of anonymous
   * clients, may hold many of them. Later reads of the parameters are answered from memory.
   *
   * @throws FormFields.TooManyForms when the address is sending its share of forms already, or every place for
   *     anonymous forms is taken (the body is not read)
   * @throws FormFields.UnreadableForm when the container cannot parse the body
   */
  void readFormBody() {
    if (formBodyRead) {
      return;
    }
    if (formBodyRefused != null) {
      throw new FormFields.TooManyForms(formBodyRefused);
    }
    if (formReads == null) {
      formBodyRead = true;
      return;
    }
    String address = clientAddress();
    boolean anonymous = principal == null;
    FormBodyReads.Refusal refusal = formReads.enter(address, anonymous);
    if (refusal != null) {
      formBodyRefused = refusal;
      throw new FormFields.TooManyForms(refusal);
    }
    try {
      original.getParameterMap();
    } catch (RuntimeException e) {
      throw new FormFields.UnreadableForm(e);
    } finally {
      formBodyRead = true;
      formReads.leave(address, anonymous);
    }
  }

  /**
   * The request parameter {@code name} as the container gives it, query string and body merged, for the filter's own
   * questions (a login's {@code returnTo}, the single sign-on callback's, an audited search's query). When the request
   * has a content type, the container may read its body to answer (a URL-encoded form, or a {@code
   * multipart/form-data} one where the servlet has a multipart configuration), so the body is read first within the
   * bounds of {@link #readFormBody()}, whichever field comes first and whatever the encoding.
   *
   * @throws FormFields.TooManyForms when no place is free for reading the body (the body is not read)
   * @throws FormFields.UnreadableForm when the container cannot parse the body
   */
  String parameter(String name) {
    String type;
    try {
      type = original.getContentType();
    } catch (RuntimeException e) {
      throw new FormFields.UnreadableForm(e);
    }
    if (type != null) {
      readFormBody();
    }
    try {
      return original.getParameter(name);
    } catch (RuntimeException e) {
      throw new FormFields.UnreadableForm(e);
    }
  }

  /**
   * Marks the response as one no cache may keep although nobody is logged in: the login page, and any page built after
   * the application asked for the CSRF token, which is bound to this browser's cookie or session. The security headers
   * then say {@code Cache-Control: no-store}, as for a logged-in user's pages.
   */
  void notToBeStored() {
    notToBeStored = true;
  }

  /** Whether the response must not be kept by any cache: a logged-in user's, or one marked {@link #notToBeStored()}. */
  boolean noStore() {
    return principal != null || notToBeStored;
  }

  /** The logged-in user, set by the authentication stage or a login; null when anonymous. */
  PortalPrincipal principal() {
    return principal;
  }

  void principal(PortalPrincipal principal) {
    this.principal = principal;
  }

  /**
   * Whether nobody is logged in because the store could not look up the request's session: a logout then cannot be
   * checked against the session's CSRF token (the CSRF stage lets it through) and ends nothing on the server.
   */
  boolean anonymousForAnUnreachableSession() {
    return principal == null && sessions.requestedSessionUnavailable();
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
    if (cookieCheckName != null) {
      cookieCheckValue =
          Cookies.wellFormedSingle(requestCookies(), cookieCheckName, cookieCheckFormat);
      cookieCheckName = null;
      cookieCheckFormat = null;
    }
    return cookieCheckValue;
  }

  void cookieCheckValue(String value) {
    this.cookieCheckValue = value;
    this.cookieCheckName = null;
    this.cookieCheckFormat = null;
  }

  /**
   * The cookie-check value is what the request sent as cookie {@code name}, if it sent exactly one and it is well
   * formed for {@code format}; read when first asked for (most requests never ask).
   */
  void cookieCheckValueFromRequest(String name, LoginFormTokens format) {
    this.cookieCheckValue = null;
    this.cookieCheckName = name;
    this.cookieCheckFormat = format;
  }

  void upgradeOfferCheck(Predicate<Exchange> check) {
    this.upgradeOfferCheck = check;
    this.upgradeOffered = null;
  }

  /**
   * Whether the application should show this request's user the offer to link the account to single sign-on; decided
   * on the first question (which may ask the account-link store), the same answer afterwards.
   */
  boolean upgradeOffered() {
    if (upgradeOffered == null) {
      upgradeOffered = upgradeOfferCheck != null && upgradeOfferCheck.test(this);
    }
    return upgradeOffered;
  }

  /** Tells the login listeners that {@code user} has just logged in during this request, the {@code kind} way. */
  void loggedIn(PortalUser user, LoginListener.Kind kind) {
    for (LoginListener listener : loginListeners) {
      listener.loggedIn(this, user, kind);
    }
  }

  /**
   * Registers work (the session state) that must happen before the response commits, after the security headers.
   * Must be idempotent.
   */
  void beforeCommit(Runnable hook) {
    Objects.requireNonNull(hook, "hook");
    if (hookCount == 0) {
      firstHook = hook;
    } else {
      int more = hookCount - 1;
      if (moreHooks == null) {
        moreHooks = new Runnable[2];
      } else if (more == moreHooks.length) {
        moreHooks = Arrays.copyOf(moreHooks, more * 2);
      }
      moreHooks[more] = hook;
    }
    hookCount++;
  }

  /**
   * Queues a {@code Set-Cookie} header value (see {@link SetCookie}); it is written before the response commits, and
   * again if the application resets the headers. The one way a cookie leaves the filter.
   */
  void setCookie(String headerValue) {
    if (cookies == null) {
      cookies = new ArrayList<>(4);
    }
    cookies.add(headerValue);
  }

  /**
   * Forgets the queued cookies named {@code name} that have not been written yet: a later value of the same cookie
   * replaces them, so that the response does not set it twice.
   */
  void unqueueCookie(String name) {
    if (cookies == null) {
      return;
    }
    for (int i = cookies.size() - 1; i >= cookiesWritten; i--) {
      String queued = cookies.get(i);
      if (queued.length() > name.length()
          && queued.charAt(name.length()) == '='
          && queued.startsWith(name)) {
        cookies.remove(i);
      }
    }
  }

  /** Forgets every cookie queued so far (a logout's expiries replace them; a renewal must not leave). */
  void dropQueuedCookies() {
    if (cookies != null) {
      cookies.clear();
    }
  }

  /**
   * The still-encoded request path after the context path, read once for every stage; null when the raw URI does not
   * start with the context path as sent (see {@link Paths#inContext}).
   */
  String pathInContext() {
    String p = path;
    if (p == null) {
      String read = Paths.inContext(original);
      p = read == null ? NO_PATH : read;
      path = p;
    }
    return p == NO_PATH ? null : p;
  }

  /**
   * The path in context as access and audit rules match it ({@link RequestPath#of}), read once for every stage; null
   * when the request has no path in context or one that is refused as ambiguous.
   */
  RequestPath requestPath() {
    if (!requestPathRead) {
      String raw = pathInContext();
      requestPath = raw == null ? null : RequestPath.of(raw).orElse(null);
      requestPathRead = true;
    }
    return requestPath;
  }

  /** The request's cookies, read from its Cookie headers once (see {@link Cookies}). */
  Cookies requestCookies() {
    if (requestCookies == null) {
      requestCookies = Cookies.parse(original);
    }
    return requestCookies;
  }

  /** An id for this request in audit events, drawn once from {@code audit}'s random: never from the client. */
  String requestId(AuditLog audit) {
    if (requestId == null) {
      requestId = audit.newRequestId();
    }
    return requestId;
  }

  /**
   * The request's W3C trace id for audit events, read from its {@code traceparent} header the first time it is asked
   * for (see {@link TraceParent}); null when the request is not traced.
   */
  String traceId() {
    if (!traceIdRead) {
      traceId = TraceParent.traceId(original);
      traceIdRead = true;
    }
    return traceId;
  }

  /** The trace id of the span the tracer opened for this request: it takes the place of the header's. */
  void traceId(String traceId) {
    this.traceId = traceId;
    this.traceIdRead = true;
  }

  /**
   * Writes the security headers, runs the registered hooks in pipeline order, then writes the queued cookies. Called
   * before every possible commit; once the response has committed (nothing can be written any more) it returns at
   * once.
   */
  void committing() {
    // Read without the lock: a stale false only means taking it.
    if (committed) {
      return;
    }
    synchronized (this) {
      committed = commitPass();
    }
  }

  /**
   * The end of the request, with its last save and the last chance for its cookies: on the request's thread when the
   * filter returns without an async cycle, else when the async cycle completes. Runs the hooks (the session is saved
   * whether or not the response has committed; the headers only while it has not), then writes the queued cookies, in
   * one pass under the lock. A failure is logged; it is thrown on only when {@code rethrow} (the application finished
   * normally: an exception of its own is not replaced).
   */
  synchronized void end(boolean rethrow) {
    try {
      commitPass();
    } catch (RuntimeException e) {
      log.warn("saving the session at the end of the request failed", e);
      if (rethrow) {
        throw e;
      }
    }
  }

  /** One pass of commit work: the hooks, then the queued cookies; whether the response had committed before it. */
  private boolean commitPass() {
    boolean was = startPass();
    try {
      runHooks();
      writeCookies();
    } finally {
      pass = NOT_IN_PASS;
    }
    return was;
  }

  /** Reads the response's commit state for a pass of commit work; whether it has committed. */
  private boolean startPass() {
    boolean was = response.isCommitted();
    pass = was ? IN_PASS_COMMITTED : IN_PASS_OPEN;
    return was;
  }

  /**
   * Whether the response has committed. Within a pass of commit work (the hooks, the queued cookies) the answer is
   * read once: that work writes headers and saves state, which cannot commit the response.
   */
  boolean responseCommitted() {
    int p = pass;
    return p == NOT_IN_PASS ? response.isCommitted() : p == IN_PASS_COMMITTED;
  }

  private void runHooks() {
    if (securityHeaders != null) {
      securityHeaders.apply(this);
    }
    if (hookCount > 0) {
      firstHook.run();
    }
    for (int i = 1; i < hookCount; i++) {
      moreHooks[i - 1].run();
    }
  }

  /** Writes the cookies queued since the last write, unless the response has committed. */
  private void writeCookies() {
    if (cookies != null && !responseCommitted() && cookiesWritten < cookies.size()) {
      for (; cookiesWritten < cookies.size(); cookiesWritten++) {
        originalResponse.addHeader(SetCookie.HEADER, cookies.get(cookiesWritten));
      }
      // A cache that kept a response setting a session or auth cookie would hand that cookie to
      // every browser it serves the response to.
      originalResponse.setHeader("Cache-Control", "no-store");
    }
  }

  /** The response's headers were reset: every cookie queued so far must be written again. */
  synchronized void headersReset() {
    cookiesWritten = 0;
  }
}
