package dev.portcullis.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.login.LoginCookies;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.sso.SsoConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class CookieNamesTest {
  @Test
  void theDefaults_areTheNamesEachPartDeclares() {
    assertThat(CookieNames.defaults())
        .isEqualTo(new CookieNames(
            SessionConfig.DEFAULT_COOKIE_NAME,
            LoginCookies.DEFAULT_AUTH_COOKIE,
            LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE,
            SsoConfig.DEFAULT_COOKIE));
  }

  @Test
  void aPrefix_namesFourHostCookies_noneOfThemADefault() {
    CookieNames staff = CookieNames.withPrefix("staff");

    assertThat(staff.all())
        .containsExactly(
            "__Host-staff-sid", "__Host-staff-auth", "__Host-staff-cc", "__Host-staff-sso");
    assertThat(staff.all()).noneMatch(CookieNames::isDefault);
    assertThat(CookieNames.defaults().all()).allMatch(CookieNames::isDefault);
    for (String name : staff.all()) {
      assertThat(CookieSpec.builder(name)
              .purpose("p")
              .dataStored("d")
              .duration("t")
              .build()
              .name())
          .isEqualTo(name);
    }
  }

  @Test
  void aPrefixThatIsNoWord_isRefused() {
    for (String bad :
        List.of("", "-staff", "staff portal", "staff;x", "st=aff", "é", "a".repeat(65))) {
      assertThatThrownBy(() -> CookieNames.withPrefix(bad))
          .as(bad)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("a cookie name prefix must be");
    }
    assertThat(CookieNames.withPrefix("a".repeat(64)).session())
        .hasSize(64 + "__Host--sid".length());
  }
}
