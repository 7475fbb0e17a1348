package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.access.AccessPolicy;
import org.junit.jupiter.api.Test;

class PortcullisFilterBuilderTest {
  private static final AccessPolicy POLICY = AccessPolicy.builder()
      .permitAll("/login", "/privacy", "/static/**")
      .authenticated("/**")
      .build();

  @Test
  void loginPathThatNeedsALogin_isRefusedWithWhatToFix() {
    assertThatThrownBy(() -> PortcullisFilter.builder().access(POLICY, "/signin").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'/signin'")
        .hasMessageContaining("add permitAll(\"/signin\")");
  }

  @Test
  void loginPathShadowedByAnEarlierRule_isRefused() {
    AccessPolicy shadowed = AccessPolicy.builder().authenticated("/**").permitAll("/login").build();

    assertThatThrownBy(() -> PortcullisFilter.builder().access(shadowed, "/login").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ahead of any rule");
  }

  @Test
  void loginPathThatIsNotAPlainPath_isRefused() {
    for (String bad : new String[] {"login", "/Login", "/login?x=1", "/a/../login", "/login;x", "//login",
        "https://evil.example/login", "/%6cogin"}) {
      assertThatThrownBy(() -> PortcullisFilter.builder().access(POLICY, bad).build()).as(bad)
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("plain lower-case path");
    }
  }

  @Test
  void requiredPublicPages_mustBePublicUnderThePolicy() {
    assertThatThrownBy(() -> PortcullisFilter.builder().access(POLICY, "/login").requirePublic("/privacy", "/terms")
        .build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'/terms'");
    assertThat(PortcullisFilter.builder().access(POLICY, "/login").requirePublic("/privacy", "/static/cookies")
        .build()).isNotNull();
  }

  @Test
  void publicLoginPage_builds() {
    assertThat(PortcullisFilter.builder().access(POLICY, "/login").build()).isNotNull();
  }
}
