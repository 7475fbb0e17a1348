package dev.portcullis.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CookieSpecTest {
  private static CookieSpec.Builder described(String name) {
    return CookieSpec.builder(name)
        .purpose("p")
        .dataStored("d")
        .duration("until the browser closes");
  }

  @Test
  void defaults_areSecureHttpOnlyLaxRootPathNoDomainSessionScoped() {
    CookieSpec spec = described("__Host-sid").build();

    assertThat(spec.secure()).isTrue();
    assertThat(spec.httpOnly()).isTrue();
    assertThat(spec.sameSite()).isEqualTo(SameSite.LAX);
    assertThat(spec.path()).isEqualTo("/");
    assertThat(spec.domain()).isEmpty();
    assertThat(spec.maxAge()).isEmpty();
    assertThat(spec.sessionScoped()).isTrue();
    assertThat(spec.purpose()).isEqualTo("p");
  }

  @Test
  void hostPrefix_requiresSecureRootPathAndNoDomain() {
    assertThatThrownBy(() -> described("__Host-sid").secure(false).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Secure");
    assertThatThrownBy(() -> described("__Host-sid").path("/app").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Path=/");
    assertThatThrownBy(() -> described("__Host-sid").domain("example.org").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Domain");

    CookieSpec plain =
        described("ASP.NET_SessionId").path("/app").domain("example.org").build();
    assertThat(plain.domain()).contains("example.org");
  }

  @Test
  void securePrefixAndSameSiteNone_requireSecure() {
    assertThatThrownBy(() -> described("__Secure-x").secure(false).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () -> described("x").secure(false).sameSite(SameSite.NONE).build())
        .isInstanceOf(IllegalStateException.class);
    assertThat(described("x").secure(false).build().secure()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "a b", "a;b", "a=b", "a,b", "a\"b", "a(b)", "a/b", "a\tb", "é", "a\u007fb"})
  void nonTokenName_isRefused(String name) {
    assertThatThrownBy(() -> described(name).build()).isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ASP.NET_SessionId",
        "validPSuser",
        "user_name",
        "__Host-portcullis-sid",
        "a!#$%&'*+.^`|~"
      })
  void tokenName_isAccepted(String name) {
    assertThat(described(name).secure(true).build().name()).isEqualTo(name);
  }

  @Test
  void noticeText_isRequired() {
    assertThatThrownBy(
            () -> CookieSpec.builder("x").dataStored("d").duration("t").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("purpose");
    assertThatThrownBy(() -> CookieSpec.builder("x").purpose("p").duration("t").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("data stored");
    assertThatThrownBy(() ->
            CookieSpec.builder("x").purpose("p").dataStored("d").duration(" ").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("duration");
  }

  @Test
  void badPathDomainOrMaxAge_isRefused() {
    assertThatThrownBy(() -> described("x").path("app").build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> described("x").path("/a;Domain=evil").build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> described("x").domain("a;b").build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> described("x").maxAge(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalStateException.class);
    assertThat(described("x").maxAge(Duration.ofDays(1)).build().sessionScoped())
        .isFalse();
  }

  @Test
  void toBuilder_keepsEveryField() {
    CookieSpec spec = described("a")
        .sameSite(SameSite.STRICT)
        .path("/p")
        .domain("d.example")
        .httpOnly(false)
        .maxAge(Duration.ofMinutes(5))
        .build();
    CookieSpec copy = spec.toBuilder().name("b").build();

    assertThat(copy.name()).isEqualTo("b");
    assertThat(copy).usingRecursiveComparison().ignoringFields("name").isEqualTo(spec);
  }
}
