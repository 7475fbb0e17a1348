package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.testing.FakeSharedStores;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.transport.TransportConfig;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link Portcullis.Builder#sso}: single sign-on with the builder's own key ring and clock, which a {@code filter(...)}
 * setting for something else leaves in place, with the builder's cookie name prefix and its checks of the whole.
 */
class PortcullisBuilderSsoTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final SecureRandom random = new SecureRandom();
  private final KeyRing ring = KeyRing.builder()
      .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
      .build();

  private Portcullis.Builder portal() {
    return Portcullis.builder()
        .keyRing(ring)
        .users(LoginPortal.alice())
        .termsVersion(LoginPortal.TERMS)
        .clock(clock)
        .random(random)
        .transport(TransportConfig.builder().developmentMode(true).build())
        .accessDecidedByApplication();
  }

  private SsoConfig sso(AccountLinkStore links, ReplayStore replay) {
    return SsoConfig.builder()
        .links(links)
        .replay(replay)
        .provider(URI.create("https://login.example"), "portal", "a-client-secret")
        .redirectUri(URI.create("https://portal.example/sso/callback"))
        .build();
  }

  private SsoConfig ssoInMemory() {
    return sso(AccountLinkStore.inMemory(), ReplayStore.inMemory(clock));
  }

  @Test
  void sso_declaresTheUpgradeCookie_besideAFilterSettingForSomethingElse() {
    try (Portcullis p =
        portal().sso(ssoInMemory()).filter(f -> f.maxFormReadsPerAddress(3)).build()) {
      assertThat(p.filter().cookies())
          .extracting(CookieSpec::name)
          .contains(SsoConfig.DEFAULT_COOKIE);
      assertThat(p.filter().maxFormReadsPerAddress()).isEqualTo(3);
    }
  }

  @Test
  void withoutSso_noUpgradeCookie() {
    try (Portcullis p = portal().build()) {
      assertThat(p.filter().cookies())
          .extracting(CookieSpec::name)
          .doesNotContain(SsoConfig.DEFAULT_COOKIE);
    }
  }

  @Test
  void sso_withACookieNamePrefix_namesTheUpgradeCookieAfterIt() {
    try (Portcullis p = portal().cookieNamePrefix("staff").sso(ssoInMemory()).build()) {
      assertThat(p.filter().cookies()).extracting(CookieSpec::name).contains("__Host-staff-sso");
    }
  }

  @Test
  void sso_withInMemoryStores_besideSharedSessions_isRefused() {
    assertThatThrownBy(() -> portal()
            .sessionStore(FakeSharedStores.sessions(
                CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build()))
            .loginAttemptStore(FakeSharedStores.loginAttempts(LoginAttemptStore.inMemory(clock)))
            .sso(ssoInMemory())
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("single sign-on replay store (SsoConfig.Builder.replay)");
  }
}
