package dev.portcullis.login;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditNote;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionChanges;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionLookup;
import dev.portcullis.session.SessionRecord;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestKeyRings;
import dev.portcullis.testing.UnavailableRevocationStore;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link SessionLoginCheck} when a store does not answer: anonymous, but nothing that logs the browser out. */
class SessionLoginCheckTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final SessionConfig config = SessionConfig.defaults();
  private final SwitchableSessionStore store = new SwitchableSessionStore(
      CaffeineSessionStore.builder(config, clock).executor(Runnable::run).build());
  private final SessionRegistry registry =
      SessionRegistry.create(config, store, new SecureRandom(), clock, SessionListener.noop());
  private final InMemoryUserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests())
      .add(
          "alice",
          "a".toCharArray(),
          new PortalUser(
              "u-alice",
              "Alice",
              "alice@example.org",
              Set.of("PROVIDER"),
              "riverside",
              true,
              "t1"));

  private PortalLogin login(RevocationStore revocations) {
    return PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(users)
        .revocations(revocations)
        .clock(clock)
        .random(new SecureRandom())
        .termsVersion("t1")
        .build();
  }

  /** A stored session and an auth cookie bound to it. */
  private String[] loggedIn(PortalLogin login) {
    Session session = registry.create();
    session.setUserHandle("u-alice");
    assertThat(registry.save(session)).isTrue();
    String sid = session.id().cookieValue();
    LoginDecision.Accepted ok = (LoginDecision.Accepted)
        login.passwordLogin("alice", "a".toCharArray(), false, null, new FixedIdSession(sid));
    return new String[] {sid, ok.ticket().cookieValue()};
  }

  @Test
  void sessionStoreDown_sessionUnavailable_andTheAuthCookieIsKept() {
    PortalLogin login = login(RevocationStore.inMemory(clock));
    SessionLoginCheck check = SessionLoginCheck.create(registry, login);
    String[] cookies = loggedIn(login);
    assertThat(check.check(cookies[0], List.of(cookies[1])).auth())
        .isInstanceOf(AuthCheck.Authenticated.class);

    store.down = true;
    SessionLoginCheck.Result result = check.check(cookies[0], List.of(cookies[1]));

    assertThat(result.session()).isInstanceOf(SessionLookup.Unavailable.class);
    AuthCheck.Anonymous anonymous = (AuthCheck.Anonymous) result.auth();
    assertThat(anonymous.storeUnavailable()).isTrue();
    assertThat(anonymous.cookieToClear())
        .as("an outage must not log the browser out")
        .isFalse();

    store.down = false;
    assertThat(check.check(cookies[0], List.of(cookies[1])).auth())
        .as("the same cookies work once the store answers")
        .isInstanceOf(AuthCheck.Authenticated.class);
  }

  @Test
  void openConnection_isClosedWhenTheRevocationStoreDoesNotAnswer_failClosed() {
    AtomicInteger closes = new AtomicInteger();
    boolean[] down = {false};
    RevocationStore memory = RevocationStore.inMemory(clock);
    RevocationStore switchable = new RevocationStore() {
      @Override
      public void revoke(String ticketId, Instant expiresAt) {
        memory.revoke(ticketId, expiresAt);
      }

      @Override
      public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
        memory.revokeAllIssuedBefore(userHandle, cutOff, keepUntil);
      }

      @Override
      public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
        if (down[0]) {
          throw new StoreUnavailableException("down", null);
        }
        return memory.isRevoked(ticketId, userHandle, issuedAt);
      }
    };
    PortalLogin login = login(switchable);
    String[] cookies = loggedIn(login);
    AuthCheck.Authenticated ok = (AuthCheck.Authenticated) SessionLoginCheck.create(registry, login)
        .check(cookies[0], List.of(cookies[1]))
        .auth();
    try (OpenConnections connections = OpenConnections.create(registry, login, null, null)) {
      OpenConnections.Watch watch = connections
          .opening(cookies[0], cookies[1], ok.ticket(), u -> true)
          .watch((code, reason) -> closes.incrementAndGet());
      connections.recheck();
      assertThat(watch.watched()).isTrue();

      down[0] = true;
      connections.recheck();

      assertThat(watch.watched()).isFalse();
      assertThat(closes).hasValue(1);
      assertThat(connections.size()).isZero();
    }
  }

  @Test
  void connectionRecheckInterval_outsideOneSecondToOneHour_isRefusedAtBuild() {
    for (java.time.Duration wrong :
        List.of(java.time.Duration.ofMillis(999), java.time.Duration.ofHours(1).plusMillis(1))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> PortalLogin.builder()
              .keyRing(TestKeyRings.current())
              .users(users)
              .revocations(RevocationStore.inMemory(clock))
              .clock(clock)
              .random(new SecureRandom())
              .termsVersion("t1")
              .connectionRecheckInterval(wrong)
              .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("connectionRecheckInterval must be between 1 second and 1 hour");
    }
  }

  @Test
  void revocationStoreDown_sessionFound_andTheAuthCookieIsKept() {
    RevocationStore down = new UnavailableRevocationStore();
    PortalLogin login = login(down);
    String[] cookies = loggedIn(login);

    SessionLoginCheck.Result result =
        SessionLoginCheck.create(registry, login).check(cookies[0], List.of(cookies[1]));

    assertThat(result.session()).isInstanceOf(SessionLookup.Found.class);
    AuthCheck.Anonymous anonymous = (AuthCheck.Anonymous) result.auth();
    assertThat(anonymous.storeUnavailable()).isTrue();
    assertThat(anonymous.cookieToClear()).isFalse();
    assertThat(anonymous.audit())
        .map(AuditNote::reason)
        .contains(Optional.of("revocation store unavailable"));
  }

  @Test
  void ticketForAnotherSession_isStillRefused_andCleared() {
    PortalLogin login = login(RevocationStore.inMemory(clock));
    String[] cookies = loggedIn(login);
    Session other = registry.create();
    assertThat(registry.save(other)).isTrue();

    AuthCheck.Anonymous anonymous = (AuthCheck.Anonymous) SessionLoginCheck.create(registry, login)
        .check(other.id().cookieValue(), List.of(cookies[1]))
        .auth();

    assertThat(anonymous.storeUnavailable()).isFalse();
    assertThat(anonymous.cookieToClear()).isTrue();
  }

  /**
   * The ticket's expiry and its half-life (whether to renew it) are judged at one reading of the clock: a request reads
   * it once for the login checks, besides what the session store reads for the session's timeouts.
   */
  @Test
  void authenticatedCheck_readsTheLoginClockOnce() {
    AtomicInteger reads = new AtomicInteger();
    Thread test = Thread.currentThread();
    InstantSource counting = () -> {
      // The login limit's cache may tidy up on a pool thread meanwhile: only this thread's
      // reads count.
      if (Thread.currentThread() == test) {
        reads.incrementAndGet();
      }
      return clock.instant();
    };
    PortalLogin login = PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(users)
        .revocations(RevocationStore.inMemory(clock))
        .clock(counting)
        .random(new SecureRandom())
        .termsVersion("t1")
        .build();
    String[] cookies = loggedIn(login);
    SessionLoginCheck check = SessionLoginCheck.create(registry, login);
    reads.set(0);

    AuthCheck auth = check.check(cookies[0], List.of(cookies[1])).auth();

    assertThat(auth).isInstanceOf(AuthCheck.Authenticated.class);
    assertThat(reads).hasValue(1);
  }

  /**
   * On the in-memory session store running on the login's clock, the whole check reads that clock once: the ticket's
   * expiry and half-life, the session's timeouts, its last access and the cache's idle order all use the one reading.
   * The session's timeouts still hold at that reading.
   */
  @Test
  void authenticatedCheck_onTheInMemoryStoreOfTheSameClock_readsTheClockOnce() {
    AtomicInteger reads = new AtomicInteger();
    Thread test = Thread.currentThread();
    InstantSource counting = new InstantSource() {
      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(millis());
      }

      @Override
      public long millis() {
        // Pool threads may tidy a cache meanwhile: only this thread's reads count.
        if (Thread.currentThread() == test) {
          reads.incrementAndGet();
        }
        return clock.millis();
      }
    };
    SessionRegistry inMemory = SessionRegistry.create(
        config,
        CaffeineSessionStore.builder(config, counting).executor(Runnable::run).build(),
        new SecureRandom(),
        counting,
        SessionListener.noop());
    PortalLogin login = PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(users)
        .revocations(RevocationStore.inMemory(clock))
        .clock(counting)
        .random(new SecureRandom())
        .termsVersion("t1")
        .build();
    Session session = inMemory.create();
    session.setUserHandle("u-alice");
    assertThat(inMemory.save(session)).isTrue();
    String sid = session.id().cookieValue();
    String ticket = ((LoginDecision.Accepted)
            login.passwordLogin("alice", "a".toCharArray(), false, null, new FixedIdSession(sid)))
        .ticket()
        .cookieValue();
    SessionLoginCheck check = SessionLoginCheck.create(inMemory, login);
    check.check(sid, ticket); // the first read may set up the cache's per-thread parts
    clock.advance(config.idleTimeout().minusSeconds(1));
    reads.set(0);

    SessionLoginCheck.Result result = check.check(sid, ticket);

    assertThat(result.auth()).isInstanceOf(AuthCheck.Authenticated.class);
    assertThat(result.session()).isInstanceOf(SessionLookup.Found.class);
    assertThat(reads).hasValue(1);

    clock.advance(config.idleTimeout().minusSeconds(1));
    assertThat(check.check(sid, ticket).session())
        .as("the last access moved to the shared reading")
        .isInstanceOf(SessionLookup.Found.class);
    clock.advance(config.idleTimeout());
    assertThat(check.check(sid, ticket).session())
        .as("idle for its whole timeout at the shared reading")
        .isInstanceOf(SessionLookup.Absent.class);
  }

  /**
   * On the in-memory stores the check asks the session store and the revocation store apart, the revocation store
   * from the ticket itself: a revoked ticket and a ticket issued before its user's cut-off are still refused there,
   * and a later ticket of the same user is not.
   */
  @Test
  void inMemoryStores_revokedTicketAndUserCutOff_areRefused_andALaterTicketIsNot() {
    SessionRegistry inMemory = SessionRegistry.create(
        config,
        CaffeineSessionStore.builder(config, clock).executor(Runnable::run).build(),
        new SecureRandom(),
        clock,
        SessionListener.noop());
    RevocationStore revocations = RevocationStore.inMemory(clock);
    PortalLogin login = login(revocations);
    SessionLoginCheck check = SessionLoginCheck.create(inMemory, login);
    Session session = inMemory.create();
    session.setUserHandle("u-alice");
    assertThat(inMemory.save(session)).isTrue();
    String sid = session.id().cookieValue();
    LoginDecision.Accepted first = (LoginDecision.Accepted)
        login.passwordLogin("alice", "a".toCharArray(), false, null, new FixedIdSession(sid));
    assertThat(check.check(sid, List.of(first.ticket().cookieValue())).auth())
        .isInstanceOf(AuthCheck.Authenticated.class);

    revocations.revoke(
        first.ticket().ticket().ticketIdHex(), first.ticket().ticket().expiresAt());
    AuthCheck revoked = check.check(sid, List.of(first.ticket().cookieValue())).auth();
    assertThat(((AuthCheck.Anonymous) revoked).audit())
        .map(AuditNote::reason)
        .contains(Optional.of("revoked auth ticket presented"));

    clock.advance(java.time.Duration.ofSeconds(1));
    LoginDecision.Accepted second = (LoginDecision.Accepted)
        login.passwordLogin("alice", "a".toCharArray(), false, null, new FixedIdSession(sid));
    assertThat(check.check(sid, List.of(second.ticket().cookieValue())).auth())
        .isInstanceOf(AuthCheck.Authenticated.class);
    revocations.revokeAllIssuedBefore(
        "u-alice", second.ticket().ticket().issuedAt(), second.ticket().ticket().expiresAt());
    AuthCheck cutOff = check.check(sid, List.of(second.ticket().cookieValue())).auth();
    assertThat(((AuthCheck.Anonymous) cutOff).audit())
        .map(AuditNote::reason)
        .contains(Optional.of("revoked auth ticket presented"));

    clock.advance(java.time.Duration.ofSeconds(1));
    LoginDecision.Accepted third = (LoginDecision.Accepted)
        login.passwordLogin("alice", "a".toCharArray(), false, null, new FixedIdSession(sid));
    assertThat(check.check(sid, List.of(third.ticket().cookieValue())).auth())
        .isInstanceOf(AuthCheck.Authenticated.class);
  }

  /** The login moves the session to the id of the stored session. */
  private record FixedIdSession(String id) implements LoginSession {
    @Override
    public String rotateTo(String userHandle) {
      return id;
    }

    @Override
    public boolean end() {
      return true;
    }

    @Override
    public void endAllOf(String userHandle) {}
  }

  /** A session store that stops answering while {@link #down} is set. */
  private static final class SwitchableSessionStore implements SessionStore {
    private final SessionStore delegate;
    volatile boolean down;

    SwitchableSessionStore(SessionStore delegate) {
      this.delegate = delegate;
    }

    private void answerOrFail() {
      if (down) {
        throw new StoreUnavailableException("down", null);
      }
    }

    @Override
    public Optional<SessionRecord> load(SessionKey key) {
      answerOrFail();
      return delegate.load(key);
    }

    @Override
    public boolean save(SessionKey key, SessionChanges changes) {
      answerOrFail();
      return delegate.save(key, changes);
    }

    @Override
    public boolean delete(SessionKey key) {
      answerOrFail();
      return delegate.delete(key);
    }

    @Override
    public boolean rotate(SessionKey from, SessionKey to) {
      answerOrFail();
      return delegate.rotate(from, to);
    }

    @Override
    public Set<SessionKey> findByUser(String userHandle) {
      answerOrFail();
      return delegate.findByUser(userHandle);
    }

    @Override
    public int deleteByUser(String userHandle) {
      answerOrFail();
      return delegate.deleteByUser(userHandle);
    }
  }
}
