package dev.portcullis.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RevocationStore} must do. A store implementation's test extends this and supplies the store and
 * a way to move its clock.
 */
public abstract class RevocationStoreContract {
  protected abstract RevocationStore store();

  protected abstract Instant now();

  /** Moves the store's notion of time forward. */
  protected abstract void advance(Duration by);

  @Test
  void revokedTicket_isRevoked_andOthersAreNot() {
    RevocationStore s = store();
    s.revoke("t-1", now().plus(Duration.ofHours(1)));
    assertThat(s.isRevoked("t-1", "u", now())).isTrue();
    assertThat(s.isRevoked("t-2", "u", now())).isFalse();
  }

  @Test
  void revocation_isForgottenOnceTheTicketWouldHaveExpired() {
    RevocationStore s = store();
    s.revoke("t-exp", now().plus(Duration.ofMinutes(10)));
    advance(Duration.ofMinutes(9));
    assertThat(s.isRevoked("t-exp", "u", now())).isTrue();
    advance(Duration.ofMinutes(2));
    assertThat(s.isRevoked("t-exp", "u", now())).isFalse();
  }

  @Test
  void logOutEverywhere_revokesTicketsIssuedUpToTheCutOffOnly() {
    RevocationStore s = store();
    Instant issuedEarlier = now().minus(Duration.ofMinutes(5));
    Instant cutOff = now();
    s.revokeAllIssuedBefore("u-all", cutOff, now().plus(Duration.ofHours(8)));
    assertThat(s.isRevoked("any", "u-all", issuedEarlier)).isTrue();
    assertThat(s.isRevoked("any", "u-all", cutOff)).isTrue();
    assertThat(s.isRevoked("any", "u-all", cutOff.plusMillis(1))).isFalse();
    assertThat(s.isRevoked("any", "someone-else", issuedEarlier)).isFalse();
  }

  @Test
  void laterCutOff_wins_andAnEarlierOneDoesNotUndoIt() {
    RevocationStore s = store();
    Instant t0 = now();
    s.revokeAllIssuedBefore("u-2", t0.plusSeconds(60), t0.plus(Duration.ofHours(1)));
    s.revokeAllIssuedBefore("u-2", t0, t0.plus(Duration.ofHours(1)));
    assertThat(s.isRevoked("x", "u-2", t0.plusSeconds(30))).isTrue();
  }
}
