package dev.portcullis.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.internal.PerAddressLimit;
import dev.portcullis.internal.Tickers;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session decisions a request needs, over a {@link SessionStore}: find the session a cookie names, make a new
 * one, save what a request changed, give a session a new id, end it. Adapters such as the servlet filter translate
 * their requests into these calls and add nothing.
 *
 * <p><b>Security.</b> A cookie value is checked against the id format before the store is asked. An unknown or expired
 * id never becomes a session id: {@link #create()} always draws a fresh one (no session fixation). Ids come from the
 * injected {@link SecureRandom} and are never logged. A store failure is logged and reads as "no session" (fail
 * closed). New anonymous sessions are stored at most {@link SessionConfig#anonymousSessionsPerAddress()} times per
 * client address and window; past that a session serves its request only ({@link Session#requestScoped()}), so one
 * client cannot fill the store, and the listener hears {@code sessionRefused}. A save the store could not make for an
 * outage does not count, so an outage does not use up the share of every client behind one address (a NAT) for the
 * rest of the window; a store that timed out after writing keeps such a session without a count, but its id never
 * reaches the client, and it ends at the idle timeout.
 *
 * <p>A user's sessions can be listed and ended by the user ({@link #activeSessions}, {@link #endSession}): the list
 * shows no session id or store key, only handles that mean something to the listing session alone. The client
 * address and browser family a login recorded ({@link #recordClient}) are personal data; they live in the session, in
 * attributes the application cannot set ({@link #isReserved}), and die with it.
 */
public final class SessionRegistry {
  private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

  /** The session attribute holding the client address recorded at login; reserved. */
  public static final String CLIENT_ADDRESS_ATTRIBUTE = "portcullis.login.address";

  /** The session attribute holding the browser family recorded at login; reserved. */
  public static final String BROWSER_ATTRIBUTE = "portcullis.login.browser";

  /** The length of a session handle's text: 16 bytes of tag in base64url. */
  static final int HANDLE_LENGTH = 22;

  private static final byte[] HANDLE_CONTEXT =
      "portcullis/session-handle\0".getBytes(StandardCharsets.US_ASCII);

  private final SessionConfig config;
  private final SessionStore store;
  /** {@link #store} when it is the in-memory store, which hands a loaded session over without a record; else null. */
  private final CaffeineSessionStore inMemory;

  private final SecureRandom random;
  private final InstantSource clock;
  private final SessionListener listener;
  /**
   * New anonymous sessions per client address ({@link SessionConfig#anonymousSessionsPerAddress()} per
   * {@link SessionConfig#anonymousSessionWindow()}); past that a session serves its request only, and the store's own
   * bound (anonymous sessions go first, logged-in ones never) still holds for a client with very many addresses.
   */
  private final PerAddressLimit anonymousLimit;

  /**
   * How long this node remembers an id that {@link #moveToNewId} moved a session away from ({@link #wasMoved}): long
   * enough for the requests a browser had under way with the old id when the new one was given.
   */
  public static final Duration MOVED_ID_MEMORY = Duration.ofMinutes(1);

  /** The most moved ids remembered at once; past that the oldest are forgotten first. */
  static final long MOVED_IDS_REMEMBERED = 10_000;

  /** The store keys of the ids {@link #moveToNewId} moved sessions away from, for {@link #MOVED_ID_MEMORY}. */
  private final Cache<SessionKey, Boolean> movedIds;

  private SessionRegistry(
      SessionConfig config,
      SessionStore store,
      SecureRandom random,
      InstantSource clock,
      SessionListener listener) {
    this.config = Objects.requireNonNull(config, "config");
    this.store = Objects.requireNonNull(store, "store");
    this.inMemory = store instanceof CaffeineSessionStore caffeine ? caffeine : null;
    this.random = Objects.requireNonNull(random, "random");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listener = SessionListener.guarded(listener);
    this.anonymousLimit = new PerAddressLimit(
        config.anonymousSessionsPerAddress(),
        config.anonymousSessionWindow(),
        config.trackedAddresses(),
        clock);
    this.movedIds = Caffeine.newBuilder()
        .ticker(Tickers.of(clock))
        .expireAfterWrite(MOVED_ID_MEMORY)
        .maximumSize(MOVED_IDS_REMEMBERED)
        .executor(Runnable::run)
        .build();
  }

  /**
   * A registry over {@code store}.
   *
   * @param random the shared CSPRNG that draws session ids
   * @param clock the time source; the store should use the same one
   * @param listener hears {@code session_created} and {@code session_renewed}; called guarded
   */
  public static SessionRegistry create(
      SessionConfig config,
      SessionStore store,
      SecureRandom random,
      InstantSource clock,
      SessionListener listener) {
    return new SessionRegistry(config, store, random, clock, listener);
  }

  public SessionConfig config() {
    return config;
  }

  /** Whether the sessions live in a store that the nodes share ({@link SessionStore#sharedBetweenNodes()}). */
  public boolean sharedBetweenNodes() {
    return store.sharedBetweenNodes();
  }

  /** The session that {@code cookieValue} names; {@code null} or empty means no cookie. */
  public SessionLookup open(String cookieValue) {
    if (cookieValue == null || cookieValue.isEmpty()) {
      return SessionLookup.ABSENT;
    }
    if (!config.idFormat().isWellFormed(cookieValue)) {
      return SessionLookup.MALFORMED;
    }
    return open(new SessionId(cookieValue));
  }

  /**
   * The session with id {@code id} (from {@link #idOf}), as {@link #open(String)} finds it: loaded and marked as
   * accessed, {@link SessionLookup.Absent} when the store holds no live session under it, and
   * {@link SessionLookup.Unavailable} when the store fails (logged).
   */
  public SessionLookup open(SessionId id) {
    return load(id, null, 0);
  }

  /**
   * {@link #open(SessionId)} for a request that has read {@code clock} once already: {@code nowMillis} is that reading,
   * and when {@code clock} is the in-memory store's own clock the store judges the session's timeouts and marks its
   * access at it instead of reading the clock again. Any other store, or a store on another clock, reads its own time
   * as in {@link #open(SessionId)}.
   *
   * @param clock the clock {@code nowMillis} was read from
   * @param nowMillis a reading of {@code clock} taken for the request under way
   */
  public SessionLookup open(SessionId id, InstantSource clock, long nowMillis) {
    return load(id, clock, nowMillis);
  }

  /**
   * Both {@code open(SessionId...)}: the in-memory store at {@code nowMillis} when {@code clock} (null for none) is its
   * clock, at its own reading otherwise; any other store through the SPI.
   */
  private SessionLookup load(SessionId id, InstantSource clock, long nowMillis) {
    Objects.requireNonNull(id, "id");
    try {
      if (inMemory != null) {
        Session session = clock != null && inMemory.usesClock(clock)
            ? inMemory.loadSession(id, nowMillis)
            : inMemory.loadSession(id);
        return session == null ? SessionLookup.ABSENT : new SessionLookup.Found(session);
      }
      return found(id, store.load(id.storeKey()));
    } catch (RuntimeException e) {
      log.warn("session store failed on load; treating the request as having no session", e);
      return SessionLookup.UNAVAILABLE;
    }
  }

  /**
   * The store's own lookup of a session and a ticket's revocation in one round trip
   * ({@link SessionStore#withRevocations}); empty when the store has none for {@code revocations}, and a caller asks
   * {@link #open(SessionId)} and the revocation store apart. Build it once.
   */
  public Optional<SessionAndRevocationLookup> oneCallLookupWith(RevocationStore revocations) {
    return store.withRevocations(Objects.requireNonNull(revocations, "revocations"));
  }

  /** What a store's read of {@code id} found, as a lookup. */
  private static SessionLookup found(SessionId id, Optional<SessionRecord> record) {
    return record.isPresent()
        ? new SessionLookup.Found(Session.loaded(id, record.get()))
        : SessionLookup.ABSENT;
  }

  /**
   * The session with id {@code id} (from {@link #idOf}), as {@link #open(String)} finds it, but read without marking it
   * as accessed ({@link SessionStore#peek}): its idle timeout is not restarted. For checks made on the user's behalf
   * without a request from them, such as the re-check of an open connection, which must not keep a session alive.
   * A store that fails is logged and reads as {@link SessionLookup.Unavailable}.
   */
  public SessionLookup peek(SessionId id) {
    Objects.requireNonNull(id, "id");
    Optional<SessionRecord> record;
    try {
      record = store.peek(id.storeKey());
    } catch (RuntimeException e) {
      log.warn("session store failed on peek; treating the connection as having no session", e);
      return SessionLookup.UNAVAILABLE;
    }
    return found(id, record);
  }

  /**
   * The lookup that answers {@link #open(SessionId, SessionAndRevocationLookup, String, String, Instant)} over this
   * registry's store and {@code revocations}: one round trip when the store offers it for them
   * ({@link SessionStore#withRevocations}), else the two calls. Build it once.
   */
  public SessionAndRevocationLookup lookupWith(RevocationStore revocations) {
    return SessionAndRevocationLookup.of(store, revocations);
  }

  /**
   * The session id in {@code cookieValue}, when it is a well-formed id of this registry's format; null for no cookie
   * ({@code null} or empty) or a malformed one. Nothing is looked up. A request that needs both the id's store key and
   * a lookup (the auth ticket's binding is checked against the key) takes the id from here and hands it to
   * {@link #open(SessionId, SessionAndRevocationLookup, String, String, Instant)}, so the id is hashed once.
   */
  public SessionId idOf(String cookieValue) {
    if (cookieValue == null
        || cookieValue.isEmpty()
        || !config.idFormat().isWellFormed(cookieValue)) {
      return null;
    }
    return new SessionId(cookieValue);
  }

  /**
   * The session with id {@code id} (from {@link #idOf}), as {@link #open(String)} finds it, and with it whether the
   * request's auth ticket ({@code ticketId}, {@code userHandle}, and its {@code authTime} as {@code issuedAt}) is
   * revoked, both through
   * {@code lookup}. Without a session there is no revocation answer
   * ({@link SessionAndRevocationLookup.Revocation#UNAVAILABLE}).
   *
   * <p><b>Security.</b> A lookup that fails is logged and reads as {@link SessionLookup.Unavailable}, as in
   * {@link #open(String)}: the request has no session to bind the ticket to, so it is not authenticated (fail
   * closed), but its cookies are not treated as dead.
   *
   * @param lookup from {@link #lookupWith}
   */
  public Opened open(
      SessionId id,
      SessionAndRevocationLookup lookup,
      String ticketId,
      String userHandle,
      Instant issuedAt) {
    Objects.requireNonNull(id, "id");
    SessionAndRevocationLookup.Result result;
    try {
      result = lookup.load(id.storeKey(), ticketId, userHandle, issuedAt);
    } catch (RuntimeException e) {
      log.warn("session store failed on load; treating the request as having no session", e);
      return new Opened(
          SessionLookup.UNAVAILABLE, SessionAndRevocationLookup.Revocation.UNAVAILABLE);
    }
    if (result.session().isEmpty()) {
      return new Opened(SessionLookup.ABSENT, SessionAndRevocationLookup.Revocation.UNAVAILABLE);
    }
    return new Opened(
        new SessionLookup.Found(Session.loaded(id, result.session().get())), result.revocation());
  }

  /**
   * What {@link #open(SessionId, SessionAndRevocationLookup, String, String, Instant)} found: the session lookup, and
   * the revocation answer for the ticket ({@link SessionAndRevocationLookup.Revocation#UNAVAILABLE} unless a session
   * was found).
   */
  public record Opened(SessionLookup session, SessionAndRevocationLookup.Revocation revocation) {
    public Opened {
      Objects.requireNonNull(session, "session");
      Objects.requireNonNull(revocation, "revocation");
    }
  }

  /** A new session with a fresh id. It reaches the store on the first {@link #save}. */
  public Session create() {
    return Session.fresh(config.idFormat().generate(random), clock.instant());
  }

  /**
   * Writes what the request changed, if anything, for a client whose address is not known: the per-address limit on
   * new anonymous sessions counts every such client as one. Adapters that know the address use
   * {@link #save(Session, String)}.
   */
  public boolean save(Session session) {
    return save(session, null);
  }

  /**
   * Writes what the request changed, if anything. A new session is stored even when empty, unless it is anonymous and
   * {@code clientAddress} has had its share of new anonymous sessions in the window: then it stays
   * {@linkplain Session#requestScoped() request-scoped} (not stored, no cookie; a later save stores it if a login has
   * given it a user). A new anonymous session that the store does not take because it is unavailable
   * ({@link StoreUnavailableException}) is not counted against its address; one it refuses for any other reason
   * (attributes too large, an id taken) is.
   *
   * @param clientAddress the client's address as the adapter resolved it (trusted proxies applied), or null
   * @return false when the store no longer holds the session (it expired or was logged out meanwhile) or failed; the
   *     session is then invalid and its changes are dropped
   */
  public boolean save(Session session, String clientAddress) {
    if (!session.isDirty()) {
      return session.isValid();
    }
    boolean counted = false;
    if (!session.inStore() && session.userHandle().isEmpty()) {
      if (session.requestScoped()) {
        return true;
      }
      counted = anonymousLimit.tryAcquire(clientAddress);
      if (!counted) {
        session.refused();
        listener.sessionRefused(new SessionEvent(
            SessionEvent.Type.REFUSED,
            session.userHandle(),
            clock.instant(),
            SessionEvent.Reason.RATE_LIMITED));
        return true;
      }
    }
    SessionChanges changes = session.changes();
    boolean ok;
    try {
      ok = store.save(session.id().storeKey(), changes);
    } catch (StoreUnavailableException e) {
      log.warn("session store failed on save; the request's session changes are lost", e);
      if (counted) {
        // Nothing was stored: an outage must not use up the share of every client behind the
        // address. Only for the store's outage, which the client cannot cause; a save refused for
        // what the session holds still counts.
        anonymousLimit.giveBack(clientAddress);
      }
      ok = false;
    } catch (RuntimeException e) {
      log.warn("session store failed on save; the request's session changes are lost", e);
      ok = false;
    }
    if (!ok) {
      session.invalidated();
      return false;
    }
    session.saved();
    if (changes.creates()) {
      listener.sessionCreated(event(SessionEvent.Type.CREATED, session));
    }
    return true;
  }

  /**
   * Gives the session a new id; the old one is dead from now on. Call on log-in and privilege change.
   *
   * @throws IllegalStateException when the session is no longer valid, or the store no longer holds it (the session
   *     is then invalid)
   * @throws StoreUnavailableException when the store fails on the rotation (the session is then invalid): an outage,
   *     which a login answers differently from a session that is gone
   */
  public void changeId(Session session) {
    if (!session.isValid()) {
      throw new IllegalStateException("session is no longer valid");
    }
    SessionId next = config.idFormat().generate(random);
    if (session.inStore()) {
      boolean moved;
      try {
        moved = store.rotate(session.id().storeKey(), next.storeKey());
      } catch (RuntimeException e) {
        log.warn("session store failed on rotate", e);
        session.invalidated();
        throw new StoreUnavailableException("session store failed on rotate", e);
      }
      if (!moved) {
        session.invalidated();
        throw new IllegalStateException("session is no longer valid");
      }
      listener.sessionRenewed(event(SessionEvent.Type.RENEWED, session));
    }
    session.newId(next);
  }

  /**
   * Gives the session a new id as {@link #changeId} does, for an application that changes the id of a session in use
   * (after a privilege change, say), and remembers the old id on this node for {@link #MOVED_ID_MEMORY}
   * ({@link #wasMoved}). The old id is dead all the same: nothing loads under it.
   *
   * @throws IllegalStateException as {@link #changeId} does
   * @throws StoreUnavailableException as {@link #changeId} does
   */
  public void moveToNewId(Session session) {
    SessionKey old = session.id().storeKey();
    changeId(session);
    movedIds.put(old, Boolean.TRUE);
  }

  /**
   * Whether {@link #moveToNewId} moved a session away from {@code id} on this node within the last
   * {@link #MOVED_ID_MEMORY}: a request that still carries it was sent by a browser before the answer with the new id
   * arrived, and the browser may hold the new id by now, which an answer that removed the old cookie would remove. A
   * node remembers only its own moves, and forgets the oldest past {@value #MOVED_IDS_REMEMBERED}.
   */
  public boolean wasMoved(SessionId id) {
    return movedIds.getIfPresent(id.storeKey()) != null;
  }

  /**
   * Ends the session in the store; the session object is invalid from now on.
   *
   * @return false when the store failed on the delete (logged): the store's entry then lives until it times out, and a
   *     caller that reports the end (a logout's audit event) must not report success; true otherwise, including for a
   *     session the store never held
   */
  public boolean invalidate(Session session) {
    boolean stored = session.inStore();
    session.invalidated();
    if (stored) {
      try {
        store.delete(session.id().storeKey());
      } catch (RuntimeException e) {
        log.warn("session store failed on delete", e);
        return false;
      }
    }
    return true;
  }

  /**
   * Ends every session of {@code userHandle} ("log out everywhere").
   *
   * @return how many sessions ended
   * @throws RuntimeException when the store fails: the caller must not report success
   */
  public int deleteByUser(String userHandle) {
    return store.deleteByUser(Objects.requireNonNull(userHandle, "userHandle"));
  }

  /**
   * Whether {@code attributeName} is one of the attributes Portcullis keeps in a session for its own decisions (the
   * client and browser recorded at login): adapters refuse them to the application.
   */
  public static boolean isReserved(String attributeName) {
    return CLIENT_ADDRESS_ATTRIBUTE.equals(attributeName)
        || BROWSER_ATTRIBUTE.equals(attributeName);
  }

  /**
   * Records in {@code session} the client address and the browser family of {@code userAgent} (only the family, never
   * the header). Call at login, after the session was given to the user.
   *
   * @param clientAddress the client's address as the adapter resolved it (trusted proxies applied), or null
   * @param userAgent the request's {@code User-Agent} header, or null
   */
  public void recordClient(Session session, String clientAddress, String userAgent) {
    if (clientAddress == null || clientAddress.isEmpty()) {
      session.removeAttribute(CLIENT_ADDRESS_ATTRIBUTE);
    } else {
      session.setAttribute(CLIENT_ADDRESS_ATTRIBUTE, clientAddress);
    }
    session.setAttribute(BROWSER_ATTRIBUTE, BrowserFamily.of(userAgent));
  }

  /**
   * The live sessions of {@code userHandle}, oldest first, read without marking them as accessed
   * ({@link SessionStore#peek}).
   *
   * @throws RuntimeException when the store fails
   */
  public List<StoredSession> sessionsOf(String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    Set<SessionKey> keys = store.findByUser(userHandle);
    List<StoredSession> found = new ArrayList<>(keys.size());
    for (SessionKey key : keys) {
      Optional<SessionRecord> record = store.peek(key);
      if (record.isPresent()
          && record.get().userHandle().filter(userHandle::equals).isPresent()) {
        found.add(new StoredSession(key, record.get()));
      }
    }
    found.sort(Comparator.comparing((StoredSession s) -> s.record().created()));
    return found;
  }

  /**
   * Deletes the session filed under {@code key}. For decisions over a user's sessions ({@link #sessionsOf}).
   *
   * @return whether a live session was removed
   * @throws RuntimeException when the store fails
   */
  public boolean end(SessionKey key) {
    return store.delete(Objects.requireNonNull(key, "key"));
  }

  /**
   * The live sessions of the user {@code current} is logged in as, oldest first, each with a handle that
   * {@link #endSession} accepts from {@code current} only; empty when {@code current} is not logged in.
   *
   * @throws RuntimeException when the store fails
   */
  public List<ActiveSession> activeSessions(Session current) {
    Optional<String> user = current.isValid() ? current.userHandle() : Optional.empty();
    if (user.isEmpty()) {
      return List.of();
    }
    SessionKey own = current.id().storeKey();
    Mac mac = handleMac(current.id());
    List<ActiveSession> list = new ArrayList<>();
    for (StoredSession s : sessionsOf(user.get())) {
      SessionRecord r = s.record();
      Object address = r.attributes().get(CLIENT_ADDRESS_ATTRIBUTE);
      Object browser = r.attributes().get(BROWSER_ATTRIBUTE);
      list.add(new ActiveSession(
          handle(mac, s.key()),
          r.created(),
          r.lastAccess(),
          address instanceof String a ? Optional.of(a) : Optional.empty(),
          browser instanceof String b ? b : BrowserFamily.OTHER,
          s.key().equals(own)));
    }
    return List.copyOf(list);
  }

  /**
   * Ends the session of {@code current}'s user that {@code handle} names, as {@link #activeSessions} listed it for
   * {@code current}. The session is deleted from the store, so its browser is anonymous on its next request.
   *
   * <p><b>Security.</b> Only the user's own live sessions are candidates, and the handle is checked against each in
   * constant time; a forged handle, another user's, one listed for another session, or the asking session's own is
   * refused with the reason. The caller audits the outcome.
   *
   * @throws RuntimeException when the store fails
   */
  public SessionEnd endSession(Session current, String handle) {
    return endSession(current, handle, key -> {});
  }

  /**
   * As {@link #endSession(Session, String)}, and once the session is deleted, hands its store key to {@code ended},
   * for ending at once what that session opened on this node (its WebSockets,
   * {@link dev.portcullis.login.OpenConnections#closeSession}). The key stays inside the server: it never goes to a
   * page, a log line or an audit record.
   *
   * @throws RuntimeException when the session store fails
   */
  public SessionEnd endSession(Session current, String handle, Consumer<SessionKey> ended) {
    Objects.requireNonNull(ended, "ended");
    Optional<String> user = current.isValid() ? current.userHandle() : Optional.empty();
    if (user.isEmpty()) {
      return new SessionEnd.Refused(SessionEnd.Reason.NOT_LOGGED_IN);
    }
    if (handle == null || handle.length() != HANDLE_LENGTH) {
      return new SessionEnd.Refused(SessionEnd.Reason.UNKNOWN_HANDLE);
    }
    byte[] presented = handle.getBytes(StandardCharsets.US_ASCII);
    SessionKey own = current.id().storeKey();
    Mac mac = handleMac(current.id());
    SessionKey match = null;
    for (SessionKey key : store.findByUser(user.get())) {
      byte[] expected = handle(mac, key).getBytes(StandardCharsets.US_ASCII);
      if (MessageDigest.isEqual(expected, presented)) {
        match = key;
      }
    }
    if (match == null) {
      return new SessionEnd.Refused(SessionEnd.Reason.UNKNOWN_HANDLE);
    }
    if (match.equals(own)) {
      return new SessionEnd.Refused(SessionEnd.Reason.CURRENT_SESSION);
    }
    if (!store.delete(match)) {
      return new SessionEnd.Refused(SessionEnd.Reason.UNKNOWN_HANDLE);
    }
    ended.accept(match);
    return new SessionEnd.Ended();
  }

  /** HMAC-SHA256 keyed by the listing session's id: handles mean nothing to any other session. */
  private static Mac handleMac(SessionId id) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(
          new SecretKeySpec(id.cookieValue().getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  private static String handle(Mac mac, SessionKey key) {
    mac.update(HANDLE_CONTEXT);
    byte[] tag = mac.doFinal(key.toBytes());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(tag, 16));
  }

  private SessionEvent event(SessionEvent.Type type, Session session) {
    return new SessionEvent(type, session.userHandle(), clock.instant(), SessionEvent.Reason.NONE);
  }
}
