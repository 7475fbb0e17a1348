package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.SessionRegistry;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An administrator changes an account while its user is logged in: the auth ticket names the user only, and every
 * request reads the account from the directory again, so a move to another organisation, a removed role, a disabled
 * account or a terms version to accept again holds from the user's next request on, a renewed ticket included.
 * Through the real filter on a real Jetty.
 */
class AccountChangesWhileLoggedInTest {

  @Test
  void movedToAnotherOrganisation_seesTheNewOrganisationOnly_fromTheNextRequest_renewalIncluded()
      throws Exception {
    ChangedAccounts admin = new ChangedAccounts();
    try (LoginPortal portal = admin.portal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      assertThat(tab.get("/reports/riverside/1").statusCode()).isEqualTo(200);

      admin.change("u-alice", u -> u.withOrganisation("hillview"));

      assertThat(tab.get("/reports/riverside/1").statusCode()).isEqualTo(403);
      assertThat(tab.get("/reports/hillview/1").body()).isEqualTo("report 1 of hillview");
      // Past the ticket's half life (eight hours), with requests inside the idle timeout: the
      // renewed ticket carries no organisation either.
      String before = tab.cookies().toString();
      for (int i = 0; i < 15; i++) {
        portal.clock.advance(Duration.ofMinutes(20));
        assertThat(tab.get("/reports/riverside/1").statusCode()).isEqualTo(403);
      }
      assertThat(tab.cookies().toString()).as("the ticket was renewed").isNotEqualTo(before);
      assertThat(tab.get("/reports/hillview/1").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void removedCrossOrganisationRole_endsTheViewOfOtherOrganisations_atTheNextRequest()
      throws Exception {
    ChangedAccounts admin = new ChangedAccounts();
    try (LoginPortal portal = admin.portal()) {
      Browser first = portal.browser();
      first.login("carol", "carol-pw", false);
      assertThat(first.get("/reports/hillview/7").statusCode()).isEqualTo(200);

      admin.change("u-carol", u -> u.withRoles(Set.of("PROVIDER")));

      assertThat(first.get("/reports/hillview/7").statusCode()).isEqualTo(403);
      assertThat(first.get("/reports/council/7").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void disabledAccount_isAnonymousAtTheNextRequest_andTheRefusalIsAudited() throws Exception {
    ChangedAccounts admin = new ChangedAccounts();
    try (LoginPortal portal = admin.portal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      assertThat(tab.whoami()).isEqualTo("u-alice");

      admin.change("u-alice", u -> u.withEnabled(false));

      assertThat(tab.get("/reports/riverside/1").statusCode()).isEqualTo(401);
      assertThat(tab.whoami()).isEqualTo("anonymous");
      AuditEvent refused = portal
          .flushedSink()
          .assertOnce(
              AuditEventType.AUTHN_TOKEN_INVALID, e -> e.reason().orElse("").contains("DISABLED"));
      assertThat(refused.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
    }
  }

  @Test
  void termsToAcceptAgain_holdTheUserAtTheTermsPage_atTheNextRequest() throws Exception {
    ChangedAccounts admin = new ChangedAccounts();
    try (LoginPortal portal = admin.portal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      assertThat(tab.get("/reports/riverside/1").statusCode()).isEqualTo(200);

      admin.change("u-alice", u -> u.withAcceptedTerms("2025-01"));

      var held = tab.get("/reports/riverside/1");
      assertThat(held.statusCode()).isEqualTo(303);
      assertThat(held.headers().firstValue("Location")).hasValue("/terms");
    }
  }

  @Test
  void removedAccount_isAnonymousInEveryBrowser_atTheNextRequest_withTheReasonInTheAuditOnly()
      throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser first = portal.browser();
      Browser second = portal.browser();
      first.login("alice", "alice-pw", false);
      second.login("alice", "alice-pw", false);
      assertThat(second.whoami()).isEqualTo("u-alice");

      assertThat(portal.users.remove("u-alice")).isTrue();

      for (Browser b : new Browser[] {first, second}) {
        var refused = b.get("/reports/riverside/1");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain("no longer exists");
        assertThat(refused.headers().allValues("Set-Cookie"))
            .as("the auth cookie is expired in the browser")
            .anySatisfy(c -> assertThat(c).startsWith(portal.authCookieName() + "=;"));
        assertThat(b.whoami()).isEqualTo("anonymous");
      }
      assertThat(first.login("alice", "alice-pw", false).headers().firstValue("Location"))
          .as("the removed account logs in no more")
          .hasValueSatisfying(l -> assertThat(l).startsWith("/login?error"));
      assertThat(portal.flushedSink().events())
          .filteredOn(e -> e.type() == AuditEventType.AUTHN_TOKEN_INVALID
              && e.reason().orElse("").equals("user no longer exists"))
          .as("one refusal per browser, each naming the account")
          .hasSize(2)
          .allSatisfy(
              e -> assertThat(e.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice"));
    }
  }

  @Test
  void emailOrNameRemoved_endsTheLogin_atTheNextRequest() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      Browser bob = portal.browser();
      alice.login("alice", "alice-pw", false);
      bob.login("bob", "bob-pw", false);

      portal.users.update("u-alice", u -> u.withEmail(" "));
      portal.users.update("u-bob", u -> u.withDisplayName(""));

      assertThat(alice.whoami()).isEqualTo("anonymous");
      assertThat(bob.whoami()).isEqualTo("anonymous");
      var sink = portal.flushedSink();
      sink.assertOnce(
          AuditEventType.AUTHN_TOKEN_INVALID,
          e -> e.reason().orElse("").equals("account MISSING_EMAIL"));
      sink.assertOnce(
          AuditEventType.AUTHN_TOKEN_INVALID,
          e -> e.reason().orElse("").equals("account MISSING_NAME"));
    }
  }

  @Test
  void anotherUsersLogin_inTheBrowserOfADisabledAccount_getsNoneOfItsSessionData()
      throws Exception {
    ChangedAccounts admin = new ChangedAccounts();
    try (LoginPortal portal = admin.portal()) {
      Browser shared = portal.browser();
      shared.login("alice", "alice-pw", false);
      assertThat(shared.get("/note?set=alice-draft").body()).isEqualTo("note=alice-draft");

      admin.change("u-alice", u -> u.withEnabled(false));
      assertThat(shared.whoami()).isEqualTo("anonymous");

      assertThat(shared.login("bob", "bob-pw", false).statusCode()).isEqualTo(303);
      assertThat(shared.whoami()).isEqualTo("u-bob");
      assertThat(shared.get("/note").body())
          .as("bob's login does not inherit the session alice's login left behind")
          .isEqualTo("note=none");
      assertThat(portal.sessionStore.findByUser("u-alice"))
          .as("alice's session ended with bob's login")
          .isEmpty();
    }
  }

  @Test
  void passwordResetByAnAdministrator_endsNoLogin_untilRevokeAllEndsThemEverywhere()
      throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser first = portal.browser();
      Browser second = portal.browser();
      first.login("alice", "alice-pw", false);
      second.login("alice", "alice-pw", false);

      assertThat(portal.users.setPassword("u-alice", "new-pw".toCharArray())).isTrue();
      assertThat(first.whoami())
          .as("a new password by itself ends no login (as documented)")
          .isEqualTo("u-alice");

      portal.login.revokeAll("u-alice");
      assertThat(first.whoami()).as("every ticket issued up to the call").isEqualTo("anonymous");
      portal.sessionStore.deleteByUser("u-alice");
      assertThat(second.whoami()).isEqualTo("anonymous");
      portal.clock.advance(Duration.ofSeconds(1));
      Browser again = portal.browser();
      assertThat(again.login("alice", "alice-pw", false).headers().firstValue("Location"))
          .hasValueSatisfying(l -> assertThat(l).startsWith("/login?error"));
      assertThat(again.login("alice", "new-pw", false).statusCode()).isEqualTo(303);
      assertThat(again.whoami()).as("a login after the cut-off").isEqualTo("u-alice");
      portal
          .flushedSink()
          .assertOnce(
              AuditEventType.AUTHN_TOKEN_REUSE,
              e -> e.actor().map(AuditEvent.Actor::userHandle).orElse("").equals("u-alice"));
    }
  }

  @Test
  void secondNodeOnTheSameStoresAndDirectory_refusesAChangedAccountAndRevokedLogins()
      throws Exception {
    try (LoginPortal first = new LoginPortal();
        LoginPortal second = new LoginPortal((p, filter) -> filter
            .sessions(SessionRegistry.create(
                p.sessionConfig,
                // The first node's stores, directory, keys and clock: a node beside it.
                first.sessionStore,
                p.random,
                first.clock,
                new SessionAudit(p.audit)))
            .login(
                PortalLogin.builder()
                    .keyRing(first.ring)
                    .users(first.users)
                    .revocations(first.revocations)
                    .clock(first.clock)
                    .random(p.random)
                    .termsVersion(LoginPortal.TERMS)
                    .build(),
                p.random))) {
      Browser onFirst = first.browser();
      onFirst.login("carol", "carol-pw", false);
      Browser onSecond = second.browser();
      onSecond.cookies().putAll(onFirst.cookies());
      assertThat(onSecond.get("/reports/hillview/1").statusCode()).isEqualTo(200);

      first.users.update("u-carol", u -> u.withRoles(Set.of("PROVIDER")));
      assertThat(onSecond.get("/reports/hillview/1").statusCode()).isEqualTo(403);
      assertThat(onSecond.whoami()).isEqualTo("u-carol");

      first.login.revokeAll("u-carol");
      assertThat(onSecond.whoami()).isEqualTo("anonymous");
      second
          .flushedSink()
          .assertOnce(
              AuditEventType.AUTHN_TOKEN_REUSE,
              e -> e.actor().map(AuditEvent.Actor::userHandle).orElse("").equals("u-carol"));
    }
  }
}
