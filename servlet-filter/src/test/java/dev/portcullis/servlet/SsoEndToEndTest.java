package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.sso.SsoConfig;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole single-sign-on life of one account, in one browser, through the real filter on Jetty and a real OpenID
 * provider over HTTP: offered, linked, logged out, logged in through the provider, never offered again.
 */
class SsoEndToEndTest {
  private static final String SSO = SsoConfig.DEFAULT_COOKIE;
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal();
  }

  @AfterEach
  void stop() throws Exception {
    sso.close();
  }

  private static Optional<String> setCookie(HttpResponse<String> r, String name) {
    return r.headers().allValues("Set-Cookie").stream()
        .filter(h -> h.startsWith(name + "="))
        .findFirst();
  }

  private static boolean expires(HttpResponse<String> r, String name) {
    return setCookie(r, name)
        .filter(h -> h.startsWith(name + "=;") && h.contains("Max-Age=0"))
        .isPresent();
  }

  @Test
  void localLogin_upgrade_link_logout_ssoLogin_andNoFurtherOffer() throws Exception {
    Browser b = sso.browser();

    // 1. Local login of an account without a linked identity: the upgrade cookie comes with it.
    HttpResponse<String> loggedIn = b.login("alice", "alice-pw", false);
    assertThat(loggedIn.statusCode()).isEqualTo(303);
    assertThat(b.cookies()).containsKeys(sso.authCookie().name(), SSO);
    assertThat(setCookie(loggedIn, SSO))
        .hasValueSatisfying(h -> assertThat(h).doesNotContain("Max-Age"));
    AuditEvent offered = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_UPGRADE_OFFERED);
    assertThat(offered.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    String localSession = b.cookies().get(sso.sessionCookie());

    // 2. POST the upgrade with the CSRF token, through the provider, back to the callback: linked.
    HttpResponse<String> toProvider = sso.upgrade(b);
    String authorize = sso.authorizeUrl(toProvider);
    assertThat(SsoPortal.queryParameter(authorize, "redirect_uri"))
        .isEqualTo(sso.portal.base + "/sso/callback");
    assertThat(SsoPortal.queryParameter(authorize, "client_id")).isEqualTo(SsoPortal.CLIENT);
    sso.providerSignsIn("sub-alice");
    HttpResponse<String> callback = b.get(sso.callbackFrom(authorize));
    assertThat(sso.links.isLinked("u-alice"))
        .as("nothing linked before the user confirms")
        .isFalse();
    HttpResponse<String> linked = b.answerLinkPage(callback, "confirm");
    assertThat(linked.statusCode()).isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
    assertThat(expires(linked, SSO)).as("upgrade cookie deleted").isTrue();
    assertThat(b.cookies()).doesNotContainKey(SSO);
    AuditEvent link = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(link.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
    assertThat(link.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(b.whoami()).isEqualTo("u-alice");
    assertThat(b.cookies().get(sso.sessionCookie()))
        .as("linking keeps the session")
        .isEqualTo(localSession);

    // 3. Logout deletes every Portcullis cookie.
    HttpResponse<String> loggedOut = b.logout();
    assertThat(loggedOut.statusCode()).isEqualTo(303);
    for (String name : sso.cookieNames()) {
      assertThat(expires(loggedOut, name)).as("logout expires %s", name).isTrue();
      assertThat(b.cookies()).doesNotContainKey(name);
    }
    assertThat(b.whoami()).isEqualTo("anonymous");

    // Meanwhile the user's recorded acceptance falls behind the current terms.
    sso.portal.users.recordTermsAcceptance("u-alice", "2025-06");

    // 4. SSO login: the ordinary auth cookie, a new session id, audit, and the terms gate.
    HttpResponse<String> ssoStart = b.startSsoLogin();
    String anonymousSession = b.cookies().get(sso.sessionCookie());
    assertThat(anonymousSession).isNotNull();
    sso.providerSignsIn("sub-alice");
    HttpResponse<String> ssoDone = sso.viaProvider(b, ssoStart);
    assertThat(ssoDone.statusCode()).isEqualTo(303);
    assertThat(setCookie(ssoDone, sso.authCookie().name()))
        .hasValueSatisfying(h -> assertThat(h)
            .endsWith("; Path=/; Secure; HttpOnly; SameSite=Lax")
            .doesNotContain("Max-Age"));
    assertThat(b.cookies().get(sso.sessionCookie()))
        .as("session id rotated")
        .isNotNull()
        .isNotEqualTo(anonymousSession)
        .isNotEqualTo(localSession);
    assertThat(b.cookies()).doesNotContainKey(SSO);
    List<AuditEvent> successes = sso.events(AuditEventType.AUTHN_LOGIN_SUCCESS);
    assertThat(successes).hasSize(2);
    assertThat(successes.get(1).action()).contains("sso_login");
    assertThat(successes.get(1).actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    // The local login made alice's session (the login page makes none); the SSO login renewed the
    // anonymous session that held the authorization.
    assertThat(sso.events(AuditEventType.SESSION_CREATED))
        .isNotEmpty()
        .allMatch(e ->
            e.actor().map(AuditEvent.Actor::userHandle).equals(java.util.Optional.of("u-alice")));
    assertThat(sso.events(AuditEventType.SESSION_RENEWED)).hasSizeGreaterThanOrEqualTo(1);
    HttpResponse<String> report = b.get("/reports/riverside/1");
    assertThat(report.statusCode()).as("terms gate").isEqualTo(303);
    assertThat(report.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).contains("/terms"));
    HttpResponse<String> terms = b.get("/terms");
    assertThat(terms.statusCode()).isEqualTo(200);
    String termsCsrf = terms.body().replaceFirst("(?s).*csrf=([A-Za-z0-9_-]{43}).*", "$1");
    assertThat(
            b.post("/terms", Map.of("acceptTerms", "yes", "_csrf", termsCsrf)).statusCode())
        .isEqualTo(303);
    assertThat(b.get("/reports/riverside/1").statusCode()).as("terms accepted").isEqualTo(200);
    sso.portal.flushedSink().assertOnce(AuditEventType.TERMS_ACCEPTED);

    // 5. Next local login: linked now, so no upgrade cookie and no offer.
    assertThat(b.logout().statusCode()).isEqualTo(303);
    HttpResponse<String> again = b.login("alice", "alice-pw", false);
    assertThat(again.statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
    assertThat(setCookie(again, SSO)).isEmpty();
    assertThat(b.cookies()).doesNotContainKey(SSO);
    assertThat(sso.events(AuditEventType.SSO_UPGRADE_OFFERED)).hasSize(1);
    assertThat(b.get("/reports/riverside/1").statusCode()).isEqualTo(200);
  }
}
