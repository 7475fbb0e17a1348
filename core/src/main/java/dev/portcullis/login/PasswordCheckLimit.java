package dev.portcullis.login;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many password logins are checked at once ({@link PortalLogin.Builder#maxConcurrentPasswordChecks}): the login
 * limit's reservation, the password check and the settling of the attempt. A login that finds every place taken waits
 * for one, in arrival order, for at most {@value #MAX_WAIT_MILLIS} ms, and only while fewer than
 * {@value #WAITING_PER_PLACE} logins per place are waiting; otherwise it is refused at once, without a store call or a
 * password check. The wait lets the logins of a busy morning take turns; its bound keeps a flood from parking the
 * container's threads.
 *
 * <p><b>Why.</b> A password check is the costly part of a login: an Argon2id hash (19 MiB and a sizeable share of a
 * core at the standard cost), and calls to the login limit's store and the user directory, on pooled connections when
 * they are in a database. Without a bound, anyone posting many logins at once (wrong passwords, unknown or random
 * user names) runs as many checks at once as the container has threads: they take every core and that memory, and
 * threads holding a pooled connection wait for a core meanwhile, so logged-in users' requests, which need a core and
 * often a connection for their session, wait past their timeouts.
 *
 * <p><b>Security.</b> At most {@code places} password checks, and their store calls, run at once, however many logins
 * arrive; at most {@value #WAITING_PER_PLACE} times as many wait, each for a bounded time, holding a thread and nothing
 * else. A refused login holds nothing and costs nothing beyond its request. The bound is per node and counts every
 * login alike: while a flood keeps the places full, a user's login may be refused too (answered as any refused login;
 * they try again later), and users who are logged in carry on.
 */
final class PasswordCheckLimit {
  static final long MAX_WAIT_MILLIS = 1_000;
  static final int WAITING_PER_PLACE = 16;

  private final int maxWaiting;
  private final long maxWaitMillis;
  private final Semaphore checks;
  private final AtomicInteger waiting = new AtomicInteger();

  PasswordCheckLimit(int places) {
    this(places, MAX_WAIT_MILLIS);
  }

  /** With another bound of the wait, for tests. */
  PasswordCheckLimit(int places, long maxWaitMillis) {
    if (places < 1 || maxWaitMillis < 0) {
      throw new IllegalArgumentException("places must be positive, the wait not negative");
    }
    this.maxWaitMillis = maxWaitMillis;
    this.maxWaiting = (int) Math.min(Integer.MAX_VALUE, (long) places * WAITING_PER_PLACE);
    this.checks = new Semaphore(places, true);
  }

  /**
   * The default: half the processors the JVM may use, at least one. The checks are bound by the processors, so more
   * at once than there are processors would check no faster; half of them leaves the other half to everything else
   * while a flood keeps the places full.
   */
  static int defaultPlaces() {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /** How many logins wait for a place now. */
  int waiting() {
    return waiting.get();
  }

  /**
   * Takes a place, waiting for one if few others wait. True when the caller may check the password and must then
   * {@link #leave()}; false when it must refuse the login.
   */
  boolean enter() {
    try {
      // Not the barging tryAcquire(): waiting logins keep their turn.
      if (checks.tryAcquire(0, TimeUnit.MILLISECONDS)) {
        return true;
      }
      try {
        return waiting.incrementAndGet() <= maxWaiting
            && checks.tryAcquire(maxWaitMillis, TimeUnit.MILLISECONDS);
      } finally {
        waiting.decrementAndGet();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Gives back the place {@link #enter()} took. */
  void leave() {
    checks.release();
  }
}
