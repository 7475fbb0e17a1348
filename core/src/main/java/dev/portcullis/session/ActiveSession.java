package dev.portcullis.session;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One of a user's live sessions as the user may see it in a list: when it was created and last used, the client
 * address and browser family recorded at login, and whether it is the session of the request asking.
 *
 * <p><b>Security.</b> {@link #handle()} is not the session id nor its store key: it is a tag of the store key under
 * the asking session's own id, so it means something only to that session ({@link SessionRegistry#endSession}) and
 * nothing to another user, another browser of the same user or a later login. The address and family are personal
 * data, kept only as long as the session lives.
 *
 * @param handle the opaque handle that ends this session through the session that listed it
 * @param created when the session was created
 * @param lastSeen when a request last used the session
 * @param clientAddress the client address at login (after trusted proxies), when known
 * @param browser the browser family at login, such as "Chrome on Windows"; "other" when not recognised
 * @param current whether this is the session of the request that listed it
 */
public record ActiveSession(
    String handle,
    Instant created,
    Instant lastSeen,
    Optional<String> clientAddress,
    String browser,
    boolean current) {
  public ActiveSession {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(lastSeen, "lastSeen");
    Objects.requireNonNull(clientAddress, "clientAddress");
    Objects.requireNonNull(browser, "browser");
  }
}
