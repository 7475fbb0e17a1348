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
    return PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(new InMemoryUserDirectory(PasswordHasher.forTests()))
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(new SecureRandom())
        .termsVersion("t1");
  }

  @Test
  void builderWithoutCookies_declaresTheDefaults_underTheDefaultNames() {
    PortalLogin login = valid().build();
    assertThat(login.cookies().authCookie())
        .usingRecursiveComparison()
        .isEqualTo(LoginCookies.defaultAuthCookie(LoginCookies.DEFAULT_AUTH_COOKIE));
    assertThat(login.cookies().cookieCheckCookie().orElseThrow())
        .usingRecursiveComparison()
        .isEqualTo(LoginCookies.defaultCookieCheckCookie(LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE));
    assertThat(login.cookies().authCookie().name()).isEqualTo("__Host-portcullis-auth");
    assertThat(login.cookies().cookieCheckCookie().orElseThrow().name())
        .isEqualTo("__Host-portcullis-cc");
  }

  @Test
  void
      defaultCookies_underAnotherName_keepEveryOtherAttribute_andTheAuthCookieStaysSessionScoped() {
    CookieSpec auth = LoginCookies.defaultAuthCookie("validPSuser");
    CookieSpec check = LoginCookies.defaultCookieCheckCookie("user_name");
    assertThat(auth.name()).isEqualTo("validPSuser");
    assertThat(check.name()).isEqualTo("user_name");
    assertThat(auth)
        .usingRecursiveComparison()
        .ignoringFields("name")
        .isEqualTo(LoginCookies.defaultAuthCookie(LoginCookies.DEFAULT_AUTH_COOKIE));
    assertThat(check)
        .usingRecursiveComparison()
        .ignoringFields("name")
        .isEqualTo(LoginCookies.defaultCookieCheckCookie(LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE));
    assertThat(auth.sessionScoped()).isTrue();
    assertThat(auth.purpose()).isNotEqualTo(check.purpose());

    PortalLogin login = valid().authCookie(auth).cookieCheckCookie(check).build();
    assertThat(login.cookies().authCookie().name()).isEqualTo("validPSuser");
    assertThat(login.cookies().cookieCheckCookie().orElseThrow().name()).isEqualTo("user_name");
  }

  @Test
  void defaultCookies_underAnInvalidName_areRefused() {
    assertThatThrownBy(() -> LoginCookies.defaultAuthCookie("bad name"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("RFC 6265 token");
    assertThatThrownBy(() -> LoginCookies.defaultCookieCheckCookie(""))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void oneNameForBothCookies_isRefused() {
    assertThatThrownBy(() -> valid()
            .authCookie(LoginCookies.defaultAuthCookie("portal"))
            .cookieCheckCookie(LoginCookies.defaultCookieCheckCookie("portal"))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("two names");
  }
}
