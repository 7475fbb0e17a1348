package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.LoginThrottle;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression, found attacking the Spring Boot example's login with many logins at once from one address: the logins
 * refused because the node was checking as many passwords as it may at once ({@code BUSY}) were audited as {@code
 * authn_login_lock}, the type of an account's lock, so a burst of them used up the address's share of that type in the
 * audit log's window, and the account's lock that followed from the same address was withheld: the audit file said
 * nothing of it. They are now {@code authn_login_busy}, with a share of their own. Through the real filter on Jetty,
 * behind a trusted proxy, with one password check at once.
 */
class BusyLoginsHideNoLockTest {
  private static final int ATTEMPTS = 150;
  private static final int SHARE = 60;
  private static final String ADDRESS = "203.0.113.66";

  @Test
  void aBurstOfLoginsRefusedForTheNodesLoad_doesNotHideTheAccountsLock_fromTheSameAddress()
      throws Exception {
    try (ProxiedLogins portal = new ProxiedLogins(
        p -> LoginThrottle.builder(p.clock)
            .random(p.random)
            .maxFailuresPerAccount(1)
            .build(),
        1)) {
      Browser attacker = portal.loginPage();
      // The one place is held by the first check while the burst arrives (until the rest are
      // answered, at most ProxiedLogins.HOLD): the rest wait their second or are refused at once.
      List<HttpResponse<String>> burst = portal.concurrently(
          attacker,
          ATTEMPTS,
          1,
          i -> ProxiedLogins.loginPost(attacker, ADDRESS, "alice", "guess-" + i));

      assertThat(burst)
          .allSatisfy(
              r -> assertThat(r.headers().firstValue("Location")).contains("/login?error=1"));
      assertThat(portal.users.passwordChecks()).as("one place, one check").isEqualTo(1);
      List<AuditEvent> afterBurst = portal.portal.flushedSink().events();
      assertThat(afterBurst)
          .filteredOn(e -> e.reason().orElse("").equals("BUSY"))
          .as("the address's share of busy refusals is written")
          .hasSize(SHARE)
          .allSatisfy(e -> assertThat(e.clientAddress()).contains(ADDRESS));

      // The one wrong password spent alice's budget: the next attempt from the same address, in
      // the same audit window, is an account's lock, and the audit file says so.
      portal.users.reset();
      Browser same = portal.portal.browser();
      ProxiedLogins.login(same, ADDRESS, "alice", "alice-pw");
      assertThat(same.whoami()).isEqualTo("anonymous");
      assertThat(portal.users.passwordChecks()).isZero();
      assertThat(portal.portal.flushedSink().events())
          .filteredOn(e -> e.type().equals(AuditEventType.AUTHN_LOGIN_LOCK)
              && e.reason().orElse("").equals("THROTTLED"))
          .as("the account's lock, audited past the burst of busy refusals")
          .isNotEmpty()
          .allSatisfy(e -> assertThat(e.clientAddress()).contains(ADDRESS));
      assertThat(afterBurst)
          .filteredOn(e -> e.reason().orElse("").equals("BUSY"))
          .allSatisfy(e -> assertThat(e.type()).isEqualTo(AuditEventType.AUTHN_LOGIN_BUSY));
    }
  }
}
