package dev.portcullis.javalin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The settings a Javalin application gives {@code Portcullis.builder()}, seen over HTTP on a real Javalin server: login
 * settings from several {@code login(...)} calls together, the login limit of {@code loginLimit(...)}, and the audit
 * queue of {@code auditQueueCapacity(...)} and {@code auditWhenFull(...)}.
 */
class BuilderSettingsTest {
  private static final String TERMS = "2026-01";
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private final RecordingAuditSink sink = new RecordingAuditSink();
  private Portcullis portcullis;
  private Javalin app;
  private String base;

  private void start(UnaryOperator<Portcullis.Builder> settings) {
    SecureRandom random = new SecureRandom();
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    InMemoryUserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests())
        .add("alice", "alice-pw".toCharArray(), user("u-alice"))
        .add("bob", "bob-pw".toCharArray(), user("u-bob"))
        .add("carol", "carol-pw".toCharArray(), user("u-carol"));
    portcullis = settings
        .apply(Portcullis.builder()
            .keyRing(ring)
            .users(users)
            .termsVersion(TERMS)
            .random(random)
            .transport(TransportConfig.builder().developmentMode(true).build()))
        .build();
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.registerPlugin(new PortcullisPlugin(portcullis));
      config.routes.get("/login", ctx -> ctx.result("login page csrf=" + csrf(ctx)));
      config.routes.get("/home", ctx -> ctx.result("home csrf=" + csrf(ctx)));
    });
    app.start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.stop();
    }
    if (portcullis != null) {
      portcullis.close();
    }
  }

  @Test
  void loginSettingsOfSeveralCalls_allApply() throws Exception {
    start(b -> b.auditSink(sink)
        .login(l -> l.afterLoginPath("/home"))
        .login(l -> l.logoutPath("/sign-out")));
    TestBrowser alice = new TestBrowser(base);
    HttpResponse<String> login = login(alice, "alice", "alice-pw");
    assertThat(login.headers().firstValue("Location")).hasValue("/home");

    String token = TestBrowser.csrfToken(CSRF, alice.get("/home").body()).orElseThrow();
    assertThat(alice.post("/sign-out", Map.of("_csrf", token)).statusCode()).isEqualTo(303);
    assertThat(alice.get("/home").statusCode()).isEqualTo(303);
  }

  @Test
  void loginLimit_refusesTheRightPasswordPastTheAccountsFailures() throws Exception {
    start(b -> b.auditSink(sink).loginLimit(t -> t.maxFailuresPerAccount(2)));
    TestBrowser guesser = new TestBrowser(base);
    for (int i = 0; i < 2; i++) {
      assertThat(login(guesser, "carol", "guess-" + i).headers().firstValue("Location"))
          .hasValueSatisfying(l -> assertThat(l).startsWith("/login?error=1"));
    }
    TestBrowser carol = new TestBrowser(base);
    assertThat(login(carol, "carol", "carol-pw").headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).startsWith("/login?error=1"));
    assertThat(carol.get("/home").statusCode()).isEqualTo(303);
    portcullis.audit().flush(Duration.ofSeconds(10));
    sink.assertOnce(AuditEventType.AUTHN_LOGIN_LOCK);

    TestBrowser bob = new TestBrowser(base);
    assertThat(login(bob, "bob", "bob-pw").headers().firstValue("Location")).hasValue("/");
  }

  @Test
  void auditWhenFullDrop_withASinkThatDoesNotAnswer_keepsAnsweringLogins_andCountsTheDropped()
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AuditSink stuck = new AuditSink() {
      @Override
      public void accept(AuditEvent event) throws IOException {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    };
    try {
      start(b -> b.auditSink(stuck).auditQueueCapacity(1).auditWhenFull(AuditLog.WhenFull.DROP));
      for (String user : new String[] {"alice", "bob", "carol"}) {
        assertThat(login(new TestBrowser(base), user, user + "-pw").statusCode())
            .as(user)
            .isEqualTo(303);
      }
      assertThat(portcullis.audit().stats().dropped()).isPositive();
    } finally {
      release.countDown();
    }
  }

  private static String csrf(io.javalin.http.Context ctx) {
    return PortcullisPlugin.csrfToken(ctx);
  }

  private static HttpResponse<String> login(TestBrowser browser, String user, String password)
      throws IOException, InterruptedException {
    String token = TestBrowser.csrfToken(CSRF, browser.get("/login").body()).orElseThrow();
    return browser.post("/login", Map.of("username", user, "password", password, "_csrf", token));
  }

  private static PortalUser user(String handle) {
    return new PortalUser(
        handle, "Person " + handle, handle + "@example.org", Set.of("STAFF"), "org", true, TERMS);
  }
}
