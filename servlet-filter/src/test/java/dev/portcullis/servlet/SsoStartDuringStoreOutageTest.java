package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.SsoConfig;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: starting a single sign-on login ({@code POST /sso/login}) or an account link ({@code POST /sso/upgrade})
 * while the session store did not answer still sent the browser to the provider, with a state, nonce and PKCE
 * verifier that no stored session held; the provider's answer then met "no authorization under way" and a generic
 * {@code 403}. Through the real filter on a real Jetty against a real OpenID provider, the start is now answered as
 * every other outage is: the plain {@code 503}, no redirect, audited with the session store named; and the same start
 * works once the store answers.
 */
class SsoStartDuringStoreOutageTest {
  private StoreOutage<SessionStore> sessions;
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal(b -> b, (p, filter) -> {
      sessions = StoreOutage.of(SessionStore.class, p.sessionStore);
      filter.sessions(SessionRegistry.create(
          p.sessionConfig, sessions.store(), p.random, p.clock, new SessionAudit(p.audit)));
    });
    sso.links.link(sso.issuer, "sub-alice", "u-alice");
  }

  @AfterEach
  void stop() throws Exception {
    sso.close();
  }

  @Test
  void ssoLoginStart_whileTheSessionStoreCannotSave_isA503_notARedirectToTheProvider()
      throws Exception {
    Browser b = sso.browser();
    b.openLoginPage();
    sessions.fail("save");

    HttpResponse<String> r = b.startSsoLogin();

    assertUnavailable(r);
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
    AuditEvent fail = sso.portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(fail.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(fail.reason()).hasValue("SSO login could not start: session store unavailable");
    assertThat(fail.actor().map(AuditEvent.Actor::userHandle)).isEmpty();

    sessions.end();
    assertSsoLoginWorks(b);
  }

  @Test
  void ssoLoginStart_whoseSessionTheStoreCannotLookUp_isA503_andTheBrowserKeepsItsCookie()
      throws Exception {
    Browser b = sso.browser();
    assertThat(b.get("/remember").body()).isEqualTo("remembered");
    String before = b.cookies().get(sso.sessionCookie());
    assertThat(before).as("an anonymous session").isNotNull();
    b.openLoginPage();
    sessions.fail("load", "peek");

    HttpResponse<String> r = b.startSsoLogin();

    assertUnavailable(r);
    assertThat(b.cookies().get(sso.sessionCookie())).isEqualTo(before);
    assertThat(
            sso.portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL).reason())
        .hasValue("SSO login could not start: session store unavailable");

    sessions.end();
    assertSsoLoginWorks(b);
  }

  @Test
  void linkStart_whileTheSessionStoreCannotSave_isA503_auditedAsAFailedLinkOfTheUser()
      throws Exception {
    sso.links.unlinkAll("u-alice");
    Browser alice = sso.loggedIn("alice");
    assertThat(alice.cookies()).containsKey(SsoConfig.DEFAULT_COOKIE);
    String csrf = alice.pageCsrf();
    sessions.fail("save");

    HttpResponse<String> r = alice.post("/sso/upgrade", java.util.Map.of("_csrf", csrf));

    assertUnavailable(r);
    AuditEvent link = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(link.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(link.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(link.reason()).hasValue("account link could not start: session store unavailable");
  }

  /**
   * Regression: the link's start redeemed the upgrade cookie (marked it used in the replay store and expired it in the
   * browser) before the session store was asked to keep the authorization, so a {@code 503} left alice without a
   * usable offer: after the outage she had to log in again for a new one.
   */
  @Test
  void linkStart_whileTheSessionStoreCannotSave_keepsTheUpgradeCookie_forTheSameStartOnceItAnswers()
      throws Exception {
    sso.links.unlinkAll("u-alice");
    Browser alice = sso.loggedIn("alice");
    String upgradeCookie = alice.cookies().get(SsoConfig.DEFAULT_COOKIE);
    assertThat(upgradeCookie).isNotNull();
    sessions.fail("save");

    HttpResponse<String> r = sso.upgrade(alice);

    assertUnavailable(r);
    assertThat(alice.cookies().get(SsoConfig.DEFAULT_COOKIE)).isEqualTo(upgradeCookie);
    assertThat(sso.events(AuditEventType.SSO_UPGRADE_REDEEMED)).isEmpty();

    sessions.end();
    assertThat(alice.get("/offer").body()).isEqualTo("offer=true again=true");
    assertLinkWorks(alice);
    assertThat(sso.events(AuditEventType.SSO_UPGRADE_REDEEMED)).hasSize(1);
    assertThat(sso.events(AuditEventType.AUTHN_TOKEN_REUSE)).isEmpty();
  }

  /**
   * Regression: a link's callback whose pending link the session store could not save sent the browser to a
   * confirmation page with nothing to confirm; the upgrade cookie had been spent at the start, so the user had to log
   * in again for a new offer.
   */
  @Test
  void linkCallback_whosePendingLinkTheStoreCannotSave_isA503_andTheLinkCanStartAgain()
      throws Exception {
    sso.links.unlinkAll("u-alice");
    Browser alice = sso.loggedIn("alice");
    sso.providerSignsIn("sub-alice");
    String callback = sso.callbackFrom(sso.authorizeUrl(sso.upgrade(alice)));
    sessions.fail("save");

    HttpResponse<String> r = alice.get(callback);

    assertUnavailable(r);
    AuditEvent link = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(link.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(link.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(link.reason())
        .hasValue("pending account link not stored: session store unavailable");
    assertThat(sso.events(AuditEventType.SSO_LINK_PENDING)).isEmpty();

    sessions.end();
    assertThat(alice.whoami()).isEqualTo("u-alice");
    assertThat(alice.get("/offer").body()).isEqualTo("offer=true again=true");
    assertLinkWorks(alice);
  }

  /** The same browser's upgrade cookie starts the link, and the link is confirmed and stored. */
  private void assertLinkWorks(Browser alice) throws Exception {
    sso.providerSignsIn("sub-alice");
    HttpResponse<String> toProvider = sso.upgrade(alice);
    assertThat(toProvider.statusCode()).as(toProvider.body()).isEqualTo(303);
    assertThat(
            alice.answerLinkPage(sso.viaProvider(alice, toProvider), "confirm").statusCode())
        .isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
  }

  private static void assertUnavailable(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.body().strip()).isEqualTo("Service unavailable. Please try again later.");
    assertThat(r.headers().firstValue("Location"))
        .as("not sent to the provider")
        .isEmpty();
  }

  /** Once the store answers, alice's single sign-on login in the same browser logs her in. */
  private void assertSsoLoginWorks(Browser b) throws Exception {
    HttpResponse<String> toProvider = b.startSsoLogin();
    sso.providerSignsIn("sub-alice");
    HttpResponse<String> done = sso.viaProvider(b, toProvider);
    assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
  }
}
