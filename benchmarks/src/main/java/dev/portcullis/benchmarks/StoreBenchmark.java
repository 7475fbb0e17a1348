package dev.portcullis.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.jdbc.JdbcStores;
import dev.portcullis.redis.RedisStoreConfig;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionAndRevocationLookup;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRecord;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The store work of one authenticated request, on each store in the same run: the session lookup ({@code load}, which
 * also touches the session), the revocation check ({@code isRevoked}: the ticket and its user's cut-off), both in a
 * row ({@link #perRequest}, two store calls) and both through the combined lookup the filter uses
 * ({@link #perRequestCombined}: one script call on Redis, one statement on PostgreSQL, the same two calls on
 * Caffeine). {@code caffeine} is the single-node in-memory stores, the baseline; {@code redis} one
 * round trip per call over loopback; {@code postgres} one statement per call through HikariCP over loopback. The same
 * 1,024 signed-in sessions and ticket ids on every store, one ticket in eight revoked.
 *
 * <p>The benchmark starts its own servers, as the store tests do: a {@code redis-server} from the PATH and a PostgreSQL
 * from the Debian {@code postgresql} package (initdb into {@code target/}, a free loopback port), both stopped at the
 * end of the trial. Run (2 noisy cores: one fork, and compare within the run):
 *
 * <pre>
 * ./mvnw -B -ntp -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar StoreBenchmark -f 1 -wi 3 -i 5 -t 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class StoreBenchmark {
  static final int MASK = 1023;

  @Param({"caffeine", "redis", "postgres"})
  String store;

  private AutoCloseable server;
  private AutoCloseable stores;
  private HikariDataSource pool;
  SessionStore sessions;
  RevocationStore revocations;
  SessionAndRevocationLookup lookup;
  Instant issuedAt;
  final SessionKey[] keys = new SessionKey[MASK + 1];
  final String[] ticketIds = new String[MASK + 1];
  final String[] users = new String[MASK + 1];

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
  public void fill() throws IOException, InterruptedException {
    InstantSource clock = InstantSource.system();
    SessionConfig config = SessionConfig.builder().build();
    switch (store) {
      case "caffeine" -> {
        sessions = CaffeineSessionStore.builder(config, clock).build();
        revocations = RevocationStore.inMemory(clock);
      }
      case "redis" -> {
        LoopbackRedis redis = LoopbackRedis.start();
        server = redis;
        RedisStores onRedis = RedisStores.connect(
            RedisStoreConfig.builder()
                .uri(redis.uri())
                .keyPrefix("portcullis-bench:")
                .build(),
            clock);
        stores = onRedis;
        sessions = onRedis.sessionStore(config);
        revocations = onRedis.revocationStore();
      }
      case "postgres" -> {
        LoopbackPostgres postgres = LoopbackPostgres.start();
        server = postgres;
        pool = postgres.dataSource();
        JdbcStores onPostgres = JdbcStores.builder(pool, clock).build();
        stores = onPostgres;
        sessions = onPostgres.sessionStore(config);
        revocations = onPostgres.revocationStore();
      }
      default -> throw new IllegalArgumentException("store: caffeine, redis or postgres");
    }
    SessionRegistry registry =
        SessionRegistry.create(config, sessions, new SecureRandom(), clock, SessionListener.noop());
    lookup = registry.lookupWith(revocations);
    Instant later = clock.instant().plus(Duration.ofHours(1));
    issuedAt = clock.instant();
    for (int i = 0; i <= MASK; i++) {
      ticketIds[i] = "ticket-" + i;
      users[i] = "user-" + (i % 100);
      Session s = registry.create();
      s.setUserHandle(users[i]);
      s.setAttribute("theme", "dark");
      if (!registry.save(s)) {
        throw new IllegalStateException("the " + store + " store did not take a session");
      }
      keys[i] = s.id().storeKey();
      if (i % 8 == 0) {
        revocations.revoke(ticketIds[i], later);
      }
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    if (stores != null) {
      stores.close();
    }
    if (pool != null) {
      pool.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Benchmark
  public Optional<SessionRecord> load(Cursor cursor) {
    return sessions.load(keys[cursor.next++ & MASK]);
  }

  @Benchmark
  public boolean isRevoked(Cursor cursor) {
    int i = cursor.next++ & MASK;
    return revocations.isRevoked(ticketIds[i], users[i], issuedAt);
  }

  /** The session lookup and the revocation check of one authenticated request, one after the other. */
  @Benchmark
  public boolean perRequest(Cursor cursor) {
    int i = cursor.next++ & MASK;
    return sessions.load(keys[i]).isPresent()
        && !revocations.isRevoked(ticketIds[i], users[i], issuedAt);
  }

  /**
   * The same work through {@link SessionAndRevocationLookup}, as the filter does it for an authenticated request: one
   * store round trip on Redis and PostgreSQL.
   */
  @Benchmark
  public boolean perRequestCombined(Cursor cursor) {
    int i = cursor.next++ & MASK;
    SessionAndRevocationLookup.Result found =
        lookup.load(keys[i], ticketIds[i], users[i], issuedAt);
    return found.session().isPresent()
        && found.revocation() == SessionAndRevocationLookup.Revocation.NOT_REVOKED;
  }
}
