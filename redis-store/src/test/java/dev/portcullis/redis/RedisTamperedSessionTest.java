package dev.portcullis.redis;

import static dev.portcullis.servlet.testing.PortalNode.login;
import static dev.portcullis.servlet.testing.PortalNode.whoami;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A session hash in Redis that another writer changed (another version of Portcullis, or anyone with write access to
 * the store), read back through the filter on a real Jetty: the request is anonymous, the log says what was wrong
 * without the stored value, and nobody else's session changes.
 */
@ExtendWith(SharedRedis.class)
class RedisTamperedSessionTest {
  private static final Path LOG = Path.of("target/redis-store-tests.log");
  private final SecureRandom random = new SecureRandom();
  private final String prefix = SharedRedis.freshPrefix();
  private final RedisInspector inspector;
  private final PortalNode node;

  RedisTamperedSessionTest(RedisServer server) throws Exception {
    inspector = new RedisInspector(server);
    node = RedisPortalNode.start(server, prefix, random);
  }

  @AfterEach
  void close() throws Exception {
    node.close();
    inspector.close();
  }

  private String sessionKey() {
    List<String> keys = inspector.keys(prefix + "s:");
    assertThat(keys).hasSize(1);
    return keys.get(0);
  }

  /** What the filter wrote to the test log from {@code offset} on. */
  private static String logFrom(long offset) throws Exception {
    byte[] all = Files.readAllBytes(LOG);
    return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
  }

  @Test
  void
      sessionWhoseStoredCreationTimeIsNotATime_isAnonymous_loggedWithoutTheValue_andLeavesOthersAlone()
          throws Exception {
    TestBrowser alice = node.browser();
    login(alice, "alice", "alice-pw");
    assertThat(whoami(alice)).isEqualTo("u-alice");
    Map<String, String> aliceCookies = new LinkedHashMap<>(alice.cookies());
    String aliceKey = sessionKey();
    TestBrowser bob = node.browser();
    login(bob, "bob", "bob-pw");
    String created = inspector.commands().hget(aliceKey, "c");
    // Lua's tonumber reads this as the stored time, so the session is live for the script.
    String hostile = " ".repeat(200_000) + created + "\n";
    inspector.commands().hset(aliceKey, "c", hostile);

    long before = Files.size(LOG);
    HttpResponse<String> answer = node.browser(aliceCookies).get("/whoami");

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).startsWith("anonymous");
    String logged = logFrom(before);
    assertThat(logged)
        .as("the log names the problem, not the stored value")
        .contains("creation time is not a time")
        .doesNotContain(" ".repeat(100))
        .doesNotContain("NumberFormatException");
    assertThat(logged.length()).isLessThan(2_000);
    assertThat(whoami(bob)).as("another user's session is untouched").isEqualTo("u-bob");

    inspector.commands().hset(aliceKey, "c", created);
    assertThat(whoami(node.browser(aliceCookies)))
        .as("the same cookies work once the stored value is good again")
        .isEqualTo("u-alice");
  }

  @Test
  void
      sessionWhoseStoredCreationTimeLiesInTheFuture_isAnonymous_andDoesNotOutliveTheAbsoluteTimeout()
          throws Exception {
    TestBrowser alice = node.browser();
    login(alice, "alice", "alice-pw");
    Map<String, String> aliceCookies = new LinkedHashMap<>(alice.cookies());
    String aliceKey = sessionKey();
    TestBrowser bob = node.browser();
    login(bob, "bob", "bob-pw");
    long created = Long.parseLong(inspector.commands().hget(aliceKey, "c"));
    // A year ahead: the absolute timeout would not end this session for a year.
    inspector
        .commands()
        .hset(aliceKey, "c", Long.toString(created + Duration.ofDays(365).toMillis()));

    assertThat(whoami(node.browser(aliceCookies))).isEqualTo("anonymous");
    assertThat(whoami(bob)).as("another user's session is untouched").isEqualTo("u-bob");
  }
}
