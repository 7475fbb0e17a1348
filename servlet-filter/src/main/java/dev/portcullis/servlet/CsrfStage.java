package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.LoginEndpoints;
import dev.portcullis.login.LoginFormTokens;
import dev.portcullis.login.internal.WebOrigin;
import dev.portcullis.session.Session;
import dev.portcullis.transport.TransportConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CSRF protection, decided here and nowhere else: every state-changing request (anything but GET, HEAD, OPTIONS and
 * TRACE), the login form and logout included, must bring back a token in the header {@value CsrfTokens#HEADER} or the
 * form body's field {@value CsrfTokens#FIELD} (never the query string); otherwise {@code 403} and {@code csrf_fail}.
 * A GET, HEAD, OPTIONS or TRACE with a method-override header ({@code X-HTTP-Method-Override}, {@code X-HTTP-Method},
 * {@code X-Method-Override}) naming another method is state-changing too: Javalin's router, for one, dispatches a
 * {@code GET} with {@code X-HTTP-Method-Override: POST} to the {@code POST} handler.
 *
 * <p>The token is the synchronizer token kept in the request's server-side session; or, for a request nobody is
 * logged in to, the form token bound to the browser's cookie-check cookie ({@link LoginFormTokens}), so that the
 * login page, and any anonymous form that uses its token, needs no server-side session. A logged-in request must bring
 * its session's token: a login gives the session a new one, so no token from before the login works after it.
 *
 * <p>The token is offered to the application as the request attribute {@link PortcullisFilter#CSRF_TOKEN_ATTRIBUTE}:
 * the session's when there is a session, otherwise the cookie-bound one when the browser has a cookie-check value
 * (the login page always has one). Offering a token never creates a session.
 *
 * <p>Before the token, the origin (defence in depth: a token that leaked is not enough from another site): a
 * state-changing request a browser marks as cross-origin gets the same {@code 403} and {@code csrf_fail}, its reason
 * naming the header. The browser's {@code Sec-Fetch-Site} decides when it is sent: anything but {@code same-origin}
 * or {@code none} is refused. Without it, an {@code Origin} header must name the request's own origin: the scheme
 * Portcullis decided (HTTPS as the transport stage found it, trusted proxies included), the container's server name
 * and port (a port that is the default of the container's own scheme counts as none, so a TLS-terminating proxy that
 * keeps the {@code Host} header still matches), or the configured canonical host; {@code Origin: null} and anything
 * that is not an origin are refused. A request with neither header (a non-browser client, an old browser) goes on to
 * the token check as before. An {@code Origin} among the configured trusted origins
 * ({@link PortcullisFilter.Builder#trustedOrigins}) passes both checks.
 *
 * <p>A WebSocket upgrade (a {@code GET} with {@code Upgrade: websocket}) gets the same origin check, and no token
 * check: a page of any site can open a socket with the cookies the browser holds for this one (cross-site WebSocket
 * hijacking), and {@code SameSite=Lax} keeps them back only from another site, not from another origin of the same
 * site (a sibling sub-domain) nor with {@code SameSite=None}. A refused upgrade gets the same {@code 403} and
 * {@code csrf_fail}, its reason starting {@code WebSocket upgrade:}. A client that sends no {@code Origin} (not a
 * browser) is let through to the other checks. Portcullis receives no cross-site
 * {@code POST} of its own: the OpenID Connect callback is a {@code GET} (the default response mode, {@code query}),
 * and the legacy cookie upgrade happens on any request, before this stage.
 *
 * <p>A form body the container cannot parse ({@link FormFields.UnreadableForm}), whether this stage reads it for the
 * token or a later one for its fields (the login, the terms, single sign-on), gets a plain {@code 400} and
 * {@code access_denied}, never the container's error page with its stack trace. A form whose client address is
 * sending its share of forms already, or that nobody is logged in to while every place for anonymous forms is taken
 * ({@link FormBodyReads}, {@link FormFields.TooManyForms}), gets the plain {@code 503} and {@code access_denied}, its
 * body unread.
 */
final class CsrfStage extends Stage {
  private static final Logger log = LoggerFactory.getLogger(CsrfStage.class);

  static final String REFUSED =
      "This form has expired or did not come from this site. Go back, reload the page and try again.";
  static final String BAD_FORM = "Bad request.";

  private final SecureRandom random;
  private final LoginFormTokens formTokens;
  private final AuditTrail audit;
  private final LoginEndpoints endpoints;
  /** The configured trusted origins and the canonical host's: an {@code Origin} among them always passes. */
  private final Set<WebOrigin> trusted;

  CsrfStage(
      SecureRandom random,
      LoginFormTokens formTokens,
      AuditTrail audit,
      LoginEndpoints endpoints,
      Set<WebOrigin> trusted) {
    this.random = random;
    this.formTokens = formTokens;
    this.audit = audit;
    this.endpoints = endpoints;
    this.trusted = Set.copyOf(trusted);
  }

  /**
   * The origins whose requests are never cross-origin: {@code configured} (already checked by the configuration) and,
   * when plain HTTP is redirected, the canonical host's HTTPS origin, which is the portal's own.
   */
  static Set<WebOrigin> trusted(List<String> configured, TransportConfig transport) {
    Set<WebOrigin> all = new HashSet<>();
    for (String o : configured) {
      all.add(WebOrigin.setting(o));
    }
    transport
        .httpsUrl("/")
        .flatMap(url -> WebOrigin.parse(url.substring(0, url.length() - 1)))
        .ifPresent(all::add);
    return all;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    try {
      check(exchange, next);
    } catch (FormFields.UnreadableForm e) {
      log.debug("form body could not be read: {}", e.getCause().getClass().getName());
      audit.emit(
          exchange, AuditEventType.ACCESS_DENIED, b -> b.failure("form body could not be read"));
      Pages.plain(exchange.response(), HttpServletResponse.SC_BAD_REQUEST, BAD_FORM);
    } catch (FormFields.TooManyForms e) {
      audit.emit(
          exchange,
          AuditEventType.ACCESS_DENIED,
          b -> b.failure("form body not read: " + e.getMessage()));
      // The body is never read; closing the connection keeps the container from reading it either.
      Pages.closeAfterResponse(exchange);
      Pages.serviceUnavailable(exchange.response());
    }
  }

  private void check(Exchange exchange, Next next) throws IOException, ServletException {
    if (!exchange.safeMethod()) {
      String crossOrigin = crossOrigin(exchange);
      if (crossOrigin != null) {
        audit.emit(exchange, AuditEventType.CSRF_FAIL, b -> b.failure(crossOrigin));
        Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, REFUSED);
        return;
      }
      String mismatch = CsrfTokens.mismatch(exchange, formTokens);
      String override = mismatch == null ? null : exchange.unsafeMethodOverride();
      String why = override == null
          ? mismatch
          : mismatch + " (" + exchange.method() + " with " + override + ")";
      if (why != null && !logoutWithoutReachableSession(exchange)) {
        audit.emit(exchange, AuditEventType.CSRF_FAIL, b -> b.failure(why));
        Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, REFUSED);
        return;
      }
    } else if (exchange.webSocketUpgrade()) {
      // A browser opens a socket to any site with the cookies it would send there, and no token
      // can travel with the upgrade: the origin is the only check.
      String crossOrigin = crossOrigin(exchange);
      if (crossOrigin != null) {
        audit.emit(
            exchange,
            AuditEventType.CSRF_FAIL,
            b -> b.failure("WebSocket upgrade: " + crossOrigin));
        Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, REFUSED);
        return;
      }
    }
    Session session = exchange.sessions().session(false);
    String token = session != null
        ? CsrfTokens.tokenFor(session, random)
        : formTokens.tokenFor(exchange.cookieCheckValue());
    if (token != null) {
      exchange.request().setAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE, token);
    }
    next.proceed();
  }

  /**
   * Why the browser says the request comes from another origin, for the audit log; null when it does not say so (or
   * names a trusted origin). The reason names the header and repeats only a value read as valid.
   */
  private String crossOrigin(Exchange exchange) {
    HttpServletRequest request = exchange.original();
    String originHeader = request.getHeader("Origin");
    Optional<WebOrigin> origin =
        originHeader == null ? Optional.empty() : WebOrigin.parse(originHeader);
    if (origin.isPresent() && trusted.contains(origin.get())) {
      return null;
    }
    String site = request.getHeader("Sec-Fetch-Site");
    if (site != null) {
      return switch (site) {
        case "same-origin", "none" -> null;
        case "same-site", "cross-site" -> "cross-site request (Sec-Fetch-Site: " + site + ")";
        default -> "cross-site request (Sec-Fetch-Site not understood)";
      };
    }
    if (originHeader == null) {
      return null;
    }
    if (origin.isEmpty()) {
      return originHeader.equals("null")
          ? "cross-origin request (Origin: null)"
          : "cross-origin request (Origin not understood)";
    }
    // Checked as an Origin header is: a server name that is no host name matches nothing and is
    // not repeated in the audit log.
    Optional<WebOrigin> own = WebOrigin.ofServer(
        exchange.clientSecure() ? "https" : "http",
        String.valueOf(request.getServerName()),
        ownPort(request));
    if (own.isEmpty()) {
      return "cross-origin request (Origin: " + origin.get() + ", server name not understood)";
    }
    return origin.get().equals(own.get())
        ? null
        : "cross-origin request (Origin: " + origin.get() + ", expected " + own.get() + ")";
  }

  /**
   * The container's server port; -1 when it is the default of the container's own scheme (no port in the {@code
   * Host} header), which behind a TLS-terminating proxy is plain HTTP's while the browser's origin is HTTPS.
   */
  private static int ownPort(HttpServletRequest request) {
    int port = request.getServerPort();
    String scheme = request.getScheme();
    return scheme != null && port == WebOrigin.defaultPort(scheme) ? -1 : port;
  }

  /** A logout post of an anonymous request whose session the store could not look up. */
  private boolean logoutWithoutReachableSession(Exchange exchange) {
    return exchange.method().equals("POST")
        && exchange.anonymousForAnUnreachableSession()
        && endpoints.isLogout(Paths.path(exchange));
  }
}
