package dev.portcullis.benchmarks;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.crypto.Purpose;
import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.ticket.TicketCheck;
import dev.portcullis.ticket.TicketCodec;
import dev.portcullis.ticket.TicketVerifier;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of an auth-ticket cookie: seal then open, and open alone, through {@link TicketVerifier}, beside the floor
 * of raw JCA AES-256-GCM on the same plaintext bytes with associated data of the same size (a pre-built {@link
 * Cipher} per thread, a fresh 12-byte nonce per seal from the same kind of {@link SecureRandom}). Portcullis adds the
 * ticket codec, base64url, the per-call associated data and its cipher pool; the target is at most 1.3x the floor.
 *
 * <p>Run (compare variants within one run; on shared cores keep the error bars in view):
 *
 * <pre>
 * ./mvnw -B -ntp -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar SealBenchmark -f 1 -wi 3 -i 8
 * </pre>
 *
 * Add {@code -prof gc} for allocation per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 8, time = 2)
@Fork(1)
@State(Scope.Thread)
public class SealBenchmark {
  private static final String COOKIE = "__Host-pc-auth";
  private static final int GCM_TAG_BITS = 128;
  private static final int NONCE_BYTES = 12;

  private TicketVerifier verifier;
  private AuthTicket ticket;
  private String cookie;

  private SecureRandom random;
  private Cipher cipher;
  private SecretKeySpec key;
  private byte[] plaintext;
  private byte[] aad;
  private byte[] sealedNonce;
  private byte[] sealedCiphertext;

  @Setup
  public void setUp() throws GeneralSecurityException {
    SecureRandom keys = new SecureRandom();
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(keys))
        .build();
    // A fixed clock: the benchmark measures sealing, not time reads.
    InstantSource clock = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
    verifier = TicketVerifier.create(ring, COOKIE, clock, new SecureRandom());
    ticket = verifier.newTicket("u-1001-7f3a", "org-0042", "s".repeat(43), Duration.ofHours(8));
    cookie = verifier.seal(ticket);

    random = new SecureRandom();
    byte[] raw = new byte[32];
    keys.nextBytes(raw);
    key = new SecretKeySpec(raw, "AES");
    cipher = Cipher.getInstance("AES/GCM/NoPadding");
    plaintext = TicketCodec.encode(ticket);
    // Same size as Portcullis' associated data: version, purpose and cookie name, each length-prefixed.
    aad = new byte[1 + 2 + Purpose.AUTH_TICKET.name().length() + 2 + COOKIE.getBytes(StandardCharsets.UTF_8).length];
    sealedNonce = new byte[NONCE_BYTES];
    random.nextBytes(sealedNonce);
    sealedCiphertext = rawSeal(sealedNonce);
    if (!(verifier.verify(cookie) instanceof TicketCheck.Valid)) {
      throw new IllegalStateException("set-up cookie does not verify");
    }
  }

  @Benchmark
  public TicketCheck portcullisSealAndOpen() {
    return verifier.verify(verifier.seal(ticket));
  }

  @Benchmark
  public TicketCheck portcullisOpen() {
    return verifier.verify(cookie);
  }

  @Benchmark
  public byte[] rawGcmSealAndOpen() throws GeneralSecurityException {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    return rawOpen(nonce, rawSeal(nonce));
  }

  @Benchmark
  public byte[] rawGcmOpen() throws GeneralSecurityException {
    return rawOpen(sealedNonce, sealedCiphertext);
  }

  private byte[] rawSeal(byte[] nonce) throws GeneralSecurityException {
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(GCM_TAG_BITS, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(plaintext);
  }

  private byte[] rawOpen(byte[] nonce, byte[] sealed) throws GeneralSecurityException {
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(GCM_TAG_BITS, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(sealed);
  }
}
