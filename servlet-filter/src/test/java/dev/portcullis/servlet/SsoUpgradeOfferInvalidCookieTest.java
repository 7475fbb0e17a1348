package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.sso.internal.UpgradeTokens;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: {@link PortcullisFilter#ssoUpgradeOffered} said yes for any upgrade cookie of a logged-in user whose
 * account had no link, without opening it, so a page showed the offer for a cookie that could never be redeemed:
 * expired, tampered with, issued to another session or to another user. Over real HTTP (the filter on Jetty, the page
 * asking): no offer for such a cookie, which is expired, and the reason in the audit log; a valid cookie is still
 * offered.
 */
class SsoUpgradeOfferInvalidCookieTest {
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal();
  }

  @AfterEach
  void stop() throws Exception {
    sso.close();
  }

  @Test
  void expiredUpgradeCookie_isNotOffered_andIsExpired() throws Exception {
    Browser alice = sso.loggedIn("alice");
    assertThat(alice.get("/offer").body()).isEqualTo("offer=true again=true");
    sso.portal.clock.advance(UpgradeTokens.DEFAULT_LIFETIME.plusSeconds(1));

    assertNotOfferedAndExpired(alice, "EXPIRED");
  }

  @Test
  void tamperedUpgradeCookie_isNotOffered_andIsExpired() throws Exception {
    Browser alice = sso.loggedIn("alice");
    String value = alice.cookies().get(SsoConfig.DEFAULT_COOKIE);
    char last = value.charAt(value.length() - 1);
    alice
        .cookies()
        .put(
            SsoConfig.DEFAULT_COOKIE,
            value.substring(0, value.length() - 1) + (last == 'A' ? 'B' : 'A'));

    assertNotOfferedAndExpired(alice, "upgrade cookie not valid:");
  }

  @Test
  void upgradeCookieOfAnotherSession_isNotOffered_andIsExpired() throws Exception {
    Browser alice = sso.loggedIn("alice");
    Browser aliceElsewhere = sso.loggedIn("alice");
    alice
        .cookies()
        .put(SsoConfig.DEFAULT_COOKIE, aliceElsewhere.cookies().get(SsoConfig.DEFAULT_COOKIE));

    assertNotOfferedAndExpired(alice, "OTHER_SESSION");
    assertThat(aliceElsewhere.get("/offer").body()).isEqualTo("offer=true again=true");
  }

  @Test
  void upgradeCookieOfAnotherUser_boundToThisSession_isNotOffered_andIsExpired() throws Exception {
    Browser alice = sso.loggedIn("alice");
    // Sealed with the portal's own keys for alice's session, but naming bob: only the user check
    // refuses it.
    String bobs = UpgradeTokens.create(
            sso.portal.ring,
            SsoConfig.DEFAULT_COOKIE,
            sso.portal.clock,
            sso.portal.random,
            ReplayStore.inMemory(sso.portal.clock),
            Duration.ofMinutes(5))
        .issue("u-bob", alice.cookies().get(sso.sessionCookie()));
    alice.cookies().put(SsoConfig.DEFAULT_COOKIE, bobs);

    assertNotOfferedAndExpired(alice, "another user");
  }

  private void assertNotOfferedAndExpired(Browser b, String reason) throws Exception {
    HttpResponse<String> page = b.get("/offer");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).isEqualTo("offer=false again=false");
    assertThat(page.headers().allValues("Set-Cookie"))
        .filteredOn(h -> h.startsWith(SsoConfig.DEFAULT_COOKIE + "="))
        .singleElement()
        .satisfies(h -> assertThat(h.toLowerCase(Locale.ROOT)).contains("max-age=0"));
    assertThat(b.cookies()).doesNotContainKey(SsoConfig.DEFAULT_COOKIE);
    assertThat(sso.events(AuditEventType.SSO_UPGRADE_OFFERED))
        .filteredOn(e -> e.outcome() == AuditEvent.Outcome.FAILURE)
        .singleElement()
        .satisfies(e -> assertThat(e.reason())
            .hasValueSatisfying(
                r -> assertThat(r).startsWith("upgrade cookie not valid:").contains(reason)));
    assertThat(b.whoami()).as("still logged in").isEqualTo("u-alice");
  }
}
