package dev.portcullis.servlet;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.access.PathNormaliser;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.sso.UpgradeTokens;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The one filter Portcullis needs. It runs a fixed, ordered pipeline of stages (transport, sessions, login and
 * terms, access) and hands the application a request whose {@code getSession()} is backed by the Portcullis
 * {@link SessionRegistry}; the container's own session is never created.
 *
 * <p>Built from core objects configured elsewhere: {@code PortcullisFilter.builder().sessions(registry).build()}.
 * Register it before every filter that uses the session or the principal, at {@link #DEFAULT_ORDER}.
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
 * itself need a login:
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
 * HTTPS is enforced by default; without an access policy the filter makes no access decision and the application
 * must. Access rules see the path as the client sent it, never the container's decoded servlet path. Security
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
   * The request attribute holding the CSRF token whenever the request has a session: put it in every form as the
   * hidden field {@code _csrf}, or send it as the header {@code X-CSRF-Token}.
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

  private final List<Stage> stages;
  private List<CookieSpec> cookies = List.of();

  /** Package-private so that tests in this package can assemble a pipeline; applications use {@link #builder()}. */
  PortcullisFilter(List<Stage> stages) {
    this.stages = List.copyOf(stages);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Every cookie this filter may set, as declared: the list a privacy page's cookie notice is generated from, so the
   * notice cannot drift from what the filter writes.
   */
  public List<CookieSpec> cookies() {
    return cookies;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse httpResponse)
        || request.getAttribute(Exchange.ATTRIBUTE) != null) {
      // Not HTTP, or a forward, include or async dispatch of a request this filter already wraps.
      chain.doFilter(request, response);
      return;
    }
    Exchange exchange = new Exchange(http, httpResponse);
    request.setAttribute(Exchange.ATTRIBUTE, exchange);
    new Run(exchange, chain).proceed();
    if (!exchange.request().isAsyncStarted()) {
      // A response that never filled its buffer commits after the filter returns: write what is pending now.
      exchange.committing();
    }
  }

  /** One pass through the stages, ending in the application's chain. */
  private final class Run implements Stage.Next {
    private final Exchange exchange;
    private final FilterChain chain;
    private int next;

    Run(Exchange exchange, FilterChain chain) {
      this.exchange = exchange;
      this.chain = chain;
    }

    @Override
    public void proceed() throws IOException, ServletException {
      if (next < stages.size()) {
        stages.get(next++).handle(exchange, this);
      } else {
        chain.doFilter(exchange.request(), exchange.response());
      }
    }
  }

  /**
   * Collects the core objects the filter translates for. The pipeline order is fixed here, not by the caller:
   * transport, session, authentication, terms, access, audit.
   */
  public static final class Builder {
    private TransportConfig transport = TransportConfig.defaults();
    private SessionRegistry sessions;
    private PortalLogin login;
    private AuditLog audit;
    private AuditRules auditRules = AuditRules.none();
    private SecureRandom random;
    private AccessPolicy access;
    private String loginPath;
    private final Set<String> requiredPublic = new LinkedHashSet<>();
    private LegacyLogin legacyLogin;
    private ReplayStore legacyUpgraded;
    private InstantSource legacyClock;
    private SsoConfig sso;
    private KeyRing ssoKeys;
    private InstantSource ssoClock;

    private Builder() {}

    /**
     * Offers the single-sign-on upgrade: after a local login of an account without a linked SSO identity the browser
     * gets the upgrade cookie, which a {@code POST} to {@link SsoConfig#upgradePath()} (with the CSRF token) redeems
     * once, linking the account at the OpenID provider; {@link SsoConfig#loginPath()} logs in with a linked identity.
     * Off unless set. Needs {@link #login} and {@code com.nimbusds:oauth2-oidc-sdk} on the class path.
     *
     * @param keys seals the upgrade tokens (under their own purpose, so no other cookie opens as one)
     * @param clock decides when a token expires
     */
    public Builder sso(SsoConfig sso, KeyRing keys, InstantSource clock) {
      this.sso = Objects.requireNonNull(sso, "sso");
      this.ssoKeys = Objects.requireNonNull(keys, "keys");
      this.ssoClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Enables login, the auth-key cookie, logout, CSRF protection and the terms gate. Needs {@link #sessions}: the
     * auth cookie is bound to the session.
     *
     * @param random draws CSRF tokens
     */
    public Builder login(PortalLogin login, SecureRandom random) {
      this.login = Objects.requireNonNull(login, "login");
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Logs in a user who arrives with the replaced portal's login cookie, until {@link LegacyLogin#sunset()}, and
     * removes that cookie from the browser. Off unless set. Needs {@link #login}.
     *
     * @param upgraded remembers which legacy cookies have already logged someone in, so that each does so once;
     *     {@code ReplayStore.inMemory(clock)} on one node, a shared store on many
     * @param clock decides whether the sunset has passed
     */
    public Builder legacyLogin(LegacyLogin legacyLogin, ReplayStore upgraded, InstantSource clock) {
      this.legacyLogin = Objects.requireNonNull(legacyLogin, "legacyLogin");
      this.legacyUpgraded = Objects.requireNonNull(upgraded, "upgraded");
      this.legacyClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sends the filter's security events (login, logout, tampering, CSRF, ...) to {@code audit}. */
    public Builder audit(AuditLog audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /**
     * Also records the application's audited actions and search endpoints (needs {@link #audit}): actions with the
     * user and the response's outcome, searches only in the anonymous search-demand log, which publishes them as
     * hourly counts when the hour closes (see {@link AuditLog#searched}).
     */
    public Builder audit(AuditLog audit, AuditRules rules) {
      this.auditRules = Objects.requireNonNull(rules, "rules");
      return audit(audit);
    }

    /** Enables server-side sessions backed by {@code sessions}. */
    public Builder sessions(SessionRegistry sessions) {
      this.sessions = Objects.requireNonNull(sessions, "sessions");
      return this;
    }

    /** How requests must arrive (HTTPS, trusted proxies, HSTS); {@link TransportConfig#defaults()} if not called. */
    public Builder transport(TransportConfig transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * Enforces {@code policy} on every request, sending anonymous visitors of protected pages to {@code loginPath}.
     * Without this call the filter makes no access decision: the application must.
     *
     * @param loginPath the login page, relative to the context path like the policy's patterns (e.g. {@code /login});
     *     {@link #build()} checks that it is public under {@code policy}
     */
    public Builder access(AccessPolicy policy, String loginPath) {
      this.access = Objects.requireNonNull(policy, "policy");
      this.loginPath = Objects.requireNonNull(loginPath, "loginPath");
      return this;
    }

    /**
     * Pages that must stay reachable without logging in, such as the terms, privacy and cookie notices. They are not
     * made public here: {@link #build()} refuses an access policy that does not already make them public.
     */
    public Builder requirePublic(String... paths) {
      for (String p : paths) {
        requiredPublic.add(Objects.requireNonNull(p, "path"));
      }
      return this;
    }

    /**
     * Checks the configuration and returns the filter.
     *
     * @throws IllegalStateException when the login page or a page named in {@link #requirePublic} is not a plain
     *     path or would need a login under the access policy
     */
    public PortcullisFilter build() {
      if (access != null) {
        checkPublic("login page", loginPath);
        if (login != null) {
          if (!login.loginPath().equals(loginPath)) {
            throw new IllegalStateException("the access policy's login page '" + loginPath + "' is not the login"
                + " handler's '" + login.loginPath() + "': pass the same path to both");
          }
          checkPublic("terms page", login.termsPath());
        }
        for (String page : requiredPublic) {
          checkPublic("page", page);
        }
      }
      AuditTrail trail = audit == null ? AuditTrail.NONE : new AuditTrail(audit);
      List<Stage> stages = new ArrayList<>();
      stages.add(new TransportStage(transport));
      if (sessions != null) {
        stages.add(new SessionStage(sessions));
      }
      if (sso != null && login == null) {
        throw new IllegalStateException("the SSO upgrade needs login: it is offered after a local login");
      }
      if (legacyLogin != null && login == null) {
        throw new IllegalStateException("the legacy login upgrade needs login: it starts a Portcullis login");
      }
      if (login != null) {
        if (sessions == null) {
          throw new IllegalStateException("login needs sessions: the auth cookie is bound to the session");
        }
        stages.add(new AuthenticationStage(login, trail));
        if (legacyLogin != null) {
          String legacyName = legacyLogin.cookie().name();
          if (declaredCookies().stream().filter(c -> c.name().equals(legacyName)).count() > 1) {
            throw new IllegalStateException("the legacy cookie needs a name of its own, not " + legacyName);
          }
          stages.add(new LegacyUpgradeStage(legacyLogin, legacyUpgraded, legacyClock, login, random, trail));
        }
        stages.add(new CsrfStage(random, trail, login.loginPath()));
        SsoStage ssoStage = null;
        if (sso != null) {
          String ssoName = sso.cookie().name();
          if (declaredCookies().stream().filter(c -> c.name().equals(ssoName)).count() > 1) {
            throw new IllegalStateException("the SSO-upgrade cookie needs a name of its own, not " + ssoName);
          }
          try {
            Class.forName("com.nimbusds.openid.connect.sdk.validators.IDTokenValidator", false,
                PortcullisFilter.class.getClassLoader());
          } catch (ClassNotFoundException e) {
            throw new IllegalStateException("single sign-on needs com.nimbusds:oauth2-oidc-sdk on the class path");
          }
          OidcClient oidc = new OidcClient(sso, ssoClock);
          oidc.startDiscovery();
          ssoStage = new SsoStage(sso, UpgradeTokens.create(ssoKeys, ssoName, ssoClock, random, sso.replay(),
              sso.tokenLifetime()), oidc, login, random, ssoClock, trail);
        }
        stages.add(new AccountStage(login, random, trail, declaredCookies(), ssoStage));
        stages.add(new TermsStage(login, trail));
        if (ssoStage != null) {
          stages.add(ssoStage);
        }
      }
      if (access != null) {
        stages.add(new AccessStage(access, loginPath, trail));
      }
      if (audit != null) {
        stages.add(new AuditStage(auditRules, trail));
      }
      PortcullisFilter filter = new PortcullisFilter(stages);
      filter.cookies = List.copyOf(declaredCookies());
      return filter;
    }

    private void checkPublic(String what, String path) {
      if (path.indexOf('?') >= 0 || path.indexOf('#') >= 0
          || !PathNormaliser.normalise(path).filter(path::equals).isPresent()) {
        throw new IllegalStateException(what + " '" + path + "' must be a plain lower-case path relative to the"
            + " context path, such as /login: no query or fragment, no '..', ';', '%' or '//'");
      }
      if (!access.isPublic(path)) {
        throw new IllegalStateException(what + " '" + path + "' needs a login under the access policy, so"
            + " visitors could never reach it: add permitAll(\"" + path + "\") to the policy, ahead of any rule that"
            + " covers it");
      }
    }

    /** Every cookie this filter may set, for logout and the cookie notice. */
    List<CookieSpec> declaredCookies() {
      List<CookieSpec> out = new ArrayList<>();
      if (sessions != null) {
        out.add(sessions.config().cookie());
      }
      if (login != null) {
        out.add(login.authCookie());
        out.add(login.cookieCheckCookie());
      }
      if (legacyLogin != null) {
        out.add(legacyLogin.cookie());
      }
      if (sso != null) {
        out.add(sso.cookie());
      }
      return out;
    }
  }
}
