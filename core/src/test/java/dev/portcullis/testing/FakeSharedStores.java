package dev.portcullis.testing;

import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.SessionAndRevocationLookup;
import dev.portcullis.session.SessionChanges;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionRecord;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Stores that answer {@code true} to {@code sharedBetweenNodes()} around in-memory ones, standing in for Redis or
 * PostgreSQL where a test needs no server: the "nodes" of such a test run in one JVM and share the instance, so the
 * answer is true there. Every call goes to the wrapped store unchanged.
 *
 * <pre>{@code
 * Portcullis.builder()....sessionStore(FakeSharedStores.sessions(caffeine))
 *     .loginAttemptStore(FakeSharedStores.loginAttempts(LoginAttemptStore.inMemory(clock)))
 * }</pre>
 */
public final class FakeSharedStores {
  private FakeSharedStores() {}

  /** {@code store}, reporting that nodes share it. */
  public static SessionStore sessions(SessionStore store) {
    return new Sessions(store);
  }

  /** {@code store}, reporting that nodes share it. */
  public static LoginAttemptStore loginAttempts(LoginAttemptStore store) {
    return new LoginAttempts(store);
  }

  /** {@code store}, reporting that nodes share it. */
  public static ReplayStore replay(ReplayStore store) {
    return new Replay(store);
  }

  /** {@code store}, reporting that nodes share it. */
  public static AccountLinkStore links(AccountLinkStore store) {
    return new Links(store);
  }

  private record Sessions(SessionStore store) implements SessionStore {
    @Override
    public Optional<SessionRecord> load(SessionKey key) {
      return store.load(key);
    }

    @Override
    public Optional<SessionRecord> peek(SessionKey key) {
      return store.peek(key);
    }

    @Override
    public boolean save(SessionKey key, SessionChanges changes) {
      return store.save(key, changes);
    }

    @Override
    public boolean delete(SessionKey key) {
      return store.delete(key);
    }

    @Override
    public boolean rotate(SessionKey from, SessionKey to) {
      return store.rotate(from, to);
    }

    @Override
    public Set<SessionKey> findByUser(String userHandle) {
      return store.findByUser(userHandle);
    }

    @Override
    public int deleteByUser(String userHandle) {
      return store.deleteByUser(userHandle);
    }

    @Override
    public Optional<SessionAndRevocationLookup> withRevocations(RevocationStore revocations) {
      return store.withRevocations(revocations);
    }

    @Override
    public boolean sharedBetweenNodes() {
      return true;
    }
  }

  private record LoginAttempts(LoginAttemptStore store) implements LoginAttemptStore {
    @Override
    public boolean reserve(String key, long attemptId, int limit, Duration window) {
      return store.reserve(key, attemptId, limit, window);
    }

    @Override
    public void release(String key, long attemptId) {
      store.release(key, attemptId);
    }

    @Override
    public void rememberAddress(String key, Duration keepFor) {
      store.rememberAddress(key, keepFor);
    }

    @Override
    public boolean isKnownAddress(String key) {
      return store.isKnownAddress(key);
    }

    @Override
    public boolean sharedBetweenNodes() {
      return true;
    }
  }

  private record Replay(ReplayStore store) implements ReplayStore {
    @Override
    public boolean markUsed(String tokenId, Instant keepUntil) {
      return store.markUsed(tokenId, keepUntil);
    }

    @Override
    public boolean giveBack(String tokenId) {
      return store.giveBack(tokenId);
    }

    @Override
    public boolean sharedBetweenNodes() {
      return true;
    }
  }

  private record Links(AccountLinkStore store) implements AccountLinkStore {
    @Override
    public LinkResult link(String issuer, String subject, String userHandle) {
      return store.link(issuer, subject, userHandle);
    }

    @Override
    public Optional<String> userFor(String issuer, String subject) {
      return store.userFor(issuer, subject);
    }

    @Override
    public boolean isLinked(String userHandle) {
      return store.isLinked(userHandle);
    }

    @Override
    public List<LinkedIdentity> linksOf(String userHandle) {
      return store.linksOf(userHandle);
    }

    @Override
    public boolean unlink(String issuer, String subject, String userHandle) {
      return store.unlink(issuer, subject, userHandle);
    }

    @Override
    public int unlinkAll(String userHandle) {
      return store.unlinkAll(userHandle);
    }

    @Override
    public boolean sharedBetweenNodes() {
      return true;
    }
  }
}
