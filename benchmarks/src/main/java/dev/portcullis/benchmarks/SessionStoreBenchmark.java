package dev.portcullis.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionLookup;
import dev.portcullis.session.SessionRecord;
import dev.portcullis.session.SessionRegistry;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-request cost of finding a session: {@link CaffeineSessionStore#load} (lookup and touch, with the timeout
 * checks) beside a bare Caffeine {@code getIfPresent} on the same keys, in the same run. {@link #registryOpen} adds what
 * the filter does on top: the id format check and the SHA-256 of the id. Target: {@code storeLoad} at most twice
 * {@code bareCaffeineGet}. {@link #caffeineGetWithIdleExpiry} separates Caffeine's own expiry bookkeeping (which any
 * store enforcing an idle timeout through Caffeine pays) from what the store adds; like the store, it runs Caffeine's
 * maintenance on the calling thread, so both pay it where they are measured.
 *
 * <p>Run (2 noisy cores: one fork, and compare within the run):
 *
 * <pre>
 * ./mvnw -B -ntp -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar SessionStoreBenchmark -f 1 -wi 3 -i 5 -t 1
 * java -jar benchmarks/target/benchmarks.jar SessionStoreBenchmark -f 1 -wi 3 -i 5 -t 2
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class SessionStoreBenchmark {
  private static final int MASK = (1 << 16) - 1;

  @Param({"65536"})
  int sessions;

  private CaffeineSessionStore store;
  private SessionRegistry registry;
  private Cache<SessionKey, Object> bare;
  private Cache<SessionKey, Object> idleExpiring;
  private SessionKey[] keys;
  private String[] cookies;

  /** Each thread walks the keys from its own place. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    @Setup
    public void start() {
      next = System.identityHashCode(this);
    }
  }

  @Setup
  @SuppressForbidden(reason = "a benchmark measures against the real clock")
  public void fill() {
    InstantSource clock = InstantSource.system();
    // One client fills the store: no per-address limit on new anonymous sessions.
    SessionConfig config = SessionConfig.builder()
        .maxSessions(sessions * 2L)
        .anonymousSessionsPerAddress(Integer.MAX_VALUE)
        .build();
    store = CaffeineSessionStore.builder(config, clock).build();
    registry =
        SessionRegistry.create(config, store, new SecureRandom(), clock, SessionListener.noop());
    bare = Caffeine.newBuilder().maximumSize(sessions * 2L).build();
    idleExpiring = Caffeine.newBuilder()
        .maximumSize(sessions * 2L)
        .expireAfterAccess(config.idleTimeout())
        .ticker(() -> clock.millis() * 1_000_000L)
        .executor(Runnable::run)
        .build();
    keys = new SessionKey[MASK + 1];
    cookies = new String[MASK + 1];
    for (int i = 0; i <= MASK; i++) {
      Session s = registry.create();
      s.setAttribute("theme", "dark");
      registry.save(s);
      cookies[i] = s.id().cookieValue();
      keys[i] = s.id().storeKey();
      bare.put(keys[i], store.load(keys[i]).orElseThrow());
      idleExpiring.put(keys[i], store.load(keys[i]).orElseThrow());
    }
  }

  @Benchmark
  public Object bareCaffeineGet(Cursor cursor) {
    return bare.getIfPresent(keys[cursor.next++ & MASK]);
  }

  /**
   * The second baseline: a Caffeine get on a cache with the same idle expiry and ticker as the store's, i.e. what any
   * idle-timeout store on Caffeine pays before doing anything of its own.
   */
  @Benchmark
  public Object caffeineGetWithIdleExpiry(Cursor cursor) {
    return idleExpiring.getIfPresent(keys[cursor.next++ & MASK]);
  }

  @Benchmark
  public Optional<SessionRecord> storeLoad(Cursor cursor) {
    return store.load(keys[cursor.next++ & MASK]);
  }

  @Benchmark
  public SessionLookup registryOpen(Cursor cursor) {
    return registry.open(cookies[cursor.next++ & MASK]);
  }
}
