package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Linking and unlinking a single sign-on identity need a recent login to the portal ({@code SsoConfig.maxLoginAge}),
 * over real HTTP: the filter on Jetty and mock-oauth2-server as the OpenID provider. Before, whoever found a browser
 * left logged in could unlink the user's identity however long ago the user had logged in.
 */
class SsoRecentLoginTest {
  private SsoPortal sso;

  @AfterEach
  void stop() throws Exception {
    if (sso != null) {
      sso.close();
    }
  }

  private HttpResponse<String> unlinkAlice(Browser b) throws Exception {
    return b.post(
        "/sso/unlink",
        Map.of(
            "issuer",
            sso.issuer,
            "subject",
            "sub-alice",
            "returnTo",
            "/account",
            "_csrf",
            b.pageCsrf()));
  }

  private static String location(HttpResponse<String> r) {
    return r.headers().firstValue("Location").orElse("");
  }

  @Test
  void unlink_withALoginOlderThanTenMinutes_sendsToLoginAgain_andKeepsTheLink() throws Exception {
    sso = new SsoPortal();
    sso.links.link(sso.issuer, "sub-alice", "u-alice");
    Browser alice = sso.loggedIn("alice");
    sso.portal.clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    assertThat(alice.whoami()).as("still logged in").isEqualTo("u-alice");

    HttpResponse<String> refused = unlinkAlice(alice);

    assertThat(refused.statusCode()).isEqualTo(303);
    assertThat(location(refused)).isEqualTo("/login?returnTo=%2Faccount");
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
    AuditEvent unlink = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_UNLINK);
    assertThat(unlink.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(unlink.action()).contains("unlink");
    assertThat(unlink.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(unlink.reason()).contains("login older than 10 minutes");

    // Logging in again makes the login recent: the same form now unlinks.
    assertThat(alice.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
    HttpResponse<String> unlinked = unlinkAlice(alice);
    assertThat(unlinked.statusCode()).isEqualTo(303);
    assertThat(location(unlinked)).isEqualTo("/account");
    assertThat(sso.links.isLinked("u-alice")).isFalse();
    List<AuditEvent> unlinks = sso.events(AuditEventType.SSO_UNLINK);
    assertThat(unlinks).hasSize(2);
    assertThat(unlinks.get(1).outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
  }

  @Test
  void aWindowThatIsNotWholeMinutes_isNamedInTheAuditReason_asKeyAgesAre() throws Exception {
    sso = new SsoPortal(b -> b.maxLoginAge(Duration.ofSeconds(90)));
    sso.links.link(sso.issuer, "sub-alice", "u-alice");
    Browser alice = sso.loggedIn("alice");
    sso.portal.clock.advance(Duration.ofSeconds(91));

    assertThat(unlinkAlice(alice).statusCode()).isEqualTo(303);

    assertThat(sso.links.isLinked("u-alice")).isTrue();
    AuditEvent unlink = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_UNLINK);
    assertThat(unlink.reason()).contains("login older than 1 minute 30 seconds");
  }

  @Test
  void unlink_withinTheWindow_unlinks_andAnUnsafeReturnToFallsBackToTheAfterLoginPage()
      throws Exception {
    sso = new SsoPortal();
    sso.links.link(sso.issuer, "sub-alice", "u-alice");
    Browser alice = sso.loggedIn("alice");
    sso.portal.clock.advance(Duration.ofMinutes(9));
    assertThat(unlinkAlice(alice).statusCode()).isEqualTo(303);
    assertThat(sso.links.isLinked("u-alice")).isFalse();

    sso.links.link(sso.issuer, "sub-alice", "u-alice");
    sso.portal.clock.advance(Duration.ofMinutes(2));
    HttpResponse<String> refused = alice.post(
        "/sso/unlink",
        Map.of(
            "issuer",
            sso.issuer,
            "subject",
            "sub-alice",
            "returnTo",
            "//evil.example/",
            "_csrf",
            alice.pageCsrf()));
    assertThat(refused.statusCode()).isEqualTo(303);
    assertThat(location(refused)).isEqualTo("/login?returnTo=%2F");
    assertThat(sso.links.isLinked("u-alice")).isTrue();
  }

  /**
   * Regression: a successful unlink sent the browser to the after-login page whatever {@code returnTo} the form
   * carried (the account page it was posted from, say), although the refusal for an old login honoured it.
   */
  @Test
  void unlink_sendsTheBrowserToTheFormsSafeReturnTo_andAnUnsafeOneToTheAfterLoginPage()
      throws Exception {
    sso = new SsoPortal();
    sso.links.link(sso.issuer, "sub-alice", "u-alice");
    Browser alice = sso.loggedIn("alice");

    HttpResponse<String> unlinked = unlinkAlice(alice);

    assertThat(unlinked.statusCode()).isEqualTo(303);
    assertThat(location(unlinked)).isEqualTo("/account");
    assertThat(sso.links.isLinked("u-alice")).isFalse();

    for (String unsafe : List.of("//evil.example/", "https://evil.example/", "/\\evil.example")) {
      sso.links.link(sso.issuer, "sub-alice", "u-alice");
      HttpResponse<String> r = alice.post(
          "/sso/unlink",
          Map.of(
              "issuer",
              sso.issuer,
              "subject",
              "sub-alice",
              "returnTo",
              unsafe,
              "_csrf",
              alice.pageCsrf()));
      assertThat(r.statusCode()).as(unsafe).isEqualTo(303);
      assertThat(location(r)).as(unsafe).isEqualTo("/");
      assertThat(sso.links.isLinked("u-alice")).as(unsafe).isFalse();
    }
  }

  @Test
  void linkStart_withALoginOlderThanTheWindow_sendsToLoginAgain_beforeTheProvider()
      throws Exception {
    sso = new SsoPortal(b -> b.maxLoginAge(Duration.ofMinutes(2)));
    Browser alice = sso.loggedIn("alice");
    sso.portal.clock.advance(Duration.ofMinutes(3));

    HttpResponse<String> refused = sso.upgrade(alice);

    assertThat(refused.statusCode()).isEqualTo(303);
    assertThat(location(refused)).isEqualTo("/login?returnTo=%2F");
    AuditEvent link = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(link.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(link.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(link.reason()).contains("login older than 2 minutes");
    assertThat(sso.events(AuditEventType.SSO_UPGRADE_REDEEMED)).isEmpty();

    // The login again offers a new upgrade, which links. The provider stamps auth_time with the
    // real time, which must fall after the link request: the portal's clock goes back to it.
    sso.portal.clock.set(Instant.ofEpochMilli(System.currentTimeMillis()));
    assertThat(alice.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
    sso.providerSignsIn("sub-alice");
    assertThat(alice
            .answerLinkPage(sso.viaProvider(alice, sso.upgrade(alice)), "confirm")
            .statusCode())
        .isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
  }

  @Test
  void linkConfirmation_withALoginOlderThanTheWindow_sendsToLoginAgain_andLinksNothing()
      throws Exception {
    sso = new SsoPortal(b -> b.maxLoginAge(Duration.ofMinutes(2)));
    Browser alice = sso.loggedIn("alice");
    sso.providerSignsIn("sub-alice");
    assertThat(sso.viaProvider(alice, sso.upgrade(alice)).statusCode()).isEqualTo(303);
    String csrf = Browser.formCsrf(alice.get("/sso/link").body());
    sso.portal.clock.advance(Duration.ofMinutes(3));

    HttpResponse<String> refused =
        alice.post("/sso/link", Map.of("_csrf", csrf, "decision", "confirm"));

    assertThat(refused.statusCode()).isEqualTo(303);
    assertThat(location(refused)).startsWith("/login?returnTo=");
    assertThat(sso.links.isLinked("u-alice")).isFalse();
    List<AuditEvent> links = sso.events(AuditEventType.SSO_LINK);
    assertThat(links).singleElement().satisfies(e -> {
      assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(e.reason()).contains("login older than 2 minutes");
      assertThat(e.resource()).contains("sub-alice at " + sso.issuer);
    });
  }
}
