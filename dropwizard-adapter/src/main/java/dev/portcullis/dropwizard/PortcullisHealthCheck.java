package dev.portcullis.dropwizard;

import com.codahale.metrics.health.HealthCheck;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.crypto.KeyInfo;
import dev.portcullis.crypto.KeyRing;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Healthy when no key of the ring is older than the configured maximum age (rotate: add a key,
 * roll it out, promote it) and every audit sink takes events; the message names the active key and its age. Names key
 * ids and ages, never key material.
 */
final class PortcullisHealthCheck extends HealthCheck {
  private final KeyRing keys;
  private final Duration maxAge;
  private final AuditLog audit;
  private final InstantSource clock;

  PortcullisHealthCheck(KeyRing keys, Duration maxAge, AuditLog audit, InstantSource clock) {
    this.keys = keys;
    this.maxAge = maxAge;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  protected Result check() {
    KeyInfo active = keys.activeKey(); // a key ring always has one; reported so that rotation shows
    List<KeyInfo> old = keys.keysOlderThan(maxAge, clock.instant());
    if (!old.isEmpty()) {
      return Result.unhealthy("keys older than " + maxAge + ": "
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
