package dev.portcullis.testing;

import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link UserDirectory} that counts the password checks reaching the directory it wraps, and can make each one
 * take a while (as a real password hash does), so that concurrent logins overlap as they do in production.
 *
 * <p>For race tests, {@link #holdChecksUntil} makes every check wait until a given number of checks are running at
 * once (or a time has passed, or {@link #releaseHeldChecks} is called): a limit that can be outrun is then outrun
 * however slowly the machine serves requests, and a limit that holds lets through no more checks than it allows, only
 * later. A caller that knows no further check can come (every other request has been answered) releases the held ones
 * at once instead of letting them wait out the time.
 */
public final class CountingUserDirectory implements UserDirectory {
  private final UserDirectory delegate;
  private final Duration checkTime;
  private final AtomicInteger checks = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private final AtomicInteger held = new AtomicInteger();
  private final Object gate = new Object();
  private volatile int holdUntil;
  private volatile Duration holdAtMost = Duration.ZERO;

  /** @param checkTime how long each password check sleeps before it asks {@code delegate}; zero for none */
  public CountingUserDirectory(UserDirectory delegate, Duration checkTime) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.checkTime = Objects.requireNonNull(checkTime, "checkTime");
  }

  /** The password checks ({@link #authenticate} calls) so far. */
  public int passwordChecks() {
    return checks.get();
  }

  /** The largest number of password checks that were running at the same moment. */
  public int mostConcurrentChecks() {
    return mostInFlight.get();
  }

  /**
   * From now on each check waits, before it runs, until {@code concurrent} checks are running or {@code atMost} has
   * passed since it started waiting.
   */
  public void holdChecksUntil(int concurrent, Duration atMost) {
    this.holdAtMost = Objects.requireNonNull(atMost, "atMost");
    this.holdUntil = concurrent;
  }

  /** How many checks are waiting in a {@linkplain #holdChecksUntil hold} now. */
  public int heldChecks() {
    return held.get();
  }

  /** Lets every held check run now; later checks run without waiting until {@link #holdChecksUntil} is called again. */
  public void releaseHeldChecks() {
    synchronized (gate) {
      holdUntil = 0;
      gate.notifyAll();
    }
  }

  public void reset() {
    checks.set(0);
    mostInFlight.set(0);
  }

  @Override
  public Optional<PortalUser> authenticate(String username, char[] password) {
    checks.incrementAndGet();
    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    try {
      hold();
      if (!checkTime.isZero()) {
        Thread.sleep(checkTime.toMillis());
      }
      return delegate.authenticate(username, password);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during a password check", e);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void hold() throws InterruptedException {
    int until = holdUntil;
    if (until <= 0) {
      return;
    }
    long deadline = System.nanoTime() + holdAtMost.toNanos();
    held.incrementAndGet();
    try {
      synchronized (gate) {
        gate.notifyAll();
        long left;
        while (holdUntil > 0
            && inFlight.get() < until
            && (left = deadline - System.nanoTime()) > 0) {
          gate.wait(Math.max(1, left / 1_000_000));
        }
      }
    } finally {
      held.decrementAndGet();
    }
  }

  @Override
  public Optional<PortalUser> findByHandle(String handle) {
    return delegate.findByHandle(handle);
  }

  @Override
  public void recordTermsAcceptance(String handle, String version) {
    delegate.recordTermsAcceptance(handle, version);
  }
}
