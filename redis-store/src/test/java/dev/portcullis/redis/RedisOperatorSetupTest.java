package dev.portcullis.redis;

import static dev.portcullis.redis.Eventually.answers;
import static dev.portcullis.redis.Eventually.eventually;
import static dev.portcullis.servlet.testing.PortalNode.csrf;
import static dev.portcullis.servlet.testing.PortalNode.login;
import static dev.portcullis.servlet.testing.PortalNode.whoami;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis as operators run it: TLS only to the stores (a private CA, made here with {@code openssl}), the default user
 * off, and an ACL user per portal that may run only the commands the stores send and touch only its portal's key
 * prefix. Two portal nodes log in and out through the real filter on Jetty over it; a wrong password or an unknown CA
 * stops start-up without the password in any message; a user limited to another prefix gets nothing; and a Redis
 * restarted empty logs everyone out without bringing a logged-out cookie back.
 */
@dev.portcullis.internal.SuppressForbidden(reason = "Redis TTLs run on Redis's real clock")
class RedisOperatorSetupTest {
  private static final String SECRET = "s3cret-Acl-Pw-7e4f";
  private static final String OTHER_SECRET = "other-Pw-91c2";

  /**
   * Every command the stores send, directly or from their scripts, and the connection's own handshake. Nothing
   * else: no KEYS, SCAN, FLUSHALL, CONFIG, SCRIPT or DEBUG.
   */
  static final String STORE_COMMANDS = "-@all +hello +auth +ping +eval +evalsha +get +set"
      + " +mget +exists +del +type +rename +pexpire +pttl +hget +hmget +hset +hdel +hgetall +hkeys +hvals +sadd +srem"
      + " +smembers +zadd +zrem +zcard +zremrangebyscore";

  @TempDir
  Path dir;

  private final SecureRandom random = new SecureRandom();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<RedisStores> nodeStores = new ArrayList<>();
  private TlsRedis tls;
  private RedisServer redis;
  private int tlsPort;
  private Path ca;
  private KeyRing ring;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(TlsRedis.available(), "redis-server or openssl is not installed");
    tls = TlsRedis.start(
        dir,
        "user default off\n"
            + "user portcullis on >" + SECRET + " resetkeys ~portal-a:* resetchannels "
            + STORE_COMMANDS + "\n"
            + "user other on >" + OTHER_SECRET + " resetkeys ~portal-b:* resetchannels "
            + STORE_COMMANDS + "\n");
    redis = tls.server();
    tlsPort = tls.tlsPort();
    ca = tls.caCertificate();
    ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    if (tls != null) {
      tls.close();
    }
  }

  @Test
  void aclUserOverTls_twoNodesLogInAndOut_andEveryStoreWorksWithOnlyTheListedCommands()
      throws Exception {
    PortalNode a = node(tls("portcullis", SECRET).keyPrefix("portal-a:"));
    PortalNode b = node(tls("portcullis", SECRET).keyPrefix("portal-a:"));
    TestBrowser onA = a.browser();
    login(onA, "alice", "alice-pw");
    TestBrowser onB = b.sameBrowser(onA);
    assertThat(whoami(onB)).as("node B reads the login from Redis").isEqualTo("u-alice");
    Map<String, String> saved = new LinkedHashMap<>(onA.cookies());
    HttpResponse<String> out = onB.post("/logout", Map.of("_csrf", csrf(onB)));
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(whoami(a.browser(saved))).as("logged out on B, refused on A").isEqualTo("anonymous");

    TestBrowser everywhere = a.browser();
    login(everywhere, "bob", "bob-pw");
    TestBrowser bobOnB = b.browser();
    login(bobOnB, "bob", "bob-pw");
    everywhere.post("/logout-everywhere", Map.of("_csrf", csrf(everywhere)));
    assertThat(whoami(bobOnB)).as("log out everywhere reaches node B").isEqualTo("anonymous");

    RedisStores stores = connect(tls("portcullis", SECRET).keyPrefix("portal-a:"));
    Instant later = Instant.now().plus(Duration.ofMinutes(5));
    assertThat(stores.replayStore().markUsed("token-1", later)).isTrue();
    assertThat(stores.replayStore().markUsed("token-1", later)).isFalse();
    AccountLinkStore links = stores.accountLinkStore();
    links.link("https://idp.example", "sub-1", "u-alice");
    assertThat(links.userFor("https://idp.example", "sub-1")).contains("u-alice");
    assertThat(links.linksOf("u-alice")).hasSize(1);
    assertThat(links.unlinkAll("u-alice")).isEqualTo(1);
    var attempts = stores.loginAttemptStore();
    assertThat(attempts.reserve("budget", 1, 1, Duration.ofMinutes(1))).isTrue();
    assertThat(attempts.reserve("budget", 2, 1, Duration.ofMinutes(1))).isFalse();
    attempts.release("budget", 1);
    attempts.rememberAddress("known", Duration.ofMinutes(1));
    assertThat(attempts.isKnownAddress("known")).isTrue();
  }

  @Test
  void wrongPassword_unknownCa_orPlainRedis_stopStartUp_withoutThePasswordInAnyMessage() {
    List<RedisStoreConfig> refused = List.of(
        tls("portcullis", "not-" + SECRET).keyPrefix("portal-a:").build(),
        RedisStoreConfig.builder()
            .uri("rediss://portcullis:" + SECRET + "@127.0.0.1:" + tlsPort)
            .commandTimeout(SharedRedis.PATIENT)
            .build(),
        RedisStoreConfig.builder()
            .uri("redis://portcullis:" + SECRET + "@127.0.0.1:" + tlsPort)
            .commandTimeout(Duration.ofSeconds(2))
            .build());
    for (RedisStoreConfig config : refused) {
      assertThat(config.toString()).doesNotContain(SECRET);
      assertThatThrownBy(() -> connect(config))
          .isInstanceOf(StoreUnavailableException.class)
          .satisfies(e -> {
            for (Throwable t = e; t != null; t = t.getCause()) {
              assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
              assertThat(t.toString()).doesNotContain(SECRET);
            }
          });
    }
  }

  @Test
  void aclLimitedToOnePortalsPrefix_refusesTheOtherPortalsKeys_andFailsClosed() throws Exception {
    PortalNode portalA = node(tls("portcullis", SECRET).keyPrefix("portal-a:"));
    TestBrowser alice = portalA.browser();
    login(alice, "alice", "alice-pw");
    assertThat(whoami(alice)).isEqualTo("u-alice");

    // Portal B's user pointed at portal A's prefix: every call is refused by the ACL, so nobody is
    // logged in, and nothing of portal A is read or written.
    PortalNode wrongPrefix = node(tls("other", OTHER_SECRET).keyPrefix("portal-a:"));
    Map<String, String> aliceCookies = new LinkedHashMap<>(alice.cookies());
    assertThat(whoami(wrongPrefix.browser(aliceCookies))).isEqualTo("anonymous");
    RedisStores misconfigured = connect(tls("other", OTHER_SECRET).keyPrefix("portal-a:"));
    assertThatThrownBy(
            () -> misconfigured.replayStore().markUsed("t", Instant.now().plusSeconds(60)))
        .isInstanceOf(StoreUnavailableException.class)
        .rootCause()
        .hasMessageStartingWith("RedisCommandExecutionException NOPERM ");
    assertThat(Files.readString(Path.of("target/redis-store-tests.log")))
        .as("the refusals are logged with the endpoint and Redis's error code, never the ACL user's"
            + " password")
        .contains("Portcullis Redis store at rediss://127.0.0.1:" + tlsPort
            + " could not mark a token used (RedisCommandExecutionException NOPERM)")
        .doesNotContain(OTHER_SECRET);

    PortalNode portalB = node(tls("other", OTHER_SECRET).keyPrefix("portal-b:"));
    TestBrowser bob = portalB.browser();
    login(bob, "bob", "bob-pw");
    assertThat(whoami(bob)).isEqualTo("u-bob");
    assertThat(whoami(portalB.browser(aliceCookies)))
        .as("one Redis, two portals: portal A's login is no login on portal B")
        .isEqualTo("anonymous");
    assertThat(whoami(alice)).isEqualTo("u-alice");
  }

  @Test
  void redisRestartedEmpty_logsEveryoneOut_andALoggedOutCookieIsNotBackToLife() throws Exception {
    PortalNode a = node(tls("portcullis", SECRET).keyPrefix("portal-a:"));
    PortalNode b = node(tls("portcullis", SECRET).keyPrefix("portal-a:"));
    TestBrowser alice = a.browser();
    login(alice, "alice", "alice-pw");
    Map<String, String> loggedOut = new LinkedHashMap<>(alice.cookies());
    alice.post("/logout", Map.of("_csrf", csrf(alice)));
    assertThat(whoami(a.browser(loggedOut))).isEqualTo("anonymous");
    TestBrowser bob = b.browser();
    login(bob, "bob", "bob-pw");
    Map<String, String> live = new LinkedHashMap<>(bob.cookies());

    redis.kill();
    redis.restart(); // no persistence: sessions, revocations and loaded scripts are gone
    // Until a node's client has reconnected (with back-off), its stores refuse at once and the node
    // answers 503: wait for both, so that what follows is about the emptied Redis, not the outage.
    eventually(() -> nodeStores.stream()
        .allMatch(s -> answers(() -> s.revocationStore().isRevoked("x", "u", Instant.now()))));

    assertThat(List.of(whoami(a.browser(loggedOut)), whoami(b.browser(loggedOut))))
        .as("the revocation is gone, but so is the session the ticket is bound to")
        .containsOnly("anonymous");
    assertThat(List.of(whoami(a.browser(live)), whoami(b.browser(live))))
        .as("a live login whose session is gone is logged out, not trusted by its ticket alone")
        .containsOnly("anonymous");
    TestBrowser again = b.browser();
    login(again, "bob", "bob-pw");
    assertThat(whoami(a.sameBrowser(again)))
        .as("the nodes reconnect with the ACL user and load their scripts again")
        .isEqualTo("u-bob");
  }

  private RedisStoreConfig.Builder tls(String user, String password) {
    return RedisStoreConfig.builder()
        .uri(tls.uri(user, password))
        .trustedCertificates(ca)
        .commandTimeout(SharedRedis.PATIENT);
  }

  private RedisStores connect(RedisStoreConfig.Builder config) {
    return connect(config.build());
  }

  private RedisStores connect(RedisStoreConfig config) {
    RedisStores stores = RedisStores.connect(config, InstantSource.system());
    toClose.add(stores);
    return stores;
  }

  private PortalNode node(RedisStoreConfig.Builder config) throws Exception {
    RedisStores stores = RedisStores.connect(config.build(), InstantSource.system());
    nodeStores.add(stores);
    InstantSource clock = InstantSource.system();
    PortalNode node = PortalNode.builder(
            stores.sessionStore(SessionConfig.defaults()), stores.revocationStore())
        .keyRing(ring)
        .users(PortalNode.aliceAndBob())
        .clock(clock)
        .random(random)
        .throttle(LoginThrottle.builder(clock)
            .random(random)
            .store(stores.loginAttemptStore())
            .hashKey(KeyMaterial.generate(random))
            .build())
        .onClose(stores)
        .start();
    toClose.add(node);
    return node;
  }
}
