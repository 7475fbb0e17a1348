package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.sso.SsoConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What goes wrong between the portal and a real OpenID provider (mock-oauth2-server over HTTP), each answered with the
 * same generic page, an audit event with the reason, no cookie, and the user's session as it was.
 */
class SsoProviderFailureTest {
  /** What a failing provider might put in an error body; it must reach neither the browser nor the audit log. */
  private static final String PROVIDER_DETAIL =
      "NullPointerException at db.example:5432 password=hunter2";

  private final AtomicBoolean tokenEndpointFails = new AtomicBoolean();
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal(new FailingTokenEndpoint());
  }

  @AfterEach
  void stop() throws Exception {
    sso.close();
  }

  /** A logged-in browser, and what the test expects to find unchanged after a failure. */
  private record LoggedIn(Browser browser, String session, String auth) {}

  private LoggedIn alice() throws Exception {
    Browser b = sso.browser();
    assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
    return new LoggedIn(
        b,
        b.cookies().get(sso.sessionCookie()),
        b.cookies().get(sso.authCookie().name()));
  }

  /** Alice asks to link her account; returns the provider's authorization URL. */
  private String aliceStartsUpgrade(LoggedIn alice) throws Exception {
    return sso.authorizeUrl(sso.upgrade(alice.browser()));
  }

  private static void assertGenericRefusal(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body().strip()).isEqualTo(SsoStage.SSO_FAILED);
    assertThat(r.headers().allValues("Set-Cookie")).as("no cookie issued").isEmpty();
  }

  private void assertStillLoggedInAsBefore(LoggedIn alice) throws Exception {
    assertThat(alice.browser().cookies().get(sso.sessionCookie())).isEqualTo(alice.session());
    assertThat(alice.browser().cookies().get(sso.authCookie().name())).isEqualTo(alice.auth());
    assertThat(alice.browser().whoami()).isEqualTo("u-alice");
    assertThat(sso.links.isLinked("u-alice")).isFalse();
  }

  /**
   * The one event of alice's failed link: a failed {@code sso_link} (not a failed login) with alice as actor, whose
   * reason contains {@code reason} and nothing from the provider's error body.
   */
  private AuditEvent assertAuditedOnce(String reason) throws Exception {
    List<AuditEvent> failures = sso.events(AuditEventType.SSO_LINK);
    assertThat(failures).hasSize(1);
    AuditEvent e = failures.get(0);
    assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(e.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(e.reason())
        .hasValueSatisfying(r -> assertThat(r)
            .contains(reason)
            .doesNotContain("hunter2")
            .doesNotContain(SsoPortal.SECRET));
    assertThat(sso.events(AuditEventType.AUTHN_LOGIN_FAIL)).isEmpty();
    return e;
  }

  /**
   * A failure answered as it should be: the generic refusal, one audited failure whose reason contains
   * {@code reason}, and alice as she was. Returns the audit event.
   */
  private AuditEvent assertRefused(LoggedIn alice, HttpResponse<String> r, String reason)
      throws Exception {
    assertGenericRefusal(r);
    AuditEvent e = assertAuditedOnce(reason);
    assertStillLoggedInAsBefore(alice);
    return e;
  }

  /** Alice starts to link her account and the provider sends her back: the callback the browser is sent to. */
  private String callbackFor(LoggedIn alice) throws Exception {
    return sso.callbackFrom(aliceStartsUpgrade(alice));
  }

  @Test
  void idTokenExpiredByThePortalsClock_isRefused() throws Exception {
    LoggedIn alice = alice();
    String callback = callbackFor(alice);
    sso.providerSignsIn("sub-alice", 60);
    // Beyond the token's minute and the minute of tolerated skew, well inside the authorization's
    // ten minutes.
    sso.portal.clock.advance(Duration.ofMinutes(3));
    AuditEvent e =
        assertRefused(alice, alice.browser().get(callback), "ID token not valid: expired");
    assertThat(e.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
  }

  @Test
  void idTokenWithTheSameLifetime_beforeTheClockMoves_links() throws Exception {
    LoggedIn alice = alice();
    String callback = callbackFor(alice);
    sso.providerSignsIn("sub-alice", 60);
    assertThat(alice
            .browser()
            .answerLinkPage(alice.browser().get(callback), "confirm")
            .statusCode())
        .isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
  }

  /**
   * Regression: an ID token's {@code nbf} was not checked at all (the validator leaves it out), so a token the
   * provider said was not valid before some later time logged its user in at once.
   */
  @Test
  void idTokenNotValidBeforeALaterTime_byThePortalsClock_isRefused() throws Exception {
    sso.links.link(sso.issuer, "sub-alice", "u-alice");
    long now = sso.portal.clock.instant().getEpochSecond();
    Browser early = sso.browser();
    String callback = sso.callbackFrom(sso.authorizeUrl(early.startSsoLogin()));
    // Beyond the minute of tolerated skew.
    sso.providerSignsIn("sub-alice", 3600, Map.of("nbf", now + 5 * 60));
    assertGenericRefusal(early.get(callback));
    assertThat(early.whoami()).isEqualTo("anonymous");
    assertThat(sso.events(AuditEventType.AUTHN_LOGIN_SUCCESS)).isEmpty();
    assertThat(sso.events(AuditEventType.AUTHN_LOGIN_FAIL))
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).contains("ID token not valid: not yet valid"));

    // Within the skew, as for the issue time: logged in.
    Browser onTime = sso.browser();
    callback = sso.callbackFrom(sso.authorizeUrl(onTime.startSsoLogin()));
    sso.providerSignsIn("sub-alice", 3600, Map.of("nbf", now + 30));
    assertThat(onTime.get(callback).statusCode()).isEqualTo(303);
    assertThat(onTime.whoami()).isEqualTo("u-alice");
  }

  @Test
  void providerAnswersAccessDenied_isRefused() throws Exception {
    LoggedIn alice = alice();
    String state = SsoPortal.queryParameter(aliceStartsUpgrade(alice), "state");
    HttpResponse<String> r = alice
        .browser()
        .get("/sso/callback?error=access_denied&error_description=" + "hunter2+was+wrong&state="
            + state);
    assertRefused(alice, r, "provider returned an error: access_denied");
    assertThat(r.body()).doesNotContain("access_denied").doesNotContain("hunter2");
  }

  @Test
  void tokenEndpointAnswering500_isRefused() throws Exception {
    LoggedIn alice = alice();
    String callback = callbackFor(alice);
    tokenEndpointFails.set(true);
    HttpResponse<String> r = alice.browser().get(callback);
    assertRefused(alice, r, "token");
    assertThat(r.body()).doesNotContain("hunter2").doesNotContain("Exception");
  }

  @Test
  void tokenEndpointUnreachable_isRefused() throws Exception {
    LoggedIn alice = alice();
    String callback = callbackFor(alice);
    sso.provider.shutdown();
    HttpResponse<String> r = alice.browser().get(callback);
    assertRefused(alice, r, "provider unreachable or failing");
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("Connect");
  }

  @Test
  void callbackWithoutState_isRefused() throws Exception {
    LoggedIn alice = alice();
    String callback = callbackFor(alice);
    sso.providerSignsIn("sub-alice");
    String code = SsoPortal.queryParameter(callback, "code");
    assertThat(code).isNotBlank();
    HttpResponse<String> r = alice
        .browser()
        .get("/sso/callback?code="
            + java.net.URLEncoder.encode(code, java.nio.charset.StandardCharsets.UTF_8));
    assertRefused(alice, r, "without a state");
  }

  @Test
  void callbackWithAnotherState_isRefused() throws Exception {
    LoggedIn alice = alice();
    String callback = callbackFor(alice);
    sso.providerSignsIn("sub-alice");
    assertRefused(
        alice,
        alice.browser().get(callback.replaceFirst("state=[^&]+", "state=another-state")),
        "wrong state");
  }

  @Test
  void replayedCallback_isRefused_andLeavesTheLinkAndTheLoginAsTheyWere() throws Exception {
    LoggedIn alice = alice();
    String callback = callbackFor(alice);
    sso.providerSignsIn("sub-alice");
    assertThat(alice
            .browser()
            .answerLinkPage(alice.browser().get(callback), "confirm")
            .statusCode())
        .isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
    sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);

    sso.providerSignsIn("sub-alice");
    assertGenericRefusal(alice.browser().get(callback));
    List<AuditEvent> failures = sso.events(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(failures)
        .singleElement()
        .satisfies(e -> assertThat(e.reason())
            .hasValueSatisfying(r -> assertThat(r).contains("without an authorization under way")));
    assertThat(alice.browser().cookies().get(sso.sessionCookie())).isEqualTo(alice.session());
    assertThat(alice.browser().whoami()).isEqualTo("u-alice");
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
  }

  @Test
  void ssoLoginWhenTheProviderFails_issuesNoCookie_andLeavesTheVisitorAnonymous() throws Exception {
    Browser b = sso.browser();
    sso.links.link(sso.issuer, "sub-alice", "u-alice");
    String callback = sso.callbackFrom(sso.authorizeUrl(b.startSsoLogin()));
    String session = b.cookies().get(sso.sessionCookie());
    tokenEndpointFails.set(true);
    assertGenericRefusal(b.get(callback));
    assertThat(b.cookies()).doesNotContainKeys(sso.authCookie().name(), SsoConfig.DEFAULT_COOKIE);
    assertThat(b.cookies().get(sso.sessionCookie())).isEqualTo(session);
    assertThat(b.whoami()).isEqualTo("anonymous");
    assertThat(sso.events(AuditEventType.AUTHN_LOGIN_SUCCESS)).isEmpty();
    assertThat(sso.events(AuditEventType.AUTHN_LOGIN_FAIL))
        .singleElement()
        .satisfies(e -> assertThat(e.actor()).isEmpty());
  }

  /** Answers the token request with a 500 and a revealing body while {@link #tokenEndpointFails} is set. */
  private final class FailingTokenEndpoint implements Route {
    @Override
    public boolean match(OAuth2HttpRequest request) {
      return tokenEndpointFails.get()
          && request.getMethod().equals("POST")
          && request.getUrl().encodedPath().endsWith("/token");
    }

    @Override
    public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
      return new OAuth2HttpResponse(
          Headers.of("Content-Type", "text/plain"), 500, PROVIDER_DETAIL, null);
    }
  }
}
