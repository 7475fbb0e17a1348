package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.sso.SsoConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: starting an account link ({@code POST /sso/upgrade}) while the revocation store did not answer left the
 * request anonymous, and the start refused the upgrade cookie as presented without a login ({@code 403}) and expired
 * it, although nobody's login had been checked; once the store answered, the user had to log in again for a new
 * offer. Through the real filter on a real Jetty against a real OpenID provider: a plain {@code 503}, the cookie
 * kept, and the same cookie starts the link once the store answers.
 */
class SsoUpgradeDuringRevocationStoreOutageTest {
  private StoreOutage<RevocationStore> revocations;
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal(b -> b, (p, filter) -> {
      revocations = StoreOutage.of(RevocationStore.class, p.revocations);
      filter.login(
          PortalLogin.builder()
              .keyRing(p.ring)
              .users(p.users)
              .revocations(revocations.store())
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
    sso.close();
  }

  @Test
  void linkStart_whileTheRevocationStoreIsDown_isA503_andKeepsTheUpgradeCookie() throws Exception {
    Browser alice = sso.loggedIn("alice");
    String upgradeCookie = alice.cookies().get(SsoConfig.DEFAULT_COOKIE);
    assertThat(upgradeCookie).isNotNull();
    String csrf = alice.pageCsrf();
    revocations.fail("isRevoked");

    HttpResponse<String> r = alice.post("/sso/upgrade", java.util.Map.of("_csrf", csrf));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.body().strip()).isEqualTo("Service unavailable. Please try again later.");
    assertThat(r.headers().firstValue("Location")).isEmpty();
    assertThat(alice.cookies().get(SsoConfig.DEFAULT_COOKIE)).isEqualTo(upgradeCookie);
    AuditEvent link = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(link.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(link.reason())
        .hasValue("account link could not start: login not checked, store unavailable");
    assertThat(sso.events(AuditEventType.AUTHN_TOKEN_INVALID))
        .as("the auth check's own record of the outage, and no refusal of the upgrade cookie")
        .extracting(AuditEvent::reason)
        .containsExactly(java.util.Optional.of("revocation store unavailable"));

    revocations.end();
    sso.providerSignsIn("sub-alice");
    HttpResponse<String> toProvider = sso.upgrade(alice);
    assertThat(toProvider.statusCode()).as(toProvider.body()).isEqualTo(303);
    assertThat(
            alice.answerLinkPage(sso.viaProvider(alice, toProvider), "confirm").statusCode())
        .isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
  }
}
