package dev.portcullis.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class IpAddressTest {
  /** The IPv4 rule in its plainest form: four parts, each 0 or 1-3 digits without a leading zero, at most 255. */
  private static final Pattern DOTTED_QUAD = Pattern.compile(
      "(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})");

  private static Optional<byte[]> reference(String s) {
    Matcher m = DOTTED_QUAD.matcher(s);
    if (!m.matches()) {
      return Optional.empty();
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      int v = Integer.parseInt(m.group(i + 1));
      if (v > 255) {
        return Optional.empty();
      }
      b[i] = (byte) v;
    }
    return Optional.of(b);
  }

  @Property(tries = 5_000)
  void ipv4_agreesWithTheReferenceRule(@ForAll("quadLike") String s) {
    Optional<byte[]> expected = reference(s);
    Optional<IpAddress> actual = IpAddress.parse(s);
    assertThat(actual.isPresent()).as("'%s'", s).isEqualTo(expected.isPresent());
    expected.ifPresent(e -> {
      assertThat(actual.get().bytes()).isEqualTo(e);
      // Parsed text is kept as the canonical text: it must be what the bytes format to.
      assertThat(actual.get().toString()).isEqualTo(IpAddress.of(e).toString());
      assertThat(actual.get()).isEqualTo(IpAddress.of(e));
    });
  }

  @Property(tries = 1_000)
  void everyIpv4Address_roundTripsThroughItsCanonicalText(
      @ForAll @IntRange(max = 255) int a,
      @ForAll @IntRange(max = 255) int b,
      @ForAll @IntRange(max = 255) int c,
      @ForAll @IntRange(max = 255) int d) {
    String text = a + "." + b + "." + c + "." + d;
    IpAddress ip = IpAddress.parse(text).orElseThrow();
    assertThat(ip.bytes()).isEqualTo(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    assertThat(ip.toString()).isEqualTo(text);
  }

  @Property(tries = 2_000)
  void everyIpv6Address_roundTrips_andAgreesWithTheJdkOnItsBytes(
      @ForAll @Size(8) int[] groups,
      @ForAll @IntRange(max = 7) int zeroFrom,
      @ForAll @IntRange(max = 4) int zeroCount)
      throws Exception {
    byte[] bytes = new byte[16];
    for (int g = 0; g < 8; g++) {
      int v = g >= zeroFrom && g < zeroFrom + zeroCount ? 0 : groups[g] & 0xFFFF;
      bytes[2 * g] = (byte) (v >> 8);
      bytes[2 * g + 1] = (byte) v;
    }
    IpAddress ip = IpAddress.of(bytes);
    String jdk = InetAddress.getByAddress(bytes).getHostAddress(); // eight groups, no "::"

    assertThat(IpAddress.parse(ip.toString())).contains(ip);
    assertThat(IpAddress.parse(jdk)).contains(ip);
    assertThat(IpAddress.parse(jdk.toUpperCase(java.util.Locale.ROOT))).contains(ip);
    assertThat(InetAddress.getByName(ip.toString()).getAddress()).isEqualTo(ip.bytes());
  }

  @Example
  void clientPrefix_isAllOfAnIpv4Address_andTheSlash64OfAnIpv6One() {
    assertThat(IpAddress.parse("198.51.100.20").orElseThrow().clientPrefix())
        .containsExactly(198, 51, 100, 20);
    assertThat(IpAddress.parse("2001:db8:1:2:ffff::9").orElseThrow().clientPrefix())
        .containsExactly(0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2);
    assertThat(IpAddress.parse("::ffff:192.0.2.1").orElseThrow().clientPrefix())
        .as("an IPv4-mapped address is its IPv4 address")
        .containsExactly(192, 0, 2, 1);
  }

  @Example
  void leadingZeros_areRefusedInIpv4_andInAnIpv4TailOfIpv6_butNotInHexGroups() {
    for (String s : new String[] {
      "010.0.0.1", "10.0.0.01", "00.0.0.0", "01.02.03.004", "::ffff:010.0.0.1", "1.2.3.00"
    }) {
      assertThat(IpAddress.parse(s)).as("'%s'", s).isEmpty();
    }
    assertThat(IpAddress.parse("0.0.0.0")).isPresent();
    assertThat(IpAddress.parse("10.0.0.100")).isPresent();
    assertThat(IpAddress.parse("2001:0db8:0000::0001").map(IpAddress::toString))
        .contains("2001:db8::1");
  }

  @Example
  void nonAsciiDigitsSignsNamesShortFormsZonesBracketsAndPorts_areNotAddresses() {
    for (String s : new String[] {
      "\u0661.2.3.4",
      "+1.2.3.4",
      "1.2.3.4 ",
      " 1.2.3.4",
      "localhost",
      "",
      "1.2.3.4.",
      "0x7f.0.0.1",
      "127.1",
      "2130706433",
      "1.2.3.4:80",
      "[::1]",
      "::1%eth0",
      "fe80::1%1",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      ":1",
      "1:",
      "1:::2",
      "12345::",
      "::1.2.3",
      "1.2.3.4::",
      "::ffff:1.2.3.4.5",
      "g::1",
      "::1:",
      "1:2:3:4:5:6:7:1.2.3.4",
      "\uFF11.2.3.4",
      "::" + "1".repeat(50)
    }) {
      assertThat(IpAddress.parse(s)).as("'%s'", s).isEmpty();
    }
    assertThat(IpAddress.parse(null)).isEmpty();
  }

  @Example
  void canonicalText_followsRfc5952() {
    assertThat(text("2001:DB8:0:0:0:0:2:1")).isEqualTo("2001:db8::2:1");
    assertThat(text("2001:db8:0:1:1:1:1:1"))
        .as("one zero group stays")
        .isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(text("2001:0:0:1:0:0:0:1")).as("the longer run").isEqualTo("2001:0:0:1::1");
    assertThat(text("2001:db8:0:0:1:0:0:1"))
        .as("the first of equal runs")
        .isEqualTo("2001:db8::1:0:0:1");
    assertThat(text("0:0:0:0:0:0:0:0")).isEqualTo("::");
    assertThat(text("0:0:0:0:0:0:0:1")).isEqualTo("::1");
    assertThat(text("1:0:0:0:0:0:0:0")).isEqualTo("1::");
    assertThat(text("::ffff:192.0.2.1")).as("IPv4-mapped is IPv4").isEqualTo("192.0.2.1");
    assertThat(text("::ffff:c000:201")).isEqualTo("192.0.2.1");
    assertThat(text("64:ff9b::192.0.2.1")).isEqualTo("64:ff9b::c000:201");
  }

  @Example
  void equality_isByAddress_notByText() {
    assertThat(IpAddress.parse("2001:db8::1")).isEqualTo(IpAddress.parse("2001:0DB8:0:0:0:0:0:1"));
    assertThat(IpAddress.parse("::ffff:10.0.0.1")).isEqualTo(IpAddress.parse("10.0.0.1"));
    assertThat(IpAddress.parse("10.0.0.1")).isNotEqualTo(IpAddress.parse("10.0.0.2"));
    assertThat(IpAddress.parse("10.0.0.1").orElseThrow().hashCode())
        .isEqualTo(IpAddress.parse("::ffff:a00:1").orElseThrow().hashCode());
  }

  @Example
  void loopback_isRecognised() {
    assertThat(IpAddress.parse("127.0.0.1").orElseThrow().isLoopback()).isTrue();
    assertThat(IpAddress.parse("127.9.9.9").orElseThrow().isLoopback()).isTrue();
    assertThat(IpAddress.parse("::1").orElseThrow().isLoopback()).isTrue();
    assertThat(IpAddress.parse("::ffff:127.0.0.1").orElseThrow().isLoopback()).isTrue();
    assertThat(IpAddress.parse("10.0.0.1").orElseThrow().isLoopback()).isFalse();
    assertThat(IpAddress.parse("::2").orElseThrow().isLoopback()).isFalse();
    assertThat(IpAddress.parse("::").orElseThrow().isLoopback()).isFalse();
  }

  @Example
  void of_takesFourOrSixteenBytesOnly() {
    assertThat(IpAddress.of(new byte[] {10, 0, 0, 1}).toString()).isEqualTo("10.0.0.1");
    assertThatThrownBy(() -> IpAddress.of(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpAddress.of(null)).isInstanceOf(IllegalArgumentException.class);
  }

  private static String text(String s) {
    return IpAddress.parse(s)
        .orElseThrow(() -> new AssertionError("not parsed: " + s))
        .toString();
  }

  @Provide
  Arbitrary<String> quadLike() {
    return Arbitraries.strings()
        .withChars("0123456789.")
        .withChars('a', ' ', '-')
        .ofMinLength(0)
        .ofMaxLength(19);
  }
}
