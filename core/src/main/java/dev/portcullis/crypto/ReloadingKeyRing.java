package dev.portcullis.crypto;

import dev.portcullis.internal.DaemonThreads;
import dev.portcullis.internal.WholeFile;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key ring read from a file and read again whenever the file changes, so that adding, promoting, retiring and
 * revoking keys reach a running application without a restart. Made by {@link KeyRingSources#watchFile} and {@link
 * KeyRingSources#watchPkcs12}.
 *
 * <p>A daemon thread reads the file every interval (10 seconds by default) and compares its SHA-256 with the last
 * one read; {@link #reload()} does the same at once. A changed file is parsed and checked as a whole and then
 * replaces the ring in one step: an operation that asks {@link #current()} gets the old ring or the new one, never a
 * part of each. Reading the whole file rather than watching directory events sees every way a file is replaced
 * (written in place, renamed over, a symbolic link switched, a mounted secret updated).
 *
 * <p>A new file is refused, and the last good ring kept, when it cannot be read or parsed, when it fails the ring's
 * own checks (see {@link KeyRing.Builder#build()}), or when a key id it shares with the current ring has a different
 * secret (a key id names one secret for life: a changed secret would make every value sealed under the id fail to
 * open). Refusals are logged at ERROR and told to the {@linkplain #addListener listeners}; so are reloads, at INFO.
 * A file written in two steps may be refused once, half-written, and then read whole at the next interval.
 *
 * <p><b>Security.</b> Messages name the file, key ids and statuses, never a secret. The ring in use never goes
 * backwards to a state that failed its checks; a key removed from the file or marked {@code REVOKED} stops opening
 * values on this node at the next read. Close the ring to stop its thread.
 */
public final class ReloadingKeyRing implements KeyRingSource, AutoCloseable {
  /** How often the file is read when no interval is given. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(ReloadingKeyRing.class);

  /** Told about each reload and each refused file; called on the thread that read the file. */
  public interface Listener {
    /** The file changed and {@code current} replaced {@code previous}. */
    default void reloaded(KeyRing previous, KeyRing current) {}

    /** The file changed but was refused; {@code reason} names the file and the problem, never a secret. */
    default void refused(String reason) {}
  }

  private final Path file;
  private final String description;
  private final Function<byte[], KeyRing> parser;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService poller;
  private volatile KeyRing current;
  private byte[] lastDigest;

  ReloadingKeyRing(
      Path file, String description, Function<byte[], KeyRing> parser, Duration interval) {
    this.file = Objects.requireNonNull(file, "file");
    this.description = Objects.requireNonNull(description, "description");
    this.parser = Objects.requireNonNull(parser, "parser");
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the reload interval must be positive, got " + interval);
    }
    // At the first read only: the reads that follow would repeat the warning every interval.
    KeyFilePermissions.warnIfOthersCanRead(file, description);
    byte[] bytes = readAtStart();
    this.current = parser.apply(bytes);
    this.lastDigest = sha256(bytes);
    java.util.Arrays.fill(bytes, (byte) 0);
    this.poller = Executors.newSingleThreadScheduledExecutor(
        DaemonThreads.named("portcullis-key-ring-reload"));
    long millis = Math.max(1, interval.toMillis());
    poller.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public KeyRing current() {
    return current;
  }

  /** Tells {@code listener} about every later reload and refusal. */
  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops telling {@code listener}. */
  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  /**
   * Reads the file now and, if it changed, replaces the ring or refuses the file as the periodic read would.
   *
   * @return whether the ring was replaced
   */
  public synchronized boolean reload() {
    byte[] bytes;
    try {
      bytes = read();
    } catch (InvalidKeyRingException e) {
      refuse(e.getMessage(), null);
      return false;
    }
    byte[] digest = sha256(bytes);
    if (MessageDigest.isEqual(digest, lastDigest)) {
      java.util.Arrays.fill(bytes, (byte) 0);
      return false;
    }
    KeyRing next;
    try {
      next = parser.apply(bytes);
      checkSameSecrets(current, next);
    } catch (InvalidKeyRingException e) {
      refuse(e.getMessage(), digest);
      return false;
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
    KeyRing previous = current;
    current = next;
    lastDigest = digest;
    LOG.info("key ring reloaded from {}: {} (was {})", description, next, previous);
    for (Listener l : listeners) {
      try {
        l.reloaded(previous, next);
      } catch (RuntimeException e) {
        LOG.warn("a key ring listener failed: {}", e.getClass().getName());
      }
    }
    return true;
  }

  /** Stops the periodic read; {@link #current()} keeps answering with the last ring. */
  @Override
  public void close() {
    poller.shutdownNow();
  }

  @Override
  public String toString() {
    return "ReloadingKeyRing[" + description + ", " + current + "]";
  }

  private void poll() {
    try {
      reload();
    } catch (RuntimeException e) {
      // Never let the thread die: the next interval tries again.
      LOG.error(
          "key ring reload from {} failed: {}; keeping {}",
          description,
          e.getClass().getName(),
          current);
    }
  }

  private void refuse(String reason, byte[] digest) {
    if (digest != null) {
      // A refused file is reported once, not at every interval, until it changes again.
      lastDigest = digest;
    }
    LOG.error("key ring reload refused: {}; keeping {}", reason, current);
    for (Listener l : listeners) {
      try {
        l.refused(reason);
      } catch (RuntimeException e) {
        LOG.warn("a key ring listener failed: {}", e.getClass().getName());
      }
    }
  }

  private void checkSameSecrets(KeyRing before, KeyRing after) {
    for (KeyInfo info : after.keys()) {
      KeyRing.Entry old = before.entry(info.id());
      if (old != null && !old.material().equals(after.entry(info.id()).material())) {
        throw new InvalidKeyRingException(description + ": key " + info.idHex()
            + " has a different secret than the ring in use; a key id keeps its secret for life");
      }
    }
  }

  private byte[] read() {
    try {
      return KeyRingSources.readBounded(file, description);
    } catch (WholeFile.RefusedFileException | AccessDeniedException e) {
      throw KeyRingSources.unreadable(description, file, e);
    } catch (IOException e) {
      throw new InvalidKeyRingException(
          "cannot read " + description + ": " + e.getClass().getSimpleName(), e);
    }
  }

  /** As {@link #read()}, a missing file named as {@link KeyRingSources#fromFile} names it at start-up. */
  private byte[] readAtStart() {
    try {
      return KeyRingSources.readBounded(file, description);
    } catch (IOException e) {
      throw KeyRingSources.unreadable(description, file, e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
