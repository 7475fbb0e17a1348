package dev.portcullis.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A single {@code X-Forwarded-For} and {@code X-Forwarded-Proto} are read by a shortcut without lists; it must answer
 * exactly as the general path does for the same hop, which a {@code Forwarded} header naming it takes.
 */
class TrustedProxiesOneHopPropertiesTest {
  private static final TrustedProxies PROXIES = TrustedProxies.of(List.of("10.0.0.0/8"));

  @Property(tries = 3_000)
  void oneHopAnswersAsTheGeneralPath(
      @ForAll("addresses") String address,
      @ForAll("protocols") String proto,
      @ForAll boolean connectionSecure) {
    TrustedProxies.Client shortcut =
        PROXIES.resolve("10.1.2.3", connectionSecure, List.of(), List.of(address), List.of(proto));
    TrustedProxies.Client general = PROXIES.resolve(
        "10.1.2.3",
        connectionSecure,
        List.of("for=" + address + ";proto=" + proto),
        List.of(),
        List.of());
    assertThat(shortcut).as("%s / %s", address, proto).isEqualTo(general);
  }

  @Property(tries = 1_000)
  void oneAddressWithoutProtocolAnswersAsTheGeneralPath(
      @ForAll("addresses") String address, @ForAll boolean connectionSecure) {
    TrustedProxies.Client shortcut =
        PROXIES.resolve("10.1.2.3", connectionSecure, List.of(), List.of(address), List.of());
    TrustedProxies.Client general = PROXIES.resolve(
        "10.1.2.3", connectionSecure, List.of("for=" + address), List.of(), List.of());
    assertThat(shortcut).as(address).isEqualTo(general);
  }

  @Property(tries = 500)
  void oneProtocolWithoutAddressAnswersAsTheGeneralPath(
      @ForAll("protocols") String proto, @ForAll boolean connectionSecure) {
    TrustedProxies.Client shortcut =
        PROXIES.resolve("10.1.2.3", connectionSecure, List.of(), List.of(), List.of(proto));
    TrustedProxies.Client general = PROXIES.resolve(
        "10.1.2.3", connectionSecure, List.of("proto=" + proto), List.of(), List.of());
    assertThat(shortcut).as(proto).isEqualTo(general);
  }

  @Provide
  Arbitrary<String> addresses() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "192.0.2.10",
            " 192.0.2.10 ",
            "192.0.2.10:443",
            "10.9.9.9",
            "[2001:db8::1]:80",
            "[2001:db8::1]",
            "2001:db8::1",
            "001.2.3.4",
            "1.2.3",
            "unknown",
            "",
            " "),
        Arbitraries.strings().withChars("0123456789.:[]abf ").ofMaxLength(24));
  }

  @Provide
  Arbitrary<String> protocols() {
    return Arbitraries.of("https", "http", "HTTPS", " Https ", "ftp", "", "wss");
  }
}
