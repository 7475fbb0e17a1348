package dev.portcullis.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.internal.TicketRevocations;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.ticket.AuthTicket;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CaffeineRevocationStoreTest extends RevocationStoreContract {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final RevocationStore store = RevocationStore.inMemory(clock);
  private final SecureRandom random = new SecureRandom();

  @Override
  protected RevocationStore store() {
    return store;
  }

  @Override
  protected Instant now() {
    return clock.instant();
  }

  @Override
  protected void advance(Duration by) {
    clock.advance(by);
  }

  private AuthTicket ticket(String user, Instant issuedAt) {
    byte[] id = new byte[AuthTicket.ID_LENGTH];
    random.nextBytes(id);
    return new AuthTicket(
        id, user, "", issuedAt, issuedAt.plus(Duration.ofHours(1)), issuedAt, new byte[16]);
  }

  @Test
  void keyOfATicketId_hashesAsTheTicketDoes_andOtherKeysAreNotCounted() {
    for (int i = 0; i < 1_000; i++) {
      AuthTicket t = ticket("u", now());
      int expected = t.hashCode() == 0 ? 1 : t.hashCode();
      assertThat(CaffeineRevocationStore.ticketIdHash(t.ticketIdHex())).isEqualTo(expected);
    }
    String hex = ticket("u", now()).ticketIdHex();
    assertThat(CaffeineRevocationStore.ticketIdHash(hex.toUpperCase(java.util.Locale.ROOT)))
        .isZero();
    assertThat(CaffeineRevocationStore.ticketIdHash(hex.substring(1))).isZero();
    assertThat(CaffeineRevocationStore.ticketIdHash("t-1")).isZero();
  }

  @Test
  void ticketCheck_answersAsTheKeyedCheck_forRevokedIdsAndCutOffs() {
    TicketRevocations byTicket = (TicketRevocations) store;
    AuthTicket revoked = ticket("u-1", now());
    AuthTicket other = ticket("u-1", now());
    assertThat(byTicket.isRevoked(revoked)).isFalse();

    store.revoke(revoked.ticketIdHex(), revoked.expiresAt());
    // A second revocation of the same id replaces the entry; the id stays revoked.
    store.revoke(revoked.ticketIdHex(), revoked.expiresAt().plus(Duration.ofHours(1)));
    assertThat(byTicket.isRevoked(revoked)).isTrue();
    assertThat(byTicket.isRevoked(other)).isFalse();

    AuthTicket before = ticket("u-2", now());
    advance(Duration.ofSeconds(1));
    store.revokeAllIssuedBefore("u-2", before.issuedAt(), now().plus(Duration.ofHours(1)));
    store.revokeAllIssuedBefore(
        "u-2", before.issuedAt().minusSeconds(1), now().plus(Duration.ofHours(1)));
    AuthTicket after = ticket("u-2", now());
    assertThat(byTicket.isRevoked(before)).isTrue();
    assertThat(byTicket.isRevoked(after)).isFalse();
    assertThat(byTicket.isRevoked(ticket("u-3", before.issuedAt()))).isFalse();

    // Past the first expiry the replacing revocation still holds; past the second it is gone.
    advance(Duration.ofMinutes(90));
    assertThat(byTicket.isRevoked(revoked)).isTrue();
    advance(Duration.ofHours(1));
    assertThat(byTicket.isRevoked(revoked)).isFalse();
    assertThat(store.isRevoked(revoked.ticketIdHex(), "u-1", revoked.issuedAt()))
        .isFalse();
  }
}
