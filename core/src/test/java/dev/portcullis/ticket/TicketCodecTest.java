package dev.portcullis.ticket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TicketCodecTest {

  static AuthTicket ticket(String user, String org, long issued, long lifetime, long authBefore) {
    byte[] id = new byte[16];
    Arrays.fill(id, (byte) 0x11);
    byte[] binding = new byte[16];
    Arrays.fill(binding, (byte) 0x22);
    return new AuthTicket(
        id,
        user,
        org,
        Instant.ofEpochMilli(issued),
        Instant.ofEpochMilli(issued + lifetime),
        Instant.ofEpochMilli(issued - authBefore),
        binding);
  }

  @Property(tries = 2_000)
  void roundTrip_acrossFieldRanges(
      @ForAll("handle") String user,
      @ForAll("orgHandle") String org,
      @ForAll @LongRange(min = 0, max = 253_402_300_799_000L) long issued,
      @ForAll @LongRange(min = 1, max = 10L * 365 * 86_400_000) long lifetime,
      @ForAll @LongRange(min = 0, max = 86_400_000) long authBefore) {
    AuthTicket t = ticket(user, org, issued, lifetime, Math.min(authBefore, issued));
    byte[] encoded = TicketCodec.encode(t);
    assertThat(TicketCodec.decode(encoded)).contains(t);
  }

  /**
   * A decoded ticket reads its organisation from the decoded bytes when asked (printable ASCII), or has it decoded
   * already (other Unicode); either way it is the one encoded, and encodes back to the same bytes.
   */
  @Test
  void decodedTicket_givesBackItsOrganisation_asciiOtherUnicodeOrNone() {
    for (String org : List.of("riverside", "z\u00fcrich-s\u00fcd", "")) {
      AuthTicket original = ticket("u-1", org, 1_000_000, 60_000, 0);
      byte[] encoded = TicketCodec.encode(original);
      AuthTicket decoded = TicketCodec.decode(encoded).orElseThrow();
      assertThat(decoded.organisationHandle())
          .isEqualTo(org.isEmpty() ? Optional.empty() : Optional.of(org));
      assertThat(TicketCodec.encode(decoded)).isEqualTo(encoded);
      assertThat(decoded).isEqualTo(original);
    }
  }

  /**
   * A decoded ticket keeps its id and binding inside the bytes it was decoded from: the public decoder copies the
   * caller's array first, so changing it afterwards changes no ticket; and the ticket hashes and compares as one built
   * from copies of the two.
   */
  @Test
  void decodedTicket_isUnchangedWhenTheCallersBytesChange_andEqualsItsTwin() {
    AuthTicket original = ticket("u-1", "org", 1_000_000, 60_000, 0);
    byte[] encoded = TicketCodec.encode(original);
    AuthTicket decoded = TicketCodec.decode(encoded).orElseThrow();
    Arrays.fill(encoded, (byte) 0x7f);

    assertThat(decoded.ticketId()).isEqualTo(original.ticketId());
    assertThat(decoded.sessionBinding()).isEqualTo(original.sessionBinding());
    assertThat(decoded).isEqualTo(original);
    assertThat(decoded.hashCode())
        .isEqualTo(original.hashCode())
        .isEqualTo(Arrays.hashCode(original.ticketId()));
    assertThat(decoded.ticketIdHex()).isEqualTo("11".repeat(16));
    assertThat(TicketCodec.encode(decoded)).isEqualTo(TicketCodec.encode(original));
  }

  @Property(tries = 2_000)
  void truncatedOrExtended_neverDecodes(
      @ForAll("handle") String user,
      @ForAll @IntRange(min = 1, max = 40) int delta,
      @ForAll boolean extend) {
    byte[] encoded = TicketCodec.encode(ticket(user, "org", 1_000_000, 60_000, 0));
    byte[] changed = extend
        ? Arrays.copyOf(encoded, encoded.length + delta)
        : Arrays.copyOf(encoded, Math.max(0, encoded.length - delta));
    assertThat(TicketCodec.decode(changed)).isEmpty();
  }

  @Property(tries = 2_000)
  void arbitraryBytes_neverThrow(@ForAll @Size(max = 300) byte[] bytes) {
    TicketCodec.decode(bytes).ifPresent(t -> assertThat(TicketCodec.encode(t)).isEqualTo(bytes));
  }

  /** {@code bytes} with its content changed and the zero padding adjusted so that the total length stays the same. */
  private static byte[] samePaddedLength(byte[] content, int length) {
    return Arrays.copyOf(content, length);
  }

  @Test
  void decode_refusesWrongVersionBadUtf8AndTimesOutOfOrder() {
    byte[] good = TicketCodec.encode(ticket("u-1", "o-1", 1_000_000, 60_000, 0));
    assertThat(good).hasSize(64);
    for (byte v : new byte[] {0, 1, 4, (byte) 0xFF}) {
      byte[] version = good.clone();
      version[0] = v;
      assertThat(TicketCodec.decode(version)).as("version %d", v).isEmpty();
    }

    byte[] badUtf8 = good.clone();
    badUtf8[1 + 16 + 1] = (byte) 0xC3; // a lone lead byte in the user handle
    assertThat(TicketCodec.decode(badUtf8)).isEmpty();

    // issuedAt 1,000,000 ms takes 3 varint bytes; the lifetime 60,000 ms follows. A zero lifetime
    // is out of order.
    int lifetimeAt = 1 + 16 + 1 + 3 + 1 + 3 + 3;
    byte[] zeroLifetime = new byte[good.length - 2];
    System.arraycopy(good, 0, zeroLifetime, 0, lifetimeAt);
    zeroLifetime[lifetimeAt] = 0;
    System.arraycopy(
        good, lifetimeAt + 3, zeroLifetime, lifetimeAt + 1, good.length - lifetimeAt - 3);
    assertThat(TicketCodec.decode(samePaddedLength(zeroLifetime, good.length))).isEmpty();

    // The same lifetime as a non-minimal (overlong) varint: one ticket, one encoding.
    byte[] overlong = new byte[good.length + 1];
    System.arraycopy(good, 0, overlong, 0, lifetimeAt + 3);
    overlong[lifetimeAt + 2] |= (byte) 0x80;
    overlong[lifetimeAt + 3] = 0;
    System.arraycopy(good, lifetimeAt + 3, overlong, lifetimeAt + 4, good.length - lifetimeAt - 3);
    assertThat(TicketCodec.decode(samePaddedLength(overlong, good.length))).isEmpty();

    assertThat(TicketCodec.decode(new byte[0])).isEmpty();
    assertThat(TicketCodec.decode(null)).isEmpty();
  }

  @Test
  void padding_mustBeZero_andExactlyUpToTheNextBucket() {
    byte[] good = TicketCodec.encode(ticket("u-1", "o-1", 1_000_000, 60_000, 0));
    assertThat(TicketCodec.decode(good)).isPresent();

    byte[] nonZero = good.clone();
    nonZero[good.length - 1] = 1;
    assertThat(TicketCodec.decode(nonZero)).isEmpty();
    assertThat(TicketCodec.decode(Arrays.copyOf(good, good.length + TicketCodec.BUCKET)))
        .as("a whole bucket too many")
        .isEmpty();
    assertThat(TicketCodec.decode(Arrays.copyOf(good, 48)))
        .as("unpadded, as version 1 was")
        .isEmpty();
  }

  @Test
  void newTickets_areVersionThree_boundByTheSessionIdsPlainSha256() throws Exception {
    AuthTicket t = new AuthTicket(
        new byte[16],
        "u-1",
        "o-1",
        Instant.ofEpochMilli(1_000_000),
        Instant.ofEpochMilli(1_060_000),
        Instant.ofEpochMilli(1_000_000),
        SessionBinding.of("session-1"));
    byte[] encoded = TicketCodec.encode(t);
    assertThat(encoded[0]).isEqualTo((byte) 3);
    byte[] sha = MessageDigest.getInstance("SHA-256")
        .digest("session-1".getBytes(StandardCharsets.US_ASCII));
    assertThat(t.sessionBinding()).isEqualTo(Arrays.copyOf(sha, 16));
    AuthTicket back = TicketCodec.decode(encoded).orElseThrow();
    assertThat(back).isEqualTo(t);
    assertThat(back.isBoundTo("session-1")).isTrue();
    assertThat(back.isBoundTo("session-2")).isFalse();
  }

  @Test
  void versionTwoTickets_stillRead_withTheirLabelledBinding_andWriteBackAsVersionTwo() {
    AuthTicket t = ticket("u-1", "o-1", 1_000_000, 60_000, 0);
    byte[] v2 = TicketEncoding.asVersion2(t, "session-1");
    assertThat(v2[0]).isEqualTo((byte) 2);
    AuthTicket back = TicketCodec.decode(v2).orElseThrow();
    assertThat(back.userHandle()).isEqualTo("u-1");
    assertThat(back.sessionBinding()).isEqualTo(SessionBinding.labelled("session-1"));
    assertThat(back.isBoundTo("session-1")).isTrue();
    assertThat(back.isBoundTo("session-2")).isFalse();
    assertThat(TicketCodec.encode(back)).isEqualTo(v2);

    // The same bytes under the other version mean another binding: neither reads as the other's.
    byte[] asV3 = v2.clone();
    asV3[0] = 3;
    AuthTicket misread = TicketCodec.decode(asV3).orElseThrow();
    assertThat(misread.isBoundTo("session-1")).isFalse();
    assertThat(misread).isNotEqualTo(back);
  }

  @Test
  void versionOneTicket_unpadded_isRefused() {
    byte[] v2 = TicketCodec.encode(ticket("u-1", "o-1", 1_000_000, 60_000, 0));
    byte[] v1 = Arrays.copyOf(v2, 48); // the version-1 layout: the same fields, no padding
    v1[0] = 1;
    assertThat(TicketCodec.decode(v1)).isEmpty();
  }

  @Property(tries = 1_000)
  void everyEncoding_fillsWholeBuckets_andHandlesWithinABucketGiveOneLength(
      @ForAll @IntRange(min = 1, max = 36) int userLength,
      @ForAll @IntRange(min = 0, max = 11) int orgLength,
      @ForAll @LongRange(min = 0, max = 86_400_000) long authAge) {
    long eightHours = 8L * 3_600_000;
    byte[] encoded = TicketCodec.encode(ticket(
        "u".repeat(userLength), "o".repeat(orgLength), 1_790_000_000_000L, eightHours, authAge));
    assertThat(encoded.length % TicketCodec.BUCKET).isZero();
    // With today's times and a lifetime of hours, the fixed fields take 46 to 49 bytes: handles of
    // up to 15 bytes together fit the first bucket whatever the auth age, from 19 to 47 bytes the
    // second.
    int handles = userLength + orgLength;
    if (handles <= 15) {
      assertThat(encoded).hasSize(64);
    } else if (handles >= 19) {
      assertThat(encoded).hasSize(96);
    }
    assertThat(TicketCodec.decode(encoded)).isPresent();
  }

  @Test
  void organisationsOfDifferentLengths_encodeToTheSameLength_freshOrRenewed() {
    long now = 1_790_000_000_000L;
    for (long authAge : new long[] {0, 4 * 3_600_000L}) {
      int[] lengths = List.of("riverside", "hillview", "council", "o").stream()
          .mapToInt(
              org -> TicketCodec.encode(ticket("u-1001", org, now, 28_800_000, authAge)).length)
          .toArray();
      assertThat(lengths).as("auth age %d", authAge).containsOnly(64);
    }
    assertThat(TicketCodec.encode(ticket("u".repeat(64), "o".repeat(64), now, 28_800_000, 0)))
        .as("the largest ticket")
        .hasSize(TicketCodec.MAX_ENCODED);
  }

  @Test
  void decode_refusesControlCharactersAndEmptyOrOversizedHandles() {
    byte[] good = TicketCodec.encode(ticket("u-1", "o-1", 1_000_000, 60_000, 0));
    int userAt = 1 + 16 + 1;
    for (byte[] user : List.of(
        new byte[] {'u', '\n', '1'},
        new byte[] {'u', 0x7F, '1'},
        new byte[] {'u', (byte) 0xC2, (byte) 0x85})) { // U+0085, a C1 control, as UTF-8
      byte[] changed = good.clone();
      System.arraycopy(user, 0, changed, userAt, 3);
      assertThat(TicketCodec.decode(changed))
          .as("user %s", Arrays.toString(user))
          .isEmpty();
    }
    byte[] emptyUser = new byte[good.length - 3];
    System.arraycopy(good, 0, emptyUser, 0, userAt);
    emptyUser[userAt - 1] = 0;
    System.arraycopy(good, userAt + 3, emptyUser, userAt, good.length - userAt - 3);
    assertThat(TicketCodec.decode(samePaddedLength(emptyUser, good.length))).isEmpty();

    byte[] longUser = good.clone();
    longUser[userAt - 1] = 65; // more than 64 bytes claimed
    assertThat(TicketCodec.decode(longUser)).isEmpty();
  }

  @Test
  void ticket_refusesBadHandlesAndLengths() {
    assertThatThrownBy(() -> ticket("", "o", 1000, 1, 0)).hasMessageContaining("empty");
    assertThatThrownBy(() -> ticket("x".repeat(65), "o", 1000, 1, 0)).hasMessageContaining("64");
    assertThatThrownBy(() -> ticket("a\nb", "o", 1000, 1, 0)).hasMessageContaining("control");
    assertThatThrownBy(() -> ticket("a\ud800", "o", 1000, 1, 0)).hasMessageContaining("Unicode");
    assertThatThrownBy(() -> ticket("u", "o", 1000, 0, 0)).hasMessageContaining("order");
    assertThatThrownBy(() -> new AuthTicket(
            new byte[15],
            "u",
            "",
            Instant.EPOCH,
            Instant.EPOCH.plusMillis(1),
            Instant.EPOCH,
            new byte[16]))
        .hasMessageContaining("16 bytes");
  }

  @Provide
  Arbitrary<String> handle() {
    return Arbitraries.strings()
        .withCharRange('!', '~')
        .withChars('é', 'ß', '中')
        .ofMinLength(1)
        .ofMaxLength(20);
  }

  @Provide
  Arbitrary<String> orgHandle() {
    return Arbitraries.oneOf(Arbitraries.just(""), handle());
  }
}
