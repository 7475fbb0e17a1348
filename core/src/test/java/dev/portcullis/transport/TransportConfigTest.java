package dev.portcullis.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TransportConfigTest {
  private static final String LOOPBACK = "127.0.0.1";

  @Test
  void defaults_requireHttpsTrustNoProxyAndSendHstsForAYear() {
    TransportConfig config = TransportConfig.defaults();

    assertThat(config.trustedProxies().isEmpty()).isTrue();
    assertThat(config.hstsMaxAge()).isEqualTo(Duration.ofDays(365));
    assertThat(config.hstsIncludeSubDomains()).isFalse();
    assertThat(config.httpsPort()).isEqualTo(443);
    assertThat(config.developmentMode()).isFalse();
    assertThat(config.containerDecidesHttps())
        .as("the connection decides, not the container's isSecure()")
        .isFalse();
    assertThat(config.allowsPlainHttp("127.0.0.1", LOOPBACK)).isFalse();
  }

  @Test
  void forwardedHeaders_areBothKindsUnlessSet_andNullIsRefusedNamingTheValues() {
    assertThat(TransportConfig.defaults().forwardedHeaders()).isEqualTo(ForwardedHeaders.BOTH);
    for (ForwardedHeaders which : ForwardedHeaders.values()) {
      assertThat(TransportConfig.builder()
              .redirectPlainHttp(false)
              .trustedProxies("10.0.0.0/8")
              .forwardedHeaders(which)
              .build()
              .forwardedHeaders())
          .isEqualTo(which);
    }
    assertThatThrownBy(() -> TransportConfig.builder()
            .redirectPlainHttp(false)
            .forwardedHeaders(null)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("forwarded headers")
        .hasMessageContaining("x-forwarded, forwarded or both");
    assertThat(Arrays.stream(ForwardedHeaders.values()).map(ForwardedHeaders::settingValue))
        .containsExactly("x-forwarded", "forwarded", "both");
  }

  @Test
  void containerDecidesHttps_isAnExplicitChoice_offInTheBuilderToo() {
    assertThat(TransportConfig.builder().redirectPlainHttp(false).build().containerDecidesHttps())
        .isFalse();
    assertThat(TransportConfig.builder()
            .redirectPlainHttp(false)
            .containerDecidesHttps(true)
            .build()
            .containerDecidesHttps())
        .isTrue();
  }

  /** Beside a forwarding container, trusted proxies and development mode are refused whatever else is set. */
  @Test
  void containerForwarding_refusesTrustedProxiesAndDevelopmentMode_thenNeedsAChoice() {
    for (boolean chosen : new boolean[] {false, true}) {
      for (boolean believed : new boolean[] {false, true}) {
        assertThat(ContainerForwarding.of(chosen, believed, true, true))
            .isEqualTo(ContainerForwarding.REFUSED_BESIDE_TRUSTED_PROXIES);
        assertThat(ContainerForwarding.of(chosen, believed, true, false))
            .isEqualTo(ContainerForwarding.REFUSED_BESIDE_TRUSTED_PROXIES);
        assertThat(ContainerForwarding.of(chosen, believed, false, true))
            .isEqualTo(ContainerForwarding.REFUSED_IN_DEVELOPMENT_MODE);
      }
    }
    assertThat(ContainerForwarding.of(false, false, false, false))
        .isEqualTo(ContainerForwarding.UNDECIDED);
    assertThat(ContainerForwarding.of(true, true, false, false))
        .isEqualTo(ContainerForwarding.BELIEVED);
    assertThat(ContainerForwarding.of(true, false, false, false))
        .isEqualTo(ContainerForwarding.IGNORED);

    TransportConfig.Builder redirecting = TransportConfig.builder().canonicalHost("portal.example");
    assertThat(redirecting.build().containerForwarding()).isEqualTo(ContainerForwarding.UNDECIDED);
    assertThat(redirecting.containerDecidesHttps(false).build().containerForwarding())
        .isEqualTo(ContainerForwarding.IGNORED);
    assertThat(redirecting.containerDecidesHttps(true).build().containerForwarding())
        .isEqualTo(ContainerForwarding.BELIEVED);
    assertThat(redirecting.trustedProxies(List.of("10.0.0.5")).build().containerForwarding())
        .isEqualTo(ContainerForwarding.REFUSED_BESIDE_TRUSTED_PROXIES);
    assertThat(TransportConfig.builder().developmentMode(true).build().containerForwarding())
        .isEqualTo(ContainerForwarding.REFUSED_IN_DEVELOPMENT_MODE);
  }

  @Test
  void containerDecidesHttpsChosen_saysWhetherItWasSet_eitherWay() {
    assertThat(TransportConfig.defaults().containerDecidesHttpsChosen()).isFalse();
    assertThat(TransportConfig.builder()
            .redirectPlainHttp(false)
            .build()
            .containerDecidesHttpsChosen())
        .isFalse();
    TransportConfig no = TransportConfig.builder()
        .redirectPlainHttp(false)
        .containerDecidesHttps(false)
        .build();
    assertThat(no.containerDecidesHttpsChosen()).isTrue();
    assertThat(no.containerDecidesHttps()).isFalse();
    TransportConfig yes = TransportConfig.builder()
        .redirectPlainHttp(false)
        .containerDecidesHttps(true)
        .build();
    assertThat(yes.containerDecidesHttpsChosen()).isTrue();
    assertThat(yes.containerDecidesHttps()).isTrue();
  }

  @Test
  void negativeHstsMaxAge_isRefused() {
    assertThatThrownBy(
            () -> TransportConfig.builder().hstsMaxAge(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> TransportConfig.builder().hstsMaxAge(null).build())
        .isInstanceOf(IllegalStateException.class);
    assertThat(TransportConfig.builder()
            .redirectPlainHttp(false)
            .hstsMaxAge(Duration.ZERO)
            .build()
            .hstsMaxAge())
        .isZero();
    assertThat(TransportConfig.builder()
            .redirectPlainHttp(false)
            .hstsMaxAge(Duration.ofMillis(1500))
            .build()
            .hstsMaxAge())
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void badTrustedProxiesOrPorts_areRefusedAtBuild() {
    assertThatThrownBy(
            () -> TransportConfig.builder().trustedProxies("proxy.internal").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("proxy.internal");
    assertThatThrownBy(
            () -> TransportConfig.builder().trustedProxies("10.0.0.0/33").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("prefix");
    assertThatThrownBy(() -> TransportConfig.builder()
            .trustedProxies(Arrays.asList("10.0.0.1", null))
            .build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> TransportConfig.builder().httpsPort(0).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> TransportConfig.builder().httpsPort(65536).build())
        .isInstanceOf(IllegalStateException.class);
    assertThat(TransportConfig.builder()
            .redirectPlainHttp(false)
            .trustedProxies(List.of("10.0.0.0/8"))
            .build()
            .trustedProxies())
        .containsExactly("10.0.0.0/8");
  }

  @Test
  void developmentMode_allowsPlainHttpOnlyWhenPeerAndClientAreLoopback() {
    TransportConfig dev = TransportConfig.builder().developmentMode(true).build();

    assertThat(dev.allowsPlainHttp("127.0.0.1", LOOPBACK)).isTrue();
    assertThat(dev.allowsPlainHttp("::1", "::1")).isTrue();
    assertThat(dev.allowsPlainHttp("192.0.2.10", "192.0.2.10")).isFalse();
    assertThat(dev.allowsPlainHttp("127.0.0.1", "203.0.113.9"))
        .as("a local proxy forwarding for a remote client")
        .isFalse();
    assertThat(dev.allowsPlainHttp("192.0.2.10", LOOPBACK))
        .as("a remote proxy claiming loopback")
        .isFalse();
    assertThat(dev.allowsPlainHttp("localhost", "localhost"))
        .as("names are never resolved")
        .isFalse();
  }

  @Test
  void httpsUrl_isTheCanonicalHostAndPort_followedByTheTarget() {
    TransportConfig config =
        TransportConfig.builder().canonicalHost("portal.example").build();

    assertThat(config.httpsUrl("/a/b%20c?x=1&y=%2F"))
        .contains("https://portal.example/a/b%20c?x=1&y=%2F");
    assertThat(config.httpsUrl("/")).contains("https://portal.example/");
    assertThat(TransportConfig.builder()
            .canonicalHost("Portal.Example")
            .httpsPort(8443)
            .build()
            .httpsUrl("/x?q"))
        .contains("https://portal.example:8443/x?q");
    assertThat(TransportConfig.builder().canonicalHost("2001:db8::1").build().httpsUrl("/x"))
        .contains("https://[2001:db8::1]/x");
    assertThat(
            TransportConfig.builder().canonicalHost("[2001:DB8:0::1]").build().httpsUrl("/x"))
        .contains("https://[2001:db8::1]/x");
    assertThat(TransportConfig.builder().canonicalHost("192.0.2.1").build().canonicalHost())
        .contains("192.0.2.1");
  }

  @Test
  void httpsUrl_refusesTargetsThatCouldBendTheLocation() {
    TransportConfig config =
        TransportConfig.builder().canonicalHost("portal.example").build();

    for (String target : Arrays.asList(
        null, "", "x", "http://evil.example/", "/a b", "/a\r\nX: y", "/a#frag", "/caf\u00e9")) {
      assertThat(config.httpsUrl(target)).as(String.valueOf(target)).isEqualTo(Optional.empty());
    }
  }

  @Test
  void redirectingWithoutACanonicalHost_isRefusedAtBuild_withWhatToDo() {
    assertThatThrownBy(() -> TransportConfig.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("canonicalHost(")
        .hasMessageContaining("redirectPlainHttp(false)")
        .hasMessageContaining("never built from the request's Host header")
        .as("a developer trying the portal over plain HTTP on localhost learns of development mode")
        .hasMessageContaining("developmentMode(true)");
    assertThatThrownBy(() -> TransportConfig.builder()
            .trustedProxies("10.0.0.0/8")
            .httpsPort(8443)
            .build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void refusingPlainHttp_needsNoHost_andBuildsNoUrl() {
    TransportConfig refusing =
        TransportConfig.builder().redirectPlainHttp(false).build();

    assertThat(refusing.redirectsPlainHttp()).isFalse();
    assertThat(refusing.canonicalHost()).isEmpty();
    assertThat(refusing.httpsUrl("/x")).isEmpty();
    assertThat(TransportConfig.defaults().redirectsPlainHttp())
        .as("defaults() knows no host")
        .isFalse();
  }

  @Test
  void developmentMode_redirectsToLoopbackUnlessAHostIsGiven() {
    assertThat(TransportConfig.builder()
            .developmentMode(true)
            .httpsPort(8443)
            .build()
            .httpsUrl("/x"))
        .contains("https://localhost:8443/x");
    assertThat(TransportConfig.builder()
            .developmentMode(true)
            .canonicalHost("dev.example")
            .build()
            .httpsUrl("/x"))
        .contains("https://dev.example/x");
  }

  @Test
  void canonicalHostsThatAreNotPlainHostNamesOrAddresses_areRefusedAtBuild() {
    for (String host : List.of(
        "",
        "evil.example@portal.example",
        "portal.example/evil",
        "a b",
        "portal.example\r\nSet-Cookie: x=1",
        "%65vil.example",
        "[::1",
        "-portal.example",
        "portal.example:8443",
        "https://portal.example",
        "portal.example\\evil",
        "010.0.0.1",
        "1.2.3",
        "[portal.example]")) {
      assertThatThrownBy(() -> TransportConfig.builder().canonicalHost(host).build())
          .as(host)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("canonical host");
    }
  }
}
