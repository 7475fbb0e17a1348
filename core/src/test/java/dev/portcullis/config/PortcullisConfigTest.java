package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.access.AccessDecision;
import dev.portcullis.access.AccessPolicy;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestKeyRings;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortcullisConfigTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final SecureRandom random = new SecureRandom();

  private SessionRegistry sessions(String cookieName) {
    SessionConfig config =
        SessionConfig.builder().cookie(SessionConfig.defaultCookie(cookieName)).build();
    return SessionRegistry.create(
        config,
        CaffeineSessionStore.builder(config, clock).executor(Runnable::run).build(),
        random,
        clock,
        SessionListener.noop());
  }

  private PortalLogin.Builder login() {
    return PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(new InMemoryUserDirectory(PasswordHasher.forTests()))
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(random)
        .termsVersion("t1");
  }

  private PortcullisConfig.Builder withLogin() {
    return PortcullisConfig.builder()
        .sessions(sessions(SessionConfig.DEFAULT_COOKIE_NAME))
        .login(login().build(), random);
  }

  private static LegacyLogin legacy(String cookieName) {
    return new LegacyLogin() {
      @Override
      public CookieSpec cookie() {
        return CookieSpec.builder(cookieName)
            .purpose("the old portal's login")
            .dataStored("a ticket")
            .duration("until logout")
            .build();
      }

      @Override
      public Instant sunset() {
        return Instant.MAX;
      }

      @Override
      public Result open(String cookieValue) {
        return new Result.NotValid("test");
      }

      @Override
      public Optional<PortalUser> findUser(String legacyName) {
        return Optional.empty();
      }
    };
  }

  private SsoConfig sso(String cookieName) {
    return SsoConfig.builder()
        .links(AccountLinkStore.inMemory())
        .replay(ReplayStore.inMemory(clock))
        .provider(URI.create("https://login.example"), "portal", "a-client-secret")
        .redirectUri(URI.create("https://portal.example/sso/callback"))
        .cookie(SsoConfig.defaultCookie(cookieName))
        .build();
  }

  @Test
  void coreBuilder_refusesTwoCookiesWithTheSameName_namingBothAndWhatToChange() {
    PortcullisConfig.Builder sessionAsAuth = PortcullisConfig.builder()
        .sessions(sessions(LoginCookies.DEFAULT_AUTH_COOKIE))
        .login(login().build(), random);

    assertThatThrownBy(sessionAsAuth::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("two Portcullis cookies have the same name '__Host-portcullis-auth'")
        .hasMessageContaining("the session cookie and the auth cookie")
        .hasMessageContaining("give each cookie a name of its own");
  }

  @Test
  void everyCookiePortcullisWrites_isComparedWithEveryOther() {
    assertThatThrownBy(() -> withLogin()
            .legacyLogin(
                legacy(LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE),
                ReplayStore.inMemory(clock),
                clock)
            .build())
        .hasMessageContaining("the cookie-check cookie and the legacy login cookie");
    assertThatThrownBy(() -> withLogin()
            .sso(sso(SessionConfig.DEFAULT_COOKIE_NAME), TestKeyRings.current(), clock)
            .build())
        .hasMessageContaining("the session cookie and the SSO-upgrade cookie");
    assertThatThrownBy(() -> withLogin()
            .legacyLogin(legacy("portal-old"), ReplayStore.inMemory(clock), clock)
            .sso(sso("portal-old"), TestKeyRings.current(), clock)
            .build())
        .hasMessageContaining("the legacy login cookie and the SSO-upgrade cookie");
  }

  @Test
  void cookieCheckBySessionCookie_declaresNoCookieCheckCookie_andNeedsASecureSessionCookie() {
    PortcullisConfig config = PortcullisConfig.builder()
        .sessions(sessions("ASP.NET_SessionId"))
        .login(
            login()
                .authCookie(LoginCookies.defaultAuthCookie("validPSuser"))
                .cookieCheckBySessionCookie()
                .build(),
            random)
        .build();
    assertThat(config.cookies())
        .extracting(CookieSpec::name)
        .containsExactly("ASP.NET_SessionId", "validPSuser");

    SessionConfig plain = SessionConfig.builder()
        .cookie(SessionConfig.defaultCookie("ASP.NET_SessionId").toBuilder()
            .secure(false)
            .build())
        .build();
    SessionRegistry plainSessions = SessionRegistry.create(
        plain,
        CaffeineSessionStore.builder(plain, clock).executor(Runnable::run).build(),
        random,
        clock,
        SessionListener.noop());
    assertThatThrownBy(() -> PortcullisConfig.builder()
            .sessions(plainSessions)
            .login(login().cookieCheckBySessionCookie().build(), random)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a Secure session cookie");
    // A separate cookie-check cookie keeps its own value, so the same session cookie is accepted.
    assertThat(PortcullisConfig.builder()
            .sessions(plainSessions)
            .login(login().build(), random)
            .build()
            .cookies())
        .hasSize(3);
  }

  @Test
  void distinctNames_build_andEveryCookieIsDeclaredOnce() {
    PortcullisConfig config = withLogin()
        .legacyLogin(legacy(".ASPXAUTH"), ReplayStore.inMemory(clock), clock)
        .build();

    assertThat(config.cookies())
        .extracting(CookieSpec::name)
        .containsExactly(
            SessionConfig.DEFAULT_COOKIE_NAME,
            LoginCookies.DEFAULT_AUTH_COOKIE,
            LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE,
            ".ASPXAUTH");
    assertThat(config.legacyUpgrade()).isPresent();
  }

  @Test
  void partsThatNeedAnother_areRefusedSayingWhatToAdd() {
    assertThatThrownBy(
            () -> PortcullisConfig.builder().login(login().build(), random).build())
        .hasMessageContaining("login needs sessions")
        .hasMessageContaining("add sessions(");
    assertThatThrownBy(() -> PortcullisConfig.builder()
            .sso(sso("sso"), TestKeyRings.current(), clock)
            .build())
        .hasMessageContaining("the SSO upgrade needs login");
    assertThatThrownBy(() -> PortcullisConfig.builder()
            .legacyLogin(legacy("old"), ReplayStore.inMemory(clock), clock)
            .build())
        .hasMessageContaining("the legacy login upgrade needs login");
  }

  @Test
  void singleSignOn_withoutTheOpenIdConnectSdk_isRefusedNamingTheDependency() {
    // Core's own test class path has no Nimbus SDK, as an application that forgot it would not.
    assertThatThrownBy(() -> withLogin()
            .sso(sso("__Host-portcullis-sso"), TestKeyRings.current(), clock)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OpenID Connect SDK")
        .hasMessageContaining("com.nimbusds:oauth2-oidc-sdk");
  }

  @Test
  void loginWithoutAnAccessPolicy_needsALoginEverywhereButTheLoginTermsAndRequiredPublicPages() {
    PortcullisConfig config = withLogin().requirePublic("/privacy").build();

    PortcullisConfig.Access access = config.access().orElseThrow();
    assertThat(access.byDefault()).isTrue();
    assertThat(access.loginPath()).isEqualTo("/login");
    AccessPolicy policy = access.policy();
    for (String open : new String[] {"/login", "/terms", "/privacy"}) {
      assertThat(policy.decide(open, Optional.empty())).as(open).isEqualTo(AccessDecision.ALLOW);
    }
    for (String closed :
        new String[] {"/", "/secret", "/reports/1", "/privacy/more", "/login/x", "/logout"}) {
      assertThat(policy.decide(closed, Optional.empty()))
          .as(closed)
          .isEqualTo(AccessDecision.LOGIN_REQUIRED);
      assertThat(policy.decide(closed, Optional.of(Set.of("PROVIDER"))))
          .as(closed)
          .isEqualTo(AccessDecision.ALLOW);
    }
  }

  @Test
  void defaultPolicy_followsTheLoginsOwnPaths_andRefusesOnesItCannotMatch() {
    PortcullisConfig config = PortcullisConfig.builder()
        .sessions(sessions(SessionConfig.DEFAULT_COOKIE_NAME))
        .login(login().loginPath("/signin").termsPath("/tou").build(), random)
        .build();
    AccessPolicy policy = config.access().orElseThrow().policy();
    assertThat(policy.isPublic("/signin")).isTrue();
    assertThat(policy.isPublic("/tou")).isTrue();
    assertThat(policy.isPublic("/login")).isFalse();
    assertThat(config.access().orElseThrow().loginPath()).isEqualTo("/signin");

    assertThatThrownBy(() -> PortcullisConfig.builder()
            .sessions(sessions(SessionConfig.DEFAULT_COOKIE_NAME))
            .login(login().loginPath("/SignIn").build(), random)
            .build())
        .hasMessageContaining("login page '/SignIn' must be a plain lower-case path");
    assertThatThrownBy(() -> withLogin().requirePublic("/privacy?x=1").build())
        .hasMessageContaining("'/privacy?x=1' must be a plain lower-case path");
  }

  @Test
  void accessDecidedByApplication_isExplicit_andExcludesAPolicy() {
    assertThat(withLogin().accessDecidedByApplication().build().access()).isEmpty();
    AccessPolicy policy = AccessPolicy.builder().permitAll("/login", "/terms").build();
    assertThatThrownBy(() ->
            withLogin().access(policy, "/login").accessDecidedByApplication().build())
        .hasMessageContaining("contradict each other");
    PortcullisConfig.Access given =
        withLogin().access(policy, "/login").build().access().orElseThrow();
    assertThat(given.byDefault()).isFalse();
    assertThat(given.policy()).isSameAs(policy);
  }

  @Test
  void withoutLogin_thereIsNothingToLogInWith_soNoDefaultPolicy() {
    PortcullisConfig config = PortcullisConfig.builder()
        .sessions(sessions(SessionConfig.DEFAULT_COOKIE_NAME))
        .build();

    assertThat(config.access()).isEmpty();
    assertThat(config.login()).isEmpty();
    assertThat(config.cookies())
        .extracting(CookieSpec::name)
        .containsExactly(SessionConfig.DEFAULT_COOKIE_NAME);
  }
}
