package dev.portcullis.redis;

import static dev.portcullis.servlet.testing.PortalNode.csrf;
import static dev.portcullis.servlet.testing.PortalNode.csrfOf;
import static dev.portcullis.servlet.testing.PortalNode.login;
import static dev.portcullis.servlet.testing.PortalNode.whoami;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.testing.CountingUserDirectory;
import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two Portcullis-protected Jetty servers, each with its own Redis connection, sharing one Redis and one key ring: a
 * login on one node works on the other, a logout on either ends it on both, a Redis outage means nobody is
 * authenticated until Redis is back, when the same cookies work again, and with the Redis login-attempt store a burst
 * of wrong passwords split across the nodes gets no more password checks than one node's limit.
 */
class TwoNodesTest {
  /** The command timeout of the outage test: short, so that failing closed is quick. */
  private static final Duration FAIL_FAST = Duration.ofMillis(500);
  /** The other tests' command timeout: a thousand requests at once on two busy cores must not time out. */
  private final SecureRandom random = new SecureRandom();

  private final CountingUserDirectory users =
      new CountingUserDirectory(PortalNode.aliceAndBob(), Duration.ofMillis(20));
  private RedisServer redis;
  private KeyRing ring;
  private PortalNode a;
  private PortalNode b;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    redis = RedisServer.start();
    byte[] key = new byte[32];
    random.nextBytes(key);
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key))
        .build();
    this.ring = ring;
    a = node((t, stores) -> t.build(), SharedRedis.PATIENT);
    b = node((t, stores) -> t.build(), SharedRedis.PATIENT);
  }

  @AfterEach
  void stop() throws Exception {
    if (a != null) {
      a.close();
      b.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void loginOnA_worksOnB_andLogoutOnB_endsItOnA() throws Exception {
    TestBrowser onA = a.browser();
    login(onA, "alice", "alice-pw");
    TestBrowser onB = b.sameBrowser(onA);
    assertThat(whoami(onA)).isEqualTo("u-alice");
    assertThat(whoami(onB))
        .as("node B reads the session and ticket from Redis")
        .isEqualTo("u-alice");
    Map<String, String> saved = new LinkedHashMap<>(onA.cookies());

    HttpResponse<String> out = onB.post("/logout", Map.of("_csrf", csrf(onB)));
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(whoami(a.browser(saved)))
        .as("node A's very next request after the logout on B")
        .isEqualTo("anonymous");
  }

  @Test
  void changeSessionIdOnA_keepsTheLoginOnB_andTheOldPairOpensNothingOnEither() throws Exception {
    TestBrowser onA = a.browser();
    login(onA, "alice", "alice-pw");
    Map<String, String> old = new LinkedHashMap<>(onA.cookies());

    assertThat(whoamiAt(onA, "/change-session-id")).isEqualTo("u-alice");

    assertThat(onA.cookies()).isNotEqualTo(old);
    assertThat(whoami(b.sameBrowser(onA)))
        .as("node B finds the moved session in Redis and the auth cookie bound to it")
        .isEqualTo("u-alice");
    assertThat(whoami(a.browser(old))).isEqualTo("anonymous");
    assertThat(whoami(b.browser(old))).isEqualTo("anonymous");
    assertThat(whoami(onA)).isEqualTo("u-alice");
  }

  private static String whoamiAt(TestBrowser browser, String path) throws Exception {
    String body = browser.get(path).body();
    return body.substring(0, body.indexOf(' '));
  }

  @Test
  void redisDown_nobodyIsAuthenticated_andTheSameCookiesWorkWhenItIsBack() throws Exception {
    restart((t, stores) -> t.build(), FAIL_FAST);
    TestBrowser onA = a.browser();
    login(onA, "bob", "bob-pw");
    assertThat(whoami(b.sameBrowser(onA))).isEqualTo("u-bob");
    Map<String, String> saved = new LinkedHashMap<>(onA.cookies());

    redis.freeze();
    try {
      HttpResponse<String> r = a.browser(saved).get("/whoami");
      assertThat(r.statusCode()).isLessThan(500);
      assertThat(r.body()).as("fails closed").startsWith("anonymous");
      assertThat(whoami(b.browser(saved))).isEqualTo("anonymous");
    } finally {
      redis.thaw();
    }
    assertThat(whoami(a.browser(saved))).as("no restart, nobody logged out").isEqualTo("u-bob");
    assertThat(whoami(b.browser(saved))).isEqualTo("u-bob");
  }

  @Test
  void aThousandConcurrentWrongPasswords_splitAcrossTwoNodes_getOneHundredPasswordChecks()
      throws Exception {
    // One limit for both nodes: the Redis store and a hash key they share.
    KeyMaterial hashKey = KeyMaterial.generate(random);
    restart(
        (t, stores) -> t.store(stores.loginAttemptStore()).hashKey(hashKey).build(),
        SharedRedis.PATIENT);
    assertThat(wrongPasswordsOnBothNodes(1_000)).isEqualTo(100);
    assertThat(whoami(loggedIn(b.browser(), "bob")))
        .as("other accounts are not held back")
        .isEqualTo("u-bob");
    TestBrowser owner = a.browser();
    String token = csrfOf(owner.get("/login").body());
    owner.post("/login", Map.of("username", "alice", "password", "alice-pw", "_csrf", token));
    assertThat(whoami(owner)).as("alice is locked on both nodes").isEqualTo("anonymous");
  }

  @Test
  void withALimitPerNode_theSameBurstGetsOneHundredChecksOnEachNode() throws Exception {
    assertThat(wrongPasswordsOnBothNodes(1_000)).isEqualTo(200);
  }

  /** Both nodes again, with the login limit {@code throttle} makes and this Redis command timeout. */
  private void restart(
      BiFunction<LoginThrottle.Builder, RedisStores, LoginThrottle> throttle,
      Duration commandTimeout)
      throws Exception {
    a.close();
    b.close();
    a = node(throttle, commandTimeout);
    b = node(throttle, commandTimeout);
  }

  /** Wrong passwords for alice, half to each node, all at once; returns the password checks they got. */
  private int wrongPasswordsOnBothNodes(int attempts) throws Exception {
    TestBrowser attacker = a.browser();
    String token = csrfOf(attacker.get("/login").body());
    String cookies = attacker.cookieHeader();
    TestBrowser onB = b.sameBrowser(attacker);
    users.reset();
    // Patient with a machine that many builds share: the burst is about counts, not speed.
    HttpClient client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofMinutes(2))
        .build();
    ExecutorService pool = Executors.newFixedThreadPool(100);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<HttpResponse<String>>> sent = new ArrayList<>();
    try {
      for (int i = 0; i < attempts; i++) {
        TestBrowser node = i % 2 == 0 ? attacker : onB;
        HttpRequest request = HttpRequest.newBuilder(node.uri("/login"))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Cookie", cookies)
            .POST(HttpRequest.BodyPublishers.ofString(TestBrowser.form(
                Map.of("username", "alice", "password", "guess-" + i, "_csrf", token))))
            .build();
        sent.add(pool.submit(() -> {
          start.await();
          return client.send(request, HttpResponse.BodyHandlers.ofString());
        }));
      }
      start.countDown();
      for (Future<HttpResponse<String>> f : sent) {
        assertThat(f.get(3, TimeUnit.MINUTES).headers().firstValue("Location"))
            .contains("/login?error=1");
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.printf(
        "login race over two nodes: %d concurrent wrong passwords -> %d password checks%n",
        attempts, users.passwordChecks());
    return users.passwordChecks();
  }

  private static TestBrowser loggedIn(TestBrowser browser, String user) throws Exception {
    login(browser, user, user + "-pw");
    return browser;
  }

  /**
   * One node: its own Redis connection, filter and Jetty.
   *
   * @param throttle finishes this node's login limit from a builder that has its clock and random; it may add
   *     this node's Redis store
   */
  @dev.portcullis.internal.SuppressForbidden(reason = "Redis TTLs run on Redis's real clock")
  private PortalNode node(
      BiFunction<LoginThrottle.Builder, RedisStores, LoginThrottle> throttle,
      Duration commandTimeout)
      throws Exception {
    InstantSource clock = InstantSource.system();
    RedisStores stores = RedisStores.connect(
        RedisStoreConfig.builder()
            .uri(redis.uri())
            .commandTimeout(commandTimeout)
            .keyPrefix("two-nodes:")
            .build(),
        clock);
    return PortalNode.builder(
            stores.sessionStore(SessionConfig.defaults()), stores.revocationStore())
        .keyRing(ring)
        .users(users)
        .clock(clock)
        .random(random)
        .throttle(throttle.apply(LoginThrottle.builder(clock).random(random), stores))
        // As many checks and form reads at once as the burst's clients (all from loopback): the
        // login limit alone decides here.
        .maxConcurrentPasswordChecks(100)
        .maxFormReadsPerAddress(100)
        .maxAnonymousFormReads(100)
        .onClose(stores)
        .start();
  }
}
