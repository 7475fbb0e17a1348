package dev.portcullis.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SsoConfigTest {
  private final MutableClock clock = MutableClock.startingAt2026();

  private SsoConfig.Builder valid() {
    return SsoConfig.builder()
        .links(AccountLinkStore.inMemory())
        .replay(ReplayStore.inMemory(clock))
        .provider(URI.create("https://login.example"), "portal", "s3cret-value")
        .redirectUri(URI.create("https://portal.example/sso/callback"));
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
    assertThat(c.scopes()).containsExactly("openid");
    assertThat(c.redirectUri()).isEqualTo(URI.create("https://portal.example/sso/callback"));
  }

  @Test
  void defaultCookie_isWhatTheBuilderDeclares_andKeepsEveryAttributeButTheNameWhenRenamed() {
    assertThat(valid().build().cookie())
        .usingRecursiveComparison()
        .isEqualTo(SsoConfig.defaultCookie(SsoConfig.DEFAULT_COOKIE));
    CookieSpec renamed = SsoConfig.defaultCookie("portal_sso");
    assertThat(renamed.name()).isEqualTo("portal_sso");
    assertThat(renamed)
        .usingRecursiveComparison()
        .ignoringFields("name")
        .isEqualTo(SsoConfig.defaultCookie(SsoConfig.DEFAULT_COOKIE));
    assertThat(valid().cookie(renamed).build().cookie().name()).isEqualTo("portal_sso");
    assertThatThrownBy(() -> SsoConfig.defaultCookie("bad name"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void missingRedirectUri_isRefused() {
    assertThatThrownBy(() -> SsoConfig.builder()
            .links(AccountLinkStore.inMemory())
            .replay(ReplayStore.inMemory(clock))
            .provider(URI.create("https://login.example"), "portal", "x")
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("redirect URI")
        .hasMessageContaining("required");
  }

  @Test
  void redirectUri_mustBeHttpsWithoutQueryFragmentOrUserInfo_httpOnlyOnLoopback() {
    for (String bad : List.of(
        "http://portal.example/sso/callback",
        "https://portal.example/sso/callback?x=1",
        "https://portal.example/sso/callback#f",
        "https://user@portal.example/sso/callback",
        "/sso/callback",
        "ftp://portal.example/sso/callback",
        "https://portal.example",
        "https://portal.example/SSO/Callback",
        "https://portal.example/sso/../callback")) {
      assertThatThrownBy(() -> valid().redirectUri(URI.create(bad)).build())
          .as(bad)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("redirect URI");
    }
    for (String loopback : List.of(
        "http://127.0.0.1:8080/sso/callback",
        "http://localhost/sso/callback",
        "http://[::1]:9000/sso/callback")) {
      assertThat(valid().redirectUri(URI.create(loopback)).build().redirectUri())
          .hasToString(loopback);
    }
  }

  @Test
  void callbackPath_isDerivedFromTheRedirectUri() {
    SsoConfig c =
        valid().redirectUri(URI.create("https://portal.example/oidc/return")).build();
    assertThat(c.callbackPath()).isEqualTo("/oidc/return");
  }

  @Test
  void explicitCallbackPath_mustBeTheEndOfTheRedirectUrisPath() {
    SsoConfig underContext = valid()
        .redirectUri(URI.create("https://portal.example/portal/sso/callback"))
        .callbackPath("/sso/callback")
        .build();
    assertThat(underContext.callbackPath()).isEqualTo("/sso/callback");
    assertThatThrownBy(() -> valid().callbackPath("/sso/return").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("callback path /sso/return")
        .hasMessageContaining("/sso/callback");
  }

  @Test
  void scopes_mustIncludeOpenid_andBeScopeTokens() {
    assertThat(valid().scopes("openid", "profile", "email").build().scopes())
        .containsExactly("openid", "profile", "email");
    assertThatThrownBy(() -> valid().scopes("profile").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must include openid");
    assertThatThrownBy(() -> valid().scopes(List.of()).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().scopes("openid", "two words").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("scope token");
    assertThatThrownBy(() -> valid().scopes("openid", "").build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().scopes("openid", "openid").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("repeat");
  }

  @Test
  void toString_neverShowsTheClientSecret() {
    assertThat(valid().build().toString())
        .doesNotContain("s3cret")
        .contains("https://portal.example/sso/callback");
  }

  @Test
  void providerTimeout_isFiveSecondsByDefault_andWhatIsSetUpToSixtySeconds() {
    assertThat(valid().build().providerTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(valid().providerTimeout(Duration.ofSeconds(1)).build().providerTimeout())
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(valid().providerTimeout(Duration.ofMillis(1)).build().providerTimeout())
        .isEqualTo(Duration.ofMillis(1));
    assertThat(valid().providerTimeout(Duration.ofSeconds(60)).build().providerTimeout())
        .isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void providerTimeout_zeroNegativeOrAboveSixtySeconds_isRefusedAtBuild() {
    for (Duration bad : List.of(
        Duration.ZERO,
        Duration.ofSeconds(-5),
        Duration.ofNanos(-1),
        Duration.ofSeconds(60).plusNanos(1),
        Duration.ofMinutes(5))) {
      SsoConfig.Builder builder = valid().providerTimeout(bad);
      assertThatThrownBy(builder::build)
          .as(bad.toString())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "the OpenID provider timeout must be above zero and at most 60 seconds, got " + bad);
    }
    assertThatThrownBy(() -> valid().providerTimeout(null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void maxLoginAge_isTenMinutesByDefault_andOneMinuteToOneHour() {
    assertThat(valid().build().maxLoginAge()).isEqualTo(Duration.ofMinutes(10));
    assertThat(valid().maxLoginAge(Duration.ofMinutes(1)).build().maxLoginAge())
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(valid().maxLoginAge(Duration.ofHours(1)).build().maxLoginAge())
        .isEqualTo(Duration.ofHours(1));
    for (Duration bad : List.of(
        Duration.ZERO,
        Duration.ofMinutes(-10),
        Duration.ofSeconds(59),
        Duration.ofHours(1).plusSeconds(1))) {
      SsoConfig.Builder builder = valid().maxLoginAge(bad);
      assertThatThrownBy(builder::build)
          .as(bad.toString())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "the login age for linking and unlinking must be between 1 minute and 1 hour, got "
                  + bad);
    }
    assertThatThrownBy(() -> valid().maxLoginAge(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void lifetimeAboveTenMinutes_orZero_isRefused() {
    assertThat(valid().tokenLifetime(Duration.ofMinutes(10)).build().tokenLifetime())
        .isEqualTo(Duration.ofMinutes(10));
    assertThatThrownBy(
            () -> valid().tokenLifetime(Duration.ofMinutes(10).plusSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().tokenLifetime(Duration.ZERO).build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void missingStoresOrProvider_areRefused() {
    assertThatThrownBy(() -> SsoConfig.builder()
            .replay(ReplayStore.inMemory(clock))
            .provider(URI.create("https://login.example"), "portal", "x")
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("link store");
    assertThatThrownBy(() -> SsoConfig.builder()
            .links(AccountLinkStore.inMemory())
            .provider(URI.create("https://login.example"), "portal", "x")
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("replay");
    assertThatThrownBy(() -> SsoConfig.builder()
            .links(AccountLinkStore.inMemory())
            .replay(ReplayStore.inMemory(clock))
            .redirectUri(URI.create("https://portal.example/sso/callback"))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("provider");
  }

  @Test
  void plainHttpIssuer_onlyOnLoopback() {
    assertThat(valid()
            .provider(URI.create("http://127.0.0.1:8080/default"), "portal", "x")
            .build()
            .issuer())
        .hasHost("127.0.0.1");
    assertThatThrownBy(() ->
            valid().provider(URI.create("http://login.example"), "portal", "x").build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void persistentCookie_orOddPaths_areRefused() {
    CookieSpec lasting = CookieSpec.builder("user_name")
        .purpose("p")
        .dataStored("d")
        .duration("a day")
        .maxAge(Duration.ofDays(1))
        .build();
    assertThatThrownBy(() -> valid().cookie(lasting).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().upgradePath("/sso/../x").build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid()
            .redirectUri(URI.create("https://portal.example/sso/upgrade"))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must differ");
  }
}
