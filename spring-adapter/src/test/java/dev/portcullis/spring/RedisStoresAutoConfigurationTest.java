package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.LoginDecision;
import dev.portcullis.login.LoginSession;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.redis.RedisSentinel;
import dev.portcullis.redis.RedisServer;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.redis.TlsRedis;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * {@code portcullis.redis.uri} switches every store to Redis: one server, or the master a sentinel names. The Redis
 * connection is made at start-up, so the tests that connect run a loopback {@code redis-server} (and a sentinel) and
 * are skipped where none is installed (CI installs it).
 */
class RedisStoresAutoConfigurationTest {
  @TempDir
  Path dir;

  private WebApplicationContextRunner runner() throws IOException {
    return SharedStoresFixture.runner(dir);
  }

  @Test
  void redisUri_putsEveryStoreInRedis() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    try (RedisServer redis = RedisServer.start()) {
      runner()
          .withPropertyValues(
              "portcullis.redis.uri=" + redis.uri(), "portcullis.redis.key-prefix=portal-a:")
          .withPropertyValues(SharedStoresFixture.SSO)
          .run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RedisStores.class);
            SharedStoresFixture.assertEveryStoreFrom(context, "Redis");
          });
    }
  }

  /**
   * Regression: with the stores in Redis the login limit stayed in each node's memory, so an account had a budget of
   * failed logins per node, and a client spreading its guesses over the nodes got that many budgets. Two nodes on one
   * Redis now share it: after an account's 100 failures, half on each node, its right password is refused on both.
   */
  @Test
  void redisUri_sharesTheLoginLimitBetweenNodes() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    try (RedisServer redis = RedisServer.start()) {
      WebApplicationContextRunner node = runner()
          .withPropertyValues(
              "portcullis.redis.uri=" + redis.uri(), "portcullis.redis.key-prefix=portal-t:");
      node.run(a -> node.run(b -> {
        assertThat(a).hasNotFailed();
        assertThat(b).hasNotFailed();
        PortalLogin first = a.getBean(PortalLogin.class);
        PortalLogin second = b.getBean(PortalLogin.class);
        for (int i = 0; i < 50; i++) {
          assertThat(logIn(first, "wrong-" + i)).isInstanceOf(LoginDecision.Refused.class);
          assertThat(logIn(second, "wrong-" + i)).isInstanceOf(LoginDecision.Refused.class);
        }
        for (PortalLogin either : List.of(first, second)) {
          assertThat(logIn(either, "alice-pw"))
              .as("the right password after the account's budget was spent on both nodes")
              .isInstanceOfSatisfying(
                  LoginDecision.Refused.class,
                  refused -> assertThat(refused.audit().type())
                      .isEqualTo(AuditEventType.AUTHN_LOGIN_LOCK));
        }
      }));
    }
  }

  /**
   * {@code portcullis.login.limit.*} applies to the limit the nodes share in Redis: with two per account, one wrong
   * password on each node spends the account's budget, so the right password is refused on both.
   */
  @Test
  void loginLimitProperties_applyToTheLimitTheNodesShareInRedis() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    try (RedisServer redis = RedisServer.start()) {
      WebApplicationContextRunner node = runner()
          .withPropertyValues(
              "portcullis.redis.uri=" + redis.uri(),
              "portcullis.redis.key-prefix=portal-l:",
              "portcullis.login.limit.max-failures-per-account=2");
      node.run(a -> node.run(b -> {
        assertThat(a).hasNotFailed();
        assertThat(b).hasNotFailed();
        PortalLogin first = a.getBean(PortalLogin.class);
        PortalLogin second = b.getBean(PortalLogin.class);
        assertThat(logIn(first, "wrong-1")).isInstanceOf(LoginDecision.Refused.class);
        assertThat(logIn(second, "wrong-2")).isInstanceOf(LoginDecision.Refused.class);
        for (PortalLogin either : List.of(first, second)) {
          assertThat(logIn(either, "alice-pw"))
              .as("the right password after the account's budget of two was spent on both nodes")
              .isInstanceOfSatisfying(
                  LoginDecision.Refused.class,
                  refused -> assertThat(refused.audit().type())
                      .isEqualTo(AuditEventType.AUTHN_LOGIN_LOCK));
        }
      }));
    }
  }

  /** A password login of alice from one address, with a session that only counts what is asked of it. */
  private static LoginDecision logIn(PortalLogin login, String password) {
    LoginSession session = new LoginSession() {
      @Override
      public String rotateTo(String userHandle) {
        return "s-" + userHandle;
      }

      @Override
      public boolean end() {
        return true;
      }

      @Override
      public void endAllOf(String userHandle) {}
    };
    return login.passwordLogin("alice", password.toCharArray(), true, "203.0.113.9", session);
  }

  @Test
  void sentinelUri_putsEveryStoreInTheMasterTheSentinelNames() throws Exception {
    assumeTrue(
        RedisSentinel.installed(), "redis-server is not installed (apt-get install redis-server)");
    try (RedisSentinel sentinel = RedisSentinel.start()) {
      runner()
          .withPropertyValues(
              "portcullis.redis.uri=" + sentinel.uri(),
              "portcullis.redis.key-prefix=portal-s:",
              "portcullis.redis.command-timeout=5s")
          .withPropertyValues(SharedStoresFixture.SSO)
          .run(context -> {
            // The sentinel itself refuses data commands: the stores work only through the master it
            // names.
            assertThat(context).hasNotFailed().hasSingleBean(RedisStores.class);
            SharedStoresFixture.assertEveryStoreFrom(context, "Redis");
            SharedStoresFixture.assertSessionReadsBack(context);
          });
    }
  }

  /**
   * Redis over TLS with a certificate a private CA signed, and an ACL user: with only {@code portcullis.redis.uri},
   * start-up failed ({@code PKIX path building failed}) unless the CA was in the whole JVM's trust store;
   * {@code portcullis.redis.trusted-certificates} trusts it for the Redis connection alone.
   */
  @Test
  void tlsWithAPrivateCa_andAnAclUser_trustedCertificatesPutsEveryStoreInRedis() throws Exception {
    assumeTrue(TlsRedis.available(), "redis-server or openssl is not installed");
    Path redisDir = dir.resolve("redis");
    java.nio.file.Files.createDirectories(redisDir);
    try (TlsRedis redis = TlsRedis.start(
        redisDir,
        "user default off\nuser portal on >acl-pw-5d1f resetkeys ~portal-tls:* -@all +@read +@write"
            + " +@scripting +@connection\n")) {
      WebApplicationContextRunner node = runner()
          .withPropertyValues(
              "portcullis.redis.uri=" + redis.uri("portal", "acl-pw-5d1f"),
              "portcullis.redis.key-prefix=portal-tls:",
              "portcullis.redis.command-timeout=5s")
          .withPropertyValues(SharedStoresFixture.SSO);
      node.withPropertyValues("portcullis.redis.trusted-certificates=" + redis.caCertificate())
          .run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RedisStores.class);
            SharedStoresFixture.assertEveryStoreFrom(context, "Redis");
            SharedStoresFixture.assertSessionReadsBack(context);
          });
      node.run(context -> {
        assertThat(context).hasFailed();
        var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
        assertThat(analysis.getDescription())
            .contains("rediss://127.0.0.1:" + redis.tlsPort())
            .doesNotContain("acl-pw-5d1f");
      });
    }
  }

  @Test
  void unreachableRedis_failsStartUp_namingTheEndpointButNotThePassword() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    runner()
        .withPropertyValues(
            "portcullis.redis.uri=redis://:hunter2secret@127.0.0.1:" + port,
            "portcullis.redis.command-timeout=200ms")
        .run(context -> {
          assertThat(context).hasFailed();
          var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
          assertThat(analysis.getDescription())
              .contains("127.0.0.1:" + port)
              .doesNotContain("hunter2secret");
          assertThat(analysis.getAction()).contains("portcullis.redis.uri");
        });
  }

  @Test
  void withoutTheRedisModule_theUriIsIgnored_andStoresStayInMemory() throws Exception {
    runner()
        .withClassLoader(new FilteredClassLoader(RedisStores.class))
        .withPropertyValues("portcullis.redis.uri=redis://127.0.0.1:1")
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean("portcullisRedisStores");
          assertThat(context.getBean(SessionStore.class)).isInstanceOf(CaffeineSessionStore.class);
        });
  }
}
