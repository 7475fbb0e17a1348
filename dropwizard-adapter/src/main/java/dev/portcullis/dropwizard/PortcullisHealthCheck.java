package dev.portcullis.dropwizard;

import com.codahale.metrics.health.HealthCheck;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.crypto.KeyInfo;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.internal.KeyAgeText;
import dev.portcullis.login.PendingLogouts;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.internal.PendingLogoutDetails;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Healthy when the session and revocation stores answer, no key of the ring is older than the configured maximum age
 * (rotate: add a key, roll it out, promote it) and every audit sink takes events; the message names the active key
 * and its age. Names key ids, ages and a failing store's exception class, never key material or a session id; the
 * store probes look up a key that cannot exist. With login, every result carries the details {@code pendingLogouts}
 * (logouts a failing store could not finish, pending on this node), {@code pendingLogoutsDropped} (dropped unfinished
 * because the list was full) and, while any is pending, {@code oldestPendingLogoutSeconds}, and the message says how
 * many are pending; they do not change whether the check is healthy, which the probes decide.
 */
final class PortcullisHealthCheck extends HealthCheck {
  private static final SessionKey PROBE_SESSION = SessionKey.fromBytes(new byte[32]);
  private static final String PROBE_TICKET = "00000000000000000000000000000000";

  private final KeyRingSource keys;
  private final Duration maxAge;
  private final AuditLog audit;
  private final SessionStore sessions;
  private final RevocationStore revocations;
  private final InstantSource clock;
  private final Supplier<Optional<PendingLogouts.Stats>> pendingLogouts;

  PortcullisHealthCheck(
      KeyRingSource keys,
      Duration maxAge,
      AuditLog audit,
      SessionStore sessions,
      RevocationStore revocations,
      InstantSource clock) {
    this(keys, maxAge, audit, sessions, revocations, clock, Optional::empty);
  }

  /**
   * @param pendingLogouts the filter's pending logouts, asked at each check; empty without login
   */
  PortcullisHealthCheck(
      KeyRingSource keys,
      Duration maxAge,
      AuditLog audit,
      SessionStore sessions,
      RevocationStore revocations,
      InstantSource clock,
      Supplier<Optional<PendingLogouts.Stats>> pendingLogouts) {
    this.keys = keys;
    this.maxAge = maxAge;
    this.audit = audit;
    this.sessions = sessions;
    this.revocations = revocations;
    this.clock = clock;
    this.pendingLogouts = pendingLogouts;
  }

  @Override
  protected Result check() {
    Optional<PendingLogouts.Stats> pending = pendingLogouts.get();
    Result probed = probe();
    if (pending.isEmpty()) {
      return probed;
    }
    PendingLogouts.Stats p = pending.get();
    ResultBuilder result =
        probed.isHealthy() ? Result.builder().healthy() : Result.builder().unhealthy();
    String message = probed.getMessage();
    if (p.pending() > 0 || p.dropped() > 0) {
      message += "; " + p.pending() + " logout(s) pending"
          + (p.pending() > 0 ? ", the oldest for " + p.oldestWaiting().toSeconds() + " s" : "")
          + ", " + p.dropped() + " dropped unfinished";
    }
    result.withMessage(message);
    PendingLogoutDetails.of(p).forEach(result::withDetail);
    return result.build();
  }

  private Result probe() {
    try {
      sessions.load(PROBE_SESSION);
    } catch (RuntimeException e) {
      return Result.unhealthy("session store unreachable (" + e.getClass().getSimpleName() + ")");
    }
    try {
      revocations.isRevoked(PROBE_TICKET, "portcullis-health-probe", Instant.EPOCH);
    } catch (RuntimeException e) {
      return Result.unhealthy(
          "revocation store unreachable (" + e.getClass().getSimpleName() + ")");
    }
    KeyRing ring = keys.current();
    KeyInfo active = ring.activeKey(); // a key ring always has one; reported so that rotation shows
    List<KeyInfo> old = ring.keysOlderThan(maxAge, clock.instant());
    if (!old.isEmpty()) {
      return Result.unhealthy("keys older than " + KeyAgeText.of(maxAge) + ": "
          + old.stream().map(KeyInfo::idHex).collect(Collectors.joining(", ")));
    }
    AuditLog.Health health = audit.health();
    if (!health.healthy()) {
      return Result.unhealthy(health.failingSinks() + " audit sink(s) failing, "
          + health.keptEvents() + " event(s) kept for them");
    }
    return Result.healthy(
        "active key " + active.idHex() + ", " + active.age(clock.instant()).toDays() + " days old");
  }
}
