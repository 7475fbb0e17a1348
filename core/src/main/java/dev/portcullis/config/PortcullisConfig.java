package dev.portcullis.config;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.access.internal.PathNormaliser;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.login.LegacyUpgrade;
import dev.portcullis.login.LoginLimitCheck;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.login.internal.WebOrigin;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.transport.TransportConfig;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The whole configuration of one portal's Portcullis, checked as a whole: transport, sessions, login, the legacy
 * cookie upgrade, single sign-on, access and audit. Adapters (the servlet filter, the Spring Boot starter) build one
 * and translate; every configuration mistake is refused here, in {@link Builder#build()}, with one message that says
 * what to change.
 *
 * <p>What {@code build()} checks, beyond what each part's own builder checked:
 *
 * <ul>
 *   <li>each part has what it needs: login needs sessions (the auth cookie is bound to the session); single sign-on
 *       and the legacy upgrade need login; single sign-on needs the OpenID Connect SDK on the class path;
 *   <li>every cookie Portcullis writes (session, auth, cookie check, legacy, SSO upgrade) has a name of its own;
 *   <li>when the session cookie does the blocked-cookie check ({@link PortalLogin.Builder#cookieCheckBySessionCookie()},
 *       no cookie-check cookie), the session cookie is Secure: the login form's token is bound to its value, which
 *       a plain-HTTP response must not be able to plant;
 *   <li>the login page, the terms page and every page named in {@link Builder#requirePublic} are plain paths that
 *       anonymous visitors can reach;
 *   <li>when the session store is shared between nodes ({@link
 *       dev.portcullis.session.SessionStore#sharedBetweenNodes()}), so are the single sign-on replay and account-link
 *       stores and the legacy upgrade's replay store: a one-time mark or an unlink kept in one node's memory holds on
 *       that node only;
 *   <li>every {@linkplain Builder#trustedOrigins trusted origin} is an HTTPS origin ({@code https://host[:port]}, no
 *       path, no wildcard), and there are trusted origins only with login.
 * </ul>
 *
 * <p><b>Security.</b> Secure by default: with login and no access policy, every path but the login page, the terms
 * page and the pages named in {@link Builder#requirePublic} needs a login. Letting every request through to the
 * application takes an explicit {@link Builder#accessDecidedByApplication()}. HTTPS is required unless the
 * {@link TransportConfig} says otherwise. Nothing here holds or prints a secret.
 */
public final class PortcullisConfig {
  /** The class single sign-on needs from its optional dependency, {@code com.nimbusds:oauth2-oidc-sdk}. */
  static final String OIDC_SDK_CLASS =
      "com.nimbusds.openid.connect.sdk.validators.IDTokenValidator";

  private final TransportConfig transport;
  private final SessionRegistry sessions;
  private final Login login;
  private final LegacyUpgrade legacyUpgrade;
  private final Sso sso;
  private final Audit audit;
  private final Access access;
  private final List<CookieSpec> cookies;
  private final List<String> trustedOrigins;

  private PortcullisConfig(
      Builder b,
      Login login,
      LegacyUpgrade legacyUpgrade,
      Sso sso,
      Access access,
      List<CookieSpec> cookies,
      List<String> trustedOrigins) {
    this.transport = b.transport;
    this.sessions = b.sessions;
    this.login = login;
    this.legacyUpgrade = legacyUpgrade;
    this.sso = sso;
    this.audit = b.audit == null ? null : new Audit(b.audit, b.auditRules);
    this.access = access;
    this.cookies = List.copyOf(cookies);
    this.trustedOrigins = List.copyOf(trustedOrigins);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Login and the randomness its CSRF tokens are drawn from. */
  public record Login(PortalLogin login, SecureRandom random) {}

  /**
   * Single sign-on: its settings, the key ring its upgrade tokens are sealed under, the randomness they are drawn
   * from, and the clock that decides when they and the provider's answers expire.
   */
  public record Sso(
      SsoConfig config, KeyRingSource keys, SecureRandom random, InstantSource clock) {}

  /** The audit log and the application's audited actions and searches. */
  public record Audit(AuditLog log, AuditRules rules) {}

  /**
   * The access rules the filter enforces, and the login page anonymous visitors of protected pages are sent to.
   *
   * @param byDefault true when no policy was given and this is the secure default
   */
  public record Access(AccessPolicy policy, String loginPath, boolean byDefault) {}

  public TransportConfig transport() {
    return transport;
  }

  public Optional<SessionRegistry> sessions() {
    return Optional.ofNullable(sessions);
  }

  public Optional<Login> login() {
    return Optional.ofNullable(login);
  }

  public Optional<LegacyUpgrade> legacyUpgrade() {
    return Optional.ofNullable(legacyUpgrade);
  }

  public Optional<Sso> sso() {
    return Optional.ofNullable(sso);
  }

  public Optional<Audit> audit() {
    return Optional.ofNullable(audit);
  }

  /** The access rules to enforce; empty only when the application decides access itself (or there is no login). */
  public Optional<Access> access() {
    return Optional.ofNullable(access);
  }

  /**
   * The origins besides the portal's own whose state-changing requests the CSRF check lets through to the token check
   * (see {@link Builder#trustedOrigins}), each as a browser writes it ({@code https://host[:port]}, lower case, no
   * default port); empty unless configured.
   */
  public List<String> trustedOrigins() {
    return trustedOrigins;
  }

  /**
   * Every cookie Portcullis may set, as declared, each under its own name: for logout (which expires them all) and
   * for the cookie notice.
   */
  public List<CookieSpec> cookies() {
    return cookies;
  }

  /** Collects the parts; {@link #build()} checks them together. Not thread-safe. */
  public static final class Builder {
    private TransportConfig transport = TransportConfig.defaults();
    private SessionRegistry sessions;
    private PortalLogin login;
    private boolean perNodeLoginLimit;
    private Consumer<LoginLimitCheck> loginLimitWording = answer -> {};
    private SecureRandom random;
    private AuditLog audit;
    private AuditRules auditRules = AuditRules.none();
    private AccessPolicy accessPolicy;
    private String accessLoginPath;
    private boolean accessDecidedByApplication;
    private final Set<String> requiredPublic = new LinkedHashSet<>();
    private final List<String> trustedOrigins = new ArrayList<>();
    private LegacyLogin legacyLogin;
    private ReplayStore legacyUpgraded;
    private InstantSource legacyClock;
    private SsoConfig ssoConfig;
    private KeyRingSource ssoKeys;
    private InstantSource ssoClock;

    private Builder() {}

    /** How requests must arrive (HTTPS, trusted proxies, HSTS); {@link TransportConfig#defaults()} if not called. */
    public Builder transport(TransportConfig transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** Server-side sessions backed by {@code sessions}. */
    public Builder sessions(SessionRegistry sessions) {
      this.sessions = Objects.requireNonNull(sessions, "sessions");
      return this;
    }

    /**
     * Login, the auth-key cookie, logout, CSRF protection and the terms gate. Needs {@link #sessions}.
     *
     * @param random draws CSRF tokens
     */
    public Builder login(PortalLogin login, SecureRandom random) {
      this.login = Objects.requireNonNull(login, "login");
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * The upgrade from the replaced portal's login cookie, until {@link LegacyLogin#sunset()}. Needs {@link #login}.
     *
     * @param upgraded remembers which legacy cookies have already logged someone in, so that each does so once
     * @param clock decides whether the sunset has passed
     */
    public Builder legacyLogin(LegacyLogin legacyLogin, ReplayStore upgraded, InstantSource clock) {
      this.legacyLogin = Objects.requireNonNull(legacyLogin, "legacyLogin");
      this.legacyUpgraded = Objects.requireNonNull(upgraded, "upgraded");
      this.legacyClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Single sign-on with the upgrade cookie offered after a local login. Needs {@link #login} and
     * {@code com.nimbusds:oauth2-oidc-sdk} on the class path.
     *
     * @param keys seals the upgrade tokens (under their own purpose, so no other cookie opens as one)
     * @param clock decides when a token expires
     */
    public Builder sso(SsoConfig sso, KeyRingSource keys, InstantSource clock) {
      this.ssoConfig = Objects.requireNonNull(sso, "sso");
      this.ssoKeys = Objects.requireNonNull(keys, "keys");
      this.ssoClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Portcullis's own security events (login, logout, tampering, CSRF, ...) go to {@code audit}. */
    public Builder audit(AuditLog audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /** As {@link #audit(AuditLog)}, and the application's audited actions and search endpoints too. */
    public Builder audit(AuditLog audit, AuditRules rules) {
      this.auditRules = Objects.requireNonNull(rules, "rules");
      return audit(audit);
    }

    /**
     * The access rules, and the login page anonymous visitors of protected pages are sent to (relative to the
     * context path, like the policy's patterns).
     */
    public Builder access(AccessPolicy policy, String loginPath) {
      this.accessPolicy = Objects.requireNonNull(policy, "policy");
      this.accessLoginPath = Objects.requireNonNull(loginPath, "loginPath");
      return this;
    }

    /**
     * No access rules: every request goes on to the application, which decides who may see what (for example Spring
     * Security's filter chain). Without this call and without {@link #access}, login comes with the secure default.
     */
    public Builder accessDecidedByApplication() {
      this.accessDecidedByApplication = true;
      return this;
    }

    /**
     * Accepts a login limit kept in this node's memory beside sessions that nodes share: behind a load balancer, each
     * node then gives a password guesser a budget of its own. Without it {@link #build()} refuses that pair; with a
     * login limit the nodes share, it is refused as a contradiction.
     */
    public Builder perNodeLoginLimit() {
      this.perNodeLoginLimit = true;
      return this;
    }

    /**
     * Hands the answer of the login-limit check ({@link PortalLogin#loginLimitCheck}) to {@code wording} when {@link
     * #build()} makes the check, once, before acting on it, so that an entry point says it in its own words: it throws
     * its own exception for a refusal and logs {@link LoginLimitCheck#PER_NODE_ACCEPTED}. It cannot waive a refusal:
     * when it returns for {@link LoginLimitCheck#REFUSED} or {@link LoginLimitCheck#CONTRADICTION}, {@link #build()}
     * refuses with its own message. Replaces an earlier call; without one, nothing is logged.
     */
    public Builder onLoginLimitCheck(Consumer<LoginLimitCheck> wording) {
      this.loginLimitWording = Objects.requireNonNull(wording, "wording");
      return this;
    }

    /**
     * Pages that must stay reachable without logging in, such as the privacy and cookie notices. Under the default
     * policy they are public; an explicit policy must already make them public.
     */
    public Builder requirePublic(String... paths) {
      for (String p : paths) {
        requiredPublic.add(Objects.requireNonNull(p, "path"));
      }
      return this;
    }

    /**
     * Origins besides the portal's own whose forms may post to it, for a portal whose forms are served from a sibling
     * origin: each exactly {@code https://host} or {@code https://host:port}, no path and no wildcard. The CSRF check
     * refuses a state-changing request a browser marks as cross-origin ({@code Sec-Fetch-Site}, else {@code Origin})
     * unless its {@code Origin} is one of these; the CSRF token is required either way. Adds to earlier calls; none by
     * default. Needs {@link #login}.
     */
    public Builder trustedOrigins(String... origins) {
      for (String o : origins) {
        trustedOrigins.add(Objects.requireNonNull(o, "origin"));
      }
      return this;
    }

    /**
     * Checks the parts together and returns the configuration.
     *
     * @throws IllegalStateException for a part that lacks what it needs, two cookies with one name, a missing
     *     optional dependency, a login, terms or required public page that anonymous visitors could not reach, or
     *     sessions shared between nodes beside a replay or account-link store kept in one node's memory; the
     *     message says what to change
     */
    public PortcullisConfig build() {
      require(
          accessPolicy == null || !accessDecidedByApplication,
          "access(...) and accessDecidedByApplication()"
              + " contradict each other: give the access policy, or let the application decide, not both");
      require(
          login == null || sessions != null,
          "login needs sessions: the auth cookie is bound to the session;" + " add sessions(...)");
      require(
          login == null
              || !login.cookies().cookieCheckBySessionCookie()
              || sessions.config().cookie().secure(),
          "the cookie check by the session cookie needs a Secure session cookie: the login form's token is"
              + " bound to its value, which a plain-HTTP response could otherwise plant; make the session cookie"
              + " Secure, or keep a separate cookie-check cookie");
      // Asked once: a store that answers from its deployment need not answer the same twice.
      boolean sessionsShared = sessions != null && sessions.sharedBetweenNodes();
      if (login != null) {
        checkLoginLimit(sessionsShared);
      }
      require(
          ssoConfig == null || login != null,
          "the SSO upgrade needs login: it is offered after a local login");
      require(
          legacyLogin == null || login != null,
          "the legacy login upgrade needs login: it starts a Portcullis login");
      require(
          trustedOrigins.isEmpty() || login != null,
          "trusted origins need login: they are part of its CSRF check; add login(...) or remove"
              + " trustedOrigins(...)");
      List<String> origins = checkedTrustedOrigins();
      List<CookieSpec> cookies = uniqueCookies();
      if (ssoConfig != null) {
        require(
            oidcSdkPresent(),
            "single sign-on needs the OpenID Connect SDK on the class path: add the dependency"
                + " com.nimbusds:oauth2-oidc-sdk, or leave single sign-on out");
      }
      if (sessionsShared) {
        checkStoresShared();
      }
      Access access = effectiveAccess();
      Sso sso = ssoConfig == null ? null : new Sso(ssoConfig, ssoKeys, random, ssoClock);
      LegacyUpgrade legacy = legacyLogin == null
          ? null
          : new LegacyUpgrade(legacyLogin, legacyUpgraded, legacyClock, login);
      return new PortcullisConfig(
          this,
          login == null ? null : new Login(login, random),
          legacy,
          sso,
          access,
          cookies,
          origins);
    }

    /** The trusted origins, each checked and written as a browser writes it, without repeats. */
    private List<String> checkedTrustedOrigins() {
      Set<String> checked = new LinkedHashSet<>();
      for (String o : trustedOrigins) {
        try {
          checked.add(WebOrigin.setting(o).toString());
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
      }
      return List.copyOf(checked);
    }

    /** Every declared cookie, in a fixed order; refuses two with one name, naming both. */
    private List<CookieSpec> uniqueCookies() {
      Map<String, CookieSpec> declared = new LinkedHashMap<>();
      if (sessions != null) {
        declared.put("the session cookie", sessions.config().cookie());
      }
      if (login != null) {
        declared.put("the auth cookie", login.cookies().authCookie());
        login
            .cookies()
            .cookieCheckCookie()
            .ifPresent(c -> declared.put("the cookie-check cookie", c));
      }
      if (legacyLogin != null) {
        declared.put("the legacy login cookie", legacyLogin.cookie());
      }
      if (ssoConfig != null) {
        declared.put("the SSO-upgrade cookie", ssoConfig.cookie());
      }
      Map<String, String> byName = new LinkedHashMap<>();
      for (Map.Entry<String, CookieSpec> e : declared.entrySet()) {
        String name = e.getValue().name();
        String earlier = byName.putIfAbsent(name, e.getKey());
        require(
            earlier == null,
            "two Portcullis cookies have the same name '" + name + "' (" + earlier + " and "
                + e.getKey() + "): give each cookie a name of its own"
                + (earlier != null && e.getKey().equals("the legacy login cookie")
                    ? legacyNameHint(earlier)
                    : ""));
      }
      return new ArrayList<>(declared.values());
    }

    /**
     * Why a ported portal cannot give its old login cookie's name to a Portcullis cookie: until the sunset the browser
     * may still hold the old cookie under that name, and both would be read from the one cookie.
     */
    private static String legacyNameHint(String other) {
      String setting = other.equals("the session cookie")
          ? " (SessionConfig.Builder.cookie)"
          : other.equals("the auth cookie") ? " (PortalLogin.Builder.authCookie)" : "";
      return ". Until the sunset, browsers still send the old portal's login cookie under this name for the"
          + " legacy login to read, so " + other + " needs another name" + setting;
    }

    /**
     * The access rules to enforce: the given policy after checking that the login, terms and required public pages
     * are public under it; without one, the secure default when there is login; or none.
     */
    private Access effectiveAccess() {
      if (accessPolicy != null) {
        checkPlain("login page", accessLoginPath);
        checkPublic("login page", accessLoginPath);
        if (login != null) {
          String handlers = login.endpoints().loginPath();
          require(
              handlers.equals(accessLoginPath),
              "the access policy's login page '" + accessLoginPath
                  + "' is not the login handler's '" + handlers + "': pass the same path to both");
          checkPlain("terms page", login.endpoints().termsPath());
          checkPublic("terms page", login.endpoints().termsPath());
        }
        for (String page : requiredPublic) {
          checkPlain("page", page);
          checkPublic("page", page);
        }
        return new Access(accessPolicy, accessLoginPath, false);
      }
      if (login == null || accessDecidedByApplication) {
        return null;
      }
      List<String> open = new ArrayList<>();
      open.add(login.endpoints().loginPath());
      open.add(login.endpoints().termsPath());
      open.addAll(requiredPublic);
      checkPlain("login page", open.get(0));
      checkPlain("terms page", open.get(1));
      for (String page : requiredPublic) {
        checkPlain("page", page);
      }
      AccessPolicy secure = AccessPolicy.builder()
          .permitAll(open.toArray(String[]::new))
          .authenticated("/**")
          .build();
      return new Access(secure, open.get(0), true);
    }

    private static void checkPlain(String what, String path) {
      require(
          path.indexOf('?') < 0
              && path.indexOf('#') < 0
              && PathNormaliser.normalise(path).filter(path::equals).isPresent(),
          what + " '" + path + "' must be a"
              + " plain lower-case path relative to the context path, such as /login: no query or fragment, no '..', ';',"
              + " '%' or '//'");
    }

    private void checkPublic(String what, String path) {
      require(
          accessPolicy.isPublic(path),
          what + " '" + path + "' needs a login under the access policy, so"
              + " visitors could never reach it: add permitAll(\"" + path
              + "\") to the policy, ahead of any rule that"
              + " covers it");
    }

    /** Whether the OpenID Connect SDK is visible both to Portcullis and to the application's class loader. */
    private static boolean oidcSdkPresent() {
      ClassLoader application = Thread.currentThread().getContextClassLoader();
      return loadable(PortcullisConfig.class.getClassLoader())
          && (application == null || loadable(application));
    }

    private static boolean loadable(ClassLoader loader) {
      try {
        Class.forName(OIDC_SDK_CLASS, false, loader);
        return true;
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }

    /**
     * The one login-limit check of every way of building a filter; the entry points ({@code Portcullis.builder()}, the
     * Spring Boot starter) word its answer through {@link #onLoginLimitCheck}, and these messages stand when they do
     * not refuse, or for an application's own filter.
     */
    private void checkLoginLimit(boolean sessionsShared) {
      LoginLimitCheck answer = login.loginLimitCheck(sessionsShared, perNodeLoginLimit);
      loginLimitWording.accept(answer);
      switch (answer) {
        case REFUSED ->
          throw new IllegalStateException(
              "the session store is shared between nodes, but the login limit is kept in this node's memory:"
                  + " behind a load balancer, N nodes would give a password guesser N budgets. Give PortalLogin a"
                  + " LoginThrottle over a store the nodes share (LoginThrottle.Builder.store), or accept one limit"
                  + " per node with perNodeLoginLimit()");
        case CONTRADICTION ->
          throw new IllegalStateException(
              "perNodeLoginLimit() and a login limit shared between nodes contradict each other:"
                  + " remove perNodeLoginLimit()");
        case FINE, PER_NODE_ACCEPTED -> {
          // The entry points log the accepted case through their wording.
        }
      }
    }

    /**
     * With sessions that nodes share, refuses a one-time mark or an account link kept in one node's memory. There is no
     * way to accept them: behind a load balancer such a store breaks its promise (once, or unlinked) on every node but
     * the one that made the change, which a per-node login limit, a mere larger budget, does not.
     */
    private void checkStoresShared() {
      String shared = "the session store is shared between nodes, but ";
      if (ssoConfig != null) {
        require(
            ssoConfig.replay().sharedBetweenNodes(),
            shared
                + "the single sign-on replay store (SsoConfig.Builder.replay) is kept in this node's"
                + " memory: behind a load balancer, each SSO-upgrade token and each provider answer could be"
                + " redeemed once on every node. Give SsoConfig a replay store the nodes share:"
                + " RedisStores.replayStore() or JdbcStores.replayStore()");
        require(
            ssoConfig.links().sharedBetweenNodes(),
            shared
                + "the single sign-on account links (SsoConfig.Builder.links) are kept in this node's"
                + " memory: behind a load balancer, an identity unlinked on one node (or by log out everywhere)"
                + " would still log in through the others. Give SsoConfig a link store the nodes share:"
                + " RedisStores.accountLinkStore() or JdbcStores.accountLinkStore()");
      }
      if (legacyLogin != null) {
        require(
            legacyUpgraded.sharedBetweenNodes(),
            shared
                + "the legacy upgrade's replay store (legacyLogin(..., upgraded, ...)) is kept in this"
                + " node's memory: behind a load balancer, one legacy login cookie would log in once on every"
                + " node. Pass a replay store the nodes share: RedisStores.replayStore() or"
                + " JdbcStores.replayStore()");
      }
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalStateException(message);
      }
    }
  }
}
