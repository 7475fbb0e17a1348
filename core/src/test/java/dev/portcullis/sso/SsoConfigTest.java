package dev.portcullis.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SsoConfigTest {
  private final MutableClock clock = MutableClock.startingAt2026();

  private SsoConfig.Builder valid() {
    return SsoConfig.builder().links(AccountLinkStore.inMemory()).replay(ReplayStore.inMemory(clock))
        .provider(URI.create("https://login.example"), "portal", "s3cret-value");
  }

  @Test
  void defaults_areHostCookieFiveMinutesAndSsoPaths() {
    SsoConfig c = valid().build();
    assertThat(c.cookie().name()).isEqualTo("__Host-portcullis-sso");
    assertThat(c.cookie().secure()).isTrue();
    assertThat(c.cookie().httpOnly()).isTrue();
    assertThat(c.cookie().sessionScoped()).isTrue();
    assertThat(c.tokenLifetime()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.upgradePath()).isEqualTo("/sso/upgrade");
    assertThat(c.callbackPath()).isEqualTo("/sso/callback");
    assertThat(c.loginPath()).isEqualTo("/sso/login");
  }

  @Test
  void toString_neverShowsTheClientSecret() {
    assertThat(valid().build().toString()).doesNotContain("s3cret");
  }

  @Test
  void lifetimeAboveTenMinutes_orZero_isRefused() {
    assertThat(valid().tokenLifetime(Duration.ofMinutes(10)).build().tokenLifetime())
        .isEqualTo(Duration.ofMinutes(10));
    assertThatThrownBy(() -> valid().tokenLifetime(Duration.ofMinutes(10).plusSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().tokenLifetime(Duration.ZERO).build()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void missingStoresOrProvider_areRefused() {
    assertThatThrownBy(() -> SsoConfig.builder().replay(ReplayStore.inMemory(clock))
        .provider(URI.create("https://login.example"), "portal", "x").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("link store");
    assertThatThrownBy(() -> SsoConfig.builder().links(AccountLinkStore.inMemory())
        .provider(URI.create("https://login.example"), "portal", "x").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("replay");
    assertThatThrownBy(() -> SsoConfig.builder().links(AccountLinkStore.inMemory())
        .replay(ReplayStore.inMemory(clock)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("provider");
  }

  @Test
  void plainHttpIssuer_onlyOnLoopback() {
    assertThat(valid().provider(URI.create("http://127.0.0.1:8080/default"), "portal", "x").build().issuer())
        .hasHost("127.0.0.1");
    assertThatThrownBy(() -> valid().provider(URI.create("http://login.example"), "portal", "x").build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void persistentCookie_orOddPaths_areRefused() {
    CookieSpec lasting = CookieSpec.builder("user_name").purpose("p").dataStored("d").duration("a day")
        .maxAge(Duration.ofDays(1)).build();
    assertThatThrownBy(() -> valid().cookie(lasting).build()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().upgradePath("/sso/../x").build()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().callbackPath("/sso/upgrade").build()).isInstanceOf(IllegalStateException.class);
  }
}
