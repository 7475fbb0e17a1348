package dev.portcullis.redis;

import static dev.portcullis.servlet.testing.PortalNode.postLogin;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.servlet.testing.PortalNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An error Redis answers can quote the command's arguments: where an operator renamed or disabled a command the stores
 * use, Redis answers {@code ERR unknown command 'EVALSHA', with args beginning with: ...}, with the script's keys and
 * values (a session's store key, the user's handle). Through the filter on a real Jetty and a real Redis started that
 * way: the login fails closed, and the log names the failure by its kind and code only.
 */
@ExtendWith(SharedRedis.class)
class RedisAnswerTextNotLoggedTest {
  private static final Path LOG = Path.of("target/redis-store-tests.log");
  private final SecureRandom random = new SecureRandom();
  private final String prefix = SharedRedis.freshPrefix();
  private final RedisServer server;
  private final PortalNode node;

  RedisAnswerTextNotLoggedTest(RedisServer shared) throws Exception {
    // Its own server: scripts cannot run on it at all.
    server = RedisServer.start(
        RedisServer.freePort(),
        List.of("--rename-command", "EVALSHA", "", "--rename-command", "EVAL", ""));
    node = RedisPortalNode.start(server, prefix, random);
  }

  @AfterEach
  void close() throws Exception {
    try {
      node.close();
    } finally {
      server.close();
    }
  }

  @Test
  void loginWhoseSessionRedisRefuses_failsClosed_andTheLogQuotesNothingOfTheCommand()
      throws Exception {
    long before = Files.exists(LOG) ? Files.size(LOG) : 0;

    HttpResponse<String> answer = postLogin(node.browser(), "alice", "alice-pw");

    assertThat(answer.statusCode()).isEqualTo(503);
    assertThat(answer.headers().allValues("Set-Cookie"))
        .noneMatch(c -> c.contains("auth=") && !c.contains("Max-Age=0"));
    byte[] all = Files.readAllBytes(LOG);
    String logged =
        new String(all, (int) before, all.length - (int) before, StandardCharsets.UTF_8);
    assertThat(logged)
        .as("nothing of Redis's answer beyond its code: no command, key or user")
        .doesNotContain("unknown command")
        .doesNotContain("args beginning")
        .doesNotContain(prefix)
        .doesNotContain("u-alice");
    assertThat(logged)
        .as("the failure is logged by its kind and Redis's error code")
        .contains("could not save a session (RedisCommandExecutionException ERR)");
  }
}
