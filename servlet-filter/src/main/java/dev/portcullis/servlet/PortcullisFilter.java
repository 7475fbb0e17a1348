package dev.portcullis.servlet;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.cookie.CookieNames;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.internal.ConfigurationWarning;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.login.LoginLimitCheck;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.login.PendingLogouts;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.transport.TransportConfig;
import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one filter Portcullis needs. It runs a fixed, ordered pipeline of stages (transport, sessions, login and
 * terms, access, audit; the order is listed in one place, {@code Pipeline}) and hands the application a request
 * whose {@code getSession()} is backed by the Portcullis {@link SessionRegistry}; the container's own session is
 * never created.
 *
 * <p>Most applications get it from {@link Portcullis#builder()}, which takes three inputs, defaults the rest and
 * registers the filter on the servlet context. Built here from core objects configured elsewhere:
 * {@code PortcullisFilter.builder().sessions(registry).build()}, or {@link #from(PortcullisConfig)}. The builder collects a {@link PortcullisConfig}, which checks the whole
 * configuration. Register the filter before every filter that uses the session or the principal, at
 * {@link #DEFAULT_ORDER}.
 *
 * <p><b>Transport and access.</b> HTTPS is required unless configured otherwise: without
 * {@link Builder#transport(TransportConfig)} the filter uses {@link TransportConfig#defaults()}, which refuses every
 * plain-HTTP request with a {@code 403}, believes no forwarding header and sends HSTS for a year. To send plain-HTTP
 * {@code GET}/{@code HEAD} to HTTPS with a {@code 308} instead, name the portal's host with
 * {@code TransportConfig.builder().canonicalHost("portal.example")}; the redirect never uses the request's
 * {@code Host} header. {@code TRACE} and {@code TRACK} are always answered {@code 405}. Behind a TLS-terminating
 * proxy, name the proxy's addresses with {@code TransportConfig.builder().trustedProxies("10.0.0.0/8")}; on a
 * developer's machine,
 * {@code developmentMode(true)} lets plain HTTP from loopback through (and logs a warning). Path rules come from an
 * {@link AccessPolicy} with {@link Builder#access(AccessPolicy, String)}, together with the login page's path; both are
 * relative to the context path, and paths no rule mentions need a login. {@code build()} refuses a policy under which
 * the login page (or a page passed to {@link Builder#requirePublic(String...)}, such as the privacy notice) would
 * itself need a login. With login and without a policy, every path but the login page, the terms page and the pages
 * passed to {@code requirePublic} needs a login; {@link Builder#accessDecidedByApplication()} leaves every decision to
 * the application instead:
 *
 * <pre>{@code
 * PortcullisFilter.builder()
 *     .transport(TransportConfig.builder().canonicalHost("portal.example").trustedProxies("10.0.0.0/8")
 *         .hstsIncludeSubDomains(true).build())
 *     .sessions(registry)
 *     .access(AccessPolicy.builder()
 *         .permitAll("/login", "/terms", "/privacy", "/static/**")
 *         .requireAnyRole("/admin/**", "ADMIN")
 *         .authenticated("/**")
 *         .build(), "/login")
 *     .requirePublic("/privacy")
 *     .build();
 * }</pre>
 *
 * <p><b>Security.</b> The filter adds no policy of its own: the core objects decide and the filter translates.
 * HTTPS is enforced by default, and with login so is a login for every page not declared public. Access rules see the
 * path as the client sent it, never the container's decoded servlet path. Security
 * headers, session state and cookies are written before the response commits, whichever way it commits; responses
 * the container writes before the filter runs (its own {@code 400} for a URI it cannot parse) carry none of them.
 * Errors in Portcullis stages never reach the client with detail; a failing session store reads as "no session".
 */
public final class PortcullisFilter implements Filter {
  /**
   * Where to register the filter: ahead of practically everything, so that every later filter and servlet sees the
   * Portcullis session and principal.
   */
  public static final int DEFAULT_ORDER = Integer.MIN_VALUE + 100;

  /**
   * The request attribute holding the CSRF token whenever the request has a session, or (for a visitor without one,
   * the login page's included) the cookie-check cookie: put it in every form as the hidden field {@code _csrf}, or
   * send it as the header {@code X-CSRF-Token}. The token belongs to one browser: a response built after the
   * application asked for it says {@code Cache-Control: no-store}.
   */
  public static final String CSRF_TOKEN_ATTRIBUTE = "dev.portcullis.csrf";

  /**
   * The request attribute an application sets (an {@link Integer}) on a configured search endpoint to say how many
   * results the search gave; the anonymous search-demand log keeps only whether it found nothing. Unset counts as
   * nothing found.
   */
  public static final String SEARCH_RESULT_COUNT_ATTRIBUTE = "dev.portcullis.search.results";

  /**
   * The request attribute an application sets (a {@link String}, the reason) on an audited action that it refused,
   * when the response's status does not say so: for example a report of another organisation answered {@code 404},
   * exactly like a missing one, so that its id cannot be told from an unused one. The action is then recorded as a
   * failure with this reason (1 to 512 characters, never a credential) whatever the status.
   */
  public static final String AUDIT_FAILURE_ATTRIBUTE = "dev.portcullis.audit.failure";

  private static final Logger LOG = LoggerFactory.getLogger(PortcullisFilter.class);

  private final Pipeline pipeline;
  /** The bound on form bodies read at once per client address, shared by every request. */
  private final FormBodyReads formReads;
  /** The pipeline's stages for a {@code POST}, and for every other method (see {@link Stage#onlyForPost()}). */
  private final Stage[] postStages;

  private final Stage[] otherStages;
  private final List<CookieSpec> cookies;
  private final TransportConfig transport;
  private final List<String> trustedOrigins;
  /** What taking the filter out of service releases: the {@link Portcullis} that made it, or nothing. */
  private final Runnable onDestroy;
  /** Observes each request, or null: without an observation registry nothing is observed. */
  private final FilterObservations observations;

  private PortcullisFilter(
      Pipeline pipeline, List<CookieSpec> cookies, TransportConfig transport, Runnable onDestroy) {
    this(
        pipeline,
        cookies,
        transport,
        List.of(),
        onDestroy,
        null,
        new FormBodyReads(FormBodyReads.PER_ADDRESS));
  }

  private PortcullisFilter(
      Pipeline pipeline,
      List<CookieSpec> cookies,
      TransportConfig transport,
      List<String> trustedOrigins,
      Runnable onDestroy,
      FilterObservations observations,
      FormBodyReads formReads) {
    this.pipeline = pipeline;
    this.formReads = formReads;
    this.postStages = pipeline.forPost();
    this.otherStages = pipeline.forOtherMethods();
    this.cookies = List.copyOf(cookies);
    this.transport = transport;
    this.trustedOrigins = List.copyOf(trustedOrigins);
    this.onDestroy = onDestroy;
    this.observations = observations;
  }

  /** Package-private so that tests in this package can assemble a pipeline; applications use {@link #builder()}. */
  PortcullisFilter(List<Stage> stages) {
    this(new Pipeline(stages, List.of()), List.of(), TransportConfig.defaults(), () -> {});
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * How many form bodies of one client address this filter reads at once, at most
   * ({@link Builder#maxFormReadsPerAddress}).
   */
  public int maxFormReadsPerAddress() {
    return formReads.perAddress();
  }

  /** The bound on form reads, for tests that count what is read now. */
  FormBodyReads formReads() {
    return formReads;
  }

  /**
   * How many form bodies of requests nobody is logged in to this filter reads at once, at most
   * ({@link Builder#maxAnonymousFormReads}).
   */
  public int maxAnonymousFormReads() {
    return formReads.anonymousAtOnce();
  }

  /** The filter for a configuration that has already been built (and so checked). */
  public static PortcullisFilter from(PortcullisConfig config) {
    return new PortcullisFilter(
        Pipeline.of(config),
        config.cookies(),
        config.transport(),
        config.trustedOrigins(),
        () -> {},
        null,
        new FormBodyReads(FormBodyReads.PER_ADDRESS));
  }

  /**
   * Whether to show the logged-in user of {@code request} the offer to link their account to single sign-on (a form
   * that posts to {@link SsoConfig#upgradePath()}): single sign-on is on, the browser holds the upgrade cookie a
   * password login set, that cookie would be redeemed (sealed by this portal, unexpired, issued to this session and
   * this user; any other is expired and recorded as a failed {@code sso_upgrade_offered}), and the account has no
   * linked identity yet. The last is asked of the account-link store at
   * the first call of a request (later calls give the same answer), because the cookie lives as long as the browser
   * and the account may have been linked since, in another browser for example; an account found linked has the
   * cookie expired. A link store that does not answer means no offer (audited as a failed
   * {@code sso_upgrade_offered}). Call it where the page would show the offer, not on every request; false for a
   * request this filter did not see.
   */
  public static boolean ssoUpgradeOffered(HttpServletRequest request) {
    return request.getAttribute(Exchange.ATTRIBUTE) instanceof Exchange exchange
        && exchange.upgradeOffered();
  }

  /**
   * Every cookie this filter may set, as declared: the list a privacy page's cookie notice is generated from, so the
   * notice cannot drift from what the filter writes.
   */
  public List<CookieSpec> cookies() {
    return cookies;
  }

  /**
   * How this filter treats the connection a request arrived on, as configured: for adapters that check the container
   * they run in against it (the Dropwizard bundle and the Javalin plugin, when the container's forwarded-header
   * handling is on).
   */
  public TransportConfig transport() {
    return transport;
  }

  /**
   * The origins besides the portal's own whose state-changing requests the CSRF check accepts, as configured
   * ({@link Builder#trustedOrigins}), each as a browser writes it; empty unless configured.
   */
  public List<String> trustedOrigins() {
    return trustedOrigins;
  }

  /**
   * This node's logouts that a failing store could not finish, now: how many are pending, how many were dropped
   * because the list was full, its bound and how long the oldest has waited. Empty without login. For health checks
   * and metrics ({@code AuditMetrics.bindPendingLogouts}); it takes a lock briefly, so not for every request.
   */
  public Optional<PendingLogouts.Stats> pendingLogouts() {
    return Optional.ofNullable(pipeline.pendingLogouts()).map(PendingLogouts::stats);
  }

  /**
   * The connections (WebSockets) this node watches for the application ({@link PortalPrincipal#closeWhenLoginEnds}):
   * how many are open ({@link OpenConnections#size()}), and {@link OpenConnections#recheck()} for an application that
   * has just changed an account or the access rules; empty without login.
   */
  public Optional<OpenConnections> openConnections() {
    return Optional.ofNullable(pipeline.openConnections());
  }

  /**
   * Called by the container as it puts the filter in service: in a servlet context other than the root
   * ({@code /staff}), warns when a cookie this filter sets has a default name ({@link CookieNames#defaults()}). A
   * {@code __Host-} cookie has {@code Path=/}, so every Portcullis application on the host that keeps the default names
   * receives these cookies and overwrites them: a login to one logs the user out of the other (or, with one key ring
   * and shared session stores, logs the user in to the other). The warning names the
   * setting that gives the application names of its own. Nothing is refused: an application alone on its host at a
   * sub-path is fine.
   *
   * <p>On Jetty 12 (its {@code ee10} and {@code ee11} environments alike) it refuses to start ({@link
   * IllegalStateException}) behind Jetty's WebSocket upgrade filter, which Jetty puts before every other filter unless
   * the application declares it: the upgrades that filter performs (Jakarta WebSocket endpoints of Jetty's {@code
   * ServerContainer}) would never reach this filter.
   */
  @Override
  public void init(FilterConfig filterConfig) {
    if (JettyUpgradeFilterOrder.isJettyContext(filterConfig.getServletContext())
        && !JettyUpgradeFilterOrder.check(
            filterConfig.getServletContext(), filterConfig.getFilterName())) {
      ConfigurationWarning.say(
          PortcullisFilter.class,
          LOG,
          JettyUpgradeFilterOrder.unreadMessage(
              filterConfig.getServletContext(), filterConfig.getFilterName()));
    }
    String contextPath = filterConfig.getServletContext().getContextPath();
    if (contextPath == null || contextPath.isEmpty() || contextPath.equals("/")) {
      return;
    }
    List<String> shared =
        cookies.stream().map(CookieSpec::name).filter(CookieNames::isDefault).toList();
    if (!shared.isEmpty()) {
      ConfigurationWarning.say(
          PortcullisFilter.class, LOG, sharedCookieNamesWarning(contextPath, shared));
    }
  }

  /** The warning of {@link #init}, naming the setting of every entry point. */
  static String sharedCookieNamesWarning(String contextPath, List<String> names) {
    String prefix = contextPath.substring(1).replaceAll("[^A-Za-z0-9_-]", "-");
    if (prefix.isEmpty() || !Character.isLetterOrDigit(prefix.charAt(0))) {
      prefix = "app";
    }
    return "Portcullis runs in the servlet context " + contextPath
        + " with the default cookie names "
        + String.join(", ", names)
        + ". A __Host- cookie has Path=/, so every application on this host that"
        + " keeps these names receives and overwrites them: a login to one logs the user out of the other, or,"
        + " with one key ring and shared session stores, logs the user in to the other. If"
        + " this host serves another Portcullis application, give this one cookie names of its own: "
        + "Portcullis.builder().cookieNamePrefix(\"" + prefix
        + "\"), portcullis.cookies.name-prefix=" + prefix
        + " (portcullis.properties, the Spring Boot starter), or cookies: name-prefix: " + prefix
        + " (Dropwizard).";
  }

  /**
   * Called by the container when it takes the filter out of service. The logouts a store could not finish are tried
   * once more and those still unfinished recorded in the audit log (so close an audit log of your own after this). A
   * filter made by {@link Portcullis} then closes that {@code Portcullis} (its audit log and the stores it made).
   */
  @Override
  public void destroy() {
    try {
      pipeline.close();
    } finally {
      onDestroy.run();
    }
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Object wrapped = request.getAttribute(Exchange.ATTRIBUTE);
    if (wrapped instanceof Exchange earlier
        && request.getDispatcherType() == DispatcherType.ERROR
        && request instanceof HttpServletRequest errorRequest
        && !handsOn(request, earlier.request())) {
      errorDispatch(earlier, errorRequest, response, chain);
      return;
    }
    if (!(request instanceof HttpServletRequest http)
        || !(response instanceof HttpServletResponse httpResponse)
        || wrapped != null) {
      // Not HTTP, or a forward, include or async dispatch of a request this filter already wraps.
      chain.doFilter(request, response);
      return;
    }
    Exchange exchange = new Exchange(http, httpResponse, pipeline.loginListeners(), formReads);
    request.setAttribute(Exchange.ATTRIBUTE, exchange);
    boolean done = false;
    try {
      Stage.Next run =
          exchange.through(exchange.method().equals("POST") ? postStages : otherStages, chain);
      if (observations == null) {
        run.proceed();
      } else {
        observations.request(exchange, run);
      }
      done = true;
    } finally {
      if (!exchange.request().isAsyncStarted()) {
        // The session saved, and what a response that never filled its buffer still needs (it
        // commits after the filter returns) written now; with an async cycle, when it completes.
        exchange.end(done);
      }
    }
  }

  /** Whether {@code request} is {@code ours} or a wrapper around it. */
  private static boolean handsOn(ServletRequest request, ServletRequest ours) {
    ServletRequest r = request;
    while (r != ours) {
      if (!(r instanceof ServletRequestWrapper wrapper)) {
        return false;
      }
      r = wrapper.getRequest();
    }
    return true;
  }

  /**
   * The error dispatch of a request this filter wraps, made with the container's own request instead of the one the
   * filter handed on: Undertow does so for an exception the application threw, after clearing every response header.
   * The error page's request answers the principal and the session from the filter (never the container's), and the
   * security headers and cookies are written again when the container has dropped them. The container's error request
   * stays underneath: it holds the error's attributes and the error page's paths.
   */
  private static void errorDispatch(
      Exchange exchange,
      HttpServletRequest errorRequest,
      ServletResponse response,
      FilterChain chain)
      throws IOException, ServletException {
    if (exchange.originalResponse().getHeader("X-Content-Type-Options") == null) {
      exchange.response().containerClearedHeaders();
    }
    exchange.end(false);
    try {
      chain.doFilter(new PortcullisRequest(errorRequest, exchange), response);
    } finally {
      exchange.end(false);
    }
  }

  /**
   * Collects the core objects the filter translates for, into a {@link PortcullisConfig}. The pipeline order is fixed,
   * not the caller's: transport, session, authentication, login, terms, access, audit.
   */
  public static final class Builder {
    private final PortcullisConfig.Builder config = PortcullisConfig.builder();
    private String defaultSsoCookieName;
    private int maxFormReadsPerAddress = FormBodyReads.PER_ADDRESS;
    private int maxAnonymousFormReads = FormBodyReads.ANONYMOUS_AT_ONCE;
    private ObservationRegistry observationRegistry;
    private Supplier<String> currentTraceId;
    private ConnectionAccess connectionAccess;

    private Builder() {}

    /**
     * Offers the single-sign-on upgrade: after a local login of an account without a linked SSO identity the browser
     * gets the upgrade cookie, which a {@code POST} to {@link SsoConfig#upgradePath()} (with the CSRF token) redeems
     * once, sending the browser to the OpenID provider; the identity it authenticates is linked once the user confirms
     * it on {@link SsoConfig#linkPath()}. A {@code POST} to {@link SsoConfig#loginPath()} (with the CSRF token) logs in
     * with a linked identity, and one to {@link SsoConfig#unlinkPath()} unlinks one. Off unless set. Needs {@link #login} and {@code com.nimbusds:oauth2-oidc-sdk} on the class path.
     *
     * @param keys seals the upgrade tokens (under their own purpose, so no other cookie opens as one)
     * @param clock decides when a token expires
     */
    public Builder sso(SsoConfig sso, KeyRingSource keys, InstantSource clock) {
      Objects.requireNonNull(sso, "sso");
      config.sso(
          defaultSsoCookieName == null ? sso : sso.withDefaultCookieNamed(defaultSsoCookieName),
          keys,
          clock);
      return this;
    }

    /**
     * At most this many form bodies of one client address read by the filter at once (the login form, and any
     * state-changing form that brings its CSRF token in the body; an IPv6 address counted by its /64); past it a
     * request is answered with the plain {@code 503} without its body being read, and audited. A browser sends one
     * form at a time; raise it for many users behind one address that is not a trusted proxy. At least 1. Default
     * 16.
     */
    public Builder maxFormReadsPerAddress(int max) {
      this.maxFormReadsPerAddress = max;
      return this;
    }

    /**
     * At most this many form bodies of requests nobody is logged in to (the login form above all) read by the filter
     * at once, whatever their client addresses; past it such a request is answered with the plain {@code 503} without
     * its body being read, and audited. Each form under way holds one of the container's threads while its body
     * arrives, so keep it well under the container's thread count: slow anonymous forms from many addresses then
     * leave threads for the login page and for logged-in users, whose forms are bounded per address only. At least
     * 1. Default 32.
     *
     * <p>An anonymous form takes a place of its address's share ({@link #maxFormReadsPerAddress}) and one of these
     * places; whichever is full first refuses it. A share at least as large as this bound therefore lets one address
     * alone take every anonymous place, refusing every other visitor's login while its forms are under way.
     */
    public Builder maxAnonymousFormReads(int max) {
      this.maxAnonymousFormReads = max;
      return this;
    }

    /**
     * The name the upgrade cookie gets when single sign-on is configured with the default one
     * ({@link SsoConfig#withDefaultCookieNamed}): {@link Portcullis.Builder#cookieNamePrefix}'s. Set before the
     * application's settings reach this builder, so {@link #sso} applies it.
     */
    Builder defaultSsoCookieName(String name) {
      this.defaultSsoCookieName = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Enables login, the auth-key cookie, logout, CSRF protection and the terms gate. Needs {@link #sessions}: the
     * auth cookie is bound to the session.
     *
     * @param random draws CSRF tokens
     */
    public Builder login(PortalLogin login, SecureRandom random) {
      config.login(login, random);
      return this;
    }

    /**
     * Logs in a user who arrives with the replaced portal's login cookie, until {@link LegacyLogin#sunset()}, and
     * removes that cookie from the browser. Off unless set. Needs {@link #login}.
     *
     * @param upgraded remembers which legacy cookies have already logged someone in, so that each does so once;
     *     {@code ReplayStore.inMemory(clock)} on one node, a shared store on many ({@link #build()} refuses one in
     *     memory beside a session store that nodes share)
     * @param clock decides whether the sunset has passed
     */
    public Builder legacyLogin(LegacyLogin legacyLogin, ReplayStore upgraded, InstantSource clock) {
      config.legacyLogin(legacyLogin, upgraded, clock);
      return this;
    }

    /** Sends the filter's security events (login, logout, tampering, CSRF, ...) to {@code audit}. */
    public Builder audit(AuditLog audit) {
      config.audit(audit);
      return this;
    }

    /**
     * Also records the application's audited actions and search endpoints (needs {@link #audit}): actions with the
     * user and the response's outcome, searches only in the anonymous search-demand log, which publishes them as
     * hourly counts when the hour closes (see {@link AuditLog#searched}).
     */
    public Builder audit(AuditLog audit, AuditRules rules) {
      config.audit(audit, rules);
      return this;
    }

    /** Enables server-side sessions backed by {@code sessions}. */
    public Builder sessions(SessionRegistry sessions) {
      config.sessions(sessions);
      return this;
    }

    /** How requests must arrive (HTTPS, trusted proxies, HSTS); {@link TransportConfig#defaults()} if not called. */
    public Builder transport(TransportConfig transport) {
      config.transport(transport);
      return this;
    }

    /**
     * Enforces {@code policy} on every request, sending anonymous visitors of protected pages to {@code loginPath}.
     * Without this call, login comes with the secure default (everything but the login, terms and
     * {@link #requirePublic} pages needs a login), unless {@link #accessDecidedByApplication()} is called.
     *
     * @param loginPath the login page, relative to the context path like the policy's patterns (e.g. {@code /login});
     *     {@link #build()} checks that it is public under {@code policy}
     */
    public Builder access(AccessPolicy policy, String loginPath) {
      config.access(
          Objects.requireNonNull(policy, "policy"), Objects.requireNonNull(loginPath, "loginPath"));
      return this;
    }

    /**
     * Makes no access decision: every request goes on to the application, which decides who may see what (for
     * example with Spring Security's filter chain). Cannot be combined with {@link #access}.
     */
    public Builder accessDecidedByApplication() {
      config.accessDecidedByApplication();
      return this;
    }

    /**
     * The application's own access rule for open connections (WebSockets), asked at each re-check besides the access
     * policy (see {@link ConnectionAccess}): where the application decides access ({@link
     * #accessDecidedByApplication()}), the re-check otherwise knows the login behind a connection but not the
     * application's rules, and a user who lost a role the path needs keeps the connection until the login ends. The
     * Spring Boot starter sets one that asks Spring Security's filter chains. Off unless set.
     */
    public Builder connectionAccess(ConnectionAccess access) {
      this.connectionAccess = Objects.requireNonNull(access, "access");
      return this;
    }

    /**
     * Accepts a login limit kept in this node's memory beside sessions that nodes share (a Redis or PostgreSQL session
     * store): behind a load balancer, each node then gives a password guesser a budget of its own. Without it {@link
     * #build()} refuses that pair: give {@link PortalLogin} a {@code LoginThrottle} over a store the nodes share.
     */
    public Builder perNodeLoginLimit() {
      config.perNodeLoginLimit();
      return this;
    }

    /**
     * Hands the answer of the login-limit check to {@code wording} once, when {@link #build()} makes the check, so
     * that an entry point refuses or warns in its own words; a refusal stands whatever it does. See {@link
     * PortcullisConfig.Builder#onLoginLimitCheck}.
     */
    public Builder onLoginLimitCheck(Consumer<LoginLimitCheck> wording) {
      config.onLoginLimitCheck(wording);
      return this;
    }

    /**
     * Pages that must stay reachable without logging in, such as the terms, privacy and cookie notices. Under the
     * default policy they are public; an explicit policy must already make them public ({@link #build()} refuses it
     * otherwise).
     */
    public Builder requirePublic(String... paths) {
      config.requirePublic(paths);
      return this;
    }

    /**
     * Origins besides the portal's own whose forms may post to it, for a portal whose forms are served from a sibling
     * origin: each exactly {@code https://host} or {@code https://host:port}, no path and no wildcard ({@link
     * #build()} refuses anything else). A state-changing request that the browser marks as cross-origin ({@code
     * Sec-Fetch-Site} other than {@code same-origin} or {@code none}, else an {@code Origin} other than the request's
     * own) is refused with {@code 403} before its CSRF token is looked at, unless its {@code Origin} is one of these;
     * the token is required either way. A WebSocket upgrade gets the same origin check (no token). Adds to earlier
     * calls; none by default. Needs {@link #login}.
     */
    public Builder trustedOrigins(String... origins) {
      config.trustedOrigins(origins);
      return this;
    }

    /**
     * Observes each request ({@code portcullis.request}, key value {@code outcome}: {@code authenticated},
     * {@code anonymous} or {@code refused}) and each password or single-sign-on login ({@code portcullis.login}, key
     * values {@code method} and {@code outcome}) with Micrometer's Observation API, so that the application's
     * handlers make timers and, with Micrometer Tracing, spans. The request observation continues the trace of the
     * request's {@code traceparent} header. Needs {@code io.micrometer:micrometer-observation} on the class path; not
     * called (the default), nothing is observed and nothing is allocated for it.
     */
    public Builder observationRegistry(ObservationRegistry registry) {
      this.observationRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Takes the audit events' trace id from the application's tracer: {@code currentTraceId} is asked once per
     * request, inside the {@code portcullis.request} observation's scope, for the trace id of the current span, which
     * is the span a tracing handler opened for that observation (with Micrometer Tracing: {@code () -> { Span s =
     * tracer.currentSpan(); return s == null ? null : s.context().traceId(); }}). A trace id of 32 lower-case hex
     * digits is used as it is; one of 16 (a 64-bit id) is left-padded with zeros to its W3C form. When it answers
     * null, an id of another form or all zeros, or throws, the request's {@code traceparent} header decides, as
     * without a tracer. Needs {@link #observationRegistry}: {@link #build()} refuses it without one.
     *
     * <p><b>Security.</b> The trace id only joins audit events to a trace; it never decides access.
     */
    public Builder currentTraceId(Supplier<String> currentTraceId) {
      this.currentTraceId = Objects.requireNonNull(currentTraceId, "currentTraceId");
      return this;
    }

    /**
     * Checks the whole configuration ({@link PortcullisConfig.Builder#build()}) and returns the filter.
     *
     * @throws IllegalStateException for a configuration mistake; the message says what to change
     */
    public PortcullisFilter build() {
      return buildClosingWith(() -> {});
    }

    /** As {@link #build()}, for a filter whose {@link #destroy()} runs {@code onDestroy}. */
    PortcullisFilter buildClosingWith(Runnable onDestroy) {
      if (currentTraceId != null && observationRegistry == null) {
        throw new IllegalStateException(
            "currentTraceId needs an observationRegistry: the trace id is read inside the request's"
                + " observation, whose span the tracer opens");
      }
      if (maxFormReadsPerAddress < 1) {
        throw new IllegalStateException(
            "maxFormReadsPerAddress must be at least 1 (portcullis.login.max-form-reads-per-address in"
                + " portcullis.properties, the Spring Boot starter and Dropwizard), got "
                + maxFormReadsPerAddress);
      }
      if (maxAnonymousFormReads < 1) {
        throw new IllegalStateException(
            "maxAnonymousFormReads must be at least 1 (portcullis.login.max-anonymous-form-reads in"
                + " portcullis.properties, the Spring Boot starter and Dropwizard), got "
                + maxAnonymousFormReads);
      }
      PortcullisConfig built = config.build();
      FilterObservations observations = observationRegistry == null
          ? null
          : new FilterObservations(observationRegistry, currentTraceId);
      return new PortcullisFilter(
          Pipeline.of(built, observations, connectionAccess),
          built.cookies(),
          built.transport(),
          built.trustedOrigins(),
          Objects.requireNonNull(onDestroy),
          observations,
          new FormBodyReads(maxFormReadsPerAddress, maxAnonymousFormReads));
    }
  }
}
