package dev.portcullis.login;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.testing.FakeSharedStores;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestKeyRings;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one decision behind "a session store shared between nodes needs a login limit they share", which the servlet
 * entry point and the Spring Boot starter each put in their own words.
 */
class LoginLimitCheckTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final SecureRandom random = new SecureRandom();

  @ParameterizedTest(name = "sessions shared {0}, limit shared {1}, per node accepted {2}: {3}")
  @CsvSource({
    "false, false, false, FINE",
    "false, true,  false, FINE",
    "true,  true,  false, FINE",
    "true,  false, false, REFUSED",
    "false, false, true,  PER_NODE_ACCEPTED",
    "true,  false, true,  PER_NODE_ACCEPTED",
    "false, true,  true,  CONTRADICTION",
    "true,  true,  true,  CONTRADICTION",
  })
  void everyCombination_hasItsOneAnswer(
      boolean sessionsShared,
      boolean limitShared,
      boolean perNodeAccepted,
      LoginLimitCheck expected) {
    assertThat(LoginLimitCheck.of(sessionsShared, limitShared, perNodeAccepted))
        .isEqualTo(expected);
  }

  @Test
  void aLimitInThisNodesMemory_isRefusedBesideSharedSessions_unlessAccepted() {
    PortalLogin login = login(LoginThrottle.builder(clock).random(random).build());

    assertThat(login.loginLimitSharedBetweenNodes()).isFalse();
    assertThat(login.loginLimitCheck(false, false)).isEqualTo(LoginLimitCheck.FINE);
    assertThat(login.loginLimitCheck(true, false)).isEqualTo(LoginLimitCheck.REFUSED);
    assertThat(login.loginLimitCheck(true, true)).isEqualTo(LoginLimitCheck.PER_NODE_ACCEPTED);
    assertThat(login.loginLimitCheck(false, true)).isEqualTo(LoginLimitCheck.PER_NODE_ACCEPTED);
  }

  @Test
  void theDefaultLimit_isThisNodesOwn() {
    PortalLogin login = valid().build();

    assertThat(login.loginLimitCheck(true, false)).isEqualTo(LoginLimitCheck.REFUSED);
  }

  @Test
  void aLimitTheNodesShare_suitsSharedSessions_andContradictsAcceptingOnePerNode() {
    LoginAttemptStore shared = FakeSharedStores.loginAttempts(LoginAttemptStore.inMemory(clock));
    PortalLogin login = login(LoginThrottle.builder(clock)
        .random(random)
        .store(shared)
        .hashKeyFrom(TestKeyRings.current())
        .build());

    assertThat(login.loginLimitSharedBetweenNodes()).isTrue();
    assertThat(login.loginLimitCheck(true, false)).isEqualTo(LoginLimitCheck.FINE);
    assertThat(login.loginLimitCheck(false, false)).isEqualTo(LoginLimitCheck.FINE);
    assertThat(login.loginLimitCheck(true, true)).isEqualTo(LoginLimitCheck.CONTRADICTION);
    assertThat(login.loginLimitCheck(false, true)).isEqualTo(LoginLimitCheck.CONTRADICTION);
  }

  private PortalLogin login(LoginThrottle throttle) {
    return valid().throttle(throttle).build();
  }

  private PortalLogin.Builder valid() {
    return PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(new InMemoryUserDirectory(PasswordHasher.forTests()))
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(random)
        .termsVersion("t1");
  }
}
