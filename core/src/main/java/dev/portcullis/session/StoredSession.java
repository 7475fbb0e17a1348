package dev.portcullis.session;

import java.util.Objects;

/**
 * A live session as the store holds it, with the key it is filed under. For the decisions that look at a user's
 * other sessions (the concurrent-session limit); never shown to a client.
 *
 * @param key the store key (not the session id)
 * @param record what the store holds
 */
public record StoredSession(SessionKey key, SessionRecord record) {
  public StoredSession {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(record, "record");
  }
}
