package dev.portcullis.servlet.testing;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of a portal on a real Jetty: a {@link PortcullisFilter} in development transport mode over the session and
 * revocation stores it is given, in front of a page that answers every path with the principal's name (or
 * {@code anonymous}) and the request's CSRF token. Tests start one or more nodes over a shared store to check what
 * a login, a logout or an outage on one node means on the others.
 *
 * <p>The static helpers drive a {@link TestBrowser} through the built-in login page: {@link #postLogin}, {@link
 * #login}, {@link #whoami} and {@link #csrf}.
 */
public final class PortalNode implements AutoCloseable {
  /** The CSRF token as the node's page and the login page show it. */
  public static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private final TestJetty jetty;
  private final String base;
  private final HttpClient client;
  private final AutoCloseable onClose;

  private PortalNode(Builder b) throws Exception {
    SessionConfig config = SessionConfig.defaults();
    SessionRegistry sessions =
        SessionRegistry.create(config, b.sessions, b.random, b.clock, SessionListener.noop());
    PortalLogin.Builder login = PortalLogin.builder()
        .keyRing(b.keyRing)
        .users(b.users)
        .revocations(b.revocations)
        .clock(b.clock)
        .random(b.random)
        .termsVersion("t1");
    if (b.throttle != null) {
      login.throttle(b.throttle);
    }
    if (b.maxConcurrentPasswordChecks != null) {
      login.maxConcurrentPasswordChecks(b.maxConcurrentPasswordChecks);
    }
    if (b.ticketLifetime != null) {
      login.ticketLifetime(b.ticketLifetime);
    }
    PortalLogin portalLogin = login.build();
    PortcullisFilter.Builder filter = PortcullisFilter.builder()
        .transport(TransportConfig.builder().developmentMode(true).build())
        .sessions(sessions)
        .login(portalLogin, b.random);
    if (sessions.sharedBetweenNodes() && !portalLogin.loginLimitSharedBetweenNodes()) {
      // A node given no shared throttle tests something other than the login limit: it accepts one
      // limit per node, as the filter requires beside shared sessions.
      filter.perNodeLoginLimit();
    }
    if (b.access == null) {
      filter.accessDecidedByApplication();
    } else {
      filter.access(b.access, b.loginPath);
    }
    if (b.audit != null) {
      filter.audit(b.audit);
    }
    if (b.maxFormReadsPerAddress != null) {
      filter.maxFormReadsPerAddress(b.maxFormReadsPerAddress);
    }
    if (b.maxAnonymousFormReads != null) {
      filter.maxAnonymousFormReads(b.maxAnonymousFormReads);
    }
    jetty = TestJetty.builder().open();
    jetty.context("/").filter(filter.build()).servlet(new WhoAmI());
    jetty.start();
    base = jetty.baseUri().toString();
    client = b.client;
    onClose = b.onClose;
  }

  /** A node over {@code sessions} and {@code revocations}, which the test keeps and closes. */
  public static Builder builder(SessionStore sessions, RevocationStore revocations) {
    return new Builder(sessions, revocations);
  }

  /** Alice ({@code alice}/{@code alice-pw}) and Bob ({@code bob}/{@code bob-pw}), providers on terms {@code t1}. */
  public static InMemoryUserDirectory aliceAndBob() {
    return new InMemoryUserDirectory(PasswordHasher.forTests())
        .add(
            "alice",
            "alice-pw".toCharArray(),
            new PortalUser(
                "u-alice",
                "Alice",
                "alice@example.org",
                Set.of("PROVIDER"),
                "riverside",
                true,
                "t1"))
        .add(
            "bob",
            "bob-pw".toCharArray(),
            new PortalUser(
                "u-bob", "Bob", "bob@example.org", Set.of("PROVIDER"), "hillview", true, "t1"));
  }

  /** This node's address, ending in {@code /}. */
  public String base() {
    return base;
  }

  /** A new browser on this node, with an empty cookie jar. */
  public TestBrowser browser() {
    return client == null ? new TestBrowser(base) : new TestBrowser(base, client);
  }

  /** A new browser on this node holding {@code cookies}. */
  public TestBrowser browser(Map<String, String> cookies) {
    TestBrowser browser = browser();
    browser.cookies().putAll(cookies);
    return browser;
  }

  /** {@code browser} addressing this node, sharing its cookie jar. */
  public TestBrowser sameBrowser(TestBrowser browser) {
    return browser.on(base);
  }

  /** Stops Jetty, then closes what {@link Builder#onClose} named. */
  @Override
  public void close() throws Exception {
    try {
      jetty.close();
    } finally {
      if (onClose != null) {
        onClose.close();
      }
    }
  }

  /** Reads the login page's CSRF token and posts {@code user}'s credentials; returns the answer to the post. */
  public static HttpResponse<String> postLogin(TestBrowser browser, String user, String password)
      throws IOException, InterruptedException {
    String token = csrfOf(browser.get("/login").body());
    return browser.post("/login", Map.of("username", user, "password", password, "_csrf", token));
  }

  /** Logs {@code user} in; fails unless the node answers with a redirect to {@code /}. */
  public static void login(TestBrowser browser, String user, String password)
      throws IOException, InterruptedException {
    HttpResponse<String> r = postLogin(browser, user, password);
    if (r.statusCode() != 303 || !r.headers().firstValue("Location").orElse("").equals("/")) {
      throw new AssertionError("login of " + user + " refused: " + r.statusCode() + " "
          + r.headers().firstValue("Location").orElse("(no Location)"));
    }
  }

  /** The principal's name the page shows for {@code browser}'s next request, or {@code anonymous}. */
  public static String whoami(TestBrowser browser) throws IOException, InterruptedException {
    String body = browser.get("/whoami").body();
    return body.substring(0, body.indexOf(' '));
  }

  /** The CSRF token of {@code browser}'s session, as the page shows it. */
  public static String csrf(TestBrowser browser) throws IOException, InterruptedException {
    return csrfOf(browser.get("/whoami").body());
  }

  /** The CSRF token {@code page} shows; fails if it shows none. */
  public static String csrfOf(String page) {
    Matcher m = CSRF.matcher(page);
    if (!m.find()) {
      throw new AssertionError("page shows no CSRF token: " + page);
    }
    return m.group(1);
  }

  /** Builds and starts a {@link PortalNode}. */
  public static final class Builder {
    private final SessionStore sessions;
    private final RevocationStore revocations;
    private KeyRingSource keyRing;
    private UserDirectory users;
    private InstantSource clock;
    private SecureRandom random;
    private LoginThrottle throttle;
    private Integer maxConcurrentPasswordChecks;
    private Duration ticketLifetime;
    private Integer maxFormReadsPerAddress;
    private Integer maxAnonymousFormReads;
    private AccessPolicy access;
    private String loginPath;
    private HttpClient client;
    private AuditLog audit;
    private AutoCloseable onClose;

    private Builder(SessionStore sessions, RevocationStore revocations) {
      this.sessions = Objects.requireNonNull(sessions, "sessions");
      this.revocations = Objects.requireNonNull(revocations, "revocations");
    }

    /** The key ring the node seals and opens cookies with. Required. */
    public Builder keyRing(KeyRingSource keyRing) {
      this.keyRing = keyRing;
      return this;
    }

    /** The accounts the login page checks. Required. */
    public Builder users(UserDirectory users) {
      this.users = users;
      return this;
    }

    /** The clock of the sessions and the login. Required. */
    public Builder clock(InstantSource clock) {
      this.clock = clock;
      return this;
    }

    /** The randomness of session ids, tokens and tickets. Required. */
    public Builder random(SecureRandom random) {
      this.random = random;
      return this;
    }

    /** The login limit; without one, the login's own default. */
    public Builder throttle(LoginThrottle throttle) {
      this.throttle = throttle;
      return this;
    }

    /**
     * The most password logins checked at once ({@link PortalLogin.Builder#maxConcurrentPasswordChecks}); without it,
     * the login's default. Tests of the login limit's races set it to their number of clients.
     */
    public Builder maxConcurrentPasswordChecks(int max) {
      this.maxConcurrentPasswordChecks = max;
      return this;
    }

    /**
     * How long an auth ticket lives ({@link PortalLogin.Builder#ticketLifetime}); without it, the login's default.
     * Tests of renewals set one shorter than the session's idle timeout, so that a clock moved past the ticket's
     * half-life leaves the session alive.
     */
    public Builder ticketLifetime(Duration lifetime) {
      this.ticketLifetime = lifetime;
      return this;
    }

    /**
     * The most form bodies read at once from one address ({@link PortcullisFilter.Builder#maxFormReadsPerAddress});
     * without it, the filter's default. Tests that send a burst of logins from loopback set it to their number of
     * clients, so that the login limit alone decides.
     */
    public Builder maxFormReadsPerAddress(int max) {
      this.maxFormReadsPerAddress = max;
      return this;
    }

    /**
     * The most anonymous form bodies read at once across all addresses ({@link
     * PortcullisFilter.Builder#maxAnonymousFormReads}); without it, the filter's default. Set with {@link
     * #maxFormReadsPerAddress} by tests that send a burst of logins.
     */
    public Builder maxAnonymousFormReads(int max) {
      this.maxAnonymousFormReads = max;
      return this;
    }

    /** Access rules with their login page; without them, the application decides access. */
    public Builder access(AccessPolicy access, String loginPath) {
      this.access = access;
      this.loginPath = loginPath;
      return this;
    }

    /** The HTTP client of the node's browsers; without one, each browser has its own. */
    public Builder client(HttpClient client) {
      this.client = client;
      return this;
    }

    /** Where the filter records what happens; without one, nothing is recorded. The test closes it. */
    public Builder audit(AuditLog audit) {
      this.audit = audit;
      return this;
    }

    /** What to close after Jetty when the node closes, such as the node's own stores. */
    public Builder onClose(AutoCloseable onClose) {
      this.onClose = onClose;
      return this;
    }

    /** Starts the node on a free loopback port. */
    public PortalNode start() throws Exception {
      Objects.requireNonNull(keyRing, "keyRing");
      Objects.requireNonNull(users, "users");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(random, "random");
      return new PortalNode(this);
    }
  }

  /**
   * Answers every path with {@code <principal or anonymous> csrf=<token>}; on {@code /change-session-id} after
   * {@code request.changeSessionId()}.
   */
  private static final class WhoAmI extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (req.getRequestURI().equals("/change-session-id")) {
        req.changeSessionId();
      }
      resp.setContentType("text/plain;charset=utf-8");
      Object csrf = req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
      String who =
          req.getUserPrincipal() == null ? "anonymous" : req.getUserPrincipal().getName();
      resp.getWriter().print(who + " csrf=" + csrf);
    }
  }
}
