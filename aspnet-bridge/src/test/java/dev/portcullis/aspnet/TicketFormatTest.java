package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The two ticket layouts, byte by byte, and every way a layout can be broken. */
class TicketFormatTest {
  private static final Instant EPOCH = Instant.EPOCH;
  /** The Unix epoch and one second later as .NET ticks, little-endian. */
  private static final String EPOCH_TICKS = "0080B5F7F57F9F08";

  private static final String EPOCH_PLUS_1S_TICKS = "80164EF8F57F9F08";
  /** The same two instants as Windows FILETIMEs, little-endian. */
  private static final String EPOCH_FILETIME = "00803ED5DEB19D01";

  private static final String EPOCH_PLUS_1S_FILETIME = "8016D7D5DEB19D01";

  private static final FormsAuthenticationTicket TICKET = FormsAuthenticationTicket.builder(
          "ab", EPOCH, EPOCH.plusSeconds(1))
      .version(2)
      .persistent(true)
      .userData("")
      .cookiePath("/")
      .build();

  private static final String SERIALIZED = "0102" + EPOCH_TICKS + "FE" + EPOCH_PLUS_1S_TICKS + "01"
      + "0261006200" + "00" + "012F00" + "FF";

  private static final String NATIVE_AFTER_HEADER =
      "02" + "610062000000" + EPOCH_FILETIME + "01" + EPOCH_PLUS_1S_FILETIME + "0000" + "2F000000";

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  @Test
  void serializedLayout_isExactlyDotNetsSerializer() {
    assertThat(TicketFormat.SERIALIZED.write(TICKET, new SecureRandom()))
        .isEqualTo(hex(SERIALIZED));
    assertThat(TicketFormat.SERIALIZED.read(hex(SERIALIZED))).isEqualTo(TICKET);
  }

  @Test
  void nativeLayout_isRandomHeaderThenFixedFields() {
    byte[] written = TicketFormat.LEGACY_NATIVE.write(TICKET, new SecureRandom());

    assertThat(Arrays.copyOfRange(written, 8, written.length)).isEqualTo(hex(NATIVE_AFTER_HEADER));
    assertThat(TicketFormat.LEGACY_NATIVE.read(hex("0011223344556677" + NATIVE_AFTER_HEADER)))
        .isEqualTo(TICKET);
  }

  @Test
  void everyTruncation_isRejected_inBothLayouts() {
    byte[] serialized = hex(SERIALIZED);
    byte[] nativeTicket = hex("0011223344556677" + NATIVE_AFTER_HEADER);
    for (int n = 0; n < serialized.length; n++) {
      assertThat(TicketFormat.SERIALIZED.read(Arrays.copyOf(serialized, n)))
          .as("length %d", n)
          .isNull();
    }
    for (int n = 0; n < nativeTicket.length; n++) {
      assertThat(TicketFormat.LEGACY_NATIVE.read(Arrays.copyOf(nativeTicket, n)))
          .as("length %d", n)
          .isNull();
    }
  }

  @Test
  void trailingBytes_areRejected_inBothLayouts() {
    assertThat(TicketFormat.SERIALIZED.read(hex(SERIALIZED + "00"))).isNull();
    assertThat(
            TicketFormat.LEGACY_NATIVE.read(hex("0011223344556677" + NATIVE_AFTER_HEADER + "00")))
        .isNull();
  }

  @Test
  void wrongMarkers_areRejected() {
    assertThat(TicketFormat.SERIALIZED.read(hex("02" + SERIALIZED.substring(2))))
        .as("format version")
        .isNull();
    assertThat(TicketFormat.SERIALIZED.read(
            hex(SERIALIZED.replace("FE" + EPOCH_PLUS_1S_TICKS, "FD" + EPOCH_PLUS_1S_TICKS))))
        .as("spacer")
        .isNull();
    assertThat(TicketFormat.SERIALIZED.read(
            hex(SERIALIZED.substring(0, SERIALIZED.length() - 2) + "FE")))
        .as("footer")
        .isNull();
  }

  @Test
  void persistentFlag_mustBeZeroOrOne() {
    String withTwo = SERIALIZED.replace(EPOCH_PLUS_1S_TICKS + "01", EPOCH_PLUS_1S_TICKS + "02");
    assertThat(TicketFormat.SERIALIZED.read(hex(withTwo))).isNull();
  }

  @Test
  void stringCount_beyondTheData_orOverlong_orNegative_isRejected() {
    String head = "0102" + EPOCH_TICKS + "FE" + EPOCH_PLUS_1S_TICKS + "01";
    assertThat(TicketFormat.SERIALIZED.read(hex(head + "7F6100" + "00" + "00" + "FF")))
        .as("beyond data")
        .isNull();
    assertThat(TicketFormat.SERIALIZED.read(hex(head + "FFFFFFFF0F" + "00" + "00" + "FF")))
        .as("negative")
        .isNull();
    assertThat(TicketFormat.SERIALIZED.read(hex(head + "FFFFFFFF7F" + "00" + "00" + "FF")))
        .as("33 bits")
        .isNull();
    assertThat(TicketFormat.SERIALIZED.read(hex(head + "8080808080" + "00" + "00" + "FF")))
        .as("6 bytes")
        .isNull();
    assertThat(TicketFormat.SERIALIZED.read(hex(head + "8000" + "00" + "00" + "FF")))
        .as("overlong zero")
        .isNull();
    assertThat(TicketFormat.SERIALIZED.read(hex(head + "00" + "00" + "00" + "FF")))
        .as("all empty")
        .isNotNull();
  }

  @Test
  void ticksOutsideTheDateTimeRange_areRejected() {
    String negative = "0102" + "FFFFFFFFFFFFFFFF" + SERIALIZED.substring(20);
    String tooLate = "0102" + EPOCH_TICKS + "FE" + "004037F47528CA2B" + SERIALIZED.substring(38);
    assertThat(TicketFormat.SERIALIZED.read(hex(negative))).isNull();
    assertThat(TicketFormat.SERIALIZED.read(hex(tooLate))).isNull();
  }

  @Test
  void longString_usesAMultiByteCount() {
    FormsAuthenticationTicket ticket =
        FormsAuthenticationTicket.builder("n".repeat(300), EPOCH, EPOCH).build();

    byte[] bytes = TicketFormat.SERIALIZED.write(ticket, new SecureRandom());

    // 300 = 0b10_0101100: low seven bits with the continuation bit, then 2.
    assertThat(Arrays.copyOfRange(bytes, 20, 22)).isEqualTo(new byte[] {(byte) 0xAC, 0x02});
    assertThat(TicketFormat.SERIALIZED.read(bytes)).isEqualTo(ticket);
  }

  @Test
  void loneSurrogatesAndNul_surviveTheSerializedLayout() {
    FormsAuthenticationTicket ticket = FormsAuthenticationTicket.builder(
            "a\uD800b\u0000c", EPOCH, EPOCH)
        .userData("\uDFFF")
        .build();

    assertThat(
            TicketFormat.SERIALIZED.read(TicketFormat.SERIALIZED.write(ticket, new SecureRandom())))
        .isEqualTo(ticket);
  }

  @Test
  void nativeLayout_cannotHoldNul_orTimesBefore1601() {
    FormsAuthenticationTicket nul =
        FormsAuthenticationTicket.builder("a\u0000", EPOCH, EPOCH).build();
    FormsAuthenticationTicket early = FormsAuthenticationTicket.builder(
            "a", Instant.parse("1500-01-01T00:00:00Z"), EPOCH)
        .build();

    assertThatThrownBy(() -> TicketFormat.LEGACY_NATIVE.write(nul, new SecureRandom()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TicketFormat.LEGACY_NATIVE.write(early, new SecureRandom()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nativeLayout_stringWithoutTerminator_isRejected() {
    assertThat(TicketFormat.LEGACY_NATIVE.read(hex("0011223344556677" + "02" + "61006200")))
        .isNull();
  }

  @Test
  void ticketBuilder_checksVersionTimesAndLengths() {
    assertThatThrownBy(() ->
            FormsAuthenticationTicket.builder("a", EPOCH, EPOCH).version(256).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() ->
            FormsAuthenticationTicket.builder("a", EPOCH, EPOCH).version(-1).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FormsAuthenticationTicket.builder(
                "a", Instant.parse("-0001-01-01T00:00:00Z"), EPOCH)
            .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() ->
            FormsAuthenticationTicket.builder("a".repeat(2049), EPOCH, EPOCH).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(FormsAuthenticationTicket.builder("a".repeat(2048), EPOCH, EPOCH)
            .build()
            .name())
        .hasSize(2048);
  }

  @Test
  void times_keepDotNetPrecisionOf100Nanoseconds() {
    Instant fine = Instant.parse("2024-05-06T07:08:09.123456789Z");

    FormsAuthenticationTicket ticket =
        FormsAuthenticationTicket.builder("a", fine, fine).build();

    assertThat(ticket.issueDate()).isEqualTo(Instant.parse("2024-05-06T07:08:09.1234567Z"));
    assertThat(DotNetTicks.toInstant(DotNetTicks.fromInstant(ticket.issueDate())))
        .isEqualTo(ticket.issueDate());
    assertThat(DotNetTicks.fromInstant(Instant.parse("0001-01-01T00:00:00Z"))).isZero();
    assertThat(DotNetTicks.fromInstant(Instant.parse("9999-12-31T23:59:59.9999999Z")))
        .isEqualTo(DotNetTicks.MAX_TICKS);
  }
}
