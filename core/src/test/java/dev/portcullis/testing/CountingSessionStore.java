package dev.portcullis.testing;

import dev.portcullis.session.SessionChanges;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionRecord;
import dev.portcullis.session.SessionStore;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link SessionStore} that counts the calls reaching the store it wraps, to prove that some requests never do. */
public final class CountingSessionStore implements SessionStore {
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger saves = new AtomicInteger();
  private final SessionStore delegate;

  public CountingSessionStore(SessionStore delegate) {
    this.delegate = delegate;
  }

  /** Every call so far. */
  public int calls() {
    return calls.get();
  }

  /** The {@link #save} calls so far. */
  public int saves() {
    return saves.get();
  }

  public void reset() {
    calls.set(0);
    saves.set(0);
  }

  @Override
  public Optional<SessionRecord> load(SessionKey key) {
    calls.incrementAndGet();
    return delegate.load(key);
  }

  @Override
  public Optional<SessionRecord> peek(SessionKey key) {
    calls.incrementAndGet();
    return delegate.peek(key);
  }

  @Override
  public boolean save(SessionKey key, SessionChanges changes) {
    calls.incrementAndGet();
    saves.incrementAndGet();
    return delegate.save(key, changes);
  }

  @Override
  public boolean delete(SessionKey key) {
    calls.incrementAndGet();
    return delegate.delete(key);
  }

  @Override
  public boolean rotate(SessionKey from, SessionKey to) {
    calls.incrementAndGet();
    return delegate.rotate(from, to);
  }

  @Override
  public Set<SessionKey> findByUser(String userHandle) {
    calls.incrementAndGet();
    return delegate.findByUser(userHandle);
  }

  @Override
  public int deleteByUser(String userHandle) {
    calls.incrementAndGet();
    return delegate.deleteByUser(userHandle);
  }

  /** The wrapped store's answer; not a call that reaches the store. */
  @Override
  public boolean sharedBetweenNodes() {
    return delegate.sharedBetweenNodes();
  }
}
