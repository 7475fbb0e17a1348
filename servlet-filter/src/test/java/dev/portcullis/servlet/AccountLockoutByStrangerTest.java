package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.LoginThrottle;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression, attack "anyone can lock any account for an hour": 100 wrong passwords from anywhere used to lock the
 * account for everyone, its owner included. The limit against guessing stays, but an address that has logged in to
 * the account before has a budget of its own, which attempts from elsewhere cannot use up. Over real HTTP, through a
 * trusted proxy.
 */
class AccountLockoutByStrangerTest {
  private static final String OWNER = "198.51.100.20";
  private static final String ATTACKER = "203.0.113.66";
  private static final String NEW_PLACE = "192.0.2.33";
  private ProxiedLogins portal;

  @BeforeEach
  void start() throws Exception {
    portal =
        new ProxiedLogins(p -> LoginThrottle.builder(p.clock).random(p.random).build());
  }

  @AfterEach
  void stop() throws Exception {
    portal.close();
  }

  @Test
  void strangerLocksTheAccount_butTheOwnerStillLogsInFromAnAddressThatLoggedInBefore()
      throws Exception {
    // The owner logged in from home yesterday, then logged out.
    Browser owner = portal.portal.browser();
    ProxiedLogins.login(owner, OWNER, "alice", "alice-pw");
    assertThat(owner.whoami()).isEqualTo("u-alice");
    owner.logout();
    assertThat(owner.whoami()).isEqualTo("anonymous");
    portal.portal.clock.advance(Duration.ofDays(1));

    // A stranger spends the account's whole budget in one burst, and more.
    Browser attacker = portal.loginPage();
    List<HttpResponse<String>> burst = portal.concurrently(
        attacker,
        150,
        100,
        i -> ProxiedLogins.loginPost(attacker, ATTACKER, "alice", "guess-" + i));
    assertThat(burst)
        .allSatisfy(r -> assertThat(r.headers().firstValue("Location")).contains("/login?error=1"));
    assertThat(portal.users.passwordChecks()).isEqualTo(1 + 100);

    // The account is locked against the stranger, even with the right password...
    Browser stranger = portal.portal.browser();
    ProxiedLogins.login(stranger, ATTACKER, "alice", "alice-pw");
    assertThat(stranger.whoami()).isEqualTo("anonymous");
    // ...and against a place the owner never logged in from (a new device has to wait out the
    // window)...
    Browser newPlace = portal.portal.browser();
    ProxiedLogins.login(newPlace, NEW_PLACE, "alice", "alice-pw");
    assertThat(newPlace.whoami()).isEqualTo("anonymous");
    assertThat(portal.users.passwordChecks())
        .as("locked out without a password check")
        .isEqualTo(1 + 100);
    var sink = portal.portal.flushedSink();
    sink.assertOnce(
        AuditEventType.AUTHN_LOGIN_LOCK, e -> e.clientAddress().orElse("").equals(NEW_PLACE));

    // ...but the owner, back home, logs in.
    HttpResponse<String> home = ProxiedLogins.login(owner, OWNER, "alice", "alice-pw");
    assertThat(home.headers().firstValue("Location")).contains("/");
    assertThat(owner.whoami()).isEqualTo("u-alice");
    portal
        .portal
        .flushedSink()
        .assertOnce(
            AuditEventType.AUTHN_LOGIN_SUCCESS,
            e -> e.clientAddress().orElse("").equals(OWNER)
                && e.time().isAfter(portal.portal.clock.instant().minus(Duration.ofHours(1))));
  }

  @Test
  void anAddressThatNeverLoggedIn_getsNoBudgetOfItsOwn_andThePortalSetsNoNewCookie()
      throws Exception {
    Browser attacker = portal.loginPage();
    portal.concurrently(
        attacker, 120, 100, i -> ProxiedLogins.loginPost(attacker, ATTACKER, "alice", "guess"));
    // An address where only wrong passwords were tried is not a known address.
    Browser triedBefore = portal.portal.browser();
    ProxiedLogins.login(triedBefore, NEW_PLACE, "alice", "wrong");
    ProxiedLogins.login(triedBefore, NEW_PLACE, "alice", "alice-pw");
    assertThat(triedBefore.whoami()).isEqualTo("anonymous");

    // Being known is kept on the server: the owner's browser gets the same, session-scoped, cookies
    // as before.
    Browser owner = portal.portal.browser();
    portal.portal.clock.advance(Duration.ofHours(2));
    ProxiedLogins.login(owner, "198.51.100.21", "bob", "bob-pw");
    assertThat(owner.whoami()).isEqualTo("u-bob");
    // (The login also removes the cookie-check cookie, which a logged-in browser does not need.)
    assertThat(owner.setCookieHeaders())
        .filteredOn(h -> !h.contains("=; Max-Age=0;"))
        .isNotEmpty()
        .allSatisfy(h -> assertThat(h.toLowerCase(java.util.Locale.ROOT))
            .doesNotContain("max-age=")
            .doesNotContain("expires="));
  }
}
