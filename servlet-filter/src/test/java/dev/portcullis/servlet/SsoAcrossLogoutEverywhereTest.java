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
 * Single sign-on across "log out everywhere" in another browser (over real HTTP: the filter on Jetty,
 * mock-oauth2-server as the provider). "Log out everywhere" ends the user's logins and removes their links, so that
 * whoever held the login cannot come back through single sign-on; a request under way on another node must neither put
 * a link back nor complete a login through a link it removed:
 *
 * <ul>
 *   <li>an account link confirmed by a request authenticated before the logout writes its link after it (between its
 *       authentication and the write a request reads its form body, which its sender can trickle in for as long as
 *       the container waits);
 *   <li>a login's callback reads the identity's link, then looks the account up and starts the session: completed after
 *       the cut-off, no cut-off covers its ticket.
 * </ul>
 *
 * The account lookup in between is held instead of timed, so the tests wait for nothing.
 */
class SsoAcrossLogoutEverywhereTest {
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

  @Test
  void ssoLoginThroughALinkRemovedByLogoutEverywhereMeanwhile_logsNobodyIn() throws Exception {
    // Whoever held alice's password linked an identity of their own...
    Browser linker = sso.loggedIn("alice");
    sso.providerSignsIn("sub-intruder");
    HttpResponse<String> linked =
        linker.answerLinkPage(sso.viaProvider(linker, sso.upgrade(linker)), "confirm");
    assertThat(linked.statusCode()).isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-intruder")).contains("u-alice");
    assertThat(linker.logout().statusCode()).isEqualTo(303);
    Browser alice = sso.loggedIn("alice");
    String aliceToken = alice.pageCsrf();
    // ...and logs in with it, while alice logs out everywhere.
    Browser intruder = sso.browser();
    HttpResponse<String> toProvider = intruder.startSsoLogin();
    sso.providerSignsIn("sub-intruder");
    String callbackPath = sso.callbackFrom(sso.authorizeUrl(toProvider));

    users.holdNextLookup();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    HttpResponse<String> callback;
    try {
      Future<HttpResponse<String>> calling = pool.submit(() -> intruder.get(callbackPath));
      assertThat(users.awaitHeld()).as("the callback has read the link").isTrue();
      assertThat(alice.post("/logout-everywhere", Map.of("_csrf", aliceToken)).statusCode())
          .isEqualTo(303);
      assertThat(sso.links.linksOf("u-alice")).isEmpty();
      // The login completes after the cut-off, so that no cut-off covers the ticket it issues.
      sso.portal.clock.advance(Duration.ofSeconds(1));
      users.release();
      callback = calling.get(2, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }

    assertThat(callback.statusCode()).as("the callback is refused").isEqualTo(403);
    assertThat(callback.headers().allValues("Set-Cookie"))
        .noneMatch(h -> h.startsWith(sso.authCookie().name() + "=") && !h.contains("Max-Age=0"));
    assertThat(intruder.whoami())
        .as("no login through a link that log out everywhere removed")
        .isEqualTo("anonymous");
    assertThat(sso.links.linksOf("u-alice")).isEmpty();
    assertThat(sso.events(AuditEventType.AUTHN_LOGIN_FAIL))
        .anySatisfy(e ->
            assertThat(e.reason()).hasValueSatisfying(r -> assertThat(r).contains("link removed")));
  }
}
