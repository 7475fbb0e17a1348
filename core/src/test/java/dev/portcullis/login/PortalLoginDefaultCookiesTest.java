package dev.portcullis.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestKeyRings;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PortalLoginDefaultCookiesTest {
  private final MutableClock clock = MutableClock.startingAt2026();

  private PortalLogin.Builder valid() {
    return PortalLogin.builder().keyRing(TestKeyRings.current())
        .users(new InMemoryUserDirectory(PasswordHasher.forTests())).revocations(RevocationStore.inMemory(clock))
        .clock(clock).random(new SecureRandom()).termsVersion("t1");
  }

  @Test
  void builderWithoutCookies_declaresTheDefaults_underTheDefaultNames() {
    PortalLogin login = valid().build();
    assertThat(login.authCookie()).usingRecursiveComparison()
        .isEqualTo(PortalLogin.defaultAuthCookie(PortalLogin.DEFAULT_AUTH_COOKIE));
    assertThat(login.cookieCheckCookie()).usingRecursiveComparison()
        .isEqualTo(PortalLogin.defaultCookieCheckCookie(PortalLogin.DEFAULT_COOKIE_CHECK_COOKIE));
    assertThat(login.authCookie().name()).isEqualTo("__Host-portcullis-auth");
    assertThat(login.cookieCheckCookie().name()).isEqualTo("__Host-portcullis-cc");
  }

  @Test
  void defaultCookies_underAnotherName_keepEveryOtherAttribute_andTheAuthCookieStaysSessionScoped() {
    CookieSpec auth = PortalLogin.defaultAuthCookie("validPSuser");
    CookieSpec check = PortalLogin.defaultCookieCheckCookie("user_name");
    assertThat(auth.name()).isEqualTo("validPSuser");
    assertThat(check.name()).isEqualTo("user_name");
    assertThat(auth).usingRecursiveComparison().ignoringFields("name")
        .isEqualTo(PortalLogin.defaultAuthCookie(PortalLogin.DEFAULT_AUTH_COOKIE));
    assertThat(check).usingRecursiveComparison().ignoringFields("name")
        .isEqualTo(PortalLogin.defaultCookieCheckCookie(PortalLogin.DEFAULT_COOKIE_CHECK_COOKIE));
    assertThat(auth.sessionScoped()).isTrue();
    assertThat(auth.purpose()).isNotEqualTo(check.purpose());

    PortalLogin login = valid().authCookie(auth).cookieCheckCookie(check).build();
    assertThat(login.authCookie().name()).isEqualTo("validPSuser");
    assertThat(login.cookieCheckCookie().name()).isEqualTo("user_name");
  }

  @Test
  void defaultCookies_underAnInvalidName_areRefused() {
    assertThatThrownBy(() -> PortalLogin.defaultAuthCookie("bad name")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("RFC 6265 token");
    assertThatThrownBy(() -> PortalLogin.defaultCookieCheckCookie("")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void oneNameForBothCookies_isRefused() {
    assertThatThrownBy(() -> valid().authCookie(PortalLogin.defaultAuthCookie("portal"))
        .cookieCheckCookie(PortalLogin.defaultCookieCheckCookie("portal")).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("two names");
  }
}
