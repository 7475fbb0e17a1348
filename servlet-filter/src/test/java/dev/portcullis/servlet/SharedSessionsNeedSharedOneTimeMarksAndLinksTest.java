package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.testing.FakeSharedStores;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.PortalUser;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Regression: {@link Portcullis#builder()} took a session store shared between nodes beside single sign-on or the legacy
 * upgrade whose one-time marks or account links stayed in one node's memory. Behind a load balancer an SSO-upgrade
 * token or a legacy login cookie was then redeemed once on every node, and an identity unlinked on one node still
 * logged in through the others. {@code build()} now refuses each of these and names the shared store to use.
 */
class SharedSessionsNeedSharedOneTimeMarksAndLinksTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final SecureRandom random = new SecureRandom();
  private final KeyRing ring = KeyRing.builder()
      .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
      .build();
  private final SessionStore sharedSessions = FakeSharedStores.sessions(
      CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build());
  private final SessionStore oneNodeSessions =
      CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build();
  private final LoginAttemptStore sharedAttempts =
      FakeSharedStores.loginAttempts(LoginAttemptStore.inMemory(clock));

  /** A node whose login limit the nodes share, so that only the stores under test decide. */
  private Portcullis.Builder node(SessionStore sessions) {
    return Portcullis.builder()
        .keyRing(ring)
        .users(LoginPortal.alice())
        .termsVersion(LoginPortal.TERMS)
        .clock(clock)
        .random(random)
        .transport(TransportConfig.builder().developmentMode(true).build())
        .accessDecidedByApplication()
        .sessionStore(sessions)
        .loginAttemptStore(sharedAttempts);
  }

  private SsoConfig sso(AccountLinkStore links, ReplayStore replay) {
    return SsoConfig.builder()
        .links(links)
        .replay(replay)
        .provider(URI.create("https://login.example"), "portal", "a-client-secret")
        .redirectUri(URI.create("https://portal.example/sso/callback"))
        .build();
  }

  private Portcullis.Builder withSso(
      SessionStore sessions, AccountLinkStore links, ReplayStore replay) {
    return node(sessions).filter(f -> f.sso(sso(links, replay), ring, clock));
  }

  private Portcullis.Builder withLegacy(SessionStore sessions, ReplayStore upgraded) {
    return node(sessions).filter(f -> f.legacyLogin(legacy(), upgraded, clock));
  }

  private ReplayStore sharedReplay() {
    return FakeSharedStores.replay(ReplayStore.inMemory(clock));
  }

  private static AccountLinkStore sharedLinks() {
    return FakeSharedStores.links(AccountLinkStore.inMemory());
  }

  @Test
  void sharedSessions_withTheSsoReplayStoreInMemory_isRefusedAtBuild_namingTheSharedStores() {
    assertThatThrownBy(() ->
            withSso(sharedSessions, sharedLinks(), ReplayStore.inMemory(clock)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the session store is shared between nodes")
        .hasMessageContaining("single sign-on replay store (SsoConfig.Builder.replay)")
        .hasMessageContaining("redeemed once on every node")
        .hasMessageContaining("RedisStores.replayStore() or JdbcStores.replayStore()");
  }

  @Test
  void sharedSessions_withTheSsoAccountLinksInMemory_isRefusedAtBuild_namingTheSharedStores() {
    assertThatThrownBy(() ->
            withSso(sharedSessions, AccountLinkStore.inMemory(), sharedReplay()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the session store is shared between nodes")
        .hasMessageContaining("single sign-on account links (SsoConfig.Builder.links)")
        .hasMessageContaining("would still log in through the others")
        .hasMessageContaining("RedisStores.accountLinkStore() or JdbcStores.accountLinkStore()");
  }

  @Test
  void sharedSessions_withTheLegacyUpgradesReplayStoreInMemory_isRefusedAtBuild() {
    assertThatThrownBy(
            () -> withLegacy(sharedSessions, ReplayStore.inMemory(clock)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the session store is shared between nodes")
        .hasMessageContaining("legacy upgrade's replay store")
        .hasMessageContaining("one legacy login cookie would log in once on every node")
        .hasMessageContaining("RedisStores.replayStore() or JdbcStores.replayStore()");
  }

  @Test
  void sharedSessions_withSharedMarksAndLinks_build() {
    assertThat(withSso(sharedSessions, sharedLinks(), sharedReplay()).build()).isNotNull();
    assertThat(withLegacy(sharedSessions, sharedReplay()).build()).isNotNull();
  }

  @Test
  void oneNodesSessions_keepMarksAndLinksInMemory() {
    assertThat(withSso(oneNodeSessions, AccountLinkStore.inMemory(), ReplayStore.inMemory(clock))
            .build())
        .isNotNull();
    assertThat(withLegacy(oneNodeSessions, ReplayStore.inMemory(clock)).build()).isNotNull();
  }

  @Test
  void inMemoryStores_sayTheyAreNotShared_andTheFakesThatStandInForRedisSayTheyAre() {
    assertThat(ReplayStore.inMemory(clock).sharedBetweenNodes()).isFalse();
    assertThat(AccountLinkStore.inMemory().sharedBetweenNodes()).isFalse();
    assertThat(sharedReplay().sharedBetweenNodes()).isTrue();
    assertThat(sharedLinks().sharedBetweenNodes()).isTrue();
  }

  private static LegacyLogin legacy() {
    return new LegacyLogin() {
      @Override
      public CookieSpec cookie() {
        return CookieSpec.builder(".ASPXAUTH")
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
}
