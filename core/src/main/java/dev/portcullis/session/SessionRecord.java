package dev.portcullis.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A session as a store holds it: creation and last access time, the user handle once logged in, and the attributes.
 * Immutable; {@link #apply} gives the next version.
 */
public final class SessionRecord {
  private final Instant created;
  private final Instant lastAccess;
  private final String userHandle;
  private final Map<String, Object> attributes;

  private SessionRecord(
      Instant created, Instant lastAccess, String userHandle, Map<String, Object> attributes) {
    this.created = created;
    this.lastAccess = lastAccess;
    this.userHandle = userHandle;
    this.attributes = attributes;
  }

  /**
   * A record read back from a store that keeps the fields apart. The attributes must be immutable values as
   * {@link AttributeCodec#decode} returns them.
   */
  public static SessionRecord of(
      Instant created,
      Instant lastAccess,
      Optional<String> userHandle,
      Map<String, Object> attributes) {
    return new SessionRecord(
        Objects.requireNonNull(created),
        Objects.requireNonNull(lastAccess),
        userHandle.orElse(null),
        Collections.unmodifiableMap(new LinkedHashMap<>(attributes)));
  }

  /** A record from parts that are already immutable; no copy. */
  static SessionRecord trusted(
      Instant created, Instant lastAccess, String userHandle, Map<String, Object> attributes) {
    return new SessionRecord(created, lastAccess, userHandle, attributes);
  }

  /** A new session created at {@code now} with {@code changes} applied. */
  public static SessionRecord create(Instant now, SessionChanges changes) {
    return new SessionRecord(now, now, null, Map.of()).apply(changes, now);
  }

  /**
   * The merge rule: the stored attributes, minus the request's removals, plus its puts; the user handle replaced if
   * the request changed it; last access set to {@code now}. Attributes the request did not touch stay as stored, so
   * a parallel request's writes survive.
   */
  public SessionRecord apply(SessionChanges changes, Instant now) {
    Map<String, Object> next = attributes;
    if (!changes.puts().isEmpty() || !changes.removals().isEmpty()) {
      Map<String, Object> merged = new LinkedHashMap<>(attributes);
      merged.keySet().removeAll(changes.removals());
      merged.putAll(changes.puts());
      next = merged.isEmpty() ? Map.of() : Collections.unmodifiableMap(merged);
    }
    String user = changes.userHandleChanged() ? changes.userHandle().orElse(null) : userHandle;
    return new SessionRecord(created, now, user, next);
  }

  /**
   * True when the session has been idle for {@code idle} or lived for {@code absolute}, at {@code now}. Both limits
   * are inclusive: a session is dead at the exact instant its timeout is reached.
   */
  public boolean isExpiredAt(Instant now, Duration idle, Duration absolute) {
    return !now.isBefore(lastAccess.plus(idle)) || !now.isBefore(created.plus(absolute));
  }

  public Instant created() {
    return created;
  }

  public Instant lastAccess() {
    return lastAccess;
  }

  public Optional<String> userHandle() {
    return Optional.ofNullable(userHandle);
  }

  /** The attributes; immutable, as are the values. */
  public Map<String, Object> attributes() {
    return attributes;
  }

  @Override
  public String toString() {
    return "SessionRecord[created=" + created + ", lastAccess=" + lastAccess + ", attributes="
        + attributes.size() + "]";
  }
}
