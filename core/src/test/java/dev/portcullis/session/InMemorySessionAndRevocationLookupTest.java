package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.testing.UnavailableRevocationStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The lookup contract on the in-memory stores, which answer through {@link SessionAndRevocationLookup#separate}: the
 * two calls, the revocation check only with a session, a revocation store that cannot answer reported as such.
 */
class InMemorySessionAndRevocationLookupTest extends SessionAndRevocationLookupContract {

  @Override
  protected Stores createStores(SessionConfig config, InstantSource clock) {
    return new Stores(
        CaffeineSessionStore.builder(config, clock).build(),
        RevocationStore.inMemory(clock),
        () -> {});
  }

  @Override
  protected boolean answersInOneCall() {
    return false;
  }

  @Override
  protected boolean stopAnswering() {
    return false;
  }

  private SessionKey stored(SessionStore sessions) {
    SessionKey key = SessionIdFormat.BASE64URL.generate(new SecureRandom()).storeKey();
    assertThat(sessions.save(key, new SessionChanges(true, true, "u", Map.of(), Set.of())))
        .isTrue();
    return key;
  }

  @Test
  void revocationStoreDown_isUnavailable_withTheSession() {
    SessionStore sessions = CaffeineSessionStore.builder(CONFIG, clock).build();
    SessionKey key = stored(sessions);
    RevocationStore down = new UnavailableRevocationStore();

    SessionAndRevocationLookup.Result result =
        SessionAndRevocationLookup.of(sessions, down).load(key, "t", "u", clock.instant());

    assertThat(result.session()).isPresent();
    assertThat(result.revocation()).isEqualTo(SessionAndRevocationLookup.Revocation.UNAVAILABLE);
  }

  @Test
  void sessionStoreDown_throws() {
    SessionStore down = new SessionStore() {
      @Override
      public Optional<SessionRecord> load(SessionKey key) {
        throw new StoreUnavailableException("down", null);
      }

      @Override
      public boolean save(SessionKey key, SessionChanges changes) {
        throw new StoreUnavailableException("down", null);
      }

      @Override
      public boolean delete(SessionKey key) {
        throw new StoreUnavailableException("down", null);
      }

      @Override
      public boolean rotate(SessionKey from, SessionKey to) {
        throw new StoreUnavailableException("down", null);
      }

      @Override
      public Set<SessionKey> findByUser(String userHandle) {
        throw new StoreUnavailableException("down", null);
      }

      @Override
      public int deleteByUser(String userHandle) {
        throw new StoreUnavailableException("down", null);
      }
    };
    SessionAndRevocationLookup lookup =
        SessionAndRevocationLookup.of(down, RevocationStore.inMemory(clock));

    assertThatThrownBy(() -> lookup.load(
            SessionIdFormat.BASE64URL.generate(new SecureRandom()).storeKey(),
            "t",
            "u",
            clock.instant()))
        .isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void noSession_theRevocationStoreIsNotAsked() {
    int[] asked = {0};
    RevocationStore counting = new RevocationStore() {
      @Override
      public void revoke(String ticketId, Instant expiresAt) {}

      @Override
      public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {}

      @Override
      public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
        asked[0]++;
        return false;
      }
    };
    SessionStore sessions = CaffeineSessionStore.builder(CONFIG, clock).build();
    SessionAndRevocationLookup lookup = SessionAndRevocationLookup.of(sessions, counting);

    SessionAndRevocationLookup.Result result = lookup.load(
        SessionIdFormat.BASE64URL.generate(new SecureRandom()).storeKey(),
        "t",
        "u",
        clock.instant());

    assertThat(result).isEqualTo(SessionAndRevocationLookup.Result.NO_SESSION);
    assertThat(asked[0]).isZero();
    lookup.load(stored(sessions), "t", "u", clock.instant());
    assertThat(asked[0]).isEqualTo(1);
  }
}
