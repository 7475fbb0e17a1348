package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Portcullis#builder()} with only its three required inputs, registered on a real Jetty through
 * {@link Portcullis#register} from a context listener, as a container would: HTTPS is required, pages need a login,
 * a user logs in over HTTPS; closing (directly, or by the container at shutdown) releases the audit file so that a
 * redeployed application opens it again; a missing input is named; overrides take effect.
 */
class PortcullisEntryPointTest {
  private static final String TERMS = LoginPortal.TERMS;

  @TempDir
  Path dir;

  private final SecureRandom random = new SecureRandom();
  private final KeyRing ring = KeyRing.builder()
      .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
      .build();
  private final InMemoryUserDirectory users = LoginPortal.alice();
  private final List<AutoCloseable> toClose = new java.util.ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void threeInputs_registeredOnTheContext_requireHttpsAndALogin_andLogAUserIn() throws Exception {
    Portcullis portcullis =
        Portcullis.builder().keyRing(ring).users(users).termsVersion(TERMS).build();
    toClose.add(portcullis);
    Site site = Site.start(portcullis::register);
    toClose.add(site);
    Browser browser = new Browser(site.https, site.client);

    HttpResponse<String> anonymous = browser.get("/reports/1");
    assertThat(anonymous.statusCode()).isEqualTo(303);
    assertThat(anonymous.headers().firstValue("Location"))
        .hasValue("/login?returnTo=%2Freports%2F1");
    assertThat(anonymous.body()).doesNotContain("page ");
    assertThat(anonymous.headers().firstValue("Strict-Transport-Security")).isPresent();

    HttpResponse<String> plain = new Browser(site.http).get("/login");
    assertThat(plain.statusCode())
        .as("plain HTTP is refused: no canonical host to redirect to")
        .isEqualTo(403);

    assertThat(browser
            .login("alice", "wrong-pw", true)
            .headers()
            .firstValue("Location")
            .orElse(""))
        .startsWith("/login?error=1");
    HttpResponse<String> login = browser.login("alice", "alice-pw", true);
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(browser.cookies()).containsKey("__Host-portcullis-auth");
    assertThat(browser.cookies()).containsKey(SessionConfig.DEFAULT_COOKIE_NAME);
    assertThat(browser.get("/reports/1").body()).isEqualTo("page /reports/1");
    assertThat(browser.whoami()).isEqualTo("u-alice");
  }

  /**
   * Regression: a public page that showed the visitor's form token (bound to the browser's cookie-check cookie, as on
   * the login page), as every page of the quick start does, went out without {@code Cache-Control}. A shared cache
   * could keep one visitor's token and serve it to everyone who asked for the page: their forms would fail, and
   * whoever read the cache would hold that visitor's token. A public page that does not ask for the token is still left
   * to the application.
   */
  @Test
  void publicPageShowingTheFormToken_isNotStorable_whileOneWithoutItIsLeftToTheApplication()
      throws Exception {
    Portcullis portcullis = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .requirePublic("/notices", "/about")
        .build();
    toClose.add(portcullis);
    Site site = Site.start(portcullis::register);
    toClose.add(site);
    Browser browser = new Browser(site.https, site.client);
    browser.openLoginPage();
    String token = browser.csrf;

    HttpResponse<String> notices = browser.get("/notices");
    assertThat(notices.statusCode()).isEqualTo(200);
    assertThat(notices.body()).isEqualTo("notices csrf=" + token);
    assertThat(notices.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(notices.headers().allValues("Cache-Control")).containsExactly("no-store");

    HttpResponse<String> about = browser.get("/about");
    assertThat(about.body()).isEqualTo("page /about");
    assertThat(about.headers().allValues("Cache-Control")).isEmpty();
  }

  @Test
  void sessionLimit_onTheEntryPoint_refusesALoginPastIt() throws Exception {
    Portcullis portcullis = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .maxSessionsPerUser(1, dev.portcullis.login.SessionLimit.REFUSE_NEW)
        .build();
    toClose.add(portcullis);
    Site site = Site.start(portcullis::register);
    toClose.add(site);
    Browser first = new Browser(site.https, site.client);
    assertThat(first.login("alice", "alice-pw", true).headers().firstValue("Location"))
        .hasValue("/");
    Browser second = new Browser(site.https, site.client);
    assertThat(second.login("alice", "alice-pw", true).headers().firstValue("Location"))
        .hasValue("/login?error=1");
    assertThat(second.get("/reports/1").statusCode())
        .as("the refused browser is sent to the login page")
        .isEqualTo(303);
    assertThat(first.whoami()).isEqualTo("u-alice");
  }

  @Test
  void embeddedJetty_registersBeforeTheServerStarts() throws Exception {
    Portcullis portcullis =
        Portcullis.builder().keyRing(ring).users(users).termsVersion(TERMS).build();
    toClose.add(portcullis);
    Site site = Site.startRegisteredBefore(portcullis::register);
    toClose.add(site);
    Browser browser = new Browser(site.https, site.client);
    assertThat(browser.get("/reports/1").statusCode()).isEqualTo(303);
    assertThat(browser.login("alice", "alice-pw", true).statusCode()).isEqualTo(303);
    assertThat(browser.whoami()).isEqualTo("u-alice");
  }

  @Test
  void close_releasesTheAuditFile_soARedeployedInstanceOpensIt() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    Portcullis first = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .auditSink(AuditSink.hashChained(file))
        .build();
    toClose.add(first);
    assertThatThrownBy(() -> AuditSink.hashChained(file))
        .as("held while the first instance is open")
        .isInstanceOf(IOException.class);

    first.close();
    first.close(); // again: nothing more to do
    Portcullis second = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .auditSink(AuditSink.hashChained(file))
        .build();
    second.close();
  }

  @Test
  void theContainerClosesARegisteredInstanceAtShutdown_andTheNextDeploymentLogsIn()
      throws Exception {
    Path file = dir.resolve("audit.jsonl");
    for (int deployment = 1; deployment <= 2; deployment++) {
      Portcullis portcullis = Portcullis.builder()
          .keyRing(ring)
          .users(users)
          .termsVersion(TERMS)
          .auditSink(AuditSink.hashChained(file))
          .build();
      toClose.add(portcullis); // only if the test fails: close() is idempotent
      try (Site site = Site.start(portcullis::register)) {
        Browser browser = new Browser(site.https, site.client);
        assertThat(browser.login("alice", "alice-pw", true).headers().firstValue("Location"))
            .hasValue("/");
        assertThat(browser.whoami()).as("deployment " + deployment).isEqualTo("u-alice");
      }
      // No close() here: stopping the context took the filter out of service, which closed the
      // instance.
    }
    assertThat(java.nio.file.Files.readAllLines(file).stream()
            .filter(l -> l.contains("\"authn_login_success\"")))
        .hasSize(2);
  }

  @Test
  void aMissingRequiredInput_isNamed_andNothingIsLeftOpen() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    assertThatThrownBy(() -> Portcullis.builder()
            .users(users)
            .termsVersion(TERMS)
            .auditSink(AuditSink.hashChained(file))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("key ring is required");
    assertThatCode(() -> AuditSink.hashChained(file).close())
        .as("the handed-over sink was closed")
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () -> Portcullis.builder().keyRing(ring).termsVersion(TERMS).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("user directory is required");
    assertThatThrownBy(() -> Portcullis.builder().keyRing(ring).users(users).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("terms-of-use version is required");
  }

  @Test
  void theWholeConfigurationIsCheckedByTheCore() {
    assertThatThrownBy(() -> Portcullis.builder()
            .keyRing(ring)
            .users(users)
            .termsVersion(TERMS)
            .sessions(SessionConfig.builder()
                .cookie(SessionConfig.defaultCookie("__Host-portcullis-auth"))
                .build())
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("same name '__Host-portcullis-auth'");
    AuditLog own =
        AuditLog.builder().clock(MutableClock.startingAt2026()).random(random).build();
    try {
      assertThatThrownBy(() -> Portcullis.builder()
              .keyRing(ring)
              .users(users)
              .termsVersion(TERMS)
              .auditLog(own)
              .auditSink(AuditSink.noop())
              .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("auditLog(...) and auditSink(...)");
    } finally {
      own.close();
    }
  }

  @Test
  void overrides_takeEffect_andWhatTheApplicationPassedInStaysOpen() throws Exception {
    MutableClock clock = MutableClock.startingAt2026();
    RecordingAuditSink recorded = new RecordingAuditSink();
    AuditLog own =
        AuditLog.builder().clock(clock).random(random).auditSink(recorded).build();
    toClose.add(own);
    SessionConfig sessions = SessionConfig.builder()
        .cookie(SessionConfig.defaultCookie("__Host-portal-sid"))
        .build();
    Portcullis portcullis = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .clock(clock)
        .random(random)
        .auditLog(own)
        .sessions(sessions)
        .transport(
            TransportConfig.builder().developmentMode(true).build()) // plain HTTP from loopback
        .requirePublic("/privacy")
        .login(login -> login.ticketLifetime(Duration.ofHours(1)))
        .build();
    toClose.add(portcullis);
    assertThat(portcullis.audit()).isSameAs(own);
    assertThat(portcullis.filter().cookies())
        .extracting(c -> c.name())
        .contains("__Host-portal-sid");
    Site site = Site.start(portcullis::register);
    toClose.add(site);

    Browser browser = new Browser(site.http);
    assertThat(browser.get("/privacy").body()).isEqualTo("page /privacy");
    assertThat(browser.get("/reports/1").statusCode()).isEqualTo(303);
    assertThat(browser.login("alice", "alice-pw", true).statusCode()).isEqualTo(303);
    assertThat(browser.cookies()).containsKey("__Host-portal-sid");
    assertThat(browser.whoami()).isEqualTo("u-alice");
    clock.advance(Duration.ofHours(2)); // past the one-hour ticket, by the injected clock
    assertThat(browser.get("/reports/1").statusCode())
        .as("the ticket expired by the clock given")
        .isEqualTo(303);

    portcullis.close();
    assertThat(own.flush(Duration.ofSeconds(10)))
        .as("the application's own audit log is still open")
        .isTrue();
    recorded.assertOnce(AuditEventType.AUTHN_LOGIN_SUCCESS);
    assertThat(recorded.isClosed()).isFalse();
  }

  @Test
  void auditSettings_onTheEntryPoint_shapeTheLogItMakes_theHookAfterTheSingleSettings()
      throws Exception {
    MutableClock clock = MutableClock.startingAt2026();
    RecordingAuditSink recorded = new RecordingAuditSink();
    Portcullis portcullis = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .clock(clock)
        .random(random)
        .transport(
            TransportConfig.builder().developmentMode(true).build()) // plain HTTP from loopback
        .auditSink(recorded)
        .auditCloseTimeout(Duration.ofHours(1))
        .audit(log -> log.anonymousEventsPerAddress(2).closeTimeout(Duration.ofSeconds(5)))
        .audit(log ->
            log.anonymousEventWindow(Duration.ofHours(1)).retryInterval(Duration.ofMinutes(10)))
        .build();
    toClose.add(portcullis);
    assertThat(portcullis.audit().closeTimeout())
        .as("audit(...) applies after auditCloseTimeout(...)")
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(portcullis.audit().retryInterval()).isEqualTo(Duration.ofMinutes(10));
    Site site = Site.start(portcullis::register);
    toClose.add(site);

    Browser stranger = new Browser(site.http);
    for (int i = 0; i < 3; i++) {
      assertThat(stranger.post("/reports/1", Map.of()).statusCode())
          .as("a state change without a CSRF token")
          .isEqualTo(403);
    }
    // Past the default window of a minute, within the hour set.
    clock.advance(Duration.ofMinutes(2));
    assertThat(stranger.post("/reports/1", Map.of()).statusCode()).isEqualTo(403);
    assertThat(portcullis.audit().flush(Duration.ofSeconds(10))).isTrue();
    assertThat(recorded.events())
        .as("the address's share of the set two, from the first call, in the window of the second")
        .filteredOn(e -> e.type().name().equals("csrf_fail"))
        .hasSize(2);
    assertThat(portcullis.audit().stats().withheld()).isEqualTo(2);

    Portcullis defaults =
        Portcullis.builder().keyRing(ring).users(users).termsVersion(TERMS).build();
    toClose.add(defaults);
    assertThat(defaults.audit().retryInterval()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void auditSettings_outOfRangeOrBesideTheApplicationsOwnLog_areRefusedByBuild_andTheSinksClosed()
      throws Exception {
    AuditLog own =
        AuditLog.builder().clock(MutableClock.startingAt2026()).random(random).build();
    toClose.add(own);
    assertThatThrownBy(() -> Portcullis.builder()
            .keyRing(ring)
            .users(users)
            .termsVersion(TERMS)
            .auditLog(own)
            .audit(log -> log.demandMinimumCount(5))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("auditLog(...) and audit(...) contradict each other");
    assertThat(own.isOpen()).as("the application's own log stays open").isTrue();

    Path file = dir.resolve("audit.jsonl");
    assertThatThrownBy(() -> Portcullis.builder()
            .keyRing(ring)
            .users(users)
            .termsVersion(TERMS)
            .auditSink(AuditSink.hashChained(file))
            .audit(log -> log.demandBucket(Duration.ofMinutes(7)))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("audit(...) was refused")
        .hasMessageContaining("divide a day evenly");
    assertThatCode(() -> AuditSink.hashChained(file).close())
        .as("the handed-over sink was closed")
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> Portcullis.builder()
            .keyRing(ring)
            .users(users)
            .termsVersion(TERMS)
            .audit(log -> log.demandMaxTerms(0))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("search-demand max terms must be 1 to 1000000, got 0");
  }

  @Test
  void formReadBounds_setOnTheEntryPoint_reachTheFilter_andBelowOneIsRefusedNamingTheSetting() {
    Portcullis defaults =
        Portcullis.builder().keyRing(ring).users(users).termsVersion(TERMS).build();
    toClose.add(defaults);
    assertThat(defaults.filter().maxFormReadsPerAddress()).isEqualTo(FormBodyReads.PER_ADDRESS);
    assertThat(defaults.filter().maxAnonymousFormReads())
        .isEqualTo(FormBodyReads.ANONYMOUS_AT_ONCE);
    Portcullis given = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .maxFormReadsPerAddress(3)
        .maxAnonymousFormReads(7)
        .build();
    toClose.add(given);
    assertThat(given.filter().maxFormReadsPerAddress()).isEqualTo(3);
    assertThat(given.filter().maxAnonymousFormReads()).isEqualTo(7);
    for (int bad : new int[] {0, -1}) {
      assertThatThrownBy(() -> Portcullis.builder()
              .keyRing(ring)
              .users(users)
              .termsVersion(TERMS)
              .maxAnonymousFormReads(bad)
              .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("maxAnonymousFormReads must be at least 1")
          .hasMessageContaining("portcullis.login.max-anonymous-form-reads");
    }
  }

  @Test
  void filterTransport_isTheOneInEffect_setOnTheEntryPointOrTheFilterBuilder() {
    Portcullis defaults =
        Portcullis.builder().keyRing(ring).users(users).termsVersion(TERMS).build();
    toClose.add(defaults);
    assertThat(defaults.filter().transport().containerDecidesHttpsChosen()).isFalse();
    assertThat(defaults.filter().transport().redirectsPlainHttp()).isFalse();
    TransportConfig believing = TransportConfig.builder()
        .redirectPlainHttp(false)
        .containerDecidesHttps(true)
        .build();
    Portcullis given = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .transport(believing)
        .build();
    toClose.add(given);
    assertThat(given.filter().transport()).isSameAs(believing);
    TransportConfig last = TransportConfig.builder().developmentMode(true).build();
    Portcullis replaced = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .transport(believing)
        .filter(f -> f.transport(last))
        .build();
    toClose.add(replaced);
    assertThat(replaced.filter().transport()).isSameAs(last);
  }

  @Test
  void registeringTwiceInOneContext_isRefused_andClosesTheSecond() throws Exception {
    Portcullis first =
        Portcullis.builder().keyRing(ring).users(users).termsVersion(TERMS).build();
    toClose.add(first);
    Path file = dir.resolve("audit.jsonl");
    Portcullis second = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .auditSink(AuditSink.hashChained(file))
        .build();
    toClose.add(second);
    List<Throwable> refused = new java.util.ArrayList<>();
    Site site = Site.start(context -> {
      first.register(context);
      try {
        second.register(context);
      } catch (IllegalStateException e) {
        refused.add(e);
      }
    });
    toClose.add(site);
    assertThat(refused)
        .singleElement()
        .extracting(Throwable::getMessage)
        .asString()
        .contains("already registered");
    assertThatCode(() -> AuditSink.hashChained(file).close()).doesNotThrowAnyException();
  }

  /**
   * Jetty on loopback with a plain and a TLS connector (a certificate made for the run); the application is one
   * servlet, and Portcullis comes in through a context listener, as in a container.
   */
  private static final class Site implements AutoCloseable {
    final TestJetty jetty;
    final String http;
    final String https;
    final HttpClient client;

    private Site(Consumer<jakarta.servlet.ServletContext> register, boolean beforeStart)
        throws Exception {
      jetty = TestJetty.builder().https().open();
      ServletContextHandler context = jetty.context("/").servlet(new Pages()).handler();
      if (beforeStart) {
        register.accept(context.getServletContext());
      } else {
        context.addEventListener(new ServletContextListener() {
          @Override
          public void contextInitialized(ServletContextEvent event) {
            register.accept(event.getServletContext());
          }
        });
      }
      jetty.start();
      http = jetty.baseUri().toString();
      https = jetty.httpsBaseUri().toString();
      client = HttpClient.newBuilder()
          .sslContext(jetty.clientTls())
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
    }

    /** Registers from a context listener, as in a container. */
    static Site start(Consumer<jakarta.servlet.ServletContext> register) throws Exception {
      return new Site(register, false);
    }

    /** Registers on embedded Jetty's context before the server starts. */
    static Site startRegisteredBefore(Consumer<jakarta.servlet.ServletContext> register)
        throws Exception {
      return new Site(register, true);
    }

    @Override
    public void close() throws Exception {
      jetty.close();
    }
  }

  /**
   * {@code /login}, {@code /notices} and {@code /whoami} show the CSRF token as the test browser expects; other pages
   * their path, without asking for the token.
   */
  private static final class Pages extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      String path = req.getRequestURI();
      if (path.equals("/login")) {
        resp.getWriter().print("login page csrf=" + csrf(req));
      } else if (path.equals("/notices")) {
        resp.getWriter().print("notices csrf=" + csrf(req));
      } else if (path.equals("/whoami")) {
        resp.getWriter()
            .print(
                req.getUserPrincipal() == null
                    ? "anonymous"
                    : req.getUserPrincipal().getName() + " csrf=" + csrf(req));
      } else {
        resp.getWriter().print("page " + path);
      }
    }

    private static Object csrf(HttpServletRequest req) {
      return req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
    }
  }
}
