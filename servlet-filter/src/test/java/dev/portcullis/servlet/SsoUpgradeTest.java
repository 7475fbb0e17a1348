package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SSO-upgrade cookie through the real filter on a real Jetty: offered at a local login, redeemed once. */
class SsoUpgradeTest {
  private static final String SSO = SsoConfig.DEFAULT_COOKIE;
  private final AccountLinkStore links = AccountLinkStore.inMemory();
  private final MockOAuth2Server provider = new MockOAuth2Server();
  private LoginPortal portal;

  @AfterEach
  void stop() throws Exception {
    if (portal != null) {
      portal.close();
    }
    provider.shutdown();
  }

  private void start(CookieSpec cookie) throws Exception {
    provider.start(InetAddress.getLoopbackAddress(), 0);
    URI issuer = URI.create(provider.issuerUrl("default").toString());
    ProviderLogin.warmUp(issuer);
    portal = new LoginPortal((p, filter) -> {
      SsoConfig.Builder sso = SsoConfig.builder()
          .links(links)
          .replay(ReplayStore.inMemory(p.clock))
          .provider(issuer, "portal", "client-secret-value")
          .redirectUri(URI.create(p.base + "/sso/callback"));
      if (cookie != null) {
        sso.cookie(cookie);
      }
      filter.sso(sso.build(), p.ring, p.clock);
    });
  }

  private Browser loggedIn(String user) throws Exception {
    Browser b = portal.browser();
    assertThat(b.login(user, user + "-pw", false).statusCode()).isEqualTo(303);
    return b;
  }

  private HttpResponse<String> redeem(Browser b) throws Exception {
    return b.post("/sso/upgrade", Map.of("_csrf", b.pageCsrf()));
  }

  /** A successful redemption sends the browser to the provider. */
  private void assertSentToProvider(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location"))
        .hasValueSatisfying(
            l -> assertThat(l).startsWith(provider.issuerUrl("default") + "/authorize?"));
  }

  private List<AuditEvent> events(AuditEventType type) throws Exception {
    return portal.flushedSink().events().stream()
        .filter(e -> e.type().equals(type))
        .toList();
  }

  @Test
  void localLoginOfUnlinkedAccount_offersSessionScopedUpgradeCookie_auditedOnce() throws Exception {
    start(null);
    Browser b = loggedIn("alice");
    assertThat(b.cookies()).containsKey(SSO);
    String header = b.setCookieHeaders().stream()
        .filter(h -> h.startsWith(SSO + "="))
        .findFirst()
        .orElseThrow();
    assertThat(header)
        .endsWith("; Path=/; Secure; HttpOnly; SameSite=Lax")
        .doesNotContain("Max-Age")
        .doesNotContain("Domain");
    AuditEvent offered = portal.flushedSink().assertOnce(AuditEventType.SSO_UPGRADE_OFFERED);
    assertThat(offered.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(portal.login.cookies().authCookie().name()).isNotEqualTo(SSO);
  }

  @Test
  void localLoginOfLinkedAccount_offersNothing() throws Exception {
    start(null);
    links.link("https://login.example", "sub-bob", "u-bob");
    Browser b = loggedIn("bob");
    assertThat(b.cookies()).containsKey(LoginCookies.DEFAULT_AUTH_COOKIE).doesNotContainKey(SSO);
    assertThat(events(AuditEventType.SSO_UPGRADE_OFFERED)).isEmpty();
  }

  @Test
  void failedLogin_offersNothing() throws Exception {
    start(null);
    Browser b = portal.browser();
    b.login("alice", "wrong", false);
    assertThat(b.cookies()).doesNotContainKey(SSO);
    assertThat(events(AuditEventType.SSO_UPGRADE_OFFERED)).isEmpty();
  }

  @Test
  void logout_expiresTheUpgradeCookie() throws Exception {
    start(null);
    Browser b = loggedIn("alice");
    b.logout();
    assertThat(b.cookies()).doesNotContainKey(SSO);
    assertThat(b.setCookieHeaders())
        .anyMatch(h -> h.startsWith(SSO + "=; Max-Age=0; Path=/; Secure; HttpOnly"));
  }

  @Test
  void configuredCookieName_isUsedAndDeclared() throws Exception {
    start(CookieSpec.builder("user_name")
        .purpose("SSO upgrade")
        .dataStored("a sealed token")
        .duration("minutes")
        .build());
    Browser b = loggedIn("alice");
    assertThat(b.cookies()).containsKey("user_name").doesNotContainKey(SSO);
    b.logout();
    assertThat(b.cookies()).doesNotContainKey("user_name");
  }

  @Test
  void redemption_succeedsOnce_thenIsTokenReuse() throws Exception {
    start(null);
    Browser b = loggedIn("alice");
    String token = b.cookies().get(SSO);
    assertSentToProvider(redeem(b));
    b.cookies().put(SSO, token);
    HttpResponse<String> again = redeem(b);
    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(again.body()).doesNotContain("reuse").doesNotContain("replay");
    portal.flushedSink().assertOnce(AuditEventType.AUTHN_TOKEN_REUSE);
    assertThat(b.cookies()).doesNotContainKey(SSO);
  }

  /**
   * Regression: the spent cookie stayed in the browser after its redemption, so the portal kept offering the upgrade,
   * and a user who came back from the provider without linking (cancelled there, or the link failed) and clicked the
   * offer again was recorded as {@code authn_token_reuse}, the audit event of a replay attack.
   */
  @Test
  void redemption_expiresTheSpentCookie_soAnHonestRetryIsNotTokenReuse() throws Exception {
    start(null);
    Browser b = loggedIn("alice");
    HttpResponse<String> sent = redeem(b);
    assertSentToProvider(sent);
    assertThat(sent.headers().allValues("Set-Cookie"))
        .anySatisfy(h -> assertThat(h).startsWith(SSO + "=;").contains("Max-Age=0"));
    assertThat(b.cookies()).as("the spent upgrade cookie").doesNotContainKey(SSO);

    assertThat(redeem(b).statusCode()).isEqualTo(403);
    assertThat(events(AuditEventType.AUTHN_TOKEN_REUSE)).isEmpty();
    assertRefusedWith("no upgrade cookie");
  }

  @Test
  void expiredToken_isRefused() throws Exception {
    start(null);
    Browser b = loggedIn("alice");
    portal.clock.advance(Duration.ofMinutes(5));
    assertThat(redeem(b).statusCode()).isEqualTo(403);
    assertRefusedWith("EXPIRED");
  }

  @Test
  void tokenOfAnotherSession_isRefused() throws Exception {
    start(null);
    Browser first = loggedIn("alice");
    Browser second = loggedIn("alice");
    second.cookies().put(SSO, first.cookies().get(SSO));
    assertThat(redeem(second).statusCode()).isEqualTo(403);
    assertRefusedWith("OTHER_SESSION");
    assertSentToProvider(redeem(first));
  }

  @Test
  void tamperedToken_isRefused() throws Exception {
    start(null);
    Browser b = loggedIn("alice");
    char[] c = b.cookies().get(SSO).toCharArray();
    c[12] = c[12] == 'A' ? 'B' : 'A';
    b.cookies().put(SSO, new String(c));
    assertThat(redeem(b).statusCode()).isEqualTo(403);
    assertRefusedWith("upgrade token refused");
  }

  @Test
  void authCookiePresentedAsUpgradeCookie_isRefused() throws Exception {
    start(null);
    Browser b = loggedIn("alice");
    b.cookies().put(SSO, b.cookies().get(LoginCookies.DEFAULT_AUTH_COOKIE));
    assertThat(redeem(b).statusCode()).isEqualTo(403);
    assertRefusedWith("upgrade token refused");
  }

  @Test
  void redemptionWithoutCsrfToken_isRefusedAndLeavesTheTokenUnused() throws Exception {
    start(null);
    Browser b = loggedIn("alice");
    assertThat(b.post("/sso/upgrade", Map.of()).statusCode()).isEqualTo(403);
    portal.flushedSink().assertOnce(AuditEventType.CSRF_FAIL);
    assertSentToProvider(redeem(b));
  }

  @Test
  void redemptionWhenLoggedOut_isRefused() throws Exception {
    start(null);
    Browser b = loggedIn("alice");
    String token = b.cookies().get(SSO);
    b.logout();
    b.openLoginPage();
    b.cookies().put(SSO, token);
    assertThat(b.post("/sso/upgrade", Map.of("_csrf", b.csrf)).statusCode()).isEqualTo(403);
    assertRefusedWith("not logged in");
  }

  private void assertRefusedWith(String reason) throws Exception {
    List<AuditEvent> invalid = events(AuditEventType.AUTHN_TOKEN_INVALID);
    assertThat(invalid).hasSize(1);
    assertThat(invalid.get(0).reason()).hasValueSatisfying(r -> assertThat(r).contains(reason));
    assertThat(invalid.get(0).outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
  }
}
