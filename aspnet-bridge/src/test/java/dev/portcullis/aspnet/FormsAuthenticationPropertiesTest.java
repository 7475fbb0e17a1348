package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.aspnet.Configurations.Config;
import dev.portcullis.testing.MutableClock;
import java.time.Instant;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties over arbitrary tickets and configurations: what is sealed opens unchanged, and nothing else opens. */
class FormsAuthenticationPropertiesTest {

  @Property(tries = 300)
  void anyTicket_roundTripsUnchanged(
      @ForAll("configs") Config config, @ForAll("tickets") FormsAuthenticationTicket t) {
    FormsAuthentication forms = config.forms(new MutableClock(t.expiration().minusNanos(100)));

    TicketResult result = forms.open(forms.seal(t));

    assertThat(result).isInstanceOf(TicketResult.Valid.class);
    assertThat(((TicketResult.Valid) result).ticket()).isEqualTo(t);
  }

  @Property(tries = 300)
  void anyChangedByte_isRejected(
      @ForAll("configs") Config config,
      @ForAll("tickets") FormsAuthenticationTicket t,
      @ForAll @IntRange(min = 0, max = 10_000) int position,
      @ForAll @IntRange(min = 1, max = 255) int mask) {
    FormsAuthentication forms = config.forms(new MutableClock(t.expiration().minusNanos(100)));
    byte[] cookie = HexFormat.of().parseHex(forms.seal(t));
    cookie[position % cookie.length] ^= (byte) mask;

    assertThat(forms.open(HexFormat.of().formatHex(cookie)))
        .isInstanceOf(TicketResult.NotValid.class);
  }

  @Property(tries = 500)
  void anyShortGarbage_isRejectedWithoutException(
      @ForAll("configs") Config config, @ForAll("garbage") String value) {
    FormsAuthentication forms = config.forms(new MutableClock(Instant.EPOCH));

    assertThat(forms.open(value)).isInstanceOf(TicketResult.NotValid.class);
  }

  @Provide
  Arbitrary<Config> configs() {
    return Arbitraries.of(Configurations.all());
  }

  @Provide
  Arbitrary<String> garbage() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofMaxLength(600),
        Arbitraries.strings().ofMaxLength(100));
  }

  @Provide
  Arbitrary<FormsAuthenticationTicket> tickets() {
    // Any UTF-16 code units except NUL, which the legacy native layout cannot hold.
    Arbitrary<String> text =
        Arbitraries.strings().withCharRange('\u0001', '\uffff').ofMaxLength(60);
    Arbitrary<Instant> time = Arbitraries.longs()
        .between(
            DotNetTicks.fromInstant(Instant.parse("1601-01-01T00:00:00Z")),
            DotNetTicks.MAX_TICKS - 1)
        .map(DotNetTicks::toInstant);
    return Combinators.combine(
            text,
            text,
            text,
            time,
            time,
            Arbitraries.integers().between(0, 255),
            Arbitraries.of(true, false))
        .as((name, data, path, issue, expiration, version, persistent) ->
            FormsAuthenticationTicket.builder(name, issue, expiration)
                .userData(data)
                .cookiePath(path)
                .version(version)
                .persistent(persistent)
                .build());
  }
}
