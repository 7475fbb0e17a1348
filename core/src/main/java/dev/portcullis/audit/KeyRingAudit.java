package dev.portcullis.audit;

import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.ReloadingKeyRing;
import java.util.Objects;

/**
 * Records each reload of a {@link ReloadingKeyRing}, and each changed file it refused, in an {@link AuditLog} as
 * {@link AuditEventType#KEY_RING_RELOADED}: a success names the new ring's key ids and statuses and the previous
 * ones, a failure the file and the problem. {@link #attach} adds it to a ring and hands back what removes it.
 *
 * <p><b>Security.</b> The events hold key ids, statuses, file names and parse errors; the ring and its loaders never
 * put a secret in any of them.
 */
public final class KeyRingAudit implements ReloadingKeyRing.Listener {
  private static final int MAX_REASON = 500;

  private final AuditLog audit;

  public KeyRingAudit(AuditLog audit) {
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  /** Audits {@code ring}'s reloads into {@code audit} until the returned handle is closed. */
  public static AutoCloseable attach(ReloadingKeyRing ring, AuditLog audit) {
    KeyRingAudit listener = new KeyRingAudit(audit);
    ring.addListener(listener);
    return () -> ring.removeListener(listener);
  }

  @Override
  public void reloaded(KeyRing previous, KeyRing current) {
    audit.emit(audit
        .event(AuditEventType.KEY_RING_RELOADED)
        .reason(brief(current + " (was " + previous + ")"))
        .build());
  }

  @Override
  public void refused(String reason) {
    audit.emit(
        audit.event(AuditEventType.KEY_RING_RELOADED).failure(brief(reason)).build());
  }

  private static String brief(String text) {
    return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON - 3) + "...";
  }
}
