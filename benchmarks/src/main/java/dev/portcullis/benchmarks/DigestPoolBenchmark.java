package dev.portcullis.benchmarks;

import dev.portcullis.internal.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The SHA-256 of a session id as every authenticated request takes it, with both cores busy: Portcullis' pooled
 * digests ({@link Sha256}, over {@code dev.portcullis.internal.ObjectPool}, which also pools the AES-GCM ciphers)
 * beside the floor of one {@code MessageDigest} per thread, in the same run; {@code -t 1} for one thread. What the
 * pool costs over the floor at two threads is what two cores meeting in it cost: with its slots in one cache line (as
 * before the pool was padded) every borrow and release moved the line between the cores, and a hash took two to three
 * times as long as with padded slots. On a shared virtual machine the two-thread figures vary widely from run to run;
 * compare within a run.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar DigestPoolBenchmark -f 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
@State(Scope.Benchmark)
public class DigestPoolBenchmark {
  /** A session id of the default format: 43 base64url characters. */
  static final String SESSION_ID = "Zx3c9VQ1lD8p0mJdQ2Wb7m2r6T4aV8yKk1sGq9hLx0E";

  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  @Benchmark
  public byte[] pooled() {
    return Sha256.ofAscii(null, SESSION_ID);
  }

  @Benchmark
  public byte[] threadLocalDigest() {
    return DIGEST.get().digest(SESSION_ID.getBytes(StandardCharsets.US_ASCII));
  }
}
