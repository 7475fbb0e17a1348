package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionAndRevocationLookup} must do: give the answers of the two calls it replaces,
 * {@link SessionStore#load} and {@link RevocationStore#isRevoked}, on the same data. A backend's test extends this
 * and supplies a session store and a revocation store of one backend ({@link #createStores}), says whether the
 * backend offers its own one-call lookup for them, and, when it can, makes the backend stop answering.
 */
public abstract class SessionAndRevocationLookupContract {
  protected static final Duration IDLE = Duration.ofMinutes(30);
  protected static final Duration ABSOLUTE = Duration.ofHours(8);
  protected static final SessionConfig CONFIG = SessionConfig.builder()
      .idleTimeout(IDLE)
      .absoluteTimeout(ABSOLUTE)
      .maxSessions(10_000)
      .build();
  private static final SecureRandom RANDOM = new SecureRandom();

  protected final MutableClock clock = MutableClock.startingAt2026();
  private Stores stores;
  private SessionAndRevocationLookup lookup;

  /** A session store and a revocation store of one backend, and what closes them. */
  public record Stores(SessionStore sessions, RevocationStore revocations, AutoCloseable closer) {}

  /** New, empty stores of the backend for {@code config}, reading time from {@code clock}. */
  protected abstract Stores createStores(SessionConfig config, InstantSource clock);

  /** Whether the session store offers its own one-call lookup with this revocation store. */
  protected abstract boolean answersInOneCall();

  /** Makes the backend stop answering; false when it cannot (an in-memory store), and the outage test is skipped. */
  protected abstract boolean stopAnswering() throws Exception;

  @BeforeEach
  void createStoresUnderTest() {
    stores = createStores(CONFIG, clock);
    lookup = SessionAndRevocationLookup.of(stores.sessions(), stores.revocations());
  }

  @AfterEach
  void closeStoresUnderTest() throws Exception {
    stores.closer().close();
  }

  private SessionKey storedSession(String user) {
    SessionKey key = SessionIdFormat.BASE64URL.generate(RANDOM).storeKey();
    assertThat(stores
            .sessions()
            .save(key, new SessionChanges(true, true, user, Map.of("theme", "dark"), Set.of())))
        .isTrue();
    return key;
  }

  /** The two separate calls, as the request made them before. */
  private SessionAndRevocationLookup.Result separately(
      SessionKey key, String ticketId, String user, Instant issuedAt) {
    Optional<SessionRecord> session = stores.sessions().load(key);
    if (session.isEmpty()) {
      return SessionAndRevocationLookup.Result.NO_SESSION;
    }
    return new SessionAndRevocationLookup.Result(
        session,
        stores.revocations().isRevoked(ticketId, user, issuedAt)
            ? SessionAndRevocationLookup.Revocation.REVOKED
            : SessionAndRevocationLookup.Revocation.NOT_REVOKED);
  }

  private static void assertSameAnswer(
      SessionAndRevocationLookup.Result combined, SessionAndRevocationLookup.Result separate) {
    assertThat(combined.revocation()).isEqualTo(separate.revocation());
    assertThat(combined.session().isPresent()).isEqualTo(separate.session().isPresent());
    if (combined.session().isPresent()) {
      SessionRecord a = combined.session().get();
      SessionRecord b = separate.session().get();
      assertThat(a.created()).isEqualTo(b.created());
      assertThat(a.lastAccess()).isEqualTo(b.lastAccess());
      assertThat(a.userHandle()).isEqualTo(b.userHandle());
      assertThat(a.attributes()).isEqualTo(b.attributes());
    }
  }

  @Test
  void offersItsOwnLookup_onlyForARevocationStoreOfTheSameBackend() {
    assertThat(stores.sessions().withRevocations(stores.revocations()).isPresent())
        .isEqualTo(answersInOneCall());
    assertThat(stores.sessions().withRevocations(RevocationStore.inMemory(clock)))
        .isEmpty();
  }

  @Test
  void liveSessionAndGoodTicket_sameAnswerAsTheTwoCalls() {
    SessionKey key = storedSession("u-1");
    Instant issuedAt = clock.instant();
    clock.advance(Duration.ofMinutes(1));

    SessionAndRevocationLookup.Result combined = lookup.load(key, "t-1", "u-1", issuedAt);

    assertThat(combined.revocation()).isEqualTo(SessionAndRevocationLookup.Revocation.NOT_REVOKED);
    assertThat(combined.session()).isPresent();
    assertThat(combined.session().get().userHandle()).contains("u-1");
    assertThat(combined.session().get().attributes()).containsEntry("theme", "dark");
    assertThat(combined.session().get().lastAccess()).isEqualTo(clock.instant());
    assertSameAnswer(combined, separately(key, "t-1", "u-1", issuedAt));
  }

  @Test
  void revokedTicket_isRevoked_andAnotherTicketOfTheUserIsNot() {
    SessionKey key = storedSession("u-2");
    Instant issuedAt = clock.instant();
    stores.revocations().revoke("t-revoked", issuedAt.plus(Duration.ofHours(1)));

    SessionAndRevocationLookup.Result revoked = lookup.load(key, "t-revoked", "u-2", issuedAt);
    assertThat(revoked.revocation()).isEqualTo(SessionAndRevocationLookup.Revocation.REVOKED);
    assertThat(revoked.session()).isPresent();
    assertSameAnswer(revoked, separately(key, "t-revoked", "u-2", issuedAt));

    SessionAndRevocationLookup.Result other = lookup.load(key, "t-other", "u-2", issuedAt);
    assertThat(other.revocation()).isEqualTo(SessionAndRevocationLookup.Revocation.NOT_REVOKED);
    assertSameAnswer(other, separately(key, "t-other", "u-2", issuedAt));
  }

  @Test
  void ticketRevocation_isForgottenOnceTheTicketWouldHaveExpired() {
    SessionKey key = storedSession("u-3");
    Instant issuedAt = clock.instant();
    stores.revocations().revoke("t-short", issuedAt.plus(Duration.ofMinutes(10)));
    clock.advance(Duration.ofMinutes(11));

    SessionAndRevocationLookup.Result combined = lookup.load(key, "t-short", "u-3", issuedAt);

    assertThat(combined.revocation()).isEqualTo(SessionAndRevocationLookup.Revocation.NOT_REVOKED);
    assertSameAnswer(combined, separately(key, "t-short", "u-3", issuedAt));
  }

  @Test
  void userRevokedBefore_coversTicketsIssuedUpToTheCutOffOnly() {
    SessionKey key = storedSession("u-4");
    Instant before = clock.instant();
    clock.advance(Duration.ofMinutes(1));
    Instant cutOff = clock.instant();
    stores.revocations().revokeAllIssuedBefore("u-4", cutOff, cutOff.plus(Duration.ofHours(8)));

    for (Instant issuedAt : new Instant[] {before, cutOff}) {
      SessionAndRevocationLookup.Result combined = lookup.load(key, "t-any", "u-4", issuedAt);
      assertThat(combined.revocation())
          .as("issued at %s", issuedAt)
          .isEqualTo(SessionAndRevocationLookup.Revocation.REVOKED);
      assertSameAnswer(combined, separately(key, "t-any", "u-4", issuedAt));
    }
    SessionAndRevocationLookup.Result after =
        lookup.load(key, "t-new", "u-4", cutOff.plusMillis(1));
    assertThat(after.revocation()).isEqualTo(SessionAndRevocationLookup.Revocation.NOT_REVOKED);
    assertSameAnswer(after, separately(key, "t-new", "u-4", cutOff.plusMillis(1)));
    SessionAndRevocationLookup.Result otherUser = lookup.load(key, "t-any", "u-other", before);
    assertThat(otherUser.revocation()).isEqualTo(SessionAndRevocationLookup.Revocation.NOT_REVOKED);
  }

  @Test
  void missingSession_noSession_noRevocationAnswer() {
    SessionKey unknown = SessionIdFormat.BASE64URL.generate(RANDOM).storeKey();
    stores.revocations().revoke("t-5", clock.instant().plus(Duration.ofHours(1)));

    SessionAndRevocationLookup.Result combined =
        lookup.load(unknown, "t-5", "u-5", clock.instant());

    assertThat(combined.session()).isEmpty();
    assertThat(combined.revocation()).isEqualTo(SessionAndRevocationLookup.Revocation.UNAVAILABLE);
    assertSameAnswer(combined, separately(unknown, "t-5", "u-5", clock.instant()));
  }

  @Test
  void idleSession_isExpired_andAnAccessRestartsTheIdleTimeout() {
    SessionKey key = storedSession("u-6");
    Instant issuedAt = clock.instant();
    clock.advance(IDLE.minusMinutes(1));
    assertThat(lookup.load(key, "t-6", "u-6", issuedAt).session())
        .as("the lookup touches the session, as load does")
        .isPresent();
    clock.advance(IDLE.minusMinutes(1));
    assertThat(lookup.load(key, "t-6", "u-6", issuedAt).session()).isPresent();

    clock.advance(IDLE);
    SessionAndRevocationLookup.Result expired = lookup.load(key, "t-6", "u-6", issuedAt);
    assertThat(expired.session()).isEmpty();
    assertSameAnswer(expired, separately(key, "t-6", "u-6", issuedAt));
  }

  @Test
  void sessionPastItsAbsoluteTimeout_isExpired() {
    SessionKey key = storedSession("u-7");
    Instant issuedAt = clock.instant();
    for (Duration lived = Duration.ZERO;
        lived.compareTo(ABSOLUTE) < 0;
        lived = lived.plus(IDLE.dividedBy(2))) {
      clock.advance(IDLE.dividedBy(2));
      lookup.load(key, "t-7", "u-7", issuedAt);
    }

    SessionAndRevocationLookup.Result expired = lookup.load(key, "t-7", "u-7", issuedAt);
    assertThat(expired.session()).isEmpty();
    assertSameAnswer(expired, separately(key, "t-7", "u-7", issuedAt));
  }

  @Test
  void storeDown_throws_andTheRegistryFailsClosed() throws Exception {
    SessionKey key = storedSession("u-8");
    SessionRegistry registry =
        SessionRegistry.create(CONFIG, stores.sessions(), RANDOM, clock, SessionListener.noop());
    Session session = registry.create();
    session.setUserHandle("u-9");
    assertThat(registry.save(session)).isTrue();
    SessionAndRevocationLookup viaRegistry = registry.lookupWith(stores.revocations());
    assumeTrue(stopAnswering(), "this backend cannot be stopped");

    assertThatThrownBy(() -> lookup.load(key, "t-8", "u-8", clock.instant()))
        .isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> stores.sessions().load(key))
        .as("the separate load fails the same way")
        .isInstanceOf(RuntimeException.class);
    SessionRegistry.Opened opened =
        registry.open(session.id(), viaRegistry, "t-9", "u-9", clock.instant());
    assertThat(opened.session())
        .as("an outage is not an absent session: the cookie is kept")
        .isInstanceOf(SessionLookup.Unavailable.class);
    assertThat(opened.revocation()).isEqualTo(SessionAndRevocationLookup.Revocation.UNAVAILABLE);
  }
}
