package dev.portcullis.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.transport.ForwardedHeaders;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
  private final TrustedProxies proxies =
      TrustedProxies.of(List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8"));

  @Test
  void headersFromAnUntrustedPeer_areIgnored() {
    var c = proxies.resolve(
        "203.0.113.5",
        false,
        List.of("for=198.51.100.1;proto=https"),
        List.of("198.51.100.1"),
        List.of("https"));
    assertThat(c).isEqualTo(new TrustedProxies.Client("203.0.113.5", false));
    assertThat(TrustedProxies.none()
            .resolve("10.1.1.1", false, List.of(), List.of("1.2.3.4"), List.of("https")))
        .isEqualTo(new TrustedProxies.Client("10.1.1.1", false));
  }

  @Test
  void aPeerRememberedAsTrusted_neverVouchesForAnother() {
    // Alternate a trusted and an untrusted peer: the remembered one answers as before, the other is
    // still refused, however often either repeats.
    for (int i = 0; i < 3; i++) {
      assertThat(proxies.resolve(
              "10.0.0.2", false, List.of(), List.of("198.51.100.1"), List.of("https")))
          .isEqualTo(new TrustedProxies.Client("198.51.100.1", true));
      assertThat(
              proxies.resolve("10.0.0.2", false, List.of(), List.of("not-an-ip"), List.of("https")))
          .isEqualTo(new TrustedProxies.Client("10.0.0.2", false));
      assertThat(proxies.resolve(
              "203.0.113.5", false, List.of(), List.of("198.51.100.1"), List.of("https")))
          .isEqualTo(new TrustedProxies.Client("203.0.113.5", false));
      assertThat(proxies.resolve("10.0.0.20", false, List.of(), List.of("198.51.100.2"), List.of()))
          .isEqualTo(new TrustedProxies.Client("198.51.100.2", false));
    }
  }

  @Test
  void emptyPartsOfAHeader_areKeptAndRefused() {
    // An empty element between commas is a malformed chain, from a trusted peer as well.
    assertThat(proxies.resolve(
            "10.0.0.2", false, List.of(), List.of("198.51.100.1,,10.0.0.9"), List.of("https")))
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", false));
    assertThat(
            proxies.resolve("10.0.0.2", false, List.of("for=198.51.100.1;"), List.of(), List.of()))
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", false));
  }

  @Test
  void xForwarded_fromTrustedPeer_skipsTrustedHopsFromTheRight() {
    var c = proxies.resolve(
        "10.0.0.2", false, List.of(), List.of("6.6.6.6, 198.51.100.1, 10.0.0.9"), List.of("https"));
    assertThat(c).isEqualTo(new TrustedProxies.Client("198.51.100.1", true));
  }

  @Test
  void forwardedHeader_isRead_withQuotedIpv6AndPorts() {
    var c = proxies.resolve(
        "192.0.2.7",
        false,
        List.of("for=\"[2001:db8::1]:4711\";proto=https, for=10.9.9.9;proto=https"),
        List.of(),
        List.of());
    assertThat(c).isEqualTo(new TrustedProxies.Client("2001:db8::1", true));
  }

  /**
   * Regression: with both kinds of header, {@code Forwarded} was believed and {@code X-Forwarded-*} ignored. Behind a
   * proxy that appends {@code X-Forwarded-For} and passes the client's own {@code Forwarded} on, the client chose its
   * address (another user's known address, a fresh one for every login attempt) and whether it used HTTPS.
   */
  @Test
  void forwardedAndXForwarded_thatDisagree_areNeitherBelieved() {
    assertThat(proxies.resolve(
            "192.0.2.7",
            false,
            List.of("for=198.51.100.1;proto=https"),
            List.of("203.0.113.5"),
            List.of("https")))
        .as("the client's Forwarded names another address than the proxy's X-Forwarded-For")
        .isEqualTo(new TrustedProxies.Client(
            "192.0.2.7",
            false,
            new TrustedProxies.Disagreement(
                new TrustedProxies.Client("198.51.100.1", true),
                new TrustedProxies.Client("203.0.113.5", true))));
    assertThat(proxies.resolve(
            "192.0.2.7", false, List.of("proto=https"), List.of("203.0.113.5"), List.of("http")))
        .as("and another protocol")
        .isEqualTo(new TrustedProxies.Client(
            "192.0.2.7",
            false,
            new TrustedProxies.Disagreement(
                new TrustedProxies.Client("192.0.2.7", true),
                new TrustedProxies.Client("203.0.113.5", false))));
    assertThat(proxies.resolve(
            "192.0.2.7",
            true,
            List.of("for=203.0.113.5;proto=https"),
            List.of("6.6.6.6, 203.0.113.5"),
            List.of()))
        .as("X-Forwarded-For without X-Forwarded-Proto keeps the connection's security")
        .isEqualTo(new TrustedProxies.Client("203.0.113.5", true));
    assertThat(proxies.resolve(
            "192.0.2.7",
            false,
            List.of("for=203.0.113.5;proto=https"),
            List.of("6.6.6.6, 203.0.113.5"),
            List.of("https")))
        .as("a proxy that writes both, alike, is believed")
        .isEqualTo(new TrustedProxies.Client("203.0.113.5", true));
  }

  @Test
  void headersThatAgree_orOfOneKind_carryNoDisagreement() {
    assertThat(proxies
            .resolve(
                "192.0.2.7",
                false,
                List.of("for=203.0.113.5;proto=https"),
                List.of("203.0.113.5"),
                List.of("https"))
            .disagreement())
        .isNull();
    assertThat(proxies
            .resolve("192.0.2.7", false, List.of(), List.of("garbage"), List.of("https"))
            .disagreement())
        .as("a malformed header of one kind is no disagreement")
        .isNull();
  }

  private static final List<String> CLIENTS_FORWARDED = List.of("for=198.51.100.1;proto=https");
  private static final List<String> PROXYS_XFF = List.of("203.0.113.5");

  @Test
  void xForwardedOnly_ignoresForwardedEntirely() {
    TrustedProxies x = TrustedProxies.of(List.of("10.0.0.0/8"), ForwardedHeaders.X_FORWARDED);
    assertThat(x.readsForwarded()).isFalse();
    assertThat(x.readsXForwarded()).isTrue();
    assertThat(x.resolve("10.0.0.2", false, CLIENTS_FORWARDED, PROXYS_XFF, List.of("https")))
        .as(
            "the client's Forwarded beside the proxy's X-Forwarded-*: no disagreement, the proxy's word")
        .isEqualTo(new TrustedProxies.Client("203.0.113.5", true));
    assertThat(x.resolve("10.0.0.2", false, CLIENTS_FORWARDED, List.of(), List.of()))
        .as("Forwarded alone: the proxy's own request")
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", false));
    assertThat(x.resolve("10.0.0.2", false, List.of("garbage"), PROXYS_XFF, List.of("http")))
        .as("not even a malformed Forwarded counts")
        .isEqualTo(new TrustedProxies.Client("203.0.113.5", false));
    assertThat(x.resolve(
            "10.0.0.2",
            false,
            List.of("for=203.0.113.5;proto=https"),
            List.of("6.6.6.6, 203.0.113.5, 10.0.0.9"),
            List.of("https")))
        .as("the chain is read from the right, trusted hops skipped, as before")
        .isEqualTo(new TrustedProxies.Client("203.0.113.5", true));
    assertThat(x.resolve("203.0.113.9", false, List.of(), PROXYS_XFF, List.of("https")))
        .as("from an untrusted peer nothing is believed")
        .isEqualTo(new TrustedProxies.Client("203.0.113.9", false));
  }

  @Test
  void forwardedOnly_ignoresXForwardedEntirely() {
    TrustedProxies f = TrustedProxies.of(List.of("10.0.0.0/8"), ForwardedHeaders.FORWARDED);
    assertThat(f.readsForwarded()).isTrue();
    assertThat(f.readsXForwarded()).isFalse();
    assertThat(f.resolve(
            "10.0.0.2",
            false,
            List.of("for=198.51.100.1;proto=https"),
            PROXYS_XFF,
            List.of("http")))
        .as(
            "the client's X-Forwarded-* beside the proxy's Forwarded: no disagreement, the proxy's word")
        .isEqualTo(new TrustedProxies.Client("198.51.100.1", true));
    assertThat(f.resolve("10.0.0.2", false, List.of(), PROXYS_XFF, List.of("https")))
        .as("X-Forwarded-* alone: the proxy's own request")
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", false));
    assertThat(f.resolve(
            "10.0.0.2", true, List.of("for=\"[2001:db8::1]:4711\""), List.of("garbage"), List.of()))
        .as("not even a malformed X-Forwarded-For counts; no proto keeps the connection's security")
        .isEqualTo(new TrustedProxies.Client("2001:db8::1", true));
    assertThat(f.resolve(
            "10.0.0.2", false, List.of("for=010.0.0.1;proto=https"), List.of(), List.of()))
        .as("a malformed Forwarded is still the proxy's own request")
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", false));
  }

  @Test
  void both_isTheDefault_andReadsEitherKindAlone() {
    TrustedProxies both = TrustedProxies.of(List.of("10.0.0.0/8"), ForwardedHeaders.BOTH);
    assertThat(both.readsForwarded()).isTrue();
    assertThat(both.readsXForwarded()).isTrue();
    assertThat(both.resolve("10.0.0.2", false, CLIENTS_FORWARDED, List.of(), List.of()))
        .isEqualTo(new TrustedProxies.Client("198.51.100.1", true));
    assertThat(both.resolve("10.0.0.2", false, List.of(), PROXYS_XFF, List.of("https")))
        .isEqualTo(new TrustedProxies.Client("203.0.113.5", true));
    assertThat(TrustedProxies.of(List.of("10.0.0.0/8"))
            .resolve("10.0.0.2", false, CLIENTS_FORWARDED, PROXYS_XFF, List.of("https"))
            .disagreement())
        .isNotNull();
  }

  @Test
  void malformedForwardingFromTrustedPeer_fallsBackToThePeer() {
    assertThat(
            proxies.resolve("10.0.0.2", false, List.of(), List.of("not-an-ip"), List.of("https")))
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", false));
    assertThat(proxies.resolve("10.0.0.2", true, List.of("garbage"), List.of(), List.of()))
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", true));
    assertThat(proxies.resolve("10.0.0.2", false, List.of(), List.of("1.2.3.4"), List.of("gopher")))
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", false));
    assertThat(proxies.resolve(
            "10.0.0.2", false, List.of(), List.of("evil.example.com"), List.of("https")))
        .as("names are never resolved")
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", false));
  }

  @Test
  void whatTheClientWroteLeftOfItsProxysEntry_isNeverRead() {
    String many = String.join(",", Collections.nCopies(30, "198.51.100.1"));
    assertThat(proxies.resolve(
            "10.0.0.2", true, List.of(), List.of(many + ", 203.0.113.7"), List.of("https")))
        .isEqualTo(new TrustedProxies.Client("203.0.113.7", true));
    assertThat(proxies.resolve(
            "10.0.0.2",
            true,
            List.of("garbage, for=203.0.113.7;proto=https"),
            List.of(),
            List.of()))
        .isEqualTo(new TrustedProxies.Client("203.0.113.7", true));
    assertThat(proxies.resolve(
            "10.0.0.2",
            true,
            List.of("for=203.0.113.7;proto=https, garbage"),
            List.of(),
            List.of()))
        .as("a malformed entry of the proxy's own is still the proxy's own request")
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", true));
    String trustedChain = String.join(",", Collections.nCopies(21, "10.0.0.9"));
    assertThat(proxies.resolve(
            "10.0.0.2", true, List.of(), List.of("203.0.113.7," + trustedChain), List.of("https")))
        .as("more trusted hops in a row than any chain of proxies")
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", true));
  }

  @Test
  void cidrs_matchByPrefix() {
    assertThat(proxies.isTrusted("10.255.0.1")).isTrue();
    assertThat(proxies.isTrusted("11.0.0.1")).isFalse();
    assertThat(proxies.isTrusted("192.0.2.7")).isTrue();
    assertThat(proxies.isTrusted("192.0.2.8")).isFalse();
    assertThat(proxies.isTrusted("fd12::1")).isTrue();
    assertThat(proxies.isTrusted("fe80::1")).isFalse();
    assertThat(TrustedProxies.of(List.of("172.16.0.0/12")).isTrusted("172.31.255.255"))
        .isTrue();
    assertThat(TrustedProxies.of(List.of("172.16.0.0/12")).isTrusted("172.32.0.0"))
        .isFalse();
  }

  @Test
  void badConfiguration_namesTheEntry() {
    assertThatThrownBy(() -> TrustedProxies.of(List.of("proxy.internal")))
        .hasMessageContaining("'proxy.internal'");
    assertThatThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/33")))
        .hasMessageContaining("prefix");
    assertThatThrownBy(() -> TrustedProxies.of(List.of("300.0.0.1")))
        .hasMessageContaining("'300.0.0.1'");
  }

  /**
   * Regression: {@code 0.0.0.0/0} was accepted, so every client was a trusted proxy and its own {@code
   * X-Forwarded-Proto: https} made plain HTTP count as HTTPS.
   */
  @Test
  void everyAddress_isRefused_namingTheEntry() {
    for (String every : List.of("0.0.0.0/0", "::/0", " 10.0.0.0/0 ")) {
      assertThatThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/8", every)))
          .as(every)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + every + "' is every address");
    }
  }

  /**
   * Regression: only {@code /0} was refused, so {@code 0.0.0.0/1} with {@code 128.0.0.0/1}, {@code ::/1} or a {@code
   * /8} of public space made every client there a trusted proxy, whose own forwarding headers chose its address and
   * made plain HTTP count as HTTPS.
   */
  @Test
  void widePublicRanges_areRefused_namingTheWidest() {
    record Wide(List<String> entries, String widest) {}
    for (Wide wide : List.of(
        new Wide(List.of("0.0.0.0/1", "128.0.0.0/1"), "128.0.0.0/1"),
        new Wide(List.of("10.0.0.0/8", "11.0.0.0/8"), "11.0.0.0/8"),
        new Wide(List.of("10.0.0.0/8", "192.168.0.0/16", "0.0.0.0/1"), "0.0.0.0/1"),
        new Wide(List.of("8.0.0.0/11", "9.0.0.1"), "8.0.0.0/11"),
        new Wide(List.of("2.0.0.0/12", "3.0.0.0/12", "4.0.0.0/12"), "2.0.0.0/12"),
        new Wide(List.of("::/1"), "::/1"),
        new Wide(List.of("2000::/3"), "2000::/3"),
        new Wide(List.of("fd00::/8", "2001:db8::/16"), "2001:db8::/16"))) {
      assertThatThrownBy(() -> TrustedProxies.of(wide.entries()))
          .as("%s", wide.entries())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("trusted proxies hold more public IPv")
          .hasMessageContaining("the widest entry is '" + wide.widest() + "'");
    }
  }

  @Test
  void privateLoopbackAndLinkLocalRanges_ofAnySize_andPublishedProxyRanges_areAccepted() {
    TrustedProxies internal = TrustedProxies.of(List.of(
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1",
        "8.0.0.0/11",
        "8.0.0.0/11",
        "8.1.0.0/16"));
    assertThat(internal.isTrusted("100.127.255.254")).isTrue();
    assertThat(internal.isTrusted("8.31.255.255"))
        .as("a /11 of public space, listed twice")
        .isTrue();
    assertThat(internal.isTrusted("8.32.0.0")).isFalse();
    // A CDN's published list, as operators copy it: about 1.5 million IPv4 addresses, a /29 and six
    // /32s of IPv6.
    assertThat(TrustedProxies.of(List.of(
                "173.245.48.0/20",
                "103.21.244.0/22",
                "103.22.200.0/22",
                "103.31.4.0/22",
                "141.101.64.0/18",
                "108.162.192.0/18",
                "190.93.240.0/20",
                "188.114.96.0/20",
                "197.234.240.0/22",
                "198.41.128.0/17",
                "162.158.0.0/15",
                "104.16.0.0/13",
                "104.24.0.0/14",
                "172.64.0.0/13",
                "131.0.72.0/22",
                "2400:cb00::/32",
                "2606:4700::/32",
                "2803:f800::/32",
                "2405:b500::/32",
                "2405:8100::/32",
                "2a06:98c0::/29",
                "2c0f:f248::/32"))
            .isTrusted("104.16.0.1"))
        .isTrue();
  }

  @Test
  void leadingZeros_areNotAddresses_inTheHeaderOrTheConfiguration() {
    assertThat(
            proxies.resolve("10.0.0.2", false, List.of(), List.of("010.0.0.1"), List.of("https")))
        .as("ambiguous (octal or decimal?): the proxy's own address, as for any malformed hop")
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", false));
    assertThat(proxies.resolve(
            "10.0.0.2", false, List.of("for=010.0.0.1;proto=https"), List.of(), List.of()))
        .isEqualTo(new TrustedProxies.Client("10.0.0.2", false));
    assertThat(proxies.isTrusted("010.0.0.1")).isFalse();
    assertThat(proxies.isTrusted("10.0.0.1")).isTrue();
    assertThatThrownBy(() -> TrustedProxies.of(List.of("010.0.0.0/8")))
        .hasMessageContaining("'010.0.0.0/8'");
  }

  @Test
  void clientAddress_isTheCanonicalTextOfTheHop() {
    assertThat(proxies.resolve(
            "10.0.0.2", false, List.of(), List.of("2001:DB8:0:0::1"), List.of("https")))
        .isEqualTo(new TrustedProxies.Client("2001:db8::1", true));
    assertThat(proxies.resolve(
            "10.0.0.2", false, List.of(), List.of("::ffff:198.51.100.1"), List.of("https")))
        .as("an IPv4-mapped address is its IPv4 address")
        .isEqualTo(new TrustedProxies.Client("198.51.100.1", true));
  }
}
