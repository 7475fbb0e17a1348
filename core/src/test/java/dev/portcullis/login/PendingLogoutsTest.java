package dev.portcullis.login;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.ticket.AuthTicket;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link PendingLogouts}: the bound, the expiry of entries, the back-off and what it refuses meanwhile. */
class PendingLogoutsTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final SecureRandom random = new SecureRandom();
  private final SessionConfig config = SessionConfig.defaults();
  private final CaffeineSessionStore store =
      CaffeineSessionStore.builder(config, clock).executor(Runnable::run).build();
  private final SessionRegistry sessions =
      SessionRegistry.create(config, store, random, clock, SessionListener.noop());
  private final FlakyRevocations revocations = new FlakyRevocations(clock);
  private final RecordingAuditSink sink = new RecordingAuditSink();
  private final AuditLog audit =
      AuditLog.builder().clock(clock).random(random).auditSink(sink).build();
  private int ticketNumber;

  @AfterEach
  void closeAudit() {
    audit.close();
  }

  private PendingLogouts pending(int capacity) {
    return PendingLogouts.create(revocations, sessions, clock, audit, capacity);
  }

  /** A ticket of {@code user} issued now, expiring after {@code lifetime}. */
  private AuthTicket ticket(String user, Duration lifetime) {
    byte[] id = new byte[AuthTicket.ID_LENGTH];
    id[0] = (byte) ++ticketNumber;
    Instant now = clock.instant();
    return new AuthTicket(
        id, user, "", now, now.plus(lifetime), now, new byte[AuthTicket.BINDING_LENGTH]);
  }

  private static PendingLogouts.Entry logout(AuthTicket ticket, SessionKey session) {
    return new PendingLogouts.Entry(ticket, null, null, session);
  }

  private RecordingAuditSink flushed() throws InterruptedException {
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    return sink;
  }

  @Test
  void full_dropsTheOldestEntry_countsIt_andAuditsIt() throws Exception {
    revocations.down = true;
    try (PendingLogouts pending = pending(2)) {
      AuthTicket first = ticket("u-1", Duration.ofHours(1));
      AuthTicket second = ticket("u-2", Duration.ofHours(1));
      AuthTicket third = ticket("u-3", Duration.ofHours(1));
      assertThat(pending.keep(logout(first, null))).isTrue();
      assertThat(pending.keep(logout(second, null))).isTrue();
      assertThat(pending.dropped()).isZero();

      assertThat(pending.keep(logout(third, null))).isTrue();

      assertThat(pending.size()).isEqualTo(2);
      assertThat(pending.dropped()).isEqualTo(1);
      assertThat(pending.holds(first)).as("the oldest is dropped").isFalse();
      assertThat(pending.holds(second)).isTrue();
      assertThat(pending.holds(third)).isTrue();
      AuditEvent dropped = flushed().assertOnce(AuditEventType.LOGOUT);
      assertThat(dropped.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(dropped.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-1");
      assertThat(dropped.reason())
          .hasValueSatisfying(r -> assertThat(r).startsWith("pending logout dropped: 2 logouts"));
    }
  }

  @Test
  void stats_sayHowManyArePending_dropped_andHowLongTheOldestHasWaited() {
    revocations.down = true;
    try (PendingLogouts pending = pending(2)) {
      assertThat(pending.stats()).isEqualTo(new PendingLogouts.Stats(0, 0, 2, Duration.ZERO));
      pending.keep(logout(ticket("u-1", Duration.ofHours(1)), null));
      clock.advance(Duration.ofSeconds(30));
      pending.keep(logout(ticket("u-2", Duration.ofHours(1)), null));
      clock.advance(Duration.ofSeconds(12));
      assertThat(pending.stats())
          .isEqualTo(new PendingLogouts.Stats(2, 0, 2, Duration.ofSeconds(42)));

      pending.keep(logout(ticket("u-3", Duration.ofHours(1)), null));
      assertThat(pending.stats())
          .as("the oldest dropped: the next oldest is the one that has waited longest")
          .isEqualTo(new PendingLogouts.Stats(2, 1, 2, Duration.ofSeconds(12)));

      revocations.down = false;
      clock.advance(Duration.ofSeconds(2));
      pending.retryDue();
      assertThat(pending.stats()).isEqualTo(new PendingLogouts.Stats(0, 1, 2, Duration.ZERO));
    }
  }

  @Test
  void sameTicketTwice_takesOnePlace() {
    revocations.down = true;
    try (PendingLogouts pending = pending(2)) {
      AuthTicket t = ticket("u-1", Duration.ofHours(1));
      pending.keep(logout(t, null));
      pending.keep(logout(t, null));
      assertThat(pending.size()).isEqualTo(1);
      assertThat(pending.dropped()).isZero();
    }
  }

  @Test
  void entryWhoseTicketExpired_isDropped_withoutAnotherStoreCall() throws Exception {
    revocations.down = true;
    try (PendingLogouts pending = pending(10)) {
      AuthTicket t = ticket("u-1", Duration.ofMinutes(1));
      pending.keep(logout(t, null));
      int calls = revocations.calls.get();

      clock.advance(Duration.ofMinutes(1));
      pending.retryDue();

      assertThat(pending.isEmpty()).isTrue();
      assertThat(pending.holds(t)).isFalse();
      assertThat(revocations.calls.get()).as("no store call for a dead ticket").isEqualTo(calls);
      AuditEvent dropped = flushed().assertOnce(AuditEventType.LOGOUT);
      assertThat(dropped.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(dropped.reason())
          .hasValueSatisfying(r -> assertThat(r).contains("auth ticket expired"));
    }
  }

  @Test
  void entryWhoseTicketHasNotExpired_isKept() {
    revocations.down = true;
    try (PendingLogouts pending = pending(10)) {
      AuthTicket t = ticket("u-1", Duration.ofMinutes(10));
      pending.keep(logout(t, null));
      clock.advance(Duration.ofMinutes(9));
      pending.retryDue();
      assertThat(pending.holds(t)).isTrue();
    }
  }

  @Test
  void retry_waitsItsTurnByTheClock_thenFinishes_andAuditsTheCompletion() throws Exception {
    Session session = sessions.create();
    session.setUserHandle("u-1");
    assertThat(sessions.save(session)).isTrue();
    revocations.down = true;
    try (PendingLogouts pending = pending(10)) {
      AuthTicket t = ticket("u-1", Duration.ofHours(1));
      pending.keep(logout(t, session.id().storeKey()));
      assertThat(pending.holdsSession(session.id().storeKey())).isTrue();
      int calls = revocations.calls.get();

      pending.retryDue();
      assertThat(revocations.calls.get()).as("not due yet").isEqualTo(calls);

      clock.advance(PendingLogouts.FIRST_WAIT);
      pending.retryDue();
      assertThat(revocations.calls.get()).as("due: tried, still down").isEqualTo(calls + 1);
      assertThat(store.findByUser("u-1"))
          .as("the session store answered: its part is done")
          .isEmpty();

      revocations.down = false;
      clock.advance(PendingLogouts.FIRST_WAIT);
      pending.retryDue();
      assertThat(revocations.calls.get()).as("the wait has doubled").isEqualTo(calls + 1);
      assertThat(pending.holds(t)).isTrue();

      clock.advance(PendingLogouts.FIRST_WAIT);
      pending.retryDue();
      assertThat(revocations.isRevoked(t.ticketIdHex(), "u-1", t.issuedAt())).isTrue();
      assertThat(pending.isEmpty()).isTrue();
      assertThat(pending.holds(t)).isFalse();
      AuditEvent done = flushed().assertOnce(AuditEventType.LOGOUT);
      assertThat(done.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
      assertThat(done.reason()).hasValue(PendingLogouts.COMPLETED);
      assertThat(done.action()).hasValue("logout");
      assertThat(done.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-1");
    }
  }

  @Test
  void backoff_doubles_upToFiveMinutes() {
    assertThat(PendingLogouts.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(PendingLogouts.backoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(PendingLogouts.backoff(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(PendingLogouts.backoff(9)).isEqualTo(Duration.ofMinutes(4).plusSeconds(16));
    assertThat(PendingLogouts.backoff(10)).isEqualTo(Duration.ofMinutes(5));
    assertThat(PendingLogouts.backoff(1000)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void logoutEverywhere_holdsTheUsersTicketsIssuedUpToTheCutOff_only() {
    revocations.down = true;
    try (PendingLogouts pending = pending(10)) {
      AuthTicket other = ticket("u-1", Duration.ofHours(1));
      AuthTicket asking = ticket("u-1", Duration.ofHours(1));
      AuthTicket someoneElse = ticket("u-2", Duration.ofHours(1));
      Instant cutOff = clock.instant();
      pending.keep(
          new PendingLogouts.Entry(asking, cutOff, cutOff.plus(Duration.ofHours(1)), null));
      clock.advance(Duration.ofSeconds(1));
      AuthTicket later = ticket("u-1", Duration.ofHours(1));

      assertThat(pending.holds(asking)).isTrue();
      assertThat(pending.holds(other)).as("issued before the cut-off").isTrue();
      assertThat(pending.holds(later)).as("a login after the logout").isFalse();
      assertThat(pending.holds(someoneElse)).isFalse();
    }
  }

  @Test
  void close_triesOnceMore_auditsWhatIsLeft_andKeepsNothingMore() throws Exception {
    revocations.down = true;
    PendingLogouts pending = pending(10);
    AuthTicket t = ticket("u-1", Duration.ofHours(1));
    pending.keep(logout(t, null));
    int calls = revocations.calls.get();

    pending.close();

    assertThat(revocations.calls.get()).isEqualTo(calls + 1);
    assertThat(pending.isEmpty()).isTrue();
    assertThat(pending.keep(logout(ticket("u-2", Duration.ofHours(1)), null))).isFalse();
    AuditEvent left = flushed().assertOnce(AuditEventType.LOGOUT);
    assertThat(left.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(left.reason())
        .hasValueSatisfying(r -> assertThat(r).startsWith("pending logout not finished"));
  }

  @Test
  void capacityBelowOne_isRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> pending(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** The in-memory revocation store, which throws while {@link #down}; counts the calls it was asked. */
  private static final class FlakyRevocations implements RevocationStore {
    private final RevocationStore delegate;
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean down;

    FlakyRevocations(MutableClock clock) {
      this.delegate = RevocationStore.inMemory(clock);
    }

    private void answerOrFail() {
      calls.incrementAndGet();
      if (down) {
        throw new StoreUnavailableException("down (test)", null);
      }
    }

    @Override
    public void revoke(String ticketId, Instant expiresAt) {
      answerOrFail();
      delegate.revoke(ticketId, expiresAt);
    }

    @Override
    public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
      answerOrFail();
      delegate.revokeAllIssuedBefore(userHandle, cutOff, keepUntil);
    }

    @Override
    public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
      return delegate.isRevoked(ticketId, userHandle, issuedAt);
    }
  }
}
