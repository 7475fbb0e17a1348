package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.internal.ConfigurationWarning;
import dev.portcullis.servlet.internal.SecurityHeaders;
import dev.portcullis.transport.IpAddress;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.transport.internal.TrustedProxies;
import jakarta.servlet.ServletConnection;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stage: decides where the request came from and whether it arrived over HTTPS (believing forwarding
 * headers only from {@link TransportConfig#trustedProxies() trusted proxies}), sends plain-HTTP requests to HTTPS, and
 * puts the security headers on every response.
 *
 * <p>Whether a request arrived over HTTPS is decided here once, and every later use (the HSTS header, the plain-HTTP
 * refusal, development mode's loopback exception, the application's {@code isSecure()}) reads that one decision: the
 * encryption of the request's own network connection ({@link #connectionSecure}), or what a trusted proxy says of the
 * client's. Not the container's {@code isSecure()}: Jetty 12 derives it from the scheme of the request's URI, which for
 * an absolute-form request target ({@code GET https://portal/login HTTP/1.1}) comes from the request line even on a
 * plain connector, and a container's forwarded-header handling derives it from headers. A request the container calls
 * secure on a plain connection is treated as plain HTTP, and a warning is logged once, unless the configuration lets
 * {@linkplain TransportConfig#containerDecidesHttps() the container decide}.
 *
 * <p>From a trusted proxy, the forwarding headers the configuration {@linkplain TransportConfig#forwardedHeaders()
 * reads} are believed. When both kinds are read and a request carries both giving different answers, it is the
 * proxy's own request, and one {@link AuditEventType#FORWARDED_HEADERS_CONFLICT} event names what each kind gave: an
 * anonymous event of the proxy's address, so a flood of them is held to that address's share of the audit log.
 *
 * <p>Plain-HTTP {@code GET} and {@code HEAD} get a {@code 308} (with {@code Cache-Control: no-store}) to the same path
 * and query over HTTPS on the configured {@linkplain TransportConfig#canonicalHost() canonical host}, never on the
 * host the request names; or a {@code 403} when the configuration refuses plain HTTP instead of redirecting. Every
 * other plain-HTTP method gets a {@code 403} and the connection is closed without the request body being read, so a
 * form sent over plain HTTP is not processed. In development mode plain HTTP from a loopback client passes.
 *
 * <p>{@code TRACE} and {@code TRACK}, in any letter case and over any connection, get a {@code 405} with an
 * {@code Allow} header before the application runs: a trace echoes the request, cookies included, into a body that
 * scripts can read, which undoes {@code HttpOnly}. An {@code Allow} header the application writes (the servlet API's
 * {@code OPTIONS} answer lists {@code TRACE} by default) loses those two methods before the response commits.
 *
 * <p>Headers on every response, including the ones Portcullis writes itself: {@code X-Content-Type-Options: nosniff},
 * {@code X-Frame-Options: DENY} and {@code Content-Security-Policy: frame-ancestors 'none'} (the filter's own HTML
 * pages have a stricter policy that includes it, {@link Pages#PAGE_POLICY}, which this stage keeps), and
 * {@code Referrer-Policy: strict-origin-when-cross-origin} (other sites learn the portal's origin but never a path or
 * query, which may name a case or a report; the portal's own pages still get the full address). Over HTTPS only
 * (RFC 6797 8.1): {@code Strict-Transport-Security}. While a user is logged in, and on every response the filter
 * writes itself ({@code Pages}): {@code Cache-Control: no-store}. They
 * are set again just before the response commits whenever headers have changed through the response the application
 * was given, so a {@code reset()} by the application cannot lose them, and they override the application's own values
 * for the same headers; an application's own {@code Content-Security-Policy} is kept, with the frame-ancestors policy
 * added as a second header (browsers enforce both). Headers changed on the container's own response, after unwrapping
 * the one Portcullis passed on, are not noticed, nor are headers a filter ahead of Portcullis set (it should run
 * first: {@link PortcullisFilter#DEFAULT_ORDER}).
 */
final class TransportStage extends Stage {
  private static final Logger log = LoggerFactory.getLogger(TransportStage.class);

  static final String REFERRER_POLICY = SecurityHeaders.REFERRER_POLICY;
  static final String FRAME_ANCESTORS = SecurityHeaders.FRAME_ANCESTORS;
  /** The methods the filter lets through to the application, for the {@code Allow} header of its {@code 405}. */
  static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS";
  /** The request attribute a servlet container sets to the TLS cipher suite of an encrypted connection. */
  private static final String CIPHER_SUITE = "jakarta.servlet.request.cipher_suite";
  /**
   * Undertow's connection, whose {@code isSecure()} is the request's {@code isSecure()}: the request's scheme, which
   * Undertow's forwarded-header handlers ({@code ProxyPeerAddressHandler}, {@code ForwardedHandler}) take from the
   * client's headers. Its TLS attribute comes from the connection's own TLS session, so that is what is asked.
   */
  private static final String UNDERTOW_CONNECTION =
      "io.undertow.servlet.spec.ServletConnectionImpl";

  private final TransportConfig config;
  private final TrustedProxies proxies;
  private final AuditTrail audit;
  private final HeaderWriter headerWriter;
  /** Whether the warning about a container that calls a plain connection secure has been logged. */
  private final AtomicBoolean warnedOfContainer = new AtomicBoolean();

  TransportStage(TransportConfig config) {
    this(config, AuditTrail.NONE);
  }

  TransportStage(TransportConfig config, AuditTrail audit) {
    this.config = Objects.requireNonNull(config, "transport");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.proxies = config.trustedProxies().isEmpty()
        ? TrustedProxies.none()
        : TrustedProxies.of(config.trustedProxies(), config.forwardedHeaders());
    this.headerWriter = new HeaderWriter(SecurityHeaders.of(config));
    if (config.developmentMode()) {
      ConfigurationWarning.say(
          TransportStage.class,
          log,
          "*** Portcullis DEVELOPMENT MODE: plain HTTP is accepted from loopback clients. Passwords and cookies"
              + " may travel unencrypted. Never use this setting on a server others can reach. ***");
    }
    if (config.containerDecidesHttps()) {
      ConfigurationWarning.say(
          TransportStage.class,
          log,
          "Portcullis believes the servlet container's isSecure() (containerDecidesHttps): a request the container"
              + " calls HTTPS is served as HTTPS even when its own connection is plain. Safe only when the plain-HTTP"
              + " port is reachable from the TLS-terminating proxy alone.");
    }
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    HttpServletRequest original = exchange.original();
    String peer = Objects.requireNonNullElse(peerAddress(original.getRemoteAddr()), "");
    if (proxies.isEmpty()) {
      // No proxy is believed, so no forwarding header can change the answer: don't read them.
      exchange.client(peer, arrivedSecure(original));
    } else {
      TrustedProxies.Client client = resolve(original, peer);
      exchange.client(client.address(), client.secure());
      if (client.disagreement() != null) {
        auditDisagreement(exchange, client.disagreement());
      }
    }

    // The writer is the stage's own; what it wrote for this response is kept in the exchange.
    exchange.securityHeaders(headerWriter);
    headerWriter.apply(exchange);

    String method = exchange.method();
    if (method.equals("TRACE") || method.equals("TRACK")) {
      refuseTrace(exchange);
      return;
    }
    if (!exchange.clientSecure() && !config.allowsPlainHttp(peer, exchange.clientAddress())) {
      refusePlainHttp(exchange);
      return;
    }
    next.proceed();
  }

  /**
   * The connection's remote address as {@link IpAddress}'s canonical text when the container wrote an IPv6 address in
   * brackets, as Jetty 12 does ({@code [0:0:0:0:0:0:0:1]}), which no address rule reads. Left so, every per-address
   * count (new anonymous sessions, form reads, the audit log's anonymous share) would put all IPv6 clients into one
   * count, the login limit would count an IPv6 client by its whole address rather than its /64, an IPv6 proxy or
   * loopback client would never match the trusted proxies or development mode, and the audit log would record no
   * address. Anything else is kept as the container wrote it: IPv4 and unbracketed IPv6 (every reader parses them by
   * the same rule), an address with a zone ({@code fe80::1%eth0}: the same link-local address on another link is
   * another host, so it matches no trusted proxy), text that is no address (a Unix socket's name), and null.
   */
  static String peerAddress(String remoteAddr) {
    if (remoteAddr == null
        || remoteAddr.length() < 3
        || remoteAddr.charAt(0) != '['
        || remoteAddr.charAt(remoteAddr.length() - 1) != ']') {
      // IPv4 as every container writes it, and IPv6 as Tomcat and Undertow do: read as they are.
      return remoteAddr;
    }
    IpAddress address =
        IpAddress.parse(remoteAddr.substring(1, remoteAddr.length() - 1)).orElse(null);
    return address == null ? remoteAddr : address.toString();
  }

  private TrustedProxies.Client resolve(HttpServletRequest request, String peer) {
    boolean secure = arrivedSecure(request);
    try {
      // A kind the configuration does not read is not even looked at.
      return proxies.resolve(
          peer,
          secure,
          proxies.readsForwarded() ? headers(request, "Forwarded") : List.of(),
          proxies.readsXForwarded() ? headers(request, "X-Forwarded-For") : List.of(),
          proxies.readsXForwarded() ? headers(request, "X-Forwarded-Proto") : List.of());
    } catch (RuntimeException e) {
      // TrustedProxies falls back by itself on malformed headers; this is the belt to its braces.
      log.debug(
          "forwarding headers could not be read; using the connection's own address and security");
      return new TrustedProxies.Client(peer, secure);
    }
  }

  /**
   * Records that a trusted proxy's request carried {@code Forwarded} and {@code X-Forwarded-*} giving different
   * clients or protocols. The addresses are the canonical text of IP addresses (or the proxy's own), never the header
   * text itself.
   */
  private void auditDisagreement(Exchange exchange, TrustedProxies.Disagreement d) {
    String reason =
        "Forwarded and X-Forwarded-* disagree, served as the proxy's own request: Forwarded gives "
            + said(d.byForwarded())
            + ", X-Forwarded-* gives "
            + said(d.byXForwarded());
    audit.emit(exchange, AuditEventType.FORWARDED_HEADERS_CONFLICT, b -> b.failure(reason));
  }

  private static String said(TrustedProxies.Client c) {
    return c.address() + " over " + (c.secure() ? "https" : "http");
  }

  /**
   * Whether the request reached this server over HTTPS, before any trusted proxy is heard: the connection's own
   * encryption, or the container's {@code isSecure()} when the configuration lets the container decide.
   */
  private boolean arrivedSecure(HttpServletRequest request) {
    if (config.containerDecidesHttps()) {
      return request.isSecure();
    }
    boolean connection = connectionSecure(request);
    if (!connection && request.isSecure() && !warnedOfContainer.getAndSet(true)) {
      log.warn(
          "The servlet container reports a request as HTTPS although its connection is not encrypted: Portcullis"
              + " treats such requests as plain HTTP (redirected or refused). Either a client sent an absolute-form"
              + " https:// request target over plain HTTP, or the container's forwarded-header handling is on (Jetty's"
              + " ForwardedRequestCustomizer, Tomcat's RemoteIpValve, Spring Boot's server.forward-headers-strategy);"
              + " the two cannot be told apart. Behind a TLS-terminating proxy, list it in TransportConfig"
              + " trustedProxies (portcullis.transport.trusted-proxies) and switch the container's forwarded-header"
              + " handling off; or, only when the plain-HTTP port is reachable from the proxy alone, set"
              + " TransportConfig.Builder.containerDecidesHttps(true) (portcullis.transport.container-decides-https)."
              + " Logged once.");
    }
    return connection;
  }

  /**
   * Whether the request's own network connection is encrypted, as the container reports the connection ({@link
   * ServletConnection#isSecure()}, Servlet 6.0): never the request's scheme or a header. On Undertow, whose connection
   * answers with the request's scheme, the container's TLS attribute ({@code jakarta.servlet.request.cipher_suite})
   * alone. A request (a mock, a wrapper written for an older servlet API) that reports no connection falls back to that
   * attribute, then to its own {@code isSecure()}.
   */
  static boolean connectionSecure(HttpServletRequest request) {
    ServletConnection connection;
    try {
      connection = request.getServletConnection();
    } catch (UnsupportedOperationException | AbstractMethodError e) {
      connection = null;
    }
    if (connection != null) {
      if (UNDERTOW_CONNECTION.equals(connection.getClass().getName())) {
        return request.getAttribute(CIPHER_SUITE) != null;
      }
      return connection.isSecure();
    }
    return request.getAttribute(CIPHER_SUITE) != null || request.isSecure();
  }

  private static List<String> headers(HttpServletRequest request, String name) {
    // Most requests lack most of these headers, and send the others once: one lookup then, and
    // no list to grow.
    if (request.getHeader(name) == null) {
      return List.of();
    }
    Enumeration<String> values = request.getHeaders(name);
    if (values == null || !values.hasMoreElements()) {
      return List.of();
    }
    String first = values.nextElement();
    if (!values.hasMoreElements()) {
      return first == null ? List.of() : List.of(first);
    }
    List<String> all = new ArrayList<>(4);
    if (first != null) {
      all.add(first);
    }
    while (values.hasMoreElements()) {
      String v = values.nextElement();
      if (v != null) {
        all.add(v);
      }
    }
    return all;
  }

  private static void refuseTrace(Exchange exchange) throws IOException {
    HttpServletResponse response = exchange.response();
    response.setHeader("Allow", ALLOWED_METHODS);
    response.setHeader("Cache-Control", "no-store");
    Pages.plain(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "Method not allowed.");
  }

  private void refusePlainHttp(Exchange exchange) throws IOException {
    HttpServletRequest original = exchange.original();
    String method = exchange.method();
    if (config.redirectsPlainHttp() && (method.equals("GET") || method.equals("HEAD"))) {
      String query = original.getQueryString();
      // The canonical host is configuration: nothing of the Host header goes into the Location.
      Optional<String> https =
          config.httpsUrl(original.getRequestURI() + (query == null ? "" : "?" + query));
      if (https.isPresent()) {
        exchange.response().setHeader("Cache-Control", "no-store");
        Pages.redirect(exchange, 308, https.get());
      } else {
        log.debug("plain-HTTP request with a target that cannot be redirected; refused");
        Pages.plain(exchange.response(), HttpServletResponse.SC_BAD_REQUEST, "Bad request.");
      }
    } else {
      Pages.closeAfterResponse(exchange);
      Pages.plain(
          exchange.response(), HttpServletResponse.SC_FORBIDDEN, "This portal only accepts HTTPS.");
    }
  }

  /** Whether a {@code Content-Security-Policy} header of {@code response} already has the frame-ancestors policy. */
  private static boolean hasFrameAncestors(HttpServletResponse response) {
    // The common response has none: one lookup, no list of values.
    if (response.getHeader("Content-Security-Policy") == null) {
      return false;
    }
    for (String value : response.getHeaders("Content-Security-Policy")) {
      if (value.contains(FRAME_ANCESTORS)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code text} contains {@code upper} (upper-case ASCII) in any letter case, without a copy. */
  static boolean containsIgnoreCase(String text, String upper) {
    for (int i = 0; i + upper.length() <= text.length(); i++) {
      if (text.regionMatches(true, i, upper, 0, upper.length())) {
        return true;
      }
    }
    return false;
  }

  /** An {@code Allow} value without {@code TRACE} and {@code TRACK}. */
  static String withoutTrace(String allow) {
    StringBuilder out = new StringBuilder(allow.length());
    for (String m : allow.split(",", -1)) {
      String method = m.strip();
      if (method.isEmpty()
          || method.equalsIgnoreCase("TRACE")
          || method.equalsIgnoreCase("TRACK")) {
        continue;
      }
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(method);
    }
    return out.toString();
  }

  /**
   * Writes the security headers of a response; idempotent, and a no-op once the response has committed. One writer
   * serves every request of its stage: what it wrote for a response is kept in that response's exchange
   * ({@link Exchange#headersWritten}), so a request makes no object for it. Each call after the first writes them all
   * again only if headers have changed through the response since (an application's own value or a reset), and adds
   * {@code Cache-Control} alone if the request has become logged in, so the checks before every possible commit stay
   * cheap.
   */
  static final class HeaderWriter {
    private final SecurityHeaders headers;

    HeaderWriter(SecurityHeaders headers) {
      this.headers = headers;
    }

    void apply(Exchange exchange) {
      PortcullisResponse response = exchange.response();
      if (exchange.responseCommitted()) {
        return;
      }
      // Written on the container's response: the pipeline's own headers are not changes the
      // application made, so they need none of the wrapper's bookkeeping.
      HttpServletResponse out = exchange.originalResponse();
      boolean noStore = exchange.noStore();
      boolean written = exchange.headersWritten;
      if (written && response.headerChanges() == exchange.headerChangesWhenWritten) {
        if (noStore && !exchange.noStoreWhenWritten) {
          // The usual authenticated request: the stage wrote the headers before the login stage
          // found the user.
          out.setHeader("Cache-Control", "no-store");
          exchange.noStoreWhenWritten = true;
        }
        return;
      }
      // The first write comes before the application has run, so no header of its own can be
      // there yet: the checks for a Content-Security-Policy or an Allow header of the
      // application's wait for a write after it has changed headers.
      boolean first = !written;
      // A loop of its own rather than SecurityHeaders.writeEveryResponse: this runs on every
      // request, where a lambda capturing the response is not wanted, and it treats the
      // Content-Security-Policy differently from the error pages.
      for (SecurityHeaders.Header header : SecurityHeaders.everyResponse()) {
        if (!header.name().equals("Content-Security-Policy")) {
          out.setHeader(header.name(), header.value());
        } else if (first || !hasFrameAncestors(out)) {
          // Added beside an application's own policy, which browsers enforce as well.
          out.addHeader(header.name(), header.value());
        }
      }
      if (exchange.clientSecure()) {
        SecurityHeaders.Header hsts = headers.strictTransportSecurity();
        out.setHeader(hsts.name(), hsts.value());
      }
      if (noStore) {
        out.setHeader("Cache-Control", "no-store");
      }
      String allow = first ? null : out.getHeader("Allow");
      if (allow != null
          && (containsIgnoreCase(allow, "TRACE") || containsIgnoreCase(allow, "TRACK"))) {
        out.setHeader("Allow", withoutTrace(allow));
      }
      exchange.headersWritten = true;
      exchange.headerChangesWhenWritten = response.headerChanges();
      exchange.noStoreWhenWritten = noStore;
    }
  }
}
