package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.sso.AccountLinkStore;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: confirming an account link while the account-link store did not answer used up the pending link (and
 * the upgrade cookie had been spent at the link's start), answered with the generic {@code 403} "Single sign-on did
 * not work"; once the store answered, nothing was left to confirm and the user had to log in again for a new offer and
 * authenticate at the provider again. Through the real filter on a real Jetty against a real OpenID provider: the
 * confirmation is a plain {@code 503}, and the same confirmation links the account once the store answers.
 */
class SsoLinkConfirmDuringStoreOutageTest {
  private final StoreOutage<AccountLinkStore> links =
      StoreOutage.of(AccountLinkStore.class, AccountLinkStore.inMemory());
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal(b -> b.links(links.store()));
  }

  @AfterEach
  void stop() throws Exception {
    sso.close();
  }

  @Test
  void linkConfirmation_whileTheLinkStoreIsDown_isA503_andThePendingLinkWaitsForTheStore()
      throws Exception {
    Browser alice = sso.loggedIn("alice");
    sso.providerSignsIn("sub-alice");
    HttpResponse<String> callback = sso.viaProvider(alice, sso.upgrade(alice));
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
    String csrf = Browser.formCsrf(alice.get("/sso/link").body());
    links.fail("link");

    HttpResponse<String> r = alice.post("/sso/link", Map.of("_csrf", csrf, "decision", "confirm"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.body().strip()).isEqualTo("Service unavailable. Please try again later.");
    AuditEvent failed = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(failed.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(failed.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(failed.reason()).hasValue("link store failed: StoreUnavailableException");
    assertThat(links.store().userFor(sso.issuer, "sub-alice")).isEmpty();

    links.end();
    HttpResponse<String> page = alice.get("/sso/link");
    assertThat(page.statusCode()).as("still waiting for confirmation").isEqualTo(200);
    HttpResponse<String> confirmed = alice.post(
        "/sso/link", Map.of("_csrf", Browser.formCsrf(page.body()), "decision", "confirm"));
    assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(303);
    assertThat(links.store().userFor(sso.issuer, "sub-alice")).contains("u-alice");
    assertThat(alice.get("/sso/link").statusCode()).as("used up by the link").isEqualTo(403);
  }
}
