package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.LoginThrottle;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression, attack "the login limit can be raced": the limit was checked before the password check and the failure
 * counted after it, so every attempt that arrived while earlier ones were still being checked got its own password
 * check (200 concurrent wrong passwords for one account got 184 checks against a limit of 100). Each attempt now
 * reserves its slot before the password is checked. Over real HTTP, through a trusted proxy, with a directory whose
 * password check takes {@link ProxiedLogins#CHECK_TIME}.
 */
class LoginLimitRaceTest {
  private static final int ATTEMPTS = 1_000;
  private ProxiedLogins portal;

  @AfterEach
  void stop() throws Exception {
    if (portal != null) {
      portal.close();
    }
  }

  private void start(Function<LoginPortal, LoginThrottle> throttle) throws Exception {
    portal = new ProxiedLogins(throttle);
  }

  @Test
  void
      aThousandConcurrentWrongPasswordsForOneAccount_fromAThousandAddresses_getAtMostOneHundredPasswordChecks()
          throws Exception {
    start(p -> LoginThrottle.builder(p.clock).random(p.random).build());
    Browser attacker = portal.loginPage();
    List<HttpResponse<String>> responses = portal.concurrently(
        attacker,
        ATTEMPTS,
        100,
        i -> ProxiedLogins.loginPost(
            attacker, "10.1." + (i / 250) + "." + (i % 250 + 1), "alice", "guess-" + i));

    int checks = portal.users.passwordChecks();
    System.out.printf(
        "login race, one account: %d concurrent wrong passwords -> %d password checks"
            + " (at most %d at once)%n",
        ATTEMPTS, checks, portal.users.mostConcurrentChecks());
    assertThat(responses).allSatisfy(r -> {
      assertThat(r.statusCode()).isEqualTo(303);
      assertThat(r.headers().firstValue("Location")).contains("/login?error=1");
    });
    assertThat(portal.users.mostConcurrentChecks())
        .as("the attempts overlapped")
        .isGreaterThan(1);
    assertThat(checks).isEqualTo(100);
    var sink = portal.portal.flushedSink();
    assertThat(sink.events())
        .filteredOn(e -> e.type().equals(AuditEventType.AUTHN_LOGIN_FAIL))
        .hasSize(100);
    assertThat(sink.events())
        .filteredOn(e -> e.type().equals(AuditEventType.AUTHN_LOGIN_LOCK))
        .hasSize(ATTEMPTS - 100);

    // The limit holds afterwards, even for the right password from a new address, without a
    // password check...
    portal.users.reset();
    Browser late = portal.portal.browser();
    assertThat(ProxiedLogins.login(late, "192.0.2.200", "alice", "alice-pw")
            .headers()
            .firstValue("Location"))
        .contains("/login?error=1");
    assertThat(late.whoami()).isEqualTo("anonymous");
    assertThat(portal.users.passwordChecks()).isZero();
    // ...and only for that account.
    Browser bob = portal.portal.browser();
    ProxiedLogins.login(bob, "192.0.2.201", "bob", "bob-pw");
    assertThat(bob.whoami()).isEqualTo("u-bob");
  }

  @Test
  void
      aThousandConcurrentWrongPasswordsFromOneAddress_overManyAccounts_getAtMostTheAddressLimitOfPasswordChecks()
          throws Exception {
    start(p -> LoginThrottle.builder(p.clock)
        .random(p.random)
        .maxFailuresPerAddress(100)
        .build());
    Browser attacker = portal.loginPage();
    String address = "203.0.113.66";
    List<HttpResponse<String>> responses = portal.concurrently(
        attacker,
        ATTEMPTS,
        100,
        i -> ProxiedLogins.loginPost(attacker, address, "user-" + i, "guess-" + i));

    int checks = portal.users.passwordChecks();
    System.out.printf(
        "login race, one address: %d concurrent wrong passwords -> %d password checks"
            + " (at most %d at once)%n",
        ATTEMPTS, checks, portal.users.mostConcurrentChecks());
    assertThat(responses)
        .allSatisfy(r -> assertThat(r.headers().firstValue("Location")).contains("/login?error=1"));
    assertThat(portal.users.mostConcurrentChecks())
        .as("the attempts overlapped")
        .isGreaterThan(1);
    assertThat(checks).isEqualTo(100);
    var sink = portal.portal.flushedSink();
    // One address, nobody logged in: the audit log writes that address's share of each event type
    // and counts the rest as withheld.
    int share = 60;
    assertThat(sink.events())
        .filteredOn(e -> e.type().equals(AuditEventType.AUTHN_LOGIN_LOCK))
        .hasSize(share)
        .allSatisfy(e -> assertThat(e.clientAddress()).contains(address));
    assertThat(portal.portal.audit.stats().withheld())
        .as("login failures and refusals past the address's share")
        .isEqualTo((100 - share) + (ATTEMPTS - 100 - share));

    // The address is held back for every account, without a password check; other addresses are
    // not.
    portal.users.reset();
    Browser same = portal.portal.browser();
    ProxiedLogins.login(same, address, "alice", "alice-pw");
    assertThat(same.whoami()).isEqualTo("anonymous");
    assertThat(portal.users.passwordChecks()).isZero();
    Browser elsewhere = portal.portal.browser();
    ProxiedLogins.login(elsewhere, "203.0.113.67", "alice", "alice-pw");
    assertThat(elsewhere.whoami()).isEqualTo("u-alice");
    assertThat(portal.portal.flushedSink().events())
        .filteredOn(e -> e.type().equals(AuditEventType.AUTHN_LOGIN_SUCCESS))
        .singleElement()
        .satisfies(
            e -> assertThat(e.actor().map(AuditEvent.Actor::userHandle)).contains("u-alice"));
  }
}
