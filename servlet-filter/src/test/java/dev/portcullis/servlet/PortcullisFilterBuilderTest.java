package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PortcullisFilterBuilderTest {
  private static final AccessPolicy POLICY = AccessPolicy.builder()
      .permitAll("/login", "/privacy", "/static/**")
      .authenticated("/**")
      .build();

  @Test
  void loginPathThatNeedsALogin_isRefusedWithWhatToFix() {
    assertThatThrownBy(
            () -> PortcullisFilter.builder().access(POLICY, "/signin").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'/signin'")
        .hasMessageContaining("add permitAll(\"/signin\")");
  }

  @Test
  void loginPathShadowedByAnEarlierRule_isRefused() {
    AccessPolicy shadowed =
        AccessPolicy.builder().authenticated("/**").permitAll("/login").build();

    assertThatThrownBy(
            () -> PortcullisFilter.builder().access(shadowed, "/login").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ahead of any rule");
  }

  @Test
  void loginPathThatIsNotAPlainPath_isRefused() {
    for (String bad : new String[] {
      "login",
      "/Login",
      "/login?x=1",
      "/a/../login",
      "/login;x",
      "//login",
      "https://evil.example/login",
      "/%6cogin"
    }) {
      assertThatThrownBy(() -> PortcullisFilter.builder().access(POLICY, bad).build())
          .as(bad)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("plain lower-case path");
    }
  }

  @Test
  void requiredPublicPages_mustBePublicUnderThePolicy() {
    assertThatThrownBy(() -> PortcullisFilter.builder()
            .access(POLICY, "/login")
            .requirePublic("/privacy", "/terms")
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'/terms'");
    assertThat(PortcullisFilter.builder()
            .access(POLICY, "/login")
            .requirePublic("/privacy", "/static/cookies")
            .build())
        .isNotNull();
  }

  @Test
  void publicLoginPage_builds() {
    assertThat(PortcullisFilter.builder().access(POLICY, "/login").build()).isNotNull();
  }

  @Test
  void withLogin_theAccessLoginPageMustBeTheLoginHandlers() {
    AccessPolicy policy =
        AccessPolicy.builder().permitAll("/signin", "/login", "/terms").build();

    assertThatThrownBy(() -> withLogin().access(policy, "/signin").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'/signin'")
        .hasMessageContaining("'/login'");
    assertThat(withLogin().access(policy, "/login").build()).isNotNull();
  }

  @Test
  void withLogin_theTermsPageMustBePublic() {
    AccessPolicy policy =
        AccessPolicy.builder().permitAll("/login").authenticated("/**").build();

    assertThatThrownBy(() -> withLogin().access(policy, "/login").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("terms page '/terms'");
  }

  /** A builder with sessions and login configured (login at {@code /login}, terms at {@code /terms}). */
  private static PortcullisFilter.Builder withLogin() {
    MutableClock clock = MutableClock.startingAt2026();
    SecureRandom random = new SecureRandom();
    byte[] key = new byte[32];
    random.nextBytes(key);
    SessionConfig config = SessionConfig.defaults();
    SessionRegistry sessions = SessionRegistry.create(
        config,
        CaffeineSessionStore.builder(config, clock).executor(Runnable::run).build(),
        random,
        clock,
        SessionListener.noop());
    PortalLogin login = PortalLogin.builder()
        .keyRing(KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key))
            .build())
        .users(new InMemoryUserDirectory(PasswordHasher.forTests()))
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(random)
        .termsVersion("1")
        .build();
    return PortcullisFilter.builder().sessions(sessions).login(login, random);
  }
}
