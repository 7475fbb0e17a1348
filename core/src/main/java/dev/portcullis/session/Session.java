package dev.portcullis.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One request's view of a session: what the store held when the request began, plus the changes the request made.
 * Only the changes are saved ({@link SessionRegistry#save}), which is what lets parallel requests in one session keep
 * each other's writes. Thread-safe, for the rare application that touches a session from several threads of one
 * request.
 *
 * <p><b>Security.</b> {@link #id()} is the bearer secret and is opaque; {@link #opaqueId()} is a stable, harmless
 * stand-in for logs and {@code HttpSession.getId()}. Attribute values are checked and copied when set, so nothing but
 * plain values ever reaches a store.
 */
public final class Session {
  // The fields read on every request (id, user handle, validity, store state) are volatile and read
  // without the lock: each of those reads is one field, and an uncontended lock per read costs more
  // than the rest of the session work of a request. Everything that reads or writes several fields
  // together takes the lock.
  private volatile SessionId id;
  // The two times as seconds and nanoseconds, not Instants: a loaded session keeps them for the
  // rare
  // caller that asks, and two Instants a request were a third of a session's allocation.
  private final long createdSecond;
  private final int createdNano;
  private final long lastAccessSecond;
  private final int lastAccessNano;
  /** What the store holds: the record's own immutable map, replaced (never changed) when this session saves. */
  private Map<String, Object> stored;

  // The request's changes; made on the first change (most requests only read).
  private Map<String, Object> puts = Map.of();
  private Set<String> removals = Set.of();
  private volatile String userHandle;
  private boolean userHandleChanged;
  private final boolean isNew;
  private volatile boolean inStore;
  private volatile boolean invalid;
  private volatile boolean requestScoped;
  /**
   * Whether the request changed anything ({@code userHandleChanged}, {@code puts}, {@code removals}): written under
   * the lock after every change, read without it by {@link #isDirty()}, which every request asks once.
   */
  private volatile boolean changed;

  private static final VarHandle ID;
  private static final VarHandle USER_HANDLE;
  private static final VarHandle IN_STORE;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      ID = lookup.findVarHandle(Session.class, "id", SessionId.class);
      USER_HANDLE = lookup.findVarHandle(Session.class, "userHandle", String.class);
      IN_STORE = lookup.findVarHandle(Session.class, "inStore", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Session(
      SessionId id,
      long createdSecond,
      int createdNano,
      long lastAccessSecond,
      int lastAccessNano,
      String userHandle,
      Map<String, Object> stored,
      boolean isNew) {
    // The volatile fields' first values are written plainly, then fenced once, as final fields
    // are: a volatile write costs a full fence each, three a request, and a session reaches
    // other threads only through the request that made it.
    ID.set(this, id);
    this.createdSecond = createdSecond;
    this.createdNano = createdNano;
    this.lastAccessSecond = lastAccessSecond;
    this.lastAccessNano = lastAccessNano;
    this.stored = stored;
    USER_HANDLE.set(this, userHandle);
    this.isNew = isNew;
    IN_STORE.set(this, !isNew);
    VarHandle.releaseFence();
  }

  static Session loaded(SessionId id, SessionRecord record) {
    Instant created = record.created();
    Instant lastAccess = record.lastAccess();
    return new Session(
        id,
        created.getEpochSecond(),
        created.getNano(),
        lastAccess.getEpochSecond(),
        lastAccess.getNano(),
        record.userHandle().orElse(null),
        record.attributes(),
        false);
  }

  /**
   * A stored session from its parts, as a store in this package holds them (times in epoch milliseconds, attributes
   * immutable), without a {@link SessionRecord} between them.
   */
  static Session loaded(
      SessionId id,
      long createdMillis,
      long lastAccessMillis,
      String userHandle,
      Map<String, Object> attributes) {
    return new Session(
        id,
        Math.floorDiv(createdMillis, 1000L),
        (int) Math.floorMod(createdMillis, 1000L) * 1_000_000,
        Math.floorDiv(lastAccessMillis, 1000L),
        (int) Math.floorMod(lastAccessMillis, 1000L) * 1_000_000,
        userHandle,
        attributes,
        false);
  }

  static Session fresh(SessionId id, Instant now) {
    long second = now.getEpochSecond();
    int nano = now.getNano();
    return new Session(id, second, nano, second, nano, null, Map.of(), true);
  }

  /** The session id, for the cookie writer only. */
  public SessionId id() {
    return id;
  }

  /** A stable, non-secret identifier of this session (base64url of its store key); changes when the id does. */
  public String opaqueId() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(id.storeKey().toBytes());
  }

  public Instant created() {
    return Instant.ofEpochSecond(createdSecond, createdNano);
  }

  /** When this request began using the session: its last access as the store recorded it on load. */
  public Instant lastAccess() {
    return Instant.ofEpochSecond(lastAccessSecond, lastAccessNano);
  }

  /** True until the client has sent the session id back: the session was created by this request. */
  public boolean isNew() {
    return isNew;
  }

  /** False once invalidated, or once the store lost it (expired or logged out elsewhere). */
  public boolean isValid() {
    return !invalid;
  }

  /** The attribute's value (immutable), or {@code null}. */
  public synchronized Object getAttribute(String name) {
    checkValid();
    Objects.requireNonNull(name, "name");
    if (!removals.isEmpty() && removals.contains(name)) {
      return null;
    }
    Object v = puts.isEmpty() ? null : puts.get(name);
    return v != null ? v : stored.get(name);
  }

  /**
   * Whether a session keeps values of {@code value}'s type: String, Integer, Long, Boolean, Double, List or Map. The
   * contents of a List or Map are checked by {@link #setAttribute}.
   */
  public static boolean keepsTypeOf(Object value) {
    return AttributeValues.keptType(value);
  }

  /**
   * Sets an attribute; {@code null} removes it. The value is checked and copied now.
   *
   * @throws IllegalArgumentException when the value is not a String, Integer, Long, Boolean, Double, or a List or
   *     Map (String keys) of them
   * @throws IllegalStateException when the session is no longer valid
   */
  public synchronized void setAttribute(String name, Object value) {
    checkValid();
    Objects.requireNonNull(name, "name");
    if (value == null) {
      removeAttribute(name);
      return;
    }
    Object frozen = AttributeValues.freeze(name, value);
    if (!removals.isEmpty()) {
      removals.remove(name);
    }
    if (frozen.equals(stored.get(name))) {
      if (!puts.isEmpty()) {
        puts.remove(name);
      }
    } else {
      if (puts.isEmpty()) {
        puts = new LinkedHashMap<>();
      }
      puts.put(name, frozen);
    }
    noteChanges();
  }

  public synchronized void removeAttribute(String name) {
    checkValid();
    Objects.requireNonNull(name, "name");
    if (!puts.isEmpty()) {
      puts.remove(name);
    }
    if (stored.containsKey(name)) {
      if (removals.isEmpty()) {
        removals = new LinkedHashSet<>();
      }
      removals.add(name);
    }
    noteChanges();
  }

  /** After a change, under the lock: whether saving would now write a change. */
  private void noteChanges() {
    changed = userHandleChanged || !puts.isEmpty() || !removals.isEmpty();
  }

  /** The names of the attributes, as this request sees them. */
  public synchronized Set<String> attributeNames() {
    checkValid();
    Set<String> names = new LinkedHashSet<>(stored.keySet());
    names.removeAll(removals);
    names.addAll(puts.keySet());
    return Collections.unmodifiableSet(names);
  }

  /** The logged-in user's opaque handle, if any. */
  public Optional<String> userHandle() {
    return Optional.ofNullable(userHandle);
  }

  /**
   * Binds the session to a user (log-in) or, with {@code null}, unbinds it. The authentication stage calls this after
   * {@link SessionRegistry#changeId}.
   */
  public synchronized void setUserHandle(String userHandle) {
    checkValid();
    if (!Objects.equals(this.userHandle, userHandle)) {
      this.userHandle = userHandle;
      this.userHandleChanged = true;
      changed = true;
    }
  }

  /**
   * True when saving would write something. Read without the lock (each field it reads is written under it); a change
   * another thread makes at the same moment may or may not be seen, as with the lock.
   */
  public boolean isDirty() {
    return !invalid && (!inStore || changed);
  }

  synchronized SessionChanges changes() {
    return new SessionChanges(!inStore, userHandleChanged, userHandle, puts, removals);
  }

  /** The store holds what {@link #changes()} described: fold the changes in and start afresh. */
  synchronized void saved() {
    if (!puts.isEmpty() || !removals.isEmpty()) {
      Map<String, Object> next = new LinkedHashMap<>(stored);
      next.keySet().removeAll(removals);
      next.putAll(puts);
      stored = next;
    }
    puts = Map.of();
    removals = Set.of();
    userHandleChanged = false;
    changed = false;
    inStore = true;
  }

  boolean inStore() {
    return inStore;
  }

  /**
   * True when this anonymous session was refused a place in the store (its client made too many): it serves its own
   * request and is neither stored nor sent as a cookie, unless a login gives it a user.
   */
  public boolean requestScoped() {
    // Both only ever turn true, so reading them one after the other gives an answer that held at
    // some point between the two reads.
    return requestScoped && !inStore;
  }

  synchronized void refused() {
    requestScoped = true;
  }

  synchronized void newId(SessionId next) {
    this.id = next;
  }

  synchronized void invalidated() {
    invalid = true;
  }

  private void checkValid() {
    if (invalid) {
      throw new IllegalStateException("session is no longer valid");
    }
  }

  @Override
  public String toString() {
    return "Session[" + (invalid ? "invalid" : isNew ? "new" : "loaded") + "]";
  }
}
