package dev.portcullis.benchmarks;

import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.redis.RedisStoreConfig;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.revocation.RevocationStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The per-request cost of the revocation check on Redis ({@code MGET} of the ticket and user keys: one round trip)
 * beside the single-node Caffeine store, in the same run, over the same ids (one in eight revoked).
 *
 * <p>Needs a redis-server on the loopback port given by {@code portcullis.redis.port}; the benchmark writes under the
 * key prefix {@code portcullis-bench:}. Run (2 noisy cores: one fork, and compare within the run):
 *
 * <pre>
 * redis-server --port 6399 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes
 * ./mvnw -B -ntp -pl benchmarks -am package -DskipTests
 * java -Dportcullis.redis.port=6399 -jar benchmarks/target/benchmarks.jar RedisStoreBenchmark -f 1 -wi 3 -i 5 -t 1
 * redis-cli -p 6399 shutdown nosave
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class RedisStoreBenchmark {
  private static final int MASK = 1023;

  private RedisStores redis;
  private RevocationStore onRedis;
  private RevocationStore inCaffeine;
  private InstantSource clock;
  private Instant issuedAt;
  private final String[] ticketIds = new String[MASK + 1];
  private final String[] users = new String[MASK + 1];

  /** Each thread walks the ids from its own place. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    @Setup
    public void start() {
      next = System.identityHashCode(this);
    }
  }

  @Setup(Level.Trial)
  @SuppressForbidden(reason = "a benchmark measures against the real clock")
  public void fill() {
    String port = System.getProperty("portcullis.redis.port");
    if (port == null) {
      throw new IllegalStateException(
          "set -Dportcullis.redis.port to the port of a loopback redis-server");
    }
    clock = InstantSource.system();
    redis = RedisStores.connect(
        RedisStoreConfig.builder()
            .uri("redis://127.0.0.1:" + port)
            .keyPrefix("portcullis-bench:")
            .build(),
        clock);
    onRedis = redis.revocationStore();
    inCaffeine = RevocationStore.inMemory(clock);
    Instant later = clock.instant().plus(Duration.ofHours(1));
    issuedAt = clock.instant();
    for (int i = 0; i <= MASK; i++) {
      ticketIds[i] = "ticket-" + i;
      users[i] = "user-" + (i % 100);
      if (i % 8 == 0) {
        onRedis.revoke(ticketIds[i], later);
        inCaffeine.revoke(ticketIds[i], later);
      }
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    redis.close();
  }

  @Benchmark
  public boolean caffeineIsRevoked(Cursor cursor) {
    int i = cursor.next++ & MASK;
    return inCaffeine.isRevoked(ticketIds[i], users[i], issuedAt);
  }

  @Benchmark
  public boolean redisIsRevoked(Cursor cursor) {
    int i = cursor.next++ & MASK;
    return onRedis.isRevoked(ticketIds[i], users[i], issuedAt);
  }
}
