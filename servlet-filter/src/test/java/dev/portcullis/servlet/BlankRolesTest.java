package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.access.OrganisationScope;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import java.net.http.HttpResponse;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Regression: an application's user directory that gave an account an empty role ({@code ""} or {@code " "}, from an
 * empty column or a list with a trailing comma) logged the account in, with the empty role in its principal
 * ({@code isUserInRole("")}) for any rule written with an empty role ({@code requireAnyRole("/admin/**", "")}), which
 * the access policy accepted. Such an account is now refused at login and on every request, with a generic answer and
 * the reason in the audit log, and a rule with an empty role stops start-up. Through the real filter on a real Jetty.
 */
class BlankRolesTest {

  @Test
  void accountWithAnEmptyRole_isRefusedAtLogin_withTheReasonInTheAuditOnly() throws Exception {
    ChangedAccounts directory = new ChangedAccounts();
    try (LoginPortal portal = directory.portal()) {
      directory.change("u-alice", u -> u.withRoles(Set.of("PROVIDER", "")));
      directory.change("u-bob", u -> u.withRoles(Set.of(" ")));
      for (String name : new String[] {"alice", "bob"}) {
        Browser b = portal.browser();
        HttpResponse<String> r = b.login(name, name + "-pw", false);
        assertThat(r.headers().firstValue("Location")).as(name).contains("/login?error=1");
        assertThat(r.body()).doesNotContain("BLANK_ROLE");
        assertThat(b.cookies()).as(name).doesNotContainKey(portal.authCookieName());
        assertThat(b.whoami()).as(name).isEqualTo("anonymous");
      }
      var sink = portal.flushedSink();
      for (String handle : new String[] {"u-alice", "u-bob"}) {
        sink.assertOnce(
            AuditEventType.AUTHN_LOGIN_FAIL,
            e -> e.reason().orElse("").equals("BLANK_ROLE")
                && e.actor().map(AuditEvent.Actor::userHandle).orElse("").equals(handle));
      }
    }
  }

  @Test
  void emptyRoleGivenWhileLoggedIn_endsTheLogin_atTheNextRequest() throws Exception {
    ChangedAccounts directory = new ChangedAccounts();
    try (LoginPortal portal = directory.portal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      assertThat(tab.whoami()).isEqualTo("u-alice");

      directory.change("u-alice", u -> u.withRoles(Set.of("PROVIDER", "  ")));

      assertThat(tab.get("/reports/riverside/1").statusCode()).isEqualTo(401);
      assertThat(tab.whoami()).isEqualTo("anonymous");
      portal
          .flushedSink()
          .assertOnce(
              AuditEventType.AUTHN_TOKEN_INVALID,
              e -> e.reason().orElse("").equals("account BLANK_ROLE")
                  && e.actor().map(AuditEvent.Actor::userHandle).orElse("").equals("u-alice"));
    }
  }

  @Test
  void ruleOrCrossOrganisationRoleWithAnEmptyRole_stopsStartUp() {
    for (String empty : new String[] {"", " ", "\t"}) {
      assertThatThrownBy(() -> LoginPortal.withDefaultAccess((p, filter) -> filter.access(
              AccessPolicy.builder()
                  .permitAll("/login", "/terms")
                  .requireAnyRole("/reports/**", "COUNCIL_OFFICER", empty)
                  .build(),
              "/login")))
          .as("role '%s'", empty)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("requireAnyRole for /reports/** names an empty role: give role names such as"
              + " ADMIN, without empty entries");
      assertThatThrownBy(() -> new OrganisationScope(Set.of("COUNCIL_OFFICER", empty)))
          .as("role '%s'", empty)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a cross-organisation role is empty");
    }
    assertThatThrownBy(() -> AccessPolicy.builder().requireAnyRole("/admin/**", (String) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names an empty role");
  }
}
