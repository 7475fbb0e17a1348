package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.user.PortalUser;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * An administrator changes an account while its user is logged in to the running portal, in two browsers: the change
 * holds from each browser's next request on. The browsers see only the portal's generic answers (a 403 page, the
 * 404 of a missing report, the login page); the audit log has the reason. Each test changes its own demo account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountChangesHttpTest {
  private static final String ALICE = DemoData.ACCOUNTS.get("alice").handle();
  private static final String BOB = DemoData.ACCOUNTS.get("bob").handle();
  private static final String CAROL = DemoData.ACCOUNTS.get("carol").handle();

  private RunningPortal portal;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    portal = new RunningPortal(dataDir);
  }

  @AfterAll
  void stop() {
    if (portal != null) {
      portal.close();
    }
  }

  @Test
  void officerRoleRemoved_endsTheMonitoringPagesAndOtherOrganisationsReports_inEveryBrowser()
      throws Exception {
    PortalClient first = portal.client();
    PortalClient second = portal.client();
    first.loginAs("carol");
    second.loginAs("carol");
    assertThat(first.get(Monitoring.SERVICE_DEMAND_PATH).statusCode()).isEqualTo(200);
    assertThat(second.get("/reports/201").statusCode()).isEqualTo(200);

    portal.portal.users().update(CAROL, u -> with(u, Set.of(DemoData.PROVIDER), u.organisation()));

    for (PortalClient carol : List.of(first, second)) {
      HttpResponse<String> monitoring = carol.get(Monitoring.SERVICE_DEMAND_PATH);
      assertThat(monitoring.statusCode()).isEqualTo(403);
      assertThat(monitoring.body()).doesNotContain("Searches per day", "role");
      assertThat(carol.get("/reports/201").statusCode()).isEqualTo(404);
      assertThat(carol.get("/reports").body()).doesNotContain("Fire safety inspection");
    }
    List<JsonNode> audit = portal.auditRecords();
    assertThat(audit)
        .filteredOn(e -> is(e, "access_denied", CAROL))
        .extracting(e -> e.path("resource").asText(), e -> e.path("reason").asText())
        .containsOnly(org.assertj.core.groups.Tuple.tuple(
            Monitoring.SERVICE_DEMAND_PATH, "missing role for this path"))
        .hasSize(2);
    assertThat(audit)
        .filteredOn(e -> is(e, "report_view", CAROL) && outcome(e).equals("failure"))
        .extracting(e -> e.path("reason").asText())
        .containsExactly(ReportsPage.DENIED, ReportsPage.DENIED);
  }

  @Test
  void movedToAnotherOrganisation_readsItsReportsAndNoneOfTheOldOnes_inEveryBrowser()
      throws Exception {
    PortalClient first = portal.client();
    PortalClient second = portal.client();
    first.loginAs("alice");
    second.loginAs("alice");
    assertThat(first.get("/reports/101").statusCode()).isEqualTo(200);
    assertThat(second.get("/reports/201").statusCode()).isEqualTo(404);

    portal.portal.users().update(ALICE, u -> with(u, u.roles(), DemoData.HILLVIEW.handle()));

    for (PortalClient alice : List.of(first, second)) {
      assertThat(alice.get("/reports/101").statusCode()).isEqualTo(404);
      assertThat(alice.get("/reports/201").statusCode()).isEqualTo(200);
      assertThat(alice.get("/reports").body())
          .contains("Fire safety inspection")
          .doesNotContain("Staff training audit");
    }
    assertThat(portal.auditRecords())
        .filteredOn(e -> is(e, "report_view", ALICE)
            && e.path("resource").asText().equals("101")
            && outcome(e).equals("failure"))
        .as("refused in her new organisation, with the reason")
        .hasSize(2)
        .allSatisfy(e -> {
          assertThat(e.path("reason").asText()).isEqualTo(ReportsPage.DENIED);
          assertThat(e.path("organisation").asText()).isEqualTo(DemoData.HILLVIEW.handle());
        });
  }

  @Test
  void accountDisabled_emailEmptied_orAccountRemoved_sendsTheBrowserToLogIn_withTheReasonAudited()
      throws Exception {
    PortalClient first = portal.client();
    PortalClient second = portal.client();
    first.loginAs("bob");
    second.loginAs("bob");
    PortalUser asCreated = DemoData.ACCOUNTS.get("bob");

    changeBob(u -> account(u, u.email(), false));
    assertSentToLogIn(first);
    // Enabled again, but with an email of white space only: the second browser's next request.
    changeBob(u -> account(u, " ", true));
    assertSentToLogIn(second);

    changeBob(u -> account(u, asCreated.email(), true));
    assertThat(first.loginAs("bob").statusCode()).isEqualTo(303);
    assertThat(first.get("/reports").statusCode()).isEqualTo(200);
    assertThat(portal.portal.users().remove(BOB)).isTrue();
    assertSentToLogIn(first);

    assertThat(portal.auditRecords())
        .filteredOn(e -> is(e, "authn_token_invalid", BOB))
        .extracting(e -> e.path("reason").asText())
        .containsExactly("account DISABLED", "account MISSING_EMAIL", "user no longer exists");
  }

  private void changeBob(java.util.function.UnaryOperator<PortalUser> change) {
    assertThat(portal.portal.users().update(BOB, change)).isTrue();
  }

  private static PortalUser account(PortalUser u, String email, boolean enabled) {
    return u.withEmail(email).withEnabled(enabled);
  }

  /** The browser's next request is anonymous: a report page sends it to log in, and its auth cookie is expired. */
  private static void assertSentToLogIn(PortalClient browser) throws Exception {
    HttpResponse<String> r = browser.get("/reports/201");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/login?returnTo=%2Freports%2F201");
    assertThat(r.body()).doesNotContain("DISABLED", "MISSING", "no longer");
    assertThat(browser.cookies()).doesNotContainKey("__Host-portcullis-auth");
  }

  private static PortalUser with(PortalUser u, Set<String> roles, String organisation) {
    return u.withRoles(roles).withOrganisation(organisation);
  }

  private static boolean is(JsonNode record, String type, String user) {
    return record.path("type").asText().equals(type)
        && record.path("user").asText().equals(user);
  }

  private static String outcome(JsonNode record) {
    return record.path("outcome").asText();
  }
}
