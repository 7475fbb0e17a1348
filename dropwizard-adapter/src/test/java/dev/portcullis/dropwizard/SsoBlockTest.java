package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.core.Application;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Single sign-on switched on by the {@code portcullis.sso} block of the YAML alone ({@code portcullis-sso.yml}, its
 * client secret and addresses substituted from the environment as Dropwizard does), in a real Dropwizard application
 * against a real OpenID provider on loopback: a local login, the account link at the provider, and then a login
 * through the provider that ends logged in; a provider answer with another state is refused.
 */
class SsoBlockTest {
  static final String SECRET = "client-secret-from-the-environment-0123456789";
  static final Pattern FORM_CSRF = Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");
  private static final Pattern PAGE_CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private static LoopbackOpenIdProvider provider;
  private static DropwizardTestSupport<PortalApp.Config> support;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    provider = new LoopbackOpenIdProvider();
    support = ssoApp(provider.issuer);
    base = "http://127.0.0.1:" + support.getLocalPort();
  }

  @AfterAll
  static void stop() {
    try {
      if (support != null) {
        support.after();
      }
    } finally {
      provider.close();
    }
  }

  /**
   * Starts the application with {@code portcullis-sso.yml}, its {@code ${...}} values from an environment that names
   * {@code issuer} and a free loopback port, and the overrides; its clock at the real time, as the provider signs
   * with it.
   */
  static DropwizardTestSupport<PortalApp.Config> ssoApp(String issuer, ConfigOverride... overrides)
      throws Exception {
    return ssoApp(issuer, null, overrides);
  }

  /** As {@link #ssoApp(String, ConfigOverride...)}, handing {@code dataSource} to the bundle unless it is null. */
  static DropwizardTestSupport<PortalApp.Config> ssoApp(
      String issuer, DataSource dataSource, ConfigOverride... overrides) throws Exception {
    // The redirect URI is configuration, so the application's port is chosen before it starts.
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Map<String, String> variables = Map.of(
        "PORTAL_PORT",
        Integer.toString(port),
        "PORTAL_KEYS",
        PortcullisBundleTest.KEYS.toString(),
        "OIDC_ISSUER",
        issuer,
        "PORTCULLIS_SSO_CLIENT_SECRET",
        SECRET);
    DropwizardTestSupport<PortalApp.Config> app =
        new DropwizardTestSupport<>(
            PortalApp.class, ResourceHelpers.resourceFilePath("portcullis-sso.yml"), overrides) {
          @Override
          public Application<PortalApp.Config> newApplication() {
            PortalApp app = new SubstitutingPortalApp(variables);
            if (dataSource != null) {
              app.bundle.dataSource((configuration, environment) -> dataSource);
            }
            return app;
          }
        };
    try {
      app.before();
    } catch (Exception | Error e) {
      app.after();
      throw e;
    }
    ((PortalApp) app.getApplication()).clock.set(Instant.ofEpochMilli(System.currentTimeMillis()));
    return app;
  }

  private static PortalApp app() {
    return (PortalApp) support.getApplication();
  }

  private static List<AuditEvent> events(AuditEventType type) throws InterruptedException {
    assertThat(app().bundle.portcullis().audit().flush(Duration.ofSeconds(10))).isTrue();
    return app().sink.events().stream().filter(e -> e.type().equals(type)).toList();
  }

  static HttpResponse<String> logIn(TestBrowser browser, String user) throws Exception {
    String csrf = TestBrowser.csrfToken(FORM_CSRF, browser.get("/login").body()).orElseThrow();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", user);
    form.put("password", user + "-pw");
    form.put("_csrf", csrf);
    return browser.post("/login", form);
  }

  static String pageCsrf(TestBrowser browser) throws Exception {
    return TestBrowser.csrfToken(PAGE_CSRF, browser.get("/status/whoami").body())
        .orElseThrow();
  }

  static String whoami(TestBrowser browser) throws Exception {
    String body = browser.get("/status/whoami").body();
    return body.substring(0, body.indexOf(' '));
  }

  /** The redirect to the provider, with what the block set: client id, redirect URI, scopes; never the secret. */
  private static String authorizeUrl(HttpResponse<String> toProvider) {
    String authorize = provider.authorizeUrl(toProvider);
    assertThat(authorize).doesNotContain(SECRET);
    assertThat(LoopbackOpenIdProvider.query(authorize, "client_id")).isEqualTo("portal");
    assertThat(LoopbackOpenIdProvider.query(authorize, "redirect_uri"))
        .isEqualTo(base + "/sso/callback");
    assertThat(LoopbackOpenIdProvider.query(authorize, "scope")).isEqualTo("openid profile");
    return authorize;
  }

  @Test
  void localLogin_link_logout_thenLoginThroughTheProvider_endsLoggedIn() throws Exception {
    TestBrowser b = new TestBrowser(base);
    assertThat(logIn(b, "alice").statusCode()).isEqualTo(303);
    assertThat(b.cookies()).as("the upgrade offered").containsKey("__Host-portcullis-sso");

    HttpResponse<String> upgrade = b.post("/sso/upgrade", Map.of("_csrf", pageCsrf(b)));
    HttpResponse<String> linkPending =
        b.get(provider.callbackFrom(authorizeUrl(upgrade), "sub-alice", base));
    assertThat(linkPending.statusCode()).isEqualTo(303);
    HttpResponse<String> confirmation = b.get("/sso/link");
    assertThat(confirmation.statusCode()).isEqualTo(200);
    assertThat(confirmation.body()).contains("sub-alice");
    String formCsrf = TestBrowser.csrfToken(FORM_CSRF, confirmation.body()).orElseThrow();
    assertThat(b.post("/sso/link", Map.of("_csrf", formCsrf, "decision", "confirm"))
            .statusCode())
        .isEqualTo(303);
    assertThat(events(AuditEventType.SSO_LINK))
        .filteredOn(e -> e.outcome() == AuditEvent.Outcome.SUCCESS)
        .singleElement()
        .satisfies(e -> assertThat(e.actor().orElseThrow().userHandle()).isEqualTo("u-alice"));

    assertThat(b.post("/logout", Map.of("_csrf", pageCsrf(b))).statusCode()).isEqualTo(303);
    assertThat(whoami(b)).isEqualTo("anonymous");

    String loginCsrf = TestBrowser.csrfToken(FORM_CSRF, b.get("/login").body()).orElseThrow();
    HttpResponse<String> ssoLogin = b.post("/sso/login", Map.of("_csrf", loginCsrf));
    HttpResponse<String> back =
        b.get(provider.callbackFrom(authorizeUrl(ssoLogin), "sub-alice", base));
    assertThat(back.statusCode()).isEqualTo(303);
    assertThat(whoami(b)).isEqualTo("u-alice");
    assertThat(b.get("/reports").body()).isEqualTo("reports for u-alice");
    assertThat(events(AuditEventType.AUTHN_LOGIN_SUCCESS))
        .anyMatch(e -> e.action().equals(Optional.of("sso_login")));
  }

  @Test
  void aProviderAnswerWithAnotherState_isRefused() throws Exception {
    TestBrowser b = new TestBrowser(base);
    assertThat(logIn(b, "carol").statusCode()).isEqualTo(303);
    HttpResponse<String> upgrade = b.post("/sso/upgrade", Map.of("_csrf", pageCsrf(b)));
    String callback = provider.callbackFrom(authorizeUrl(upgrade), "sub-carol", base);

    HttpResponse<String> forged = b.get(callback.replaceFirst("state=[^&]+", "state=forged"));

    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body()).doesNotContain("state");
    assertThat(b.get("/sso/link").statusCode()).as("no link pending").isNotEqualTo(200);
    assertThat(events(AuditEventType.SSO_LINK))
        .filteredOn(e -> e.actor().map(a -> a.userHandle().equals("u-carol")).orElse(false))
        .singleElement()
        .satisfies(e -> {
          assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
          assertThat(e.reason()).hasValueSatisfying(r -> assertThat(r).contains("state"));
        });
    assertThat(whoami(b)).as("still the local login").isEqualTo("u-carol");
  }

  @Test
  void theSecret_isInNeitherTheConfigurationsToStringNorTheAuditLog() throws Exception {
    PortcullisFactory block = support.getConfiguration().getPortcullis();
    assertThat(block.toString()).contains("client-id=portal").doesNotContain(SECRET);
    assertThat(logIn(new TestBrowser(base), "root").statusCode()).isEqualTo(303);
    assertThat(events(AuditEventType.SSO_UPGRADE_OFFERED)).isNotEmpty();
    assertThat(app().sink.events())
        .allSatisfy(e -> assertThat(e.toString()).doesNotContain(SECRET));
  }
}
