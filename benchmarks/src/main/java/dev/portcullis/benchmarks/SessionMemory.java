package dev.portcullis.benchmarks;

import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Locale;

/**
 * Bytes of heap per idle, anonymous session in {@link CaffeineSessionStore} at one million sessions, measured as the
 * heap in use after GC with the sessions minus before. Target: at most 400 bytes.
 *
 * <pre>
 * ./mvnw -B -ntp -pl benchmarks -am package -DskipTests
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.portcullis.benchmarks.SessionMemory
 * </pre>
 */
public final class SessionMemory {
  private SessionMemory() {}

  @SuppressForbidden(reason = "a measurement run on the real clock")
  public static void main(String[] args) {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    InstantSource clock = InstantSource.system();
    // One client fills the store: no per-address limit on new anonymous sessions.
    SessionConfig config = SessionConfig.builder()
        .maxSessions(count + 1L)
        .anonymousSessionsPerAddress(Integer.MAX_VALUE)
        .build();

    long before = heapAfterGc();
    CaffeineSessionStore store = CaffeineSessionStore.builder(config, clock).build();
    SessionRegistry registry =
        SessionRegistry.create(config, store, new SecureRandom(), clock, SessionListener.noop());
    for (int i = 0; i < count; i++) {
      registry.save(registry.create());
    }
    store.cleanUp();
    long after = heapAfterGc();

    long held = store.estimatedSize();
    System.out.printf(Locale.ROOT, "sessions held: %d%n", held);
    System.out.printf(
        Locale.ROOT, "heap after GC: %,d bytes before, %,d bytes after%n", before, after);
    System.out.printf(
        Locale.ROOT,
        "bytes per idle session: %.1f (target <= 200)%n",
        (after - before) / (double) held);
    if (store.estimatedSize() != held) {
      throw new AssertionError("the store must stay reachable until measured");
    }
  }

  private static long heapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      memory.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
