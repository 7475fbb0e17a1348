package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.sso.SsoConfig;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the audit trail tells an operator about account links, over real HTTP (the filter on Jetty, mock-oauth2-server
 * as the provider): which user, what became of the link, why it failed, and which external identity it was about.
 * Regressions: a failed link was recorded as a failed login ({@code authn_login_fail}), the redemption of the upgrade
 * cookie was not recorded at all, and {@code sso_link} did not name the identity.
 */
class SsoLinkAuditTest {
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal();
  }

  @AfterEach
  void stop() throws Exception {
    sso.close();
  }

  private String identity(String subject) {
    return subject + " at " + sso.issuer;
  }

  @Test
  void failedLink_isAFailedSsoLinkOfTheUser_notAFailedLogin() throws Exception {
    Browser alice = sso.loggedIn("alice");
    String state = SsoPortal.queryParameter(sso.authorizeUrl(sso.upgrade(alice)), "state");

    HttpResponse<String> r =
        alice.get("/sso/callback?error=access_denied&error_description=no&state=" + state);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body().strip()).as("the client learns nothing").isEqualTo(SsoStage.SSO_FAILED);
    AuditEvent failed = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(failed.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(failed.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(failed.reason()).contains("provider returned an error: access_denied");
    sso.portal.flushedSink().assertNone(AuditEventType.AUTHN_LOGIN_FAIL);
  }

  @Test
  void redemptionOfTheUpgradeCookie_isAudited() throws Exception {
    Browser alice = sso.loggedIn("alice");
    String token = alice.cookies().get(SsoConfig.DEFAULT_COOKIE);
    assertThat(token).isNotBlank();

    sso.authorizeUrl(sso.upgrade(alice));

    AuditEvent redeemed = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_UPGRADE_REDEEMED);
    assertThat(redeemed.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
    assertThat(redeemed.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(redeemed.toString()).doesNotContain(token);
  }

  @Test
  void linkEvents_nameTheLinkedIdentity_butNoCodeOrState() throws Exception {
    Browser alice = sso.loggedIn("alice");
    sso.providerSignsIn("sub-alice");
    String callback = sso.callbackFrom(sso.authorizeUrl(sso.upgrade(alice)));

    assertThat(alice.answerLinkPage(alice.get(callback), "confirm").statusCode())
        .isEqualTo(303);

    AuditEvent pending = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK_PENDING);
    assertThat(pending.resource()).contains(identity("sub-alice"));
    AuditEvent linked = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(linked.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
    assertThat(linked.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(linked.resource()).contains(identity("sub-alice"));
    assertThat(linked.reason()).contains("linked");
    String code = SsoPortal.queryParameter(callback, "code");
    String state = SsoPortal.queryParameter(callback, "state");
    assertThat(sso.portal.flushedSink().events())
        .allSatisfy(e -> assertThat(e.toString())
            .doesNotContain(code)
            .doesNotContain(state)
            .doesNotContain(SsoPortal.SECRET));
  }

  @Test
  void linkOfAnIdentityLinkedToAnotherUser_isAFailedSsoLink_namingTheIdentity() throws Exception {
    sso.links.link(sso.issuer, "sub-shared", "u-bob");
    Browser alice = sso.loggedIn("alice");
    sso.providerSignsIn("sub-shared");

    HttpResponse<String> r =
        alice.answerLinkPage(sso.viaProvider(alice, sso.upgrade(alice)), "confirm");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body().strip()).isEqualTo(SsoStage.SSO_FAILED);
    AuditEvent refused = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(refused.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(refused.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(refused.resource()).contains(identity("sub-shared"));
    assertThat(refused.reason()).contains("SSO identity already linked to another user");
    assertThat(r.body()).doesNotContain("u-bob").doesNotContain("sub-shared");
  }

  /**
   * Regression: the identity was recorded as the event's resource, which drops everything from a {@code ?} or {@code
   * #} on as a query string; a provider's subject holding one ({@code team?a#1}) lost the rest of itself and the
   * issuer, so links of different identities read alike and named no provider.
   */
  @Test
  void subjectWithQuestionMarkOrHash_isRecordedWhole_withItsIssuer() throws Exception {
    Browser alice = sso.loggedIn("alice");
    sso.providerSignsIn("team?a#1");

    alice.answerLinkPage(sso.viaProvider(alice, sso.upgrade(alice)), "confirm");

    AuditEvent pending = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK_PENDING);
    assertThat(pending.resource()).contains(identity("team%3Fa%231"));
    AuditEvent linked = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(linked.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
    assertThat(linked.resource()).contains(identity("team%3Fa%231"));
  }

  @Test
  void cancelledLink_namesTheIdentity() throws Exception {
    Browser alice = sso.loggedIn("alice");
    sso.providerSignsIn("sub-alice");

    alice.answerLinkPage(sso.viaProvider(alice, sso.upgrade(alice)), "cancel");

    AuditEvent cancelled = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK_CANCELLED);
    assertThat(cancelled.resource()).contains(identity("sub-alice"));
    sso.portal.flushedSink().assertNone(AuditEventType.SSO_LINK);
  }
}
