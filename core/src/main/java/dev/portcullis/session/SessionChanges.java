package dev.portcullis.session;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one request changed in a session: the attributes it set or removed, a change of user handle, and whether the
 * session is new. A store applies the changes atomically onto what it holds ({@link SessionRecord#apply}), so two
 * parallel requests in one session keep each other's writes; when both touch the same attribute, the later save
 * wins.
 */
public final class SessionChanges {
  private final boolean creates;
  private final boolean userHandleChanged;
  private final String userHandle;
  private final Map<String, Object> puts;
  private final Set<String> removals;

  SessionChanges(
      boolean creates,
      boolean userHandleChanged,
      String userHandle,
      Map<String, Object> puts,
      Set<String> removals) {
    this.creates = creates;
    this.userHandleChanged = userHandleChanged;
    this.userHandle = userHandle;
    this.puts = Collections.unmodifiableMap(new LinkedHashMap<>(puts));
    this.removals = Collections.unmodifiableSet(new LinkedHashSet<>(removals));
  }

  /** True for a session that is not yet in the store: the store creates it, and refuses if the key is taken. */
  public boolean creates() {
    return creates;
  }

  /** True when the request logged a user in or out of this session. */
  public boolean userHandleChanged() {
    return userHandleChanged;
  }

  /** The new user handle when {@link #userHandleChanged()}; empty for a log-out or no change. */
  public Optional<String> userHandle() {
    return Optional.ofNullable(userHandle);
  }

  /** Attributes set by the request, already checked and immutable. */
  public Map<String, Object> puts() {
    return puts;
  }

  /** Attributes removed by the request. */
  public Set<String> removals() {
    return removals;
  }

  /** True when there is nothing to write: the store is left alone. */
  public boolean isEmpty() {
    return !creates && !userHandleChanged && puts.isEmpty() && removals.isEmpty();
  }
}
