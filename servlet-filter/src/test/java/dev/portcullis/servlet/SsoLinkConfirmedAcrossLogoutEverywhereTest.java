package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.servlet.testing.HeldLookups;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An account link confirmed by a request that was authenticated before "log out everywhere" and writes the link after
 * it (over real HTTP: the filter on Jetty, mock-oauth2-server as the provider). "Log out everywhere" removes the
 * user's links so that whoever held the login cannot come back through single sign-on; a confirmation under way must
 * not put one back. Between its authentication and the link's write a request reads its form body, which its sender
 * can trickle in for as long as the container waits; here the account lookup of its authentication is held instead,
 * so that the test waits for nothing.
 */
class SsoLinkConfirmedAcrossLogoutEverywhereTest {
  private final HeldLookups users = new HeldLookups();
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal(b -> b, (p, filter) -> {
      users.delegateTo(p.users);
      filter.login(
          PortalLogin.builder()
              .keyRing(p.ring)
              .users(users)
              .revocations(p.revocations)
              .clock(p.clock)
              .random(p.random)
              .termsVersion(LoginPortal.TERMS)
              .ticketLifetime(Duration.ofHours(8))
              .build(),
          p.random);
    });
  }

  @AfterEach
  void stop() throws Exception {
    users.release();
    sso.close();
  }

  @Test
  void linkConfirmedByARequestCheckedBeforeLogoutEverywhere_doesNotOutliveIt() throws Exception {
    // Whoever holds alice's password links an identity of their own, and confirms it...
    Browser intruder = sso.loggedIn("alice");
    sso.providerSignsIn("sub-intruder");
    HttpResponse<String> callback = sso.viaProvider(intruder, sso.upgrade(intruder));
    assertThat(callback.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).endsWith("/sso/link"));
    String token = Browser.formCsrf(intruder.get("/sso/link").body());
    assertThat(token).isNotEmpty();
    Browser alice = sso.loggedIn("alice");
    String aliceToken = alice.pageCsrf();

    users.holdNextLookup();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    HttpResponse<String> confirmed;
    try {
      Future<HttpResponse<String>> confirming = pool.submit(
          () -> intruder.post("/sso/link", Map.of("_csrf", token, "decision", "confirm")));
      assertThat(users.awaitHeld()).as("the confirmation is authenticated").isTrue();
      // ...while alice logs out everywhere, which removes her links.
      assertThat(alice.post("/logout-everywhere", Map.of("_csrf", aliceToken)).statusCode())
          .isEqualTo(303);
      assertThat(sso.links.userFor(sso.issuer, "sub-intruder")).isEmpty();
      users.release();
      confirmed = confirming.get(2, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }

    assertThat(sso.links.userFor(sso.issuer, "sub-intruder"))
        .as("no link outlives the logout everywhere that came before its write")
        .isEmpty();
    assertThat(sso.links.linksOf("u-alice")).isEmpty();
    assertThat(confirmed.statusCode()).isEqualTo(403);
    assertThat(sso.events(AuditEventType.SSO_LINK))
        .anySatisfy(e ->
            assertThat(e.reason()).hasValueSatisfying(r -> assertThat(r).contains("login ended")));
    assertThat(intruder.whoami()).isEqualTo("anonymous");
  }
}
