package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.LoginDecision;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.testing.CountingUserDirectory;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two portal nodes, each with its own pool, stores and {@link PortalLogin}, sharing one PostgreSQL and one throttle
 * hash key: a burst of wrong passwords for one account, split across the nodes, gets no more password checks than
 * the one limit allows.
 */
@ExtendWith(SharedPostgres.class)
class JdbcLoginRaceTest {
  private final SecureRandom random = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final CountingUserDirectory users = new CountingUserDirectory(
      new InMemoryUserDirectory(PasswordHasher.forTests())
          .add(
              "alice",
              "alice-pw".toCharArray(),
              new PortalUser(
                  "u-alice",
                  "Alice",
                  "alice@example.org",
                  Set.of("PROVIDER"),
                  "riverside",
                  true,
                  "t1")),
      Duration.ofMillis(5));
  private final HikariDataSource poolA;
  private final HikariDataSource poolB;
  private final JdbcStores storesA;
  private final JdbcStores storesB;

  JdbcLoginRaceTest(PostgresServer server) throws SQLException {
    poolA = server.freshDataSource();
    poolB = JdbcLoginAttemptStoreTest.samePlace(poolA);
    storesA =
        JdbcStores.builder(poolA, clock).queryTimeout(Duration.ofSeconds(30)).build();
    storesB =
        JdbcStores.builder(poolB, clock).queryTimeout(Duration.ofSeconds(30)).build();
  }

  @AfterEach
  void close() {
    storesA.close();
    storesB.close();
    poolB.close();
    poolA.close();
  }

  @Test
  void aThousandConcurrentWrongPasswords_splitAcrossTwoNodes_getOneHundredPasswordChecks()
      throws Exception {
    byte[] key = new byte[32];
    random.nextBytes(key);
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key))
        .build();
    KeyMaterial hashKey = KeyMaterial.generate(random);
    PortalLogin[] nodes = {node(ring, storesA, hashKey), node(ring, storesB, hashKey)};

    ExecutorService pool = Executors.newFixedThreadPool(32);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<LoginDecision>> results = new ArrayList<>();
    try {
      for (int i = 0; i < 1_000; i++) {
        PortalLogin node = nodes[i % 2];
        String address = "10.0." + (i / 200) + "." + (i % 200);
        char[] guess = ("guess-" + i).toCharArray();
        results.add(pool.submit(() -> {
          start.await();
          return node.passwordLogin("alice", guess, true, address, null);
        }));
      }
      start.countDown();
      int refused = 0;
      for (Future<LoginDecision> f : results) {
        refused += f.get(5, TimeUnit.MINUTES) instanceof LoginDecision.Refused ? 1 : 0;
      }
      assertThat(refused).as("every wrong password is refused").isEqualTo(1_000);
    } finally {
      pool.shutdownNow();
    }
    System.out.printf(
        "login race over two nodes (PostgreSQL): 1000 concurrent wrong passwords -> %d password"
            + " checks%n",
        users.passwordChecks());
    assertThat(users.passwordChecks()).isEqualTo(100);
    assertThat(users.mostConcurrentChecks()).as("the checks overlapped").isGreaterThan(1);

    users.reset();
    LoginDecision owner =
        nodes[1].passwordLogin("alice", "alice-pw".toCharArray(), true, "10.9.9.9", null);
    assertThat(owner).as("alice is locked on both nodes").isInstanceOf(LoginDecision.Refused.class);
    assertThat(users.passwordChecks()).isZero();
  }

  private PortalLogin node(KeyRing ring, JdbcStores stores, KeyMaterial hashKey) {
    return PortalLogin.builder()
        .keyRing(ring)
        .users(users)
        .revocations(stores.revocationStore())
        .clock(clock)
        .random(random)
        .termsVersion("t1")
        .throttle(LoginThrottle.builder(clock)
            .random(random)
            .store(stores.loginAttemptStore())
            .hashKey(hashKey)
            .build())
        // As many checks at once as the burst's threads: the login limit alone decides here.
        .maxConcurrentPasswordChecks(32)
        .build();
  }
}
