package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.redis.RedisServer;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes of one Dropwizard application, each with the same YAML ({@code portcullis.redis.uri} on one real
 * redis-server) and the same key ring, behind an imagined load balancer that sends a browser's requests to either: a
 * login on one node is a login on the other, a logout on either ends it on both, and the login limit is one limit for
 * both.
 */
class RedisBlockTwoNodesTest {

  private static RedisServer redis;

  private final List<DropwizardTestSupport<PortalApp.Config>> nodes = new ArrayList<>();
  private String nodeA;
  private String nodeB;

  @BeforeAll
  static void startRedis() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  /** Each test on keys of its own, as two portals sharing one Redis would be. */
  @BeforeEach
  void startTwoNodes() throws Exception {
    String prefix = "dw-" + UUID.randomUUID() + ":";
    nodeA = start(prefix);
    nodeB = start(prefix);
  }

  /**
   * Stops the nodes in the reverse order of their start: each restores the {@code dw.*} system properties its
   * overrides replaced, so that none of them outlives the test.
   */
  @AfterEach
  void stopNodes() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).after();
    }
  }

  /** A node with the test YAML and its Redis block; its base URL. */
  private String start(String keyPrefix) throws Exception {
    DropwizardTestSupport<PortalApp.Config> node = new DropwizardTestSupport<>(
        PortalApp.class,
        ResourceHelpers.resourceFilePath("portcullis-app.yml"),
        ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()),
        ConfigOverride.config("portcullis.redis.uri", redis.uri()),
        ConfigOverride.config("portcullis.redis.key-prefix", keyPrefix));
    nodes.add(node);
    node.before();
    return "http://127.0.0.1:" + node.getLocalPort();
  }

  @Test
  void theBlock_putsTheStoresInRedis_andOffersTheOthersToTheApplication() {
    PortalApp app = (PortalApp) nodes.get(0).getApplication();
    RedisStores stores = app.bundle.redisStores().orElseThrow();

    assertThat(app.bundle.portcullis().sessionStore().sharedBetweenNodes()).isTrue();
    assertThat(stores.accountLinkStore()).isNotNull();
    assertThat(stores.replayStore()).isNotNull();
  }

  @Test
  void loginOnA_isALoginOnB_andLogoutOnB_endsItOnA() throws Exception {
    TestBrowser onA = new TestBrowser(nodeA);
    assertThat(NodeSteps.logIn(onA, "alice", "alice-pw").headers().firstValue("Location"))
        .hasValue("/");
    assertThat(onA.get("/reports").body()).isEqualTo("reports for u-alice");
    Map<String, String> saved = new LinkedHashMap<>(onA.cookies());

    TestBrowser onB = onA.on(nodeB);
    assertThat(onB.get("/reports").body())
        .as("node B reads the session and the ticket from Redis")
        .isEqualTo("reports for u-alice");

    String csrf = NodeSteps.csrfToken(onB).orElseThrow();
    HttpResponse<String> out = onB.post("/logout", Map.of("_csrf", csrf));
    assertThat(out.statusCode()).isEqualTo(303);

    assertThat(NodeSteps.whoami(NodeSteps.withCookies(nodeA, saved)))
        .as("node A, given the cookies from before the logout on B")
        .isEqualTo("anonymous");
    assertThat(NodeSteps.withCookies(nodeA, saved).get("/reports").statusCode()).isNotEqualTo(200);
  }

  /** {@code wrong} wrong passwords for {@code user}, every other one on node B. */
  private void wrongPasswords(String user, int wrong) throws Exception {
    for (int i = 0; i < wrong; i++) {
      NodeSteps.logIn(new TestBrowser(i % 2 == 0 ? nodeA : nodeB), user, "wrong-" + i);
    }
  }

  @Test
  void wrongPasswordsSplitOverBothNodes_lockTheAccountAtTheLimit_notAtTwiceIt() throws Exception {
    // The default limit: 100 password checks per account, for the nodes together.
    wrongPasswords("carol", 99);
    TestBrowser carol = new TestBrowser(nodeB);
    NodeSteps.logIn(carol, "carol", "carol-pw");
    assertThat(NodeSteps.whoami(carol))
        .as("carol's right password, the 100th check: within the limit")
        .isEqualTo("u-carol");

    wrongPasswords("root", 100);
    TestBrowser root = new TestBrowser(nodeA);
    NodeSteps.logIn(root, "root", "root-pw");
    assertThat(NodeSteps.whoami(root))
        .as("root's right password after 100 wrong ones, 50 on each node")
        .isEqualTo("anonymous");

    TestBrowser alice = new TestBrowser(nodeB);
    NodeSteps.logIn(alice, "alice", "alice-pw");
    assertThat(NodeSteps.whoami(alice)).as("other accounts are not held back").isEqualTo("u-alice");
  }
}
