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
 * A single sign-on login through a link that "log out everywhere" removes while the login is under way (over real
 * HTTP: the filter on Jetty, mock-oauth2-server as the provider). The callback reads the identity's link, then looks
 * the account up and starts the session; "log out everywhere" on another node (here: another browser of the user)
 * may end the user's logins and remove the links in between. Its login then completes after the cut-off, so no
 * cut-off covers its ticket: it must not complete through the link that was removed. The account lookup is held
 * instead of timed, so the test waits for nothing.
 */
class SsoLoginAcrossLogoutEverywhereTest {
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
