package dev.portcullis.servlet;

import dev.portcullis.access.OrganisationScope;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.session.ActiveSession;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.RecordingSearchDemandSink;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/**
 * A small portal on a real Jetty 12 (loopback) behind the full login pipeline: users alice (riverside, PROVIDER),
 * bob (hillview, PROVIDER), carol (council, COUNCIL_OFFICER), dave (no email), eve (disabled) and newbie (never
 * accepted the terms). Passwords are {@code <name>-pw}. Audit events go to a {@link RecordingAuditSink}.
 *
 * <p>Pages: {@code GET /login} prints {@code csrf=<token>}; {@code /whoami} prints the principal or
 * {@code anonymous}; {@code /reports/<org>/<id>} answers only within the user's organisation (403 otherwise, or 404
 * with the refusal recorded for the audit when asked with {@code ?refuse-as=404});
 * {@code /terms} prints the terms page; {@code POST /action} prints {@code done}; {@code /remember} writes to the
 * session (making one if needed) and prints {@code remembered}; {@code /note?set=<text>} keeps the text in the session
 * (making one if needed) and {@code /note} prints {@code note=<text>}, or {@code note=none}; {@code /my-sessions} lists the user's sessions
 * ({@link UserSessions}), one line each: handle, {@code current} or {@code other}, address, browser family, created
 * and last-seen epoch milliseconds; {@code POST /my-sessions/end} with {@code handle} prints the outcome;
 * {@code /change-session-id} calls {@code request.changeSessionId()} and prints {@code changed <principal>} or
 * {@code refused: <message>}; {@code /offer} prints
 * {@code offer=<PortcullisFilter.ssoUpgradeOffered>}. Every page
 * answers {@code OPTIONS} and {@code HEAD} as {@link HttpServlet} does for a page with {@code doGet} only.
 */
final class LoginPortal implements AutoCloseable {
  static final String TERMS = "2026-01";
  final MutableClock clock = MutableClock.startingAt2026();
  final SecureRandom random = new SecureRandom();
  final RecordingAuditSink sink = new RecordingAuditSink();
  final RecordingSearchDemandSink demand = new RecordingSearchDemandSink();
  final AuditLog audit;
  final KeyRing ring;
  final InMemoryUserDirectory users;
  /** The portal's revocation store, for revoking a ticket out of band (as another node's logout would). */
  final RevocationStore revocations = RevocationStore.inMemory(clock);

  final SessionConfig sessionConfig;
  final PortalLogin login;
  /** The portal's session store, for counting what it holds. */
  final CaffeineSessionStore sessionStore;

  final String base;
  /** The filter under test, on the portal's Jetty. */
  final PortcullisFilter filter;

  private final TestJetty jetty;

  LoginPortal() throws Exception {
    this(AuditSink.noop(), (portal, filter) -> {});
  }

  /** @param extraSink a second audit sink beside the recording one (e.g. one that throws) */
  LoginPortal(AuditSink extraSink) throws Exception {
    this(extraSink, (portal, filter) -> {});
  }

  /** A portal whose filter {@code configure} may add to, with the portal's clock, users and audit log at hand. */
  LoginPortal(BiConsumer<LoginPortal, PortcullisFilter.Builder> configure) throws Exception {
    this(AuditSink.noop(), configure);
  }

  LoginPortal(AuditSink extraSink, BiConsumer<LoginPortal, PortcullisFilter.Builder> configure)
      throws Exception {
    this(extraSink, audit -> {}, configure, true);
  }

  /**
   * @param extraSink a second audit sink beside the recording one
   * @param auditOptions adds to the audit log's builder (more sinks, a demand bucket) before it is built
   * @param configure adds to the filter's builder
   */
  LoginPortal(
      AuditSink extraSink,
      Consumer<AuditLog.Builder> auditOptions,
      BiConsumer<LoginPortal, PortcullisFilter.Builder> configure)
      throws Exception {
    this(extraSink, auditOptions, configure, true);
  }

  /**
   * A portal whose filter makes its own access decisions: no access policy is given, so the secure default applies
   * (everything but the login and terms pages, and pages {@code configure} requires public, needs a login).
   */
  static LoginPortal withDefaultAccess(BiConsumer<LoginPortal, PortcullisFilter.Builder> configure)
      throws Exception {
    return new LoginPortal(AuditSink.noop(), audit -> {}, configure, false);
  }

  /**
   * A portal on {@code server} (for example one that speaks HTTP/2 over TLS, {@link #httpsBase()}), whose filter
   * {@code configure} may add to.
   */
  static LoginPortal on(
      TestJetty.Builder server, BiConsumer<LoginPortal, PortcullisFilter.Builder> configure)
      throws Exception {
    return new LoginPortal(AuditSink.noop(), audit -> {}, configure, true, server);
  }

  /** A portal on {@code server} whose sessions follow {@code sessions}, and whose filter {@code configure} may add to. */
  static LoginPortal on(
      TestJetty.Builder server,
      SessionConfig sessions,
      BiConsumer<LoginPortal, PortcullisFilter.Builder> configure)
      throws Exception {
    return new LoginPortal(
        AuditSink.noop(), audit -> {}, configure, true, server, sessions, context -> {});
  }

  /** A portal whose sessions follow {@code sessions} rather than {@link #sessions()}. */
  static LoginPortal withSessions(SessionConfig sessions, AuditSink extraSink) throws Exception {
    return new LoginPortal(
        extraSink, audit -> {}, (p, filter) -> {}, true, TestJetty.builder(), sessions);
  }

  /** The sessions of a portal made without {@link #withSessions}. */
  static SessionConfig.Builder sessions() {
    return SessionConfig.builder()
        .idleTimeout(Duration.ofMinutes(30))
        .absoluteTimeout(Duration.ofHours(12));
  }

  private LoginPortal(
      AuditSink extraSink,
      Consumer<AuditLog.Builder> auditOptions,
      BiConsumer<LoginPortal, PortcullisFilter.Builder> configure,
      boolean applicationDecidesAccess)
      throws Exception {
    this(extraSink, auditOptions, configure, applicationDecidesAccess, TestJetty.builder());
  }

  private LoginPortal(
      AuditSink extraSink,
      Consumer<AuditLog.Builder> auditOptions,
      BiConsumer<LoginPortal, PortcullisFilter.Builder> configure,
      boolean applicationDecidesAccess,
      TestJetty.Builder server)
      throws Exception {
    this(
        extraSink,
        auditOptions,
        configure,
        applicationDecidesAccess,
        server,
        sessions().build());
  }

  private LoginPortal(
      AuditSink extraSink,
      Consumer<AuditLog.Builder> auditOptions,
      BiConsumer<LoginPortal, PortcullisFilter.Builder> configure,
      boolean applicationDecidesAccess,
      TestJetty.Builder server,
      SessionConfig sessionConfig)
      throws Exception {
    this(
        extraSink,
        auditOptions,
        configure,
        applicationDecidesAccess,
        server,
        sessionConfig,
        context -> {});
  }

  /**
   * A portal whose filter makes its own access decisions (as {@link #withDefaultAccess}), and whose servlet context
   * {@code context} adds to before the server starts (another servlet, for example).
   */
  static LoginPortal withContext(
      BiConsumer<LoginPortal, PortcullisFilter.Builder> configure,
      Consumer<ServletContextHandler> context)
      throws Exception {
    return withContext(false, configure, context);
  }

  /**
   * A portal whose pages decide who may see them (as {@link #LoginPortal(BiConsumer)}), whose filter {@code
   * configure} may add to, and whose servlet context {@code context} adds to before the server starts (a multipart
   * configuration of the pages' servlet, for example).
   */
  static LoginPortal withApplicationAccessAndContext(
      BiConsumer<LoginPortal, PortcullisFilter.Builder> configure,
      Consumer<ServletContextHandler> context)
      throws Exception {
    return withContext(true, configure, context);
  }

  /** A portal with the default audit, server and sessions, whose servlet context {@code context} adds to. */
  private static LoginPortal withContext(
      boolean applicationDecidesAccess,
      BiConsumer<LoginPortal, PortcullisFilter.Builder> configure,
      Consumer<ServletContextHandler> context)
      throws Exception {
    return new LoginPortal(
        AuditSink.noop(),
        audit -> {},
        configure,
        applicationDecidesAccess,
        TestJetty.builder(),
        sessions().build(),
        context);
  }

  private LoginPortal(
      AuditSink extraSink,
      Consumer<AuditLog.Builder> auditOptions,
      BiConsumer<LoginPortal, PortcullisFilter.Builder> configure,
      boolean applicationDecidesAccess,
      TestJetty.Builder server,
      SessionConfig sessionConfig,
      Consumer<ServletContextHandler> context)
      throws Exception {
    this.sessionConfig = sessionConfig;
    byte[] key = new byte[32];
    random.nextBytes(key);
    ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key))
        .build();
    users = alice()
        .add(
            "bob",
            "bob-pw".toCharArray(),
            user("u-bob", "Bob Brown", "bob@hillview.example", "PROVIDER", "hillview", true, TERMS))
        .add(
            "carol",
            "carol-pw".toCharArray(),
            user(
                "u-carol",
                "Carol Clark",
                "carol@council.example",
                "COUNCIL_OFFICER",
                "council",
                true,
                TERMS))
        .add(
            "dave",
            "dave-pw".toCharArray(),
            user("u-dave", "Dave Dunn", "", "PROVIDER", "riverside", true, TERMS))
        .add(
            "eve",
            "eve-pw".toCharArray(),
            user("u-eve", "Eve Evans", "eve@x.example", "PROVIDER", "riverside", false, TERMS))
        .add(
            "newbie",
            "newbie-pw".toCharArray(),
            user(
                "u-newbie", "Nia New", "nia@riverside.example", "PROVIDER", "riverside", true, ""));
    AuditLog.Builder auditBuilder = AuditLog.builder()
        .clock(clock)
        .random(random)
        .auditSink(sink)
        .auditSink(extraSink)
        .demandSink(demand);
    auditOptions.accept(auditBuilder);
    audit = auditBuilder.build();
    sessionStore = CaffeineSessionStore.builder(sessionConfig, clock)
        .executor(Runnable::run)
        .listener(new SessionAudit(audit))
        .build();
    SessionRegistry sessions =
        SessionRegistry.create(sessionConfig, sessionStore, random, clock, new SessionAudit(audit));
    login = PortalLogin.builder()
        .keyRing(ring)
        .users(users)
        .revocations(revocations)
        .clock(clock)
        .random(random)
        .termsVersion(TERMS)
        .ticketLifetime(Duration.ofHours(8))
        .build();
    // The port is known before the filter is built, so a configuration may name this portal's own
    // URLs.
    jetty = server.open();
    base = jetty.baseUri().toString();
    AuditRules rules = AuditRules.builder()
        .action("/reports/{org}/{id}", "report_view")
        .searchEndpoint("/search", "q")
        .build();
    // Plain HTTP on loopback: development mode lets it through the transport stage. Unless asked
    // otherwise the pages below decide who may see them (the access stage has tests of its own), so
    // anonymous visitors reach them.
    PortcullisFilter.Builder filterBuilder = PortcullisFilter.builder()
        .transport(TransportConfig.builder().developmentMode(true).build())
        .sessions(sessions)
        .login(login, random)
        .audit(audit, rules);
    if (applicationDecidesAccess) {
      filterBuilder.accessDecidedByApplication();
    }
    try {
      configure.accept(this, filterBuilder);
      filter = filterBuilder.build();
    } catch (RuntimeException e) {
      jetty.close();
      throw e;
    }
    TestJetty.Context root = jetty.context("/").filter(filter).servlet(new Pages());
    context.accept(root.handler());
    jetty.start();
  }

  /**
   * A directory holding alice alone: password {@code alice-pw}, handle {@code u-alice}, a provider of riverside who
   * accepted the current {@link #TERMS}.
   */
  static InMemoryUserDirectory alice() {
    return new InMemoryUserDirectory(PasswordHasher.forTests())
        .add(
            "alice",
            "alice-pw".toCharArray(),
            user(
                "u-alice",
                "Alice Adams",
                "alice@riverside.example",
                "PROVIDER",
                "riverside",
                true,
                TERMS));
  }

  static PortalUser user(
      String handle,
      String name,
      String email,
      String role,
      String org,
      boolean enabled,
      String terms) {
    return new PortalUser(handle, name, email, Set.of(role), org, enabled, terms);
  }

  Browser browser() {
    return new Browser(base);
  }

  /** The name of the auth ticket's cookie. */
  String authCookieName() {
    return login.cookies().authCookie().name();
  }

  /**
   * The audit sink once the audit log has handed it every event recorded so far, without waiting for the requests in
   * flight (some may never end while a test runs).
   */
  RecordingAuditSink auditedSoFar() throws InterruptedException {
    audit.flush(Duration.ofSeconds(10));
    return sink;
  }

  /** {@code https://127.0.0.1:port} of a portal on a server with HTTPS ({@link #on}). */
  String httpsBase() {
    return jetty.httpsBaseUri().toString();
  }

  /** A client TLS context that trusts the portal's test certificate. */
  javax.net.ssl.SSLContext clientTls() {
    return jetty.clientTls();
  }

  /** Waits until every request has left the filter and the audit log has handed every event to the sink. */
  RecordingAuditSink flushedSink() throws InterruptedException {
    jetty.awaitIdle(Duration.ofSeconds(10));
    audit.flush(Duration.ofSeconds(10));
    return sink;
  }

  @Override
  public void close() throws Exception {
    jetty.close();
    audit.close();
  }

  /** The portal's pages; {@code static} so that a second node of the same portal can serve them too. */
  static final class Pages extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final OrganisationScope scope = new OrganisationScope(Set.of("COUNCIL_OFFICER"));

    /**
     * {@code OPTIONS} and {@code HEAD} as {@link HttpServlet} answers them for a page with {@code doGet} only: OPTIONS
     * lists the allowed methods without running the page, HEAD runs {@code doGet} without the body. Every other
     * method runs the page.
     */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp)
        throws ServletException, IOException {
      String method = req.getMethod();
      if (method.equals("OPTIONS") || method.equals("HEAD")) {
        super.service(req, resp);
      } else {
        page(req, resp);
      }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      page(req, resp);
    }

    private void page(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      String path = req.getRequestURI();
      PortalPrincipal p = (PortalPrincipal) req.getUserPrincipal();
      if (path.equals("/login")) {
        resp.getWriter()
            .print("login page csrf=" + req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE));
      } else if (path.equals("/whoami")) {
        resp.getWriter()
            .print(
                p == null
                    ? "anonymous"
                    : p.getName() + " csrf="
                        + req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE));
      } else if (path.startsWith("/reports/")) {
        String[] parts = path.split("/");
        if (p == null && "redirect".equals(req.getParameter("anonymous-as"))) {
          // As an application's own access control does (Spring Security's login entry point).
          resp.sendRedirect("/login");
        } else if (p == null) {
          resp.sendError(401);
        } else if (!scope.permits(p.user(), parts[2])
            && "404".equals(req.getParameter("refuse-as"))) {
          // Refused like a missing report, so that ids cannot be enumerated; the audit still says
          // why.
          req.setAttribute(
              PortcullisFilter.AUDIT_FAILURE_ATTRIBUTE, "denied: another organisation");
          resp.sendError(404);
        } else if (!scope.permits(p.user(), parts[2])) {
          resp.sendError(403);
        } else {
          resp.getWriter().print("report " + parts[3] + " of " + parts[2]);
        }
      } else if (path.equals("/offer")) {
        // Asked twice, as a page that shows the offer in two places does.
        boolean offered = PortcullisFilter.ssoUpgradeOffered(req);
        resp.getWriter()
            .print("offer=" + offered + " again=" + PortcullisFilter.ssoUpgradeOffered(req));
      } else if (path.equals("/terms")) {
        resp.getWriter()
            .print("terms page csrf=" + req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE));
      } else if (path.equals("/search")) {
        req.setAttribute(PortcullisFilter.SEARCH_RESULT_COUNT_ATTRIBUTE, 3);
        resp.getWriter().print("3 results");
      } else if (path.equals("/note")) {
        // What an application keeps for its user in the session (a draft, a choice made): set with
        // ?set=, read without.
        String set = req.getParameter("set");
        if (set != null) {
          req.getSession(true).setAttribute("note", set);
        }
        var session = req.getSession(false);
        Object note = session == null ? null : session.getAttribute("note");
        resp.getWriter().print("note=" + (note == null ? "none" : note));
      } else if (path.equals("/change-session-id")) {
        // As an application does after a privilege change. With ?after-commit the response has
        // committed first; with ?twice the id changes twice; with ?fresh the session is replaced by
        // a new, empty one first.
        if (req.getParameter("after-commit") != null) {
          resp.flushBuffer();
        }
        if (req.getParameter("fresh") != null) {
          req.getSession().invalidate();
          req.getSession(true);
        }
        try {
          req.changeSessionId();
          if (req.getParameter("twice") != null) {
            req.changeSessionId();
          }
          Principal now = req.getUserPrincipal();
          resp.getWriter().print("changed " + (now == null ? "anonymous" : now.getName()));
        } catch (IllegalStateException e) {
          resp.getWriter().print("refused: " + e.getMessage());
        }
      } else if (path.equals("/remember")) {
        req.getSession(true).setAttribute("seen", Boolean.TRUE);
        resp.getWriter().print("remembered");
      } else if (path.equals("/my-sessions")) {
        var sessions = UserSessions.of(req);
        if (sessions.isEmpty()) {
          resp.getWriter().print("none");
        } else {
          for (ActiveSession s : sessions.get().list()) {
            resp.getWriter()
                .println(s.handle() + " " + (s.current() ? "current" : "other") + " "
                    + s.clientAddress().orElse("-") + " " + s.browser() + " "
                    + s.created().toEpochMilli() + " " + s.lastSeen().toEpochMilli());
          }
        }
      } else if (path.equals("/spoof-address")) {
        try {
          req.getSession(true).setAttribute(SessionRegistry.CLIENT_ADDRESS_ATTRIBUTE, "192.0.2.1");
          resp.getWriter().print("accepted");
        } catch (IllegalArgumentException e) {
          resp.getWriter().print("refused");
        }
      } else if (path.equals("/my-sessions/end") && req.getMethod().equals("POST")) {
        var sessions = UserSessions.of(req);
        resp.getWriter()
            .print(
                sessions.isEmpty()
                    ? "none"
                    : sessions.get().end(req.getParameter("handle")).toString());
      } else if (path.equals("/action") && req.getMethod().equals("POST")) {
        resp.getWriter().print("done");
      } else {
        resp.getWriter().print("page " + path);
      }
    }
  }
}
