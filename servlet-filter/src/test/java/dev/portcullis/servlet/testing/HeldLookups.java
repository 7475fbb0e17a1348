package dev.portcullis.servlet.testing;

import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A portal's accounts where the next account lookup ({@link #findByHandle}) can be held until the test releases it: a
 * request that has passed the session and revocation checks waits there, so a test can line another node's or user's
 * action up after the check and before what the request does next, with latches rather than timing.
 */
public final class HeldLookups implements UserDirectory {
  private final AtomicBoolean holdNext = new AtomicBoolean();
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);
  private volatile UserDirectory delegate;

  /** Accounts to come: {@link #delegateTo} names them before the first lookup. */
  public HeldLookups() {}

  /** The accounts of {@code delegate}. */
  public HeldLookups(UserDirectory delegate) {
    this.delegate = delegate;
  }

  /** Answers from {@code accounts} from now on. */
  public void delegateTo(UserDirectory accounts) {
    this.delegate = accounts;
  }

  /** Holds the next {@link #findByHandle} until {@link #release}. */
  public void holdNextLookup() {
    holdNext.set(true);
  }

  /** Waits (two minutes at most) until a lookup is held; false if none came. */
  public boolean awaitHeld() throws InterruptedException {
    return held.await(2, TimeUnit.MINUTES);
  }

  /** Lets the held lookup go on. */
  public void release() {
    released.countDown();
  }

  @Override
  public Optional<PortalUser> authenticate(String username, char[] password) {
    return delegate.authenticate(username, password);
  }

  @Override
  public Optional<PortalUser> findByHandle(String handle) {
    if (holdNext.compareAndSet(true, false)) {
      held.countDown();
      try {
        if (!released.await(2, TimeUnit.MINUTES)) {
          throw new IllegalStateException("the held lookup was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while held", e);
      }
    }
    return delegate.findByHandle(handle);
  }

  @Override
  public void recordTermsAcceptance(String handle, String version) {
    delegate.recordTermsAcceptance(handle, version);
  }
}
