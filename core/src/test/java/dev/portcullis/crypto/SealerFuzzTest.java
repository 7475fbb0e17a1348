package dev.portcullis.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.testing.DeterministicRandom;
import dev.portcullis.testing.FuzzSeeds;
import dev.portcullis.testing.TestKeyRings;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link Sealer#open}: whatever text arrives, it never throws, and it opens only the exact values this test
 * sealed, for the purpose and context they were sealed for. A forged, mutated, re-encoded or cross-purpose value must
 * come back as {@link Opened.Failed}.
 *
 * <p>The normal build replays the committed seeds in {@code SealerFuzzTestInputs/}. To fuzz (Jazzer reads the
 * environment, not a system property; one fuzz test per JVM):
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -pl core test -Dtest=SealerFuzzTest#openAnyText_opensOnlyWhatThisTestSealed
 * </pre>
 *
 * A crash input lands in {@code core/src/test/resources/dev/portcullis/crypto/SealerFuzzTestInputs/...}: keep it
 * there as a regression seed.
 */
class SealerFuzzTest {
  static final String AUTH_COOKIE = "__Host-pc-auth";
  static final String UPGRADE_COOKIE = "__Host-pc-upgrade";
  private static final List<Purpose> PURPOSES = List.of(Purpose.AUTH_TICKET, Purpose.SSO_UPGRADE);
  private static final List<String> CONTEXTS = List.of(AUTH_COOKIE, UPGRADE_COOKIE);
  private static final List<byte[]> PLAINTEXTS = List.of(
      new byte[0],
      "u-1001".getBytes(StandardCharsets.UTF_8),
      "handle \u00e9\u4e2d\uD83D\uDD11".getBytes(StandardCharsets.UTF_8),
      new byte[300]);

  /** Who may open what: a sealed text, and the purpose and context it was sealed for. */
  private record Sealed(Purpose purpose, String context, String text) {}

  /** The values the current ring must open, with their plaintexts. */
  private static final Map<Sealed, byte[]> LEGITIMATE = new LinkedHashMap<>();
  /** Every seed file: the legitimate values and values that must fail (revoked key, foreign ring). */
  private static final Map<String, byte[]> SEEDS = new LinkedHashMap<>();

  private static final Map<Purpose, Sealer> OPENERS = new LinkedHashMap<>();

  static {
    DeterministicRandom random = new DeterministicRandom(0x5EA1_0001L);
    KeyRing current = TestKeyRings.current();
    for (Purpose purpose : PURPOSES) {
      Sealer sealer = Sealer.create(current, purpose, random);
      OPENERS.put(purpose, sealer);
      for (String context : CONTEXTS) {
        for (int i = 0; i < PLAINTEXTS.size(); i++) {
          legitimate(
              "current-" + purpose.name() + "-" + context + "-" + i,
              sealer,
              context,
              PLAINTEXTS.get(i));
        }
      }
    }
    // Sealed before the rotation: the previous key is decrypt-only now and must still open it.
    Sealer previous = Sealer.create(TestKeyRings.beforeRotation(), Purpose.AUTH_TICKET, random);
    legitimate("previous-key-auth", previous, AUTH_COOKIE, PLAINTEXTS.get(1));
    // Must never open: sealed under the key that is revoked now, and by another ring that reuses
    // our key ids.
    seed(
        "revoked-key-auth",
        Sealer.create(TestKeyRings.beforeRevocation(), Purpose.AUTH_TICKET, random)
            .seal(PLAINTEXTS.get(1), AUTH_COOKIE));
    seed(
        "foreign-ring-auth",
        Sealer.create(TestKeyRings.foreign(), Purpose.AUTH_TICKET, random)
            .seal(PLAINTEXTS.get(1), AUTH_COOKIE));
  }

  private static void legitimate(String name, Sealer sealer, String context, byte[] plaintext) {
    String text = sealer.seal(plaintext, context);
    LEGITIMATE.put(new Sealed(sealer.purpose(), context, text), plaintext);
    seed(name, text);
  }

  private static void seed(String name, String text) {
    SEEDS.put(name, text.getBytes(StandardCharsets.US_ASCII));
  }

  @FuzzTest(maxDuration = "60s")
  void openAnyText_opensOnlyWhatThisTestSealed(byte[] input) {
    // ISO-8859-1 maps every byte to one char, so seeds are the cookie text itself and non-ASCII
    // chars get tried too.
    String text = new String(input, StandardCharsets.ISO_8859_1);
    for (Purpose purpose : PURPOSES) {
      for (String context : CONTEXTS) {
        Opened opened = OPENERS.get(purpose).open(text, context);
        byte[] expected = LEGITIMATE.get(new Sealed(purpose, context, text));
        if (opened instanceof Opened.Ok ok) {
          assertNotNull(
              expected,
              () -> "opened a value this test never sealed for " + purpose.name() + "/" + context
                  + ": " + text);
          assertArrayEquals(expected, ok.plaintext(), "opened to other bytes than were sealed");
        } else {
          assertTrue(
              expected == null,
              () -> "a value sealed for " + purpose.name() + "/" + context + " did not open: "
                  + opened);
        }
      }
    }
  }

  @Test
  void committedSeeds_holdEveryLegitimateValueAndTheMustFailOnes() {
    FuzzSeeds.assertCommitted(getClass(), "openAnyText_opensOnlyWhatThisTestSealed", SEEDS);
  }

  @Test
  void mustFailSeeds_areRefusedForTheRightReason() {
    Sealer auth = OPENERS.get(Purpose.AUTH_TICKET);
    Opened revoked = auth.open(
        new String(SEEDS.get("revoked-key-auth"), StandardCharsets.US_ASCII), AUTH_COOKIE);
    Opened foreign = auth.open(
        new String(SEEDS.get("foreign-ring-auth"), StandardCharsets.US_ASCII), AUTH_COOKIE);
    assertEquals(new Opened.Failed(Opened.Reason.REVOKED_KEY), revoked);
    assertEquals(new Opened.Failed(Opened.Reason.AUTHENTICATION_FAILED), foreign);
  }
}
