package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.sso.AccountLinkStore.LinkedIdentity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on account linking and single sign-on, over real HTTP: the filter on Jetty and mock-oauth2-server as the
 * OpenID provider. Each test is named after what the attacker tries.
 */
class SsoLinkAttacksTest {
  private final HttpClient providerClient =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal();
  }

  @AfterEach
  void stop() throws Exception {
    sso.close();
  }

  /** Alice links sub-alice, confirming on the confirmation page. */
  private Browser linkedAlice() throws Exception {
    Browser b = sso.loggedIn("alice");
    sso.providerSignsIn("sub-alice");
    assertThat(b.answerLinkPage(sso.viaProvider(b, sso.upgrade(b)), "confirm").statusCode())
        .isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
    return b;
  }

  /** Alice logged in, with sub-alice already linked in the store (however it was linked). */
  private Browser aliceWithALink() throws Exception {
    sso.links.link(sso.issuer, "sub-alice", "u-alice");
    return sso.loggedIn("alice");
  }

  private static boolean toProvider(HttpResponse<String> r, String issuer) {
    return r.statusCode() == 303
        && r.headers().firstValue("Location").orElse("").startsWith(issuer);
  }

  /**
   * A page on another site makes the victim's browser GET /sso/login (an image, a link) while the victim's account
   * link is at the provider: the session's authorization must survive, so the genuine callback still links.
   */
  @Test
  void crossSiteGetOfSsoLogin_duringALink_doesNotDisturbThePendingLink() throws Exception {
    Browser alice = sso.loggedIn("alice");
    String authorize = sso.authorizeUrl(sso.upgrade(alice));

    HttpResponse<String> crossSiteGet = alice.get("/sso/login");
    assertThat(toProvider(crossSiteGet, sso.issuer)).as("a GET starts nothing").isFalse();
    assertThat(crossSiteGet.statusCode()).isEqualTo(405);
    HttpResponse<String> crossSitePost = alice.post("/sso/login", Map.of());
    assertThat(crossSitePost.statusCode()).as("a POST without the CSRF token").isEqualTo(403);

    sso.providerSignsIn("sub-alice");
    HttpResponse<String> callback = alice.get(sso.callbackFrom(authorize));
    assertThat(callback.statusCode()).as("the genuine callback still works").isEqualTo(303);
    assertThat(alice.answerLinkPage(callback, "confirm").statusCode()).isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
    assertThat(sso.events(AuditEventType.AUTHN_TOKEN_REUSE)).isEmpty();
    assertThat(sso.events(AuditEventType.CSRF_FAIL)).hasSize(1);
  }

  /**
   * A page on another site sends the victim's browser to the callback, with a made-up state or none, while the
   * victim's account link is at the provider. Regression: the pending state was cleared before it was compared, so
   * such a visit cancelled the link (denial of service). It is refused and audited, and the genuine callback still
   * links; the genuine state is then spent.
   */
  @Test
  void crossSiteGetOfTheCallbackWithAWrongState_doesNotCancelTheLinkUnderWay() throws Exception {
    Browser alice = sso.loggedIn("alice");
    String authorize = sso.authorizeUrl(sso.upgrade(alice));

    for (String forged : List.of("/sso/callback?state=x&code=y", "/sso/callback?code=y")) {
      HttpResponse<String> crossSiteGet = alice.get(forged);
      assertThat(crossSiteGet.statusCode()).as(forged).isEqualTo(403);
      assertThat(crossSiteGet.body().strip()).isEqualTo(SsoStage.SSO_FAILED);
    }

    sso.providerSignsIn("sub-alice");
    String genuine = sso.callbackFrom(authorize);
    HttpResponse<String> callback = alice.get(genuine);
    assertThat(callback.statusCode()).as("the genuine callback still works").isEqualTo(303);
    assertThat(alice.answerLinkPage(callback, "confirm").statusCode()).isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");

    assertThat(sso.events(AuditEventType.SSO_LINK))
        .extracting(e -> e.outcome() + " " + e.reason().orElseThrow())
        .containsExactly(
            "FAILURE SSO callback with the wrong state",
            "FAILURE SSO callback without a state",
            "SUCCESS linked");

    assertThat(alice.get(genuine).statusCode()).as("the state is single-use").isEqualTo(403);
    assertThat(sso.events(AuditEventType.AUTHN_LOGIN_FAIL))
        .extracting(e -> e.reason().orElseThrow())
        .containsExactly("SSO callback without an authorization under way");
  }

  /**
   * The attacker's identity (linked to bob) is pushed into alice's logged-in browser through /sso/login: she must stay
   * alice, never be switched silently to bob.
   */
  @Test
  void ssoLoginWhileLoggedIn_isRefused_andDoesNotSwitchTheUser() throws Exception {
    sso.links.link(sso.issuer, "sub-bob", "u-bob");
    Browser alice = sso.loggedIn("alice");
    String session = alice.cookies().get(sso.sessionCookie());
    HttpResponse<String> viaGet = alice.get("/sso/login");
    HttpResponse<String> viaPost = alice.post("/sso/login", Map.of("_csrf", alice.pageCsrf()));
    for (HttpResponse<String> attempt : List.of(viaGet, viaPost)) {
      if (toProvider(attempt, sso.issuer)) {
        sso.providerSignsIn("sub-bob");
        sso.viaProvider(alice, attempt);
      }
    }
    assertThat(viaPost.statusCode()).isEqualTo(403);
    assertThat(viaPost.body().strip()).isEqualTo(SsoStage.ALREADY_LOGGED_IN);
    assertThat(alice.whoami()).isEqualTo("u-alice");
    assertThat(alice.cookies().get(sso.sessionCookie())).isEqualTo(session);
    assertThat(sso.events(AuditEventType.AUTHN_LOGIN_FAIL)).singleElement().satisfies(e -> {
      assertThat(e.reason()).contains("SSO login while logged in");
      assertThat(e.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    });
  }

  /** The anonymous SSO login takes its CSRF token from the login page, as the login form does. */
  @Test
  void anonymousSsoLogin_withTheLoginPagesToken_reachesTheProvider_andWithoutIt_doesNot()
      throws Exception {
    sso.links.link(sso.issuer, "sub-alice", "u-alice");
    Browser b = sso.browser();
    b.openLoginPage();
    assertThat(b.post("/sso/login", Map.of("_csrf", "x".repeat(43))).statusCode())
        .isEqualTo(403);
    HttpResponse<String> started = b.startSsoLogin();
    sso.providerSignsIn("sub-alice");
    assertThat(sso.viaProvider(b, started).statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
  }

  /** The provider answers a link from its own long-lived session: no auth_time, or an old one. */
  @Test
  void linkingWithoutAFreshAuthTime_isRefused() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    for (long authTime : new long[] {-1, now - 3600}) {
      Browser alice = sso.loggedIn("alice");
      String authorize = sso.authorizeUrl(sso.upgrade(alice));
      assertThat(SsoPortal.queryParameter(authorize, "prompt")).isEqualTo("login");
      assertThat(SsoPortal.queryParameter(authorize, "max_age")).isEqualTo("300");
      HttpResponse<String> back = ProviderLogin.signIn(
          providerClient,
          authorize,
          providerClient.send(
              HttpRequest.newBuilder(URI.create(authorize)).GET().build(),
              HttpResponse.BodyHandlers.ofString()),
          "sub-alice",
          authTime);
      URI callback = URI.create(back.headers().firstValue("Location").orElseThrow());
      HttpResponse<String> r = alice.get(callback.getRawPath() + "?" + callback.getRawQuery());
      assertThat(r.statusCode()).as("auth_time %s", authTime).isEqualTo(403);
      assertThat(alice.get("/sso/link").statusCode()).as("nothing to confirm").isEqualTo(403);
      assertThat(sso.links.isLinked("u-alice")).isFalse();
    }
    assertThat(sso.events(AuditEventType.SSO_LINK_PENDING)).isEmpty();
  }

  /**
   * Whatever identity the provider's session holds, the user sees it (escaped) before anything is linked; cancelling
   * links nothing, and the pending link cannot be confirmed afterwards.
   */
  @Test
  void linkConfirmationPage_showsTheIdentityEscaped_andNothingIsLinkedBeforeThePost()
      throws Exception {
    Browser alice = sso.loggedIn("alice");
    String authorize = sso.authorizeUrl(sso.upgrade(alice));
    String label = "<img src=x onerror=alert(1)>\"mallory\"@idp.example";
    HttpResponse<String> back = ProviderLogin.signIn(
        providerClient,
        authorize,
        providerClient.send(
            HttpRequest.newBuilder(URI.create(authorize)).GET().build(),
            HttpResponse.BodyHandlers.ofString()),
        "sub-mallory",
        System.currentTimeMillis() / 1000,
        Map.of("email", label));
    URI callbackUri = URI.create(back.headers().firstValue("Location").orElseThrow());
    HttpResponse<String> callback =
        alice.get(callbackUri.getRawPath() + "?" + callbackUri.getRawQuery());
    assertThat(callback.statusCode()).isEqualTo(303);
    assertThat(callback.headers().firstValue("Location")).contains("/sso/link");
    assertThat(sso.links.isLinked("u-alice")).as("not linked by the callback").isFalse();

    HttpResponse<String> page = alice.get("/sso/link");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(page.body())
        .contains("&lt;img src=x onerror=alert(1)&gt;&quot;mallory&quot;@idp.example")
        .doesNotContain("<img")
        .contains(">sub-mallory<")
        .contains(">" + sso.issuer + "<");
    assertThat(sso.links.isLinked("u-alice"))
        .as("not linked by showing the page")
        .isFalse();
    AuditEvent pending = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK_PENDING);
    assertThat(pending.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");

    assertThat(alice.post("/sso/link", Map.of("decision", "confirm")).statusCode())
        .as("no CSRF token")
        .isEqualTo(403);
    assertThat(sso.links.isLinked("u-alice")).isFalse();
    String csrf = Browser.formCsrf(page.body());
    assertThat(
            alice.post("/sso/link", Map.of("_csrf", csrf, "decision", "cancel")).statusCode())
        .isEqualTo(303);
    assertThat(alice
            .post("/sso/link", Map.of("_csrf", csrf, "decision", "confirm"))
            .statusCode())
        .as("cancelled: nothing left to confirm")
        .isEqualTo(403);
    assertThat(sso.links.isLinked("u-alice")).isFalse();
    assertThat(sso.links.userFor(sso.issuer, "sub-mallory")).isEmpty();
    sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK_CANCELLED);
    assertThat(sso.events(AuditEventType.SSO_LINK))
        .singleElement()
        .satisfies(e -> assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE));
  }

  /** A pending link left on the page is not confirmed after its lifetime. */
  @Test
  void pendingLink_confirmedTooLate_isRefused() throws Exception {
    Browser alice = sso.loggedIn("alice");
    sso.providerSignsIn("sub-alice");
    HttpResponse<String> callback = sso.viaProvider(alice, sso.upgrade(alice));
    assertThat(callback.statusCode()).isEqualTo(303);
    String csrf = Browser.formCsrf(alice.get("/sso/link").body());
    sso.portal.clock.advance(Duration.ofMinutes(6));
    assertThat(alice
            .post("/sso/link", Map.of("_csrf", csrf, "decision", "confirm"))
            .statusCode())
        .isEqualTo(403);
    assertThat(sso.links.isLinked("u-alice")).isFalse();
  }

  /**
   * The attacker starts an SSO login in the victim's browser while nobody is logged in there (or the victim starts one
   * and leaves it); the victim then logs in with a password in another tab; the provider's answer to the old login,
   * signed in as an identity linked to bob, arrives last. It must not make the browser bob's.
   */
  @Test
  void ssoCallbackStartedBeforeAPasswordLogin_doesNotSwitchTheUser() throws Exception {
    sso.links.link(sso.issuer, "sub-bob", "u-bob");
    Browser b = sso.browser();
    String authorize = sso.authorizeUrl(b.startSsoLogin());
    assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
    sso.providerSignsIn("sub-bob");

    HttpResponse<String> callback = b.get(sso.callbackFrom(authorize));

    assertThat(callback.statusCode()).isEqualTo(403);
    assertThat(b.whoami()).isEqualTo("u-alice");
    assertThat(sso.events(AuditEventType.AUTHN_LOGIN_SUCCESS))
        .noneMatch(e -> e.action().equals(Optional.of("sso_login")));
    AuditEvent refused = sso.portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(refused.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(refused.resource()).contains("/sso/callback");
    assertThat(refused.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    // The password login ended the authorization: the callback finds none under way.
    assertThat(refused.reason()).contains("SSO callback without an authorization under way");
  }

  /**
   * A logged-in browser's request that arrives without the auth cookie is anonymous (an auth cookie scoped tighter than
   * the session cookie, say), so it may start an SSO login; it does not get alice's session, which is bound to her, but
   * a new one whose cookie replaces hers. When the provider's answer comes back with the auth cookie, that ticket is
   * bound to no session of this browser: alice is not logged in there any more, and the callback is the anonymous
   * login it started, not a switch of a logged-in user.
   */
  @Test
  void ssoLoginStartedWithoutTheAuthCookie_startsInANewSession_soNoLoggedInUserIsSwitched()
      throws Exception {
    sso.links.link(sso.issuer, "sub-bob", "u-bob");
    Browser b = sso.loggedIn("alice");
    String authName = sso.authCookie().name();
    String sessionName = sso.portal.sessionConfig.cookie().name();
    String aliceSession = b.cookies().get(sessionName);
    String authCookie = b.cookies().remove(authName);
    assertThat(authCookie).isNotNull();
    String authorize = sso.authorizeUrl(b.startSsoLogin());
    assertThat(b.cookies().get(sessionName)).isNotNull().isNotEqualTo(aliceSession);
    b.cookies().put(authName, authCookie);
    assertThat(b.whoami()).isEqualTo("anonymous");
    sso.providerSignsIn("sub-bob");

    b.get(sso.callbackFrom(authorize));

    assertThat(b.whoami()).isEqualTo("u-bob");
    assertThat(sso.portal.flushedSink().events())
        .filteredOn(e -> e.type() == AuditEventType.AUTHN_LOGIN_SUCCESS
            && e.actor().map(AuditEvent.Actor::userHandle).equals(Optional.of("u-alice")))
        .as("alice logged in once, with her password")
        .hasSize(1);
  }

  @Test
  void unlink_byTheUser_removesTheLink_andIsAudited_butNotAnotherUsersLink() throws Exception {
    Browser alice = aliceWithALink();
    sso.links.link(sso.issuer, "sub-bob", "u-bob");
    Map<String, String> bobs =
        Map.of("issuer", sso.issuer, "subject", "sub-bob", "_csrf", alice.pageCsrf());
    assertThat(alice.post("/sso/unlink", bobs).statusCode()).isEqualTo(403);
    assertThat(sso.links.userFor(sso.issuer, "sub-bob")).contains("u-bob");
    assertThat(alice
            .post("/sso/unlink", Map.of("issuer", sso.issuer, "subject", "sub-alice"))
            .statusCode())
        .as("no CSRF token")
        .isEqualTo(403);
    assertThat(sso.links.isLinked("u-alice")).isTrue();

    HttpResponse<String> r = alice.post(
        "/sso/unlink",
        Map.of("issuer", sso.issuer, "subject", "sub-alice", "_csrf", alice.pageCsrf()));
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(sso.links.isLinked("u-alice")).isFalse();
    assertThat(sso.links.linksOf("u-bob"))
        .containsExactly(new LinkedIdentity(sso.issuer, "sub-bob"));
    List<AuditEvent> unlinks = sso.events(AuditEventType.SSO_UNLINK);
    assertThat(unlinks).hasSize(2);
    assertThat(unlinks).allSatisfy(e -> {
      assertThat(e.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
      assertThat(e.action()).contains("unlink");
    });
    assertThat(unlinks.get(0).outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(unlinks.get(1).outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);

    // The identity no longer logs anyone in.
    Browser stranger = sso.browser();
    HttpResponse<String> started = stranger.startSsoLogin();
    sso.providerSignsIn("sub-alice");
    assertThat(sso.viaProvider(stranger, started).statusCode()).isEqualTo(403);
    assertThat(stranger.whoami()).isEqualTo("anonymous");
  }

  /**
   * An audit reason the audit log refuses (here because the unlinked identity's issuer looks like a credential) costs
   * the event its reason, not the event.
   */
  @Test
  void unlink_ofAnIdentityWhoseIssuerLooksLikeACredential_isStillAudited() throws Exception {
    String issuer = "https://idp.example/Fq7Lx2Vb9Nw4Rt6Yh1Kd8Sm3Pz5Cj0GaEuQiTo7WnXy";
    sso.links.link(issuer, "sub-alice", "u-alice");
    Browser alice = sso.loggedIn("alice");

    HttpResponse<String> r = alice.post(
        "/sso/unlink", Map.of("issuer", issuer, "subject", "sub-alice", "_csrf", alice.pageCsrf()));

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(sso.links.isLinked("u-alice")).isFalse();
    AuditEvent unlink = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_UNLINK);
    assertThat(unlink.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
    assertThat(unlink.action()).contains("unlink");
    assertThat(unlink.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(unlink.reason())
        .hasValueSatisfying(reason -> assertThat(reason)
            .isEqualTo("reason withheld: not fit for the audit log")
            .doesNotContain(issuer));
  }

  /** Whoever linked an identity to a stolen session loses it when the owner logs out everywhere. */
  @Test
  void logOutEverywhere_removesTheLinks() throws Exception {
    Browser alice = aliceWithALink();
    assertThat(
            alice.post("/logout-everywhere", Map.of("_csrf", alice.pageCsrf())).statusCode())
        .isEqualTo(303);
    assertThat(sso.links.isLinked("u-alice")).isFalse();
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).isEmpty();
    assertThat(sso.events(AuditEventType.SSO_UNLINK)).singleElement().satisfies(e -> {
      assertThat(e.action()).contains("logout_everywhere");
      assertThat(e.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    });
  }

  @Test
  void logOutEverywhere_keepsTheLinks_whenConfiguredTo() throws Exception {
    sso.close();
    sso = new SsoPortal(b -> b.keepLinksOnLogoutEverywhere(true));
    Browser alice = linkedAlice();
    assertThat(
            alice.post("/logout-everywhere", Map.of("_csrf", alice.pageCsrf())).statusCode())
        .isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
    assertThat(sso.events(AuditEventType.SSO_UNLINK)).isEmpty();
  }
}
