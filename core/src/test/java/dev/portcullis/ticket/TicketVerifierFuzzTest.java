package dev.portcullis.ticket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.Purpose;
import dev.portcullis.crypto.Sealer;
import dev.portcullis.testing.DeterministicRandom;
import dev.portcullis.testing.FuzzSeeds;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestKeyRings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link TicketVerifier#verify}: any cookie text gives a result, never an exception, and only a cookie this
 * test issued is {@link TicketCheck.Valid} or {@link TicketCheck.Expired}, carrying exactly the ticket that was issued.
 *
 * <p>The normal build replays the committed seeds in {@code TicketVerifierFuzzTestInputs/}. To fuzz:
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -pl core test -Dtest=TicketVerifierFuzzTest#verifyAnyCookie_acceptsOnlyIssuedTickets
 * </pre>
 */
class TicketVerifierFuzzTest {
  private static final String COOKIE = "__Host-pc-auth";

  private record Issued(AuthTicket ticket, boolean expired) {}

  private static final Map<String, Issued> ISSUED = new LinkedHashMap<>();
  private static final Map<String, byte[]> SEEDS = new LinkedHashMap<>();
  private static final TicketVerifier VERIFIER;

  static {
    MutableClock clock = MutableClock.startingAt2026();
    DeterministicRandom random = new DeterministicRandom(0x71C4_E7L);
    KeyRing ring = TestKeyRings.current();
    VERIFIER = TicketVerifier.create(ring, COOKIE, clock, random);
    TicketVerifier beforeRotation =
        TicketVerifier.create(TestKeyRings.beforeRotation(), COOKIE, clock, random);

    issue(
        "valid-with-organisation",
        VERIFIER,
        VERIFIER.newTicket("u-1001", "org-7", "s-1", Duration.ofHours(8)),
        false);
    issue(
        "valid-no-organisation",
        VERIFIER,
        VERIFIER.newTicket("u-1002", null, "s-2", Duration.ofHours(8)),
        false);
    issue(
        "valid-previous-key",
        beforeRotation,
        beforeRotation.newTicket("u-1003", "org-7", "s-3", Duration.ofHours(8)),
        false);
    issue("expired", VERIFIER, VERIFIER.newTicket("u-1004", "", "s-4", Duration.ofHours(1)), true);
    // Authentic seals that are not auth tickets of this verifier: they must be NotValid.
    seed(
        "not-a-ticket",
        Sealer.create(ring, Purpose.AUTH_TICKET, random)
            .seal("not a ticket".getBytes(StandardCharsets.UTF_8), COOKIE));
    seed(
        "other-cookie-name",
        TicketVerifier.create(ring, "__Host-pc-other", clock, random)
            .seal(VERIFIER.newTicket("u-1005", "", "s-5", Duration.ofHours(8))));
    seed(
        "other-purpose",
        Sealer.create(ring, Purpose.SSO_UPGRADE, random)
            .seal(
                TicketCodec.encode(VERIFIER.newTicket("u-1006", "", "s-6", Duration.ofHours(8))),
                COOKIE));
    // A ticket issued before the current format (version 2, labelled binding) is still valid.
    issue(
        "valid-version-2",
        VERIFIER,
        TicketCodec.decode(TicketEncoding.asVersion2(
                VERIFIER.newTicket("u-1007", "org-7", "s-7", Duration.ofHours(8)), "s-7"))
            .orElseThrow(),
        false);
    clock.advance(Duration.ofHours(2));
  }

  private static void issue(
      String name, TicketVerifier issuer, AuthTicket ticket, boolean expired) {
    String cookie = issuer.seal(ticket);
    ISSUED.put(cookie, new Issued(ticket, expired));
    seed(name, cookie);
  }

  private static void seed(String name, String cookie) {
    SEEDS.put(name, cookie.getBytes(StandardCharsets.US_ASCII));
  }

  @FuzzTest(maxDuration = "60s")
  void verifyAnyCookie_acceptsOnlyIssuedTickets(byte[] input) {
    String cookie = new String(input, StandardCharsets.ISO_8859_1);
    TicketCheck check = VERIFIER.verify(cookie);
    assertNotNull(check);
    Issued issued = ISSUED.get(cookie);
    if (check instanceof TicketCheck.Valid valid) {
      assertNotNull(issued, () -> "accepted a cookie this test never issued: " + cookie);
      assertEquals(issued, new Issued(valid.ticket(), false));
    } else if (check instanceof TicketCheck.Expired expired) {
      assertNotNull(issued, () -> "an unissued cookie came back as an expired ticket: " + cookie);
      assertEquals(issued, new Issued(expired.ticket(), true));
    } else if (issued != null) {
      fail("an issued ticket was refused: " + check);
    }
  }

  @Test
  void committedSeeds_holdIssuedAndMustFailCookies() {
    FuzzSeeds.assertCommitted(getClass(), "verifyAnyCookie_acceptsOnlyIssuedTickets", SEEDS);
  }

  @Test
  void authenticSealsThatAreNotOurTickets_areNotValid() {
    assertEquals("NotValid[MALFORMED]", VERIFIER.verify(cookie("not-a-ticket")).toString());
    assertEquals(
        "NotValid[TAMPERED]", VERIFIER.verify(cookie("other-cookie-name")).toString());
    assertEquals("NotValid[TAMPERED]", VERIFIER.verify(cookie("other-purpose")).toString());
  }

  private static String cookie(String seed) {
    return new String(SEEDS.get(seed), StandardCharsets.US_ASCII);
  }
}
