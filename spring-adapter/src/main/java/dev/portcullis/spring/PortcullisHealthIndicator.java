package dev.portcullis.spring;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.crypto.KeyInfo;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.login.PendingLogouts;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.internal.PendingLogoutDetails;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * {@code portcullis} in the health endpoint: DOWN when the session or revocation store cannot answer (requests are
 * then anonymous: fail closed) or an audit sink is not taking events (audited actions are then refused with 503;
 * details {@code auditSinksFailing} and {@code auditEventsKept}); UNKNOWN, with the key ids, when keys are older than
 * {@code portcullis.keys.max-age} (still working, but due for rotation); UP otherwise. With login, the details also say how many logouts a failing
 * store could not finish are pending on this node ({@code pendingLogouts}), how many were dropped unfinished because
 * the list was full ({@code pendingLogoutsDropped}) and, while any is pending, how long the oldest has waited
 * ({@code oldestPendingLogoutSeconds}); they do not change the status, which the store probes decide.
 *
 * <p><b>Security.</b> Details name key ids, statuses and ages, and the failing store's exception class; never a key,
 * a session id or a URI that might hold a password. The store probes look up a key that cannot exist.
 */
final class PortcullisHealthIndicator implements HealthIndicator {
  private static final SessionKey PROBE_SESSION = SessionKey.fromBytes(new byte[32]);
  private static final String PROBE_TICKET = "00000000000000000000000000000000";

  private final KeyRingSource keys;
  private final InstantSource clock;
  private final Duration maxAge;
  private final SessionStore sessions;
  private final RevocationStore revocations;
  private final Supplier<Optional<PendingLogouts.Stats>> pendingLogouts;
  private final AuditLog audit;

  PortcullisHealthIndicator(
      KeyRingSource keys,
      InstantSource clock,
      Duration maxAge,
      SessionStore sessions,
      RevocationStore revocations) {
    this(keys, clock, maxAge, sessions, revocations, Optional::empty, null);
  }

  /**
   * @param pendingLogouts the filter's pending logouts, asked at each check; empty without login
   * @param audit the audit log whose sinks are reported, or null for none
   */
  PortcullisHealthIndicator(
      KeyRingSource keys,
      InstantSource clock,
      Duration maxAge,
      SessionStore sessions,
      RevocationStore revocations,
      Supplier<Optional<PendingLogouts.Stats>> pendingLogouts,
      AuditLog audit) {
    this.keys = keys;
    this.clock = clock;
    this.maxAge = maxAge;
    this.sessions = sessions;
    this.revocations = revocations;
    this.pendingLogouts = pendingLogouts;
    this.audit = audit;
  }

  @Override
  public Health health() {
    Map<String, Object> details = new LinkedHashMap<>();
    boolean down = false;
    if (sessions != null) {
      down |= !probe("sessionStore", details, () -> sessions.load(PROBE_SESSION));
    }
    if (revocations != null) {
      down |= !probe(
          "revocationStore",
          details,
          () -> revocations.isRevoked(PROBE_TICKET, "portcullis-health-probe", Instant.EPOCH));
    }
    if (audit != null) {
      AuditLog.Health auditHealth = audit.health();
      details.put("auditSinksFailing", auditHealth.failingSinks());
      if (!auditHealth.healthy()) {
        details.put("auditEventsKept", auditHealth.keptEvents());
        down = true;
      }
    }
    Instant now = clock.instant();
    KeyRing ring = keys.current();
    details.put("activeKey", ring.activeKey().idHex());
    details.put("keys", ring.keys().size());
    details.put("keyMaxAge", maxAge.toString());
    List<KeyInfo> old = ring.keysOlderThan(maxAge, now);
    if (!old.isEmpty()) {
      details.put("keysDueForRotation", old.stream().map(KeyInfo::idHex).toList());
      details.put(
          "oldestKeyAgeDays",
          old.stream().mapToLong(k -> k.age(now).toDays()).max().orElse(0));
    }
    pendingLogouts.get().ifPresent(pending -> details.putAll(PendingLogoutDetails.of(pending)));
    Status status = down ? Status.DOWN : old.isEmpty() ? Status.UP : Status.UNKNOWN;
    return Health.status(status).withDetails(details).build();
  }

  private static boolean probe(String name, Map<String, Object> details, Runnable call) {
    try {
      call.run();
      details.put(name, "reachable");
      return true;
    } catch (RuntimeException e) {
      details.put(name, "unreachable (" + e.getClass().getSimpleName() + ")");
      return false;
    }
  }
}
