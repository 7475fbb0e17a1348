package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.redis.RedisServer;
import dev.portcullis.redis.RedisStoreConfig;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.testing.FakeSharedStores;
import dev.portcullis.user.UserDirectory;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Regression: an application that declared its own session store bean shared between nodes (a {@code
 * RedisSessionStore} built by hand, without {@code portcullis.redis.*} or {@code portcullis.jdbc.enabled}) got the
 * login limit in each node's memory without a word, so that a password guesser spreading guesses over N nodes behind a
 * load balancer got N budgets. Start-up now fails and says what to do, unless {@code
 * portcullis.login.per-node-login-limit=true} accepts a limit per node, which is logged; the starter's own shared
 * stores come with a shared limit and start as before. With single sign-on on, such an application also needs replay
 * and account-link store beans the nodes share: the starter's in-memory ones let an upgrade token be redeemed once per
 * node and an unlinked identity log in through the other nodes, and start-up now fails with them.
 */
@ExtendWith(OutputCaptureExtension.class)
class SharedSessionsNeedASharedLoginLimitTest {
  private static final String WARNING = "The login limit is kept in this node's memory";

  private static final String REFUSED =
      "is shared between nodes, but the login limit is kept in this node's memory";

  @TempDir
  Path dir;

  private WebApplicationContextRunner runner() throws IOException {
    return SharedStoresFixture.runner(dir);
  }

  /** The application's own session store, which the nodes share. */
  @Configuration(proxyBeanMethods = false)
  static class OwnSharedSessionStore {
    @Bean
    SessionStore ownSessionStore(SessionConfig config, InstantSource clock) {
      return FakeSharedStores.sessions(
          CaffeineSessionStore.builder(config, clock).build());
    }
  }

  /** A shared session store that counts how often it is asked whether it is shared. */
  @Configuration(proxyBeanMethods = false)
  static class CountingSharedSessionStore {
    static final AtomicInteger ASKED = new AtomicInteger();

    @Bean
    SessionStore ownSessionStore(SessionConfig config, InstantSource clock) {
      SessionStore shared =
          FakeSharedStores.sessions(CaffeineSessionStore.builder(config, clock).build());
      return (SessionStore) Proxy.newProxyInstance(
          SessionStore.class.getClassLoader(),
          new Class<?>[] {SessionStore.class},
          (proxy, method, args) -> {
            if (method.getName().equals("sharedBetweenNodes")) {
              ASKED.incrementAndGet();
            }
            try {
              return method.invoke(shared, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }
  }

  /** What the failure says to do: a login limit over a login-attempt store the nodes share. */
  @Configuration(proxyBeanMethods = false)
  static class OwnSharedLoginThrottle {
    @Bean
    LoginThrottle ownLoginThrottle(
        InstantSource clock, SecureRandom random, KeyRingSource keyRing) {
      return LoginThrottle.builder(clock)
          .random(random)
          .store(FakeSharedStores.loginAttempts(LoginAttemptStore.inMemory(clock)))
          .hashKeyFrom(keyRing)
          .build();
    }
  }

  /** The application's own {@link PortalLogin}, with the default limit in this node's memory. */
  @Configuration(proxyBeanMethods = false)
  static class OwnPortalLogin {
    @Bean
    PortalLogin ownPortalLogin(
        KeyRingSource keyRing,
        UserDirectory users,
        RevocationStore revocations,
        InstantSource clock,
        SecureRandom random) {
      return PortalLogin.builder()
          .keyRing(keyRing)
          .users(users)
          .revocations(revocations)
          .clock(clock)
          .random(random)
          .termsVersion(TestUsers.TERMS)
          .build();
    }
  }

  /** Redis stores built by hand, as an application does without {@code portcullis.redis.*}. */
  @Configuration(proxyBeanMethods = false)
  static class OwnRedisSessionStore {
    @Bean(destroyMethod = "close")
    RedisStores ownRedisStores(Environment environment, InstantSource clock) {
      return RedisStores.connect(
          RedisStoreConfig.builder()
              .uri(environment.getRequiredProperty("test.redis.uri"))
              .keyPrefix("own:")
              .build(),
          clock);
    }

    @Bean
    SessionStore ownSessionStore(RedisStores redis, SessionConfig config) {
      return redis.sessionStore(config);
    }
  }

  /** The README's login limit for hand-built Redis stores. */
  @Configuration(proxyBeanMethods = false)
  static class OwnRedisLoginThrottle {
    @Bean
    LoginThrottle ownLoginThrottle(
        RedisStores redis, KeyRingSource keyRing, InstantSource clock, SecureRandom random) {
      return LoginThrottle.builder(clock)
          .random(random)
          .store(redis.loginAttemptStore())
          .hashKeyFrom(keyRing)
          .build();
    }
  }

  /** Single sign-on's one-time marks and account links, standing in for Redis's or PostgreSQL's. */
  @Configuration(proxyBeanMethods = false)
  static class OwnSharedMarksAndLinks {
    @Bean
    ReplayStore ownReplayStore(InstantSource clock) {
      return FakeSharedStores.replay(ReplayStore.inMemory(clock));
    }

    @Bean
    AccountLinkStore ownAccountLinkStore() {
      return FakeSharedStores.links(AccountLinkStore.inMemory());
    }
  }

  private static final String[] SSO = {
    "portcullis.sso.enabled=true",
    "portcullis.sso.issuer=https://login.example/realms/portal",
    "portcullis.sso.client-id=portal",
    "portcullis.sso.client-secret=a-client-secret-for-tests",
    "portcullis.sso.redirect-uri=https://portal.example/sso/callback"
  };

  @Test
  void ownSharedSessionStore_withSingleSignOn_failsStartUp_untilItsMarksAndLinksAreSharedToo()
      throws Exception {
    WebApplicationContextRunner node = runner()
        .withUserConfiguration(OwnSharedSessionStore.class, OwnSharedLoginThrottle.class)
        .withPropertyValues(SSO);
    node.run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure())
          .hasStackTraceContaining("the session store is shared between nodes")
          .hasStackTraceContaining("single sign-on replay store (SsoConfig.Builder.replay)");
    });
    node.withUserConfiguration(OwnSharedMarksAndLinks.class).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(PortcullisFilter.class);
      assertThat(context.getBean(ReplayStore.class).sharedBetweenNodes()).isTrue();
      assertThat(context.getBean(AccountLinkStore.class).sharedBetweenNodes()).isTrue();
    });
  }

  private static int warnings(CapturedOutput output) {
    return output.getAll().split(WARNING, -1).length - 1;
  }

  @Test
  void ownSharedSessionStore_withTheLoginLimitInMemory_failsStartUp_withWhatToDo()
      throws Exception {
    runner().withUserConfiguration(OwnSharedSessionStore.class).run(context -> {
      PortcullisAutoConfigurationTest.failsWith(
              REFUSED, "portcullis.login.per-node-login-limit=true")
          .accept(context);
      FailureAnalysis analysis =
          PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
      assertThat(analysis.getDescription())
          .contains("N nodes would give a password guesser N budgets");
      assertThat(analysis.getAction())
          .contains("declare a LoginThrottle bean")
          .contains("LoginThrottle.builder(clock).random(random).store(redis.loginAttemptStore())"
              + ".hashKeyFrom(keyRing).build()")
          .contains("jdbc.loginAttemptStore()");
    });
  }

  @Test
  void ownSharedSessionStore_withPerNodeLoginLimit_starts_andWarnsOnce(CapturedOutput output)
      throws Exception {
    runner()
        .withUserConfiguration(OwnSharedSessionStore.class)
        .withPropertyValues("portcullis.login.per-node-login-limit=true")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(PortcullisFilter.class);
          assertThat(context.getBean(PortalLogin.class).loginLimitSharedBetweenNodes())
              .isFalse();
        });
    assertThat(warnings(output)).as("warned once").isEqualTo(1);
    assertThat(output.getAll().lines().filter(line -> line.contains(WARNING)))
        .singleElement(InstanceOfAssertFactories.STRING)
        .contains("WARN")
        .contains("portcullis.login.per-node-login-limit=true")
        .contains("a budget of its own");
  }

  /**
   * Regression: the starter made the check in its own words and the filter's builder made it again. It is made once,
   * when the filter is built (the session store is asked once whether it is shared), and still fails start-up in the
   * starter's words, or warns once.
   */
  @Test
  void theLoginLimitCheck_runsOnce_failingOrWarningInTheStartersWords(CapturedOutput output)
      throws Exception {
    CountingSharedSessionStore.ASKED.set(0);
    runner()
        .withUserConfiguration(CountingSharedSessionStore.class)
        .run(PortcullisAutoConfigurationTest.failsWith(
            REFUSED, "portcullis.login.per-node-login-limit=true"));
    assertThat(CountingSharedSessionStore.ASKED)
        .as("whether the sessions are shared, asked")
        .hasValue(1);

    CountingSharedSessionStore.ASKED.set(0);
    runner()
        .withUserConfiguration(CountingSharedSessionStore.class)
        .withPropertyValues("portcullis.login.per-node-login-limit=true")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(PortcullisFilter.class));
    assertThat(CountingSharedSessionStore.ASKED)
        .as("whether the sessions are shared, asked")
        .hasValue(1);
    assertThat(warnings(output)).as("warned once").isEqualTo(1);
  }

  @Test
  void ownSharedSessionStore_withALoginThrottleBeanOverASharedStore_startsQuietly(
      CapturedOutput output) throws Exception {
    runner()
        .withUserConfiguration(OwnSharedSessionStore.class, OwnSharedLoginThrottle.class)
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(PortcullisFilter.class);
          assertThat(context.getBean(PortalLogin.class).loginLimitSharedBetweenNodes())
              .isTrue();
        });
    assertThat(warnings(output)).isZero();
  }

  @Test
  void perNodeLoginLimit_besideASharedLoginLimit_isAContradiction_failsStartUp() throws Exception {
    runner()
        .withUserConfiguration(OwnSharedSessionStore.class, OwnSharedLoginThrottle.class)
        .withPropertyValues("portcullis.login.per-node-login-limit=true")
        .run(PortcullisAutoConfigurationTest.failsWith(
            "portcullis.login.per-node-login-limit=true, but the login limit is kept in a store the nodes share",
            "Remove portcullis.login.per-node-login-limit"));
  }

  @Test
  void ownPortalLoginBean_withTheLoginLimitInMemory_besideASharedSessionStore_failsStartUp()
      throws Exception {
    runner()
        .withUserConfiguration(OwnSharedSessionStore.class, OwnPortalLogin.class)
        .run(PortcullisAutoConfigurationTest.failsWith(
            REFUSED, "PortalLogin.builder().throttle(...)"));
  }

  @Test
  void ownRedisSessionStore_failsStartUp_untilTheReadmesLoginThrottleBeanSharesTheLimit(
      CapturedOutput output) throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    try (RedisServer redis = RedisServer.start()) {
      WebApplicationContextRunner node = runner()
          .withUserConfiguration(OwnRedisSessionStore.class)
          .withPropertyValues("test.redis.uri=" + redis.uri());
      node.run(PortcullisAutoConfigurationTest.failsWith(
          "the session store (dev.portcullis.redis.RedisSessionStore) " + REFUSED,
          "declare a LoginThrottle bean"));
      node.withUserConfiguration(OwnRedisLoginThrottle.class).run(context -> {
        assertThat(context).hasNotFailed().hasSingleBean(PortcullisFilter.class);
        assertThat(context.getBean(PortalLogin.class).loginLimitSharedBetweenNodes())
            .isTrue();
        SharedStoresFixture.assertSessionReadsBack(context);
      });
    }
    assertThat(warnings(output)).isZero();
  }

  @Test
  void starterRedisUri_startsWithItsSharedLimit_andRefusesPerNodeLoginLimit(CapturedOutput output)
      throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    try (RedisServer redis = RedisServer.start()) {
      WebApplicationContextRunner node = runner()
          .withPropertyValues(
              "portcullis.redis.uri=" + redis.uri(), "portcullis.redis.key-prefix=portal-l:");
      node.run(context -> {
        assertThat(context).hasNotFailed().hasSingleBean(PortcullisFilter.class);
        assertThat(context.getBean(SessionStore.class).sharedBetweenNodes()).isTrue();
        assertThat(context.getBean(PortalLogin.class).loginLimitSharedBetweenNodes())
            .isTrue();
      });
      assertThat(warnings(output)).isZero();
      node.withPropertyValues("portcullis.login.per-node-login-limit=true")
          .run(PortcullisAutoConfigurationTest.failsWith(
              "portcullis.login.per-node-login-limit=true, but the login limit is kept in a store"
                  + " the nodes share",
              "Remove portcullis.login.per-node-login-limit"));
    }
  }
}
