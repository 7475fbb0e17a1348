package dev.portcullis.ticket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.testing.FuzzSeeds;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link TicketCodec#decode}: it never throws, and whatever decodes is the one encoding of its ticket, so
 * encoding it again gives exactly the input bytes. The negative side: one byte more or one byte less than a ticket
 * is never a ticket.
 *
 * <p>The normal build replays the committed seeds in {@code TicketCodecFuzzTestInputs/}. To fuzz:
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -pl core test -Dtest=TicketCodecFuzzTest#decodeAnyBytes_roundTripsExactlyOrRefuses
 * </pre>
 */
class TicketCodecFuzzTest {
  private static final Instant ISSUED = Instant.parse("2026-01-01T08:00:00.123Z");

  @FuzzTest(maxDuration = "60s")
  void decodeAnyBytes_roundTripsExactlyOrRefuses(byte[] input) {
    Optional<AuthTicket> decoded = TicketCodec.decode(input);
    if (decoded.isEmpty()) {
      return;
    }
    AuthTicket ticket = decoded.get();
    assertArrayEquals(
        input, TicketCodec.encode(ticket), "decoded ticket re-encodes to other bytes");
    assertEquals(decoded, TicketCodec.decode(TicketCodec.encode(ticket)));
    assertTrue(
        TicketCodec.decode(Arrays.copyOf(input, input.length + 1)).isEmpty(),
        "trailing byte accepted");
    assertTrue(
        TicketCodec.decode(Arrays.copyOf(input, input.length - 1)).isEmpty(),
        "truncated ticket accepted");
  }

  @Test
  void committedSeeds_holdValidAndBrokenTickets() {
    FuzzSeeds.assertCommitted(getClass(), "decodeAnyBytes_roundTripsExactlyOrRefuses", seeds());
  }

  @Test
  void validSeeds_decode_andBrokenSeeds_doNot() {
    seeds()
        .forEach((name, bytes) ->
            assertEquals(name.startsWith("valid-"), TicketCodec.decode(bytes).isPresent(), name));
  }

  /** Seeds named {@code valid-*} decode; the others are near misses that must not. */
  static Map<String, byte[]> seeds() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    byte[] plain = TicketCodec.encode(ticket("u-1001", ""));
    seeds.put("valid-no-organisation", plain);
    seeds.put("valid-with-organisation", TicketCodec.encode(ticket("u-1001", "org-7")));
    seeds.put(
        "valid-multibyte-handles",
        TicketCodec.encode(ticket("\u00e9l\u00e8ve-\uD83D\uDD11", "\u7d44\u7e54")));
    seeds.put("valid-longest-handles", TicketCodec.encode(ticket("u".repeat(64), "o".repeat(64))));
    seeds.put("valid-version-2", with(plain, 0, (byte) 2));
    seeds.put("broken-version-1", with(plain, 0, (byte) 1));
    seeds.put("broken-version-4", with(plain, 0, (byte) 4));
    seeds.put("broken-unpadded", Arrays.copyOf(plain, contentLength(plain)));
    seeds.put("broken-nonzero-padding", with(plain, plain.length - 1, (byte) 1));
    seeds.put("broken-extra-bucket", Arrays.copyOf(plain, plain.length + 32));
    seeds.put("broken-truncated", Arrays.copyOf(plain, plain.length - 1));
    seeds.put("broken-trailing-byte", Arrays.copyOf(plain, plain.length + 1));
    seeds.put("broken-user-length-past-end", with(plain, 1 + AuthTicket.ID_LENGTH, (byte) 0xFF));
    seeds.put("broken-empty-user", emptyUser(plain));
    seeds.put(
        "broken-control-char-in-user", with(plain, 1 + AuthTicket.ID_LENGTH + 1, (byte) 0x07));
    seeds.put(
        "broken-invalid-utf8-in-user", with(plain, 1 + AuthTicket.ID_LENGTH + 1, (byte) 0xC0));
    seeds.put("broken-zero-lifetime", zeroLifetime(plain));
    return seeds;
  }

  private static AuthTicket ticket(String user, String org) {
    byte[] id = new byte[AuthTicket.ID_LENGTH];
    Arrays.fill(id, (byte) 0x1D);
    return new AuthTicket(
        id,
        user,
        org,
        ISSUED,
        ISSUED.plusSeconds(8 * 3600),
        ISSUED.minusSeconds(60),
        SessionBinding.of("session-0001"));
  }

  private static byte[] with(byte[] bytes, int index, byte value) {
    byte[] copy = bytes.clone();
    copy[index] = value;
    return copy;
  }

  /** The "u-1001" ticket with a zero-length user handle; the lengths and the padding still add up. */
  private static byte[] emptyUser(byte[] plain) {
    int userAt = 1 + AuthTicket.ID_LENGTH;
    int userLen = plain[userAt];
    byte[] out = new byte[plain.length - userLen];
    System.arraycopy(plain, 0, out, 0, userAt);
    out[userAt] = 0;
    System.arraycopy(
        plain, userAt + 1 + userLen, out, userAt + 1, plain.length - userAt - 1 - userLen);
    return Arrays.copyOf(out, plain.length); // padded back, so that only the empty handle is wrong
  }

  /** Where the padding of the "u-1001" ticket without organisation starts: after its three varints and binding. */
  private static int contentLength(byte[] plain) {
    int at = issuedAt(plain);
    for (int varint = 0; varint < 3; varint++) {
      at = afterVarint(plain, at);
    }
    return at + AuthTicket.BINDING_LENGTH;
  }

  /** The "u-1001" ticket with its lifetime varint replaced by a one-byte zero, padded back to its length. */
  private static byte[] zeroLifetime(byte[] plain) {
    int lifetimeAt = afterVarint(plain, issuedAt(plain));
    int lifetimeEnd = afterVarint(plain, lifetimeAt);
    byte[] out = new byte[plain.length];
    System.arraycopy(plain, 0, out, 0, lifetimeAt);
    out[lifetimeAt] = 0;
    System.arraycopy(plain, lifetimeEnd, out, lifetimeAt + 1, plain.length - lifetimeEnd);
    return out;
  }

  private static int issuedAt(byte[] plain) {
    int userAt = 1 + AuthTicket.ID_LENGTH;
    int orgAt = userAt + 1 + plain[userAt];
    return orgAt + 1 + plain[orgAt];
  }

  private static int afterVarint(byte[] bytes, int at) {
    while ((bytes[at] & 0x80) != 0) {
      at++;
    }
    return at + 1;
  }
}
