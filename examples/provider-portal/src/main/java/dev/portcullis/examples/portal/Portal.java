package dev.portcullis.examples.portal;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.aspnet.WebConfig;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SearchDemandSink;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.internal.OwnerOnlyDirectories;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider portal, wired and running: Portcullis in front of a handful of servlets on an embedded Jetty 12 that
 * listens on loopback only, over HTTPS with the development certificate, and on plain HTTP only to redirect.
 *
 * <p>Everything that takes time or randomness gets the clock and {@link SecureRandom} handed to {@link #start}; only
 * {@link ProviderPortal#main} chooses the system clock.
 */
final class Portal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Portal.class);
  static final String HOST = "127.0.0.1";
  /** The portal's name in its development certificate and in its redirects to HTTPS. */
  static final String CANONICAL_HOST = "localhost";
  /**
   * HSTS with max-age 0 on a localhost development server: a year-long policy for "localhost" would follow the
   * developer to every other local project. Production keeps the default of one year.
   */
  static final Duration HSTS_MAX_AGE = Duration.ZERO;
  /** TLS 1.3, and TLS 1.2 for older clients; nothing older. */
  static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  /**
   * AEAD cipher suites only (AES-GCM, ChaCha20-Poly1305) with forward secrecy: TLS 1.2's CBC suites (MAC-then-encrypt,
   * the padding-oracle family) are not offered. TLS 1.3 has nothing else.
   */
  static final String[] TLS_CIPHER_SUITES = {
    "^TLS_AES_(128|256)_GCM_SHA(256|384)$",
    "^TLS_CHACHA20_POLY1305_SHA256$",
    "^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128_GCM_SHA256|256_GCM_SHA384)|CHACHA20_POLY1305_SHA256)$"
  };

  static final String AUDIT_FILE = "audit.jsonl";
  static final String SEARCH_DEMAND_FILE = "search-demand.jsonl";
  static final String LOGIN_PATH = "/login";

  /** Who may see what, enforced by the filter's access stage. Anything not listed needs a login. */
  static final AccessPolicy ACCESS = AccessPolicy.builder()
      .permitAll(
          "/",
          LOGIN_PATH,
          "/terms",
          "/privacy",
          "/cookies.json",
          "/search",
          "/portal.css",
          "/favicon.ico")
      .requireAnyRole(Monitoring.PATHS, Monitoring.ROLE)
      .authenticated("/**")
      .build();

  private final Server server;
  private final ServerConnector https;
  private final ServerConnector http;
  private final AuditLog audit;
  private final List<CookieSpec> cookies;
  private final Path dataDir;
  private final PortalSso sso;
  private final InMemoryUserDirectory users;

  private Portal(
      Server server,
      ServerConnector https,
      ServerConnector http,
      AuditLog audit,
      List<CookieSpec> cookies,
      Path dataDir,
      PortalSso sso,
      InMemoryUserDirectory users) {
    this.server = server;
    this.https = https;
    this.http = http;
    this.audit = audit;
    this.cookies = cookies;
    this.dataDir = dataDir;
    this.sso = sso;
    this.users = users;
  }

  /**
   * Prepares the data folder (development keys and certificate on first start), builds Portcullis and starts Jetty.
   *
   * @param env the environment: {@code PORTCULLIS_KEY_RING} there replaces the development key file
   */
  static Portal start(
      PortalOptions options, Map<String, String> env, InstantSource clock, SecureRandom random)
      throws Exception {
    Path dataDir = options.dataDir().toAbsolutePath().normalize();
    // Open to its owner only, whatever the umask: it holds the key ring and the audit log.
    OwnerOnlyDirectories.create(dataDir);
    KeyRing keys = DevelopmentKeys.load(dataDir, env, clock, random);
    DevelopmentCertificate certificate =
        DevelopmentCertificate.loadOrCreate(dataDir, clock, random);

    AuditLog audit = AuditLog.builder()
        .clock(clock)
        .random(random)
        .auditSink(AuditSink.hashChained(dataDir.resolve(AUDIT_FILE), keys))
        .auditSink(AuditSink.slf4j())
        .demandSink(SearchDemandSink.jsonLines(dataDir.resolve(SEARCH_DEMAND_FILE)))
        .demandSink(SearchDemandSink.slf4j())
        .build();
    Server server = new Server();
    PortalSso sso = PortalSso.OFF;
    try {
      // The old portal's web.config, for the cut-over and, in the ported profile, its cookie
      // settings.
      WebConfig oldPortal =
          options.legacy() == null ? null : LegacyCutOver.webConfig(options.legacy());
      // The profile names the cookies (and, for a ported portal, the session id format).
      SessionConfig sessionConfig = options
          .profile()
          .sessions(
              SessionConfig.builder()
                  .idleTimeout(Duration.ofMinutes(30))
                  .absoluteTimeout(Duration.ofHours(12)),
              oldPortal);
      PortalStores stores =
          PortalStores.open(options, env, sessionConfig, keys, audit, clock, random);
      if (oldPortal != null) {
        // <sessionState mode>: a WARN if the old portal's servers shared their sessions and these
        // stay in this node's memory (without --database-url).
        oldPortal.sessionStore(stores.sessions());
      }
      server.addEventListener(new LifeCycle.Listener() {
        @Override
        public void lifeCycleStopped(LifeCycle event) {
          stores.close();
        }
      });
      SessionRegistry sessions = SessionRegistry.create(
          sessionConfig, stores.sessions(), random, clock, new SessionAudit(audit));
      InMemoryUserDirectory users = DemoData.users(PasswordHasher.standard(random));
      PortalLogin.Builder loginSettings = PortalLogin.builder()
          .keyRing(keys)
          .users(users)
          .revocations(stores.revocations())
          .throttle(stores.throttle())
          .clock(clock)
          .random(random)
          .termsVersion(DemoData.TERMS_VERSION)
          .loginPath(LOGIN_PATH)
          .afterLoginPath("/reports");
      PortalLogin login =
          options.profile().login(loginSettings, Duration.ofHours(8), oldPortal).build();

      ServerConnector httpsConnector = new ServerConnector(
          server,
          new SslConnectionFactory(tls(certificate), HttpVersion.HTTP_1_1.asString()),
          new HttpConnectionFactory(httpConfiguration(true)));
      httpsConnector.setHost(HOST);
      httpsConnector.setPort(options.httpsPort());
      ServerConnector httpConnector =
          new ServerConnector(server, new HttpConnectionFactory(httpConfiguration(false)));
      httpConnector.setHost(HOST);
      httpConnector.setPort(options.httpPort());
      server.addConnector(httpsConnector);
      server.addConnector(httpConnector);
      // Bound before the filter is built: its HTTPS redirect needs the real port (tests ask for
      // port 0).
      httpsConnector.open();
      httpConnector.open();
      sso = PortalSso.start(
          options.sso(),
          dataDir,
          options.profile().ssoUpgradeCookie(),
          URI.create("https://" + CANONICAL_HOST + ":" + httpsConnector.getLocalPort()),
          stores,
          clock);

      PortcullisFilter.Builder filterBuilder = PortcullisFilter.builder()
          // Plain HTTP goes to https://localhost:<port>, the name in the development certificate,
          // whatever Host header the request carried.
          .transport(TransportConfig.builder()
              .canonicalHost(CANONICAL_HOST)
              .httpsPort(httpsConnector.getLocalPort())
              .hstsMaxAge(HSTS_MAX_AGE)
              .build())
          .sessions(sessions)
          .login(login, random)
          .access(ACCESS, LOGIN_PATH)
          .requirePublic("/privacy", "/cookies.json", "/terms")
          .audit(
              audit,
              AuditRules.builder()
                  .action("/reports/{id}", "report_view")
                  .action(Monitoring.SERVICE_DEMAND_PATH, Monitoring.SERVICE_DEMAND_ACTION)
                  .action(Monitoring.AUDIT_PATH, Monitoring.AUDIT_ACTION)
                  .searchEndpoint("/search", "q")
                  .build());
      if (oldPortal != null) {
        // The cut-over from the ASP.NET portal: its login cookie read once, until the sunset.
        filterBuilder.legacyLogin(
            LegacyCutOver.login(oldPortal, options.legacy(), users, clock, random),
            stores.replay(clock),
            clock);
      }
      PortcullisFilter filter = sso.addTo(filterBuilder, keys, clock).build();
      List<CookieSpec> cookies = filter.cookies();
      CookieNotice notice = new CookieNotice(cookies);

      ServletContextHandler app = new ServletContextHandler();
      app.setContextPath("/");
      app.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
      add(app, "", new HomePage(sso));
      add(app, LOGIN_PATH, new LoginPage(sso));
      add(app, "/reports/*", new ReportsPage());
      add(app, "/search", new SearchPage());
      add(app, "/account", new AccountPage(sso));
      add(app, AccountPage.END_SESSION_PATH, new AccountPage(sso));
      add(app, "/privacy", new PrivacyPage(notice));
      add(app, "/cookies.json", new CookiesJson(notice));
      add(app, "/terms", new TermsPage(login));
      add(app, "/portal.css", new Stylesheet());
      Monitoring.addPages(app, dataDir, audit, keys, clock);
      add(app, "/", new NotFoundPage());
      // Jetty's own error pages echo the URI and carry none of the filter's headers: plain ones
      // instead.
      PlainErrorPages errors = new PlainErrorPages("max-age=" + HSTS_MAX_AGE.getSeconds());
      app.setErrorHandler(errors.contextErrors());
      server.setErrorHandler(errors.serverErrors());
      server.setHandler(app);
      server.start();
      return new Portal(server, httpsConnector, httpConnector, audit, cookies, dataDir, sso, users);
    } catch (Exception | Error e) {
      try {
        server.stop();
      } finally {
        try {
          audit.close();
        } finally {
          sso.close();
        }
      }
      throw e;
    }
  }

  private static void add(ServletContextHandler app, String mapping, HttpServlet servlet) {
    app.addServlet(new ServletHolder(servlet), mapping);
  }

  private static HttpConfiguration httpConfiguration(boolean secure) {
    HttpConfiguration config = new HttpConfiguration();
    // Jetty's per-connection header cache otherwise matches header values case-insensitively and
    // can hand the application an earlier Cookie header that differs only in letter case. Base64url
    // cookie values are case-sensitive, so a changed auth or session cookie could be read as the
    // original one.
    config.setHeaderCacheCaseSensitive(true);
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    if (secure) {
      // Marks requests on this connector as HTTPS (request.isSecure()) and checks SNI against the
      // certificate.
      config.addCustomizer(new SecureRequestCustomizer());
    }
    return config;
  }

  private static SslContextFactory.Server tls(DevelopmentCertificate certificate) {
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(certificate.keyStore());
    tls.setKeyManagerPassword(new String(certificate.password()));
    tls.setCertAlias(DevelopmentCertificate.ALIAS);
    tls.setIncludeProtocols(TLS_PROTOCOLS);
    tls.setIncludeCipherSuites(TLS_CIPHER_SUITES);
    return tls;
  }

  int httpsPort() {
    return https.getLocalPort();
  }

  int httpPort() {
    return http.getLocalPort();
  }

  Path dataDir() {
    return dataDir;
  }

  /** The declarations of every cookie the portal sets, as the cookie notice shows them. */
  List<CookieSpec> cookies() {
    return cookies;
  }

  /** Single sign-on as the portal runs it: off, or the filter's configuration and the development provider. */
  PortalSso sso() {
    return sso;
  }

  /**
   * The accounts the portal logs in; tests change them through it as an administrator would (what an account has
   * accepted, its roles, organisation, email, whether it is enabled or there at all).
   */
  InMemoryUserDirectory users() {
    return users;
  }

  /** Waits until every audit and search-demand event so far is in its files. */
  boolean flushAudit(Duration timeout) throws InterruptedException {
    return audit.flush(timeout);
  }

  /**
   * Stops Jetty, then delivers the queued audit events and closes the log files, then stops the development OpenID
   * provider if one runs.
   */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.warn("Jetty did not stop cleanly: {}", e.getClass().getName());
    } finally {
      try {
        audit.close();
      } finally {
        sso.close();
      }
    }
  }
}
