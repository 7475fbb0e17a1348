package dev.portcullis.audit;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.SessionAndRevocationLookup;
import dev.portcullis.session.SessionChanges;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionRecord;
import dev.portcullis.session.SessionStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The store decorators of {@link AuditMetrics#counting(SessionStore, MeterRegistry)} and
 * {@link AuditMetrics#counting(RevocationStore, MeterRegistry)}: every call goes to the store unchanged, and a call
 * that throws counts once in {@value AuditMetrics#STORE_ERRORS} before the exception goes on.
 */
final class StoreErrorCounting {
  private StoreErrorCounting() {}

  /** {@code RedisSessionStore} → {@code redis}; a name that is only the suffix (or none) → {@code custom}. */
  static String kind(Object store, String suffix) {
    String name = store.getClass().getSimpleName();
    if (name.endsWith(suffix)) {
      name = name.substring(0, name.length() - suffix.length());
    }
    return name.isEmpty() ? "custom" : name.toLowerCase(Locale.ROOT);
  }

  /**
   * {@code timeout} when the exception or one of its causes is a timeout by name ({@code TimeoutException}, Lettuce's
   * {@code RedisCommandTimeoutException}, JDBC's {@code SQLTimeoutException}), {@code error} otherwise.
   */
  static String errorKind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getClass().getSimpleName().contains("Timeout")) {
        return "timeout";
      }
    }
    return "error";
  }

  private record Counting(String store, MeterRegistry registry) {
    <T> T call(String operation, Supplier<T> call) {
      try {
        return call.get();
      } catch (RuntimeException | Error e) {
        Counter.builder(AuditMetrics.STORE_ERRORS)
            .description("Store calls that threw, by store, operation and kind (error or timeout)")
            .tag("store", store)
            .tag("operation", operation)
            .tag("kind", errorKind(e))
            .register(registry)
            .increment();
        throw e;
      }
    }
  }

  record Sessions(SessionStore target, Counting counting) implements SessionStore {
    Sessions(SessionStore target, MeterRegistry registry) {
      this(target, new Counting(kind(target, "SessionStore"), registry));
    }

    @Override
    public Optional<SessionRecord> load(SessionKey key) {
      return counting.call("load", () -> target.load(key));
    }

    @Override
    public Optional<SessionRecord> peek(SessionKey key) {
      return counting.call("peek", () -> target.peek(key));
    }

    @Override
    public boolean save(SessionKey key, SessionChanges changes) {
      return counting.call("save", () -> target.save(key, changes));
    }

    @Override
    public boolean delete(SessionKey key) {
      return counting.call("delete", () -> target.delete(key));
    }

    @Override
    public boolean rotate(SessionKey from, SessionKey to) {
      return counting.call("rotate", () -> target.rotate(from, to));
    }

    @Override
    public Set<SessionKey> findByUser(String userHandle) {
      return counting.call("find_by_user", () -> target.findByUser(userHandle));
    }

    @Override
    public int deleteByUser(String userHandle) {
      return counting.call("delete_by_user", () -> target.deleteByUser(userHandle));
    }

    /**
     * The store's own one-call lookup, its failures counted as {@code load_with_revocation}: a counted revocation store
     * is unwrapped first, so that a store that answers both at once when both are its own still recognises it.
     */
    @Override
    public Optional<SessionAndRevocationLookup> withRevocations(RevocationStore revocations) {
      RevocationStore inner =
          revocations instanceof Revocations counted ? counted.target() : revocations;
      return target
          .withRevocations(inner)
          .map(lookup -> (key, ticketId, userHandle, issuedAt) -> counting.call(
              "load_with_revocation", () -> lookup.load(key, ticketId, userHandle, issuedAt)));
    }

    /** The counted store's answer; not counted, as it asks the store nothing. */
    @Override
    public boolean sharedBetweenNodes() {
      return target.sharedBetweenNodes();
    }

    @Override
    public String toString() {
      return "AuditMetrics.counting(" + target + ")";
    }
  }

  record Revocations(RevocationStore target, Counting counting) implements RevocationStore {
    Revocations(RevocationStore target, MeterRegistry registry) {
      this(target, new Counting(kind(target, "RevocationStore"), registry));
    }

    @Override
    public void revoke(String ticketId, Instant expiresAt) {
      counting.call("revoke", () -> {
        target.revoke(ticketId, expiresAt);
        return null;
      });
    }

    @Override
    public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
      counting.call("revoke_all_issued_before", () -> {
        target.revokeAllIssuedBefore(userHandle, cutOff, keepUntil);
        return null;
      });
    }

    @Override
    public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
      return counting.call("is_revoked", () -> target.isRevoked(ticketId, userHandle, issuedAt));
    }

    @Override
    public String toString() {
      return "AuditMetrics.counting(" + target + ")";
    }
  }
}
