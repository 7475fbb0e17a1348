package dev.portcullis.redis;

import static dev.portcullis.servlet.testing.PortalNode.whoami;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.TestBrowser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What an authenticated request costs in Redis, through the real filter on Jetty with the Redis session and revocation
 * stores of one {@link RedisStores}: one command from the node per request ({@code EVALSHA} of the script that reads
 * the session and the revocation keys together), counted by the server. {@code MONITOR} tells the node's own commands
 * apart from those the script runs (which {@code INFO commandstats} counts too, under their own names).
 */
@ExtendWith(SharedRedis.class)
class RedisRequestRoundTripTest {
  private static final int REQUESTS = 25;
  /** The commands the combined script runs, once each per call. */
  private static final Set<String> SCRIPT_COMMANDS =
      Set.of("hmget", "hset", "pexpire", "mget", "hgetall");

  private final RedisServer server;
  private final RedisInspector inspector;
  private final RedisStores stores;
  private final PortalNode node;

  @SuppressForbidden(reason = "Redis TTLs run on Redis's real clock")
  RedisRequestRoundTripTest(RedisServer server) throws Exception {
    this.server = server;
    inspector = new RedisInspector(server);
    SecureRandom random = new SecureRandom();
    InstantSource clock = InstantSource.system();
    stores = RedisStores.connect(
        SharedRedis.patientConfig(server).keyPrefix(SharedRedis.freshPrefix()).build(), clock);
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    node = PortalNode.builder(
            stores.sessionStore(SessionConfig.defaults()), stores.revocationStore())
        .keyRing(ring)
        .users(PortalNode.aliceAndBob())
        .clock(clock)
        .random(random)
        .start();
  }

  @AfterEach
  void close() throws Exception {
    node.close();
    stores.close();
    inspector.close();
  }

  @Test
  void authenticatedRequests_areOneEvalshaEach_andNoOtherCommandFromTheNode() throws Exception {
    TestBrowser browser = loggedInAsAlice();
    // The first requests after the login load the script and write the CSRF token once.
    assertThat(whoami(browser)).isEqualTo("u-alice");
    assertThat(whoami(browser)).isEqualTo("u-alice");

    Counted counted = count(() -> {
      for (int i = 0; i < REQUESTS; i++) {
        assertThat(whoami(browser)).isEqualTo("u-alice");
      }
    });

    assertThat(counted.fromNode())
        .as("the node's own commands: one per authenticated request")
        .hasSize(REQUESTS)
        .allMatch(c -> c.equals("evalsha"));
    Map<String, Long> stats = counted.stats();
    assertThat(stats).containsEntry("evalsha", (long) REQUESTS).doesNotContainKey("eval");
    assertThat(stats.keySet())
        .as("besides the script call, only the commands the script runs")
        .containsExactlyInAnyOrderElementsOf(union(Set.of("evalsha"), SCRIPT_COMMANDS));
    for (String command : SCRIPT_COMMANDS) {
      assertThat(stats).as(command).containsEntry(command, (long) REQUESTS);
    }
  }

  @Test
  @SuppressForbidden(reason = "the stores run on the real clock here")
  void userRevokedAfterLogin_isAnonymous_withOneLookup_andItsBoundSessionEnds() throws Exception {
    // Bob's logins ended the same way first: Redis then holds the script that ends a session,
    // which it would otherwise be sent by its text once (EVAL after NOSCRIPT) on a fresh server.
    TestBrowser bob = node.browser();
    PortalNode.login(bob, "bob", "bob-pw");
    assertThat(whoami(bob)).isEqualTo("u-bob");
    Instant before = Instant.now();
    stores.revocationStore().revokeAllIssuedBefore("u-bob", before, before.plusSeconds(3600));
    assertThat(whoami(bob)).isEqualTo("anonymous");
    TestBrowser browser = loggedInAsAlice();
    assertThat(whoami(browser)).isEqualTo("u-alice");
    assertThat(whoami(browser)).isEqualTo("u-alice");
    SessionStore sessions = stores.sessionStore(SessionConfig.defaults());
    assertThat(sessions.findByUser("u-alice")).hasSize(1);
    Instant now = Instant.now();
    stores.revocationStore().revokeAllIssuedBefore("u-alice", now, now.plusSeconds(3600));

    Counted counted = count(() -> assertThat(whoami(browser)).isEqualTo("anonymous"));

    assertThat(counted.fromNode())
        .as("the session is live; one script call finds the user's cut-off, and one more ends the"
            + " session bound to the refused ticket's user")
        .containsExactly("evalsha", "evalsha");
    assertThat(sessions.findByUser("u-alice")).isEmpty();
  }

  @Test
  void anonymousRequestWithoutCookies_sendsNothingToRedis() throws Exception {
    Counted counted = count(() -> assertThat(whoami(node.browser())).isEqualTo("anonymous"));

    assertThat(counted.fromNode()).isEmpty();
    assertThat(counted.stats()).isEmpty();
  }

  private TestBrowser loggedInAsAlice() throws Exception {
    TestBrowser browser = node.browser();
    HttpResponse<String> r = PortalNode.postLogin(browser, "alice", "alice-pw");
    assertThat(r.statusCode()).isEqualTo(303);
    return browser;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return all;
  }

  @FunctionalInterface
  private interface Requests {
    void run() throws Exception;
  }

  /**
   * @param fromNode the commands clients other than Lua sent while the requests ran, lower-cased, in order
   * @param stats {@code INFO commandstats} calls per command over the same span
   */
  private record Counted(List<String> fromNode, Map<String, Long> stats) {}

  /** Runs {@code requests} with the server's statistics reset and {@code MONITOR} on. */
  private Counted count(Requests requests) throws Exception {
    String marker = "portcullis-marker-" + System.nanoTime();
    try (Socket monitor = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      OutputStream out = monitor.getOutputStream();
      BufferedReader in = new BufferedReader(
          new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
      out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(in.readLine()).isEqualTo("+OK");
      inspector.commands().configResetstat();
      requests.run();
      Map<String, Long> stats = commandCounts();
      inspector.commands().echo(marker);
      List<String> fromNode = new ArrayList<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        // +<time> [<db> <client>] "<COMMAND>" "<arg>" ...
        int close = line.indexOf(']');
        String client = line.substring(line.indexOf('[') + 1, close);
        String command = line.substring(close + 3, line.indexOf('"', close + 3))
            .toLowerCase(java.util.Locale.ROOT);
        if (command.equals("echo") && line.contains(marker)) {
          break;
        }
        // The inspector's own: resetting and reading the statistics.
        if (!client.endsWith(" lua") && !command.equals("config") && !command.equals("info")) {
          fromNode.add(command);
        }
      }
      return new Counted(fromNode, stats);
    }
  }

  /** Calls per command since the last reset, without the inspector's own. */
  private Map<String, Long> commandCounts() {
    Map<String, Long> counts = new TreeMap<>();
    for (String line : inspector.commands().info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        String calls =
            line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls=")));
        counts.put(name, Long.parseLong(calls));
      }
    }
    counts.remove("info");
    counts.remove("config|resetstat");
    return counts;
  }
}
