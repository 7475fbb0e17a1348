package dev.portcullis.transport;

import static org.assertj.core.api.Assertions.assertThat;

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

class IpLiteralTest {
  /** The rule in its plainest form, as the reference: four groups of 1-3 ASCII digits, each at most 255. */
  private static final Pattern DOTTED_QUAD = Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");

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
    Optional<byte[]> actual = TrustedProxies.parseLiteral(s);
    assertThat(actual.isPresent()).as("'%s'", s).isEqualTo(expected.isPresent());
    expected.ifPresent(e -> assertThat(actual.get()).isEqualTo(e));
  }

  @Property(tries = 1_000)
  void everyAddress_roundTrips(@ForAll @IntRange(max = 255) int a, @ForAll @IntRange(max = 255) int b,
      @ForAll @IntRange(max = 255) int c, @ForAll @IntRange(max = 255) int d) {
    assertThat(TrustedProxies.parseLiteral(a + "." + b + "." + c + "." + d))
        .contains(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
  }

  @Example
  void nonAsciiDigitsSignsAndNames_areNotAddresses() {
    for (String s : new String[] {"\u0661.2.3.4", "+1.2.3.4", "1.2.3.4 ", "localhost", "", "1.2.3.4.", "0x7f.0.0.1"}) {
      assertThat(TrustedProxies.parseLiteral(s)).as("'%s'", s).isEmpty();
    }
  }

  @Provide
  Arbitrary<String> quadLike() {
    return Arbitraries.strings().withChars("0123456789.").withChars('a', ' ', '-').ofMinLength(0).ofMaxLength(19);
  }
}
