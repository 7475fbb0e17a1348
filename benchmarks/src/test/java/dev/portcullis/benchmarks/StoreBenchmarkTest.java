package dev.portcullis.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every store of {@link StoreBenchmark} does the work it is timed for, against the real servers the benchmark starts:
 * each session is found, exactly the revoked tickets (one in eight) are reported revoked. Skipped, saying why, when
 * redis-server or PostgreSQL is not installed.
 */
class StoreBenchmarkTest {
  @ParameterizedTest
  @ValueSource(strings = {"caffeine", "redis", "postgres"})
  void everyMethod_doesTheRequestsWork(String store) throws Exception {
    if (store.equals("redis")) {
      Assumptions.assumeTrue(LoopbackRedis.binary().isPresent(), LoopbackRedis.MISSING);
    }
    if (store.equals("postgres")) {
      Assumptions.assumeTrue(LoopbackPostgres.binaries().isPresent(), LoopbackPostgres.MISSING);
    }
    StoreBenchmark bench = new StoreBenchmark();
    bench.store = store;
    bench.fill();
    try {
      StoreBenchmark.Cursor cursor = new StoreBenchmark.Cursor();
      int revoked = 0;
      for (int i = 0; i <= StoreBenchmark.MASK; i++) {
        cursor.next = i;
        assertThat(bench.load(cursor))
            .hasValueSatisfying(r -> assertThat(r.attributes()).containsEntry("theme", "dark"));
        cursor.next = i;
        boolean isRevoked = bench.isRevoked(cursor);
        assertThat(isRevoked).as("ticket %d", i).isEqualTo(i % 8 == 0);
        cursor.next = i;
        assertThat(bench.perRequest(cursor)).isEqualTo(!isRevoked);
        revoked += isRevoked ? 1 : 0;
      }
      assertThat(revoked).isEqualTo((StoreBenchmark.MASK + 1) / 8);
    } finally {
      bench.close();
    }
  }
}
