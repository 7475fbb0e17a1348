package dev.portcullis.login;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.MutableClock;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoginServiceTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final InMemoryUserDirectory dir = new InMemoryUserDirectory(PasswordHasher.forTests())
      .add(
          "alice",
          "a".toCharArray(),
          user("u-a", "Alice", "alice@example.org", Set.of("PROVIDER"), true, "v1"))
      .add(
          "newbie",
          "n".toCharArray(),
          user("u-n", "New", "new@example.org", Set.of("PROVIDER"), true, ""))
      .add("dave", "d".toCharArray(), user("u-d", "Dave", "", Set.of("PROVIDER"), true, "v1"))
      .add(
          "nameless",
          "x".toCharArray(),
          user("u-x", "", "x@example.org", Set.of("PROVIDER"), true, "v1"))
      .add(
          "roleless", "r".toCharArray(), user("u-r", "Rolf", "r@example.org", Set.of(), true, "v1"))
      .add(
          "eve",
          "e".toCharArray(),
          user("u-e", "Eve", "eve@example.org", Set.of("PROVIDER"), false, "v1"));
  private final LoginThrottle throttle =
      LoginThrottle.builder(clock).random(new SecureRandom()).build();
  private final LoginService service = new LoginService(dir, throttle, "v1");

  static PortalUser user(
      String h, String name, String email, Set<String> roles, boolean enabled, String terms) {
    return new PortalUser(h, name, email, roles, "org", enabled, terms);
  }

  private LoginResult login(String u, String p, boolean terms) {
    return service.login(u, p.toCharArray(), terms, "192.0.2.1");
  }

  private static LoginResult.Reason refused(LoginResult r) {
    assertThat(r).isInstanceOf(LoginResult.Refused.class);
    return ((LoginResult.Refused) r).reason();
  }

  @Test
  void rightPassword_succeeds() {
    assertThat(login("alice", "a", false)).isInstanceOf(LoginResult.Success.class);
  }

  @Test
  void wrongPasswordAndUnknownUser_areTheSameRefusal() {
    assertThat(refused(login("alice", "b", true))).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    assertThat(refused(login("nobody", "a", true))).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    assertThat(((LoginResult.Refused) login("nobody", "a", true)).user()).isEmpty();
  }

  @Test
  void incompleteOrDisabledAccounts_areRefusedWithTheirReason() {
    assertThat(refused(login("dave", "d", true))).isEqualTo(LoginResult.Reason.MISSING_EMAIL);
    assertThat(refused(login("nameless", "x", true))).isEqualTo(LoginResult.Reason.MISSING_NAME);
    assertThat(refused(login("roleless", "r", true))).isEqualTo(LoginResult.Reason.MISSING_ROLE);
    assertThat(refused(login("eve", "e", true))).isEqualTo(LoginResult.Reason.DISABLED);
    assertThat(((LoginResult.Refused) login("dave", "d", true)).user())
        .map(PortalUser::handle)
        .contains("u-d");
  }

  @Test
  void termsNotYetAccepted_mustBeAcceptedOnTheForm_andAreRecorded() {
    assertThat(refused(login("newbie", "n", false)))
        .isEqualTo(LoginResult.Reason.TERMS_NOT_ACCEPTED);
    LoginResult ok = login("newbie", "n", true);
    assertThat(ok).isInstanceOf(LoginResult.Success.class);
    assertThat(((LoginResult.Success) ok).acceptedTermsNow()).isTrue();
    assertThat(dir.findByHandle("u-n")).map(PortalUser::acceptedTermsVersion).contains("v1");
    assertThat(login("newbie", "n", false)).isInstanceOf(LoginResult.Success.class);
  }

  @Test
  void newTermsVersion_promptsAgain() {
    LoginService v2 = new LoginService(dir, throttle, "v2");
    assertThat(v2.login("alice", "a".toCharArray(), false, null))
        .isInstanceOf(LoginResult.Refused.class);
    assertThat(new TermsOfUse(dir, "v2").needsAcceptance(dir.findByHandle("u-a").orElseThrow()))
        .isTrue();
    assertThat(new TermsOfUse(dir, "v1").needsAcceptance(dir.findByHandle("u-a").orElseThrow()))
        .isFalse();
  }

  @Test
  void the101stFailureInAnHour_isRefusedEvenWithTheRightPassword() {
    for (int i = 0; i < 99; i++) {
      assertThat(refused(login("alice", "wrong", true)))
          .isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    }
    clock.advance(Duration.ofMinutes(30));
    assertThat(refused(login("alice", "wrong", true)))
        .isEqualTo(LoginResult.Reason.BAD_CREDENTIALS); // 100th
    assertThat(refused(login("alice", "a", true))).isEqualTo(LoginResult.Reason.THROTTLED);
    assertThat(refused(login("ALICE", "a", true))).isEqualTo(LoginResult.Reason.THROTTLED);
    // Other accounts from another address are unaffected.
    assertThat(service.login("newbie", "n".toCharArray(), true, "198.51.100.7"))
        .isInstanceOf(LoginResult.Success.class);
    // The window slides: once the first 99 failures are an hour old, the account opens again.
    clock.advance(Duration.ofMinutes(30));
    assertThat(login("alice", "a", true)).isInstanceOf(LoginResult.Success.class);
  }

  @Test
  void addressLimit_appliesAcrossAccounts() {
    LoginThrottle strict = LoginThrottle.builder(clock)
        .random(new SecureRandom())
        .maxFailuresPerAddress(3)
        .build();
    LoginService s = new LoginService(dir, strict, "v1");
    for (String u : new String[] {"a1", "a2", "a3"}) {
      s.login(u, "x".toCharArray(), true, "203.0.113.9");
    }
    assertThat(refused(s.login("alice", "a".toCharArray(), true, "203.0.113.9")))
        .isEqualTo(LoginResult.Reason.THROTTLED);
    assertThat(s.login("alice", "a".toCharArray(), true, "203.0.113.10"))
        .isInstanceOf(LoginResult.Success.class);
  }

  @Test
  void throttleBuilder_refusesLimitsAboveAsvs() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LoginThrottle.builder(clock)
            .random(new SecureRandom())
            .maxFailuresPerAccount(101)
            .build())
        .hasMessageContaining("ASVS");
  }
}
