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
 */
public final class CountingUserDirectory implements UserDirectory {
  private final UserDirectory delegate;
  private final Duration checkTime;
  private final AtomicInteger checks = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();

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

  public void reset() {
    checks.set(0);
    mostInFlight.set(0);
  }

  @Override
  public Optional<PortalUser> authenticate(String username, char[] password) {
    checks.incrementAndGet();
    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    try {
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

  @Override
  public Optional<PortalUser> findByHandle(String handle) {
    return delegate.findByHandle(handle);
  }

  @Override
  public void recordTermsAcceptance(String handle, String version) {
    delegate.recordTermsAcceptance(handle, version);
  }
}
