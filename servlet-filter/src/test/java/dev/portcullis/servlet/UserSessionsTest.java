package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A user's own sessions listed and ended through {@link UserSessions}, on the real filter on a real Jetty. */
class UserSessionsTest {
  private LoginPortal portal;

  @BeforeEach
  void start() throws Exception {
    portal = new LoginPortal();
  }

  @AfterEach
  void stop() throws Exception {
    portal.close();
  }

  /** One listed session: handle, current/other, address, browser, created, last seen. */
  private record Listed(
      String handle, boolean current, String address, String browser, long created, long seen) {}

  private static List<Listed> list(Browser b) throws Exception {
    String body = b.get("/my-sessions").body();
    if (body.equals("none")) {
      return null;
    }
    return body.lines()
        .map(l -> {
          String[] f = l.split(" ");
          // The browser family may hold spaces: it sits between the address and the two times.
          String browser = String.join(" ", Arrays.copyOfRange(f, 3, f.length - 2));
          return new Listed(
              f[0],
              f[1].equals("current"),
              f[2],
              browser,
              Long.parseLong(f[f.length - 2]),
              Long.parseLong(f[f.length - 1]));
        })
        .toList();
  }

  private static String end(Browser b, String handle) throws Exception {
    return b.post("/my-sessions/end", Map.of("handle", handle, "_csrf", b.pageCsrf()))
        .body();
  }

  @Test
  void twoLogins_areListed_andEndingTheOther_logsItOutOnItsNextRequest() throws Exception {
    Browser one = portal.browser();
    one.login("alice", "alice-pw", false);
    portal.clock.advance(Duration.ofMinutes(5));
    Browser two = portal.browser();
    two.login("alice", "alice-pw", false);
    Browser bob = portal.browser();
    bob.login("bob", "bob-pw", false);

    List<Listed> seenByOne = list(one);
    assertThat(seenByOne).hasSize(2);
    assertThat(seenByOne).filteredOn(Listed::current).hasSize(1);
    Listed own = seenByOne.stream().filter(Listed::current).findFirst().orElseThrow();
    Listed other = seenByOne.stream().filter(l -> !l.current()).findFirst().orElseThrow();
    assertThat(own.created())
        .as("oldest first, the first login is this one")
        .isLessThan(other.created());
    assertThat(other.address()).isEqualTo("127.0.0.1");
    assertThat(other.browser()).as("the Java client is no browser family").isEqualTo("other");
    // Nothing secret reaches the page: neither cookie value nor its store key.
    String page = one.get("/my-sessions").body();
    for (String cookie : two.cookies().values()) {
      assertThat(page).doesNotContain(cookie);
    }
    assertThat(page)
        .doesNotContain(one.cookies().get(portal.sessionConfig.cookie().name()));

    assertThat(end(one, other.handle())).isEqualTo("Ended[]");
    assertThat(two.whoami()).as("the other browser is logged out").isEqualTo("anonymous");
    assertThat(one.whoami()).isEqualTo("u-alice");
    assertThat(list(one)).hasSize(1).allMatch(Listed::current);
    assertThat(bob.whoami()).as("another user's session is untouched").isEqualTo("u-bob");

    AuditEvent e = portal
        .flushedSink()
        .assertOnce(
            AuditEventType.SESSION_ENDED_BY_USER, ev -> ev.outcome() == AuditEvent.Outcome.SUCCESS);
    assertThat(e.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
  }

  @Test
  void listing_doesNotTouchTheSessions_theirLastSeenStaysAndTheyStillIdleOut() throws Exception {
    Browser one = portal.browser();
    one.login("alice", "alice-pw", false);
    Browser two = portal.browser();
    two.login("alice", "alice-pw", false);
    long seen =
        list(one).stream().filter(l -> !l.current()).findFirst().orElseThrow().seen();
    for (int i = 0; i < 4; i++) {
      portal.clock.advance(Duration.ofMinutes(10));
      List<Listed> now = list(one);
      if (now.size() == 2) {
        assertThat(
                now.stream().filter(l -> !l.current()).findFirst().orElseThrow().seen())
            .isEqualTo(seen);
      }
    }
    // 40 minutes on, past the 30-minute idle timeout: listing it did not keep it alive.
    assertThat(list(one)).hasSize(1);
    assertThat(two.whoami()).isEqualTo("anonymous");
  }

  @Test
  void forgedOrForeignHandles_andTheOwnSession_areRefused_andAudited() throws Exception {
    Browser one = portal.browser();
    one.login("alice", "alice-pw", false);
    Browser two = portal.browser();
    two.login("alice", "alice-pw", false);
    Browser bob = portal.browser();
    bob.login("bob", "bob-pw", false);
    Browser bob2 = portal.browser();
    bob2.login("bob", "bob-pw", false);

    String alicesOther =
        list(one).stream().filter(l -> !l.current()).findFirst().orElseThrow().handle();
    String bobsOther =
        list(bob).stream().filter(l -> !l.current()).findFirst().orElseThrow().handle();
    String aliceOwn =
        list(one).stream().filter(Listed::current).findFirst().orElseThrow().handle();

    assertThat(end(bob, alicesOther)).as("alice's handle, sent by bob").startsWith("Refused");
    assertThat(end(one, bobsOther)).as("bob's handle, sent by alice").startsWith("Refused");
    assertThat(end(two, alicesOther))
        .as("a handle works only for the session that listed it")
        .startsWith("Refused");
    assertThat(end(one, aliceOwn)).isEqualTo("Refused[reason=CURRENT_SESSION]");
    char[] flipped = alicesOther.toCharArray();
    flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
    assertThat(end(one, new String(flipped))).isEqualTo("Refused[reason=UNKNOWN_HANDLE]");
    assertThat(end(one, "x".repeat(10_000))).isEqualTo("Refused[reason=UNKNOWN_HANDLE]");
    assertThat(end(one, "")).isEqualTo("Refused[reason=UNKNOWN_HANDLE]");

    for (Browser b : List.of(one, two, bob, bob2)) {
      assertThat(b.whoami()).isNotEqualTo("anonymous");
    }
    assertThat(portal.flushedSink().events())
        .filteredOn(e -> e.type().equals(AuditEventType.SESSION_ENDED_BY_USER))
        .hasSize(7)
        .allMatch(e -> e.outcome() == AuditEvent.Outcome.FAILURE);

    // Without the CSRF token the filter refuses before anything is ended.
    assertThat(one.post("/my-sessions/end", Map.of("handle", alicesOther)).statusCode())
        .isEqualTo(403);
    assertThat(two.whoami()).isEqualTo("u-alice");
    assertThat(end(one, alicesOther)).isEqualTo("Ended[]");
  }

  @Test
  void anonymousRequests_haveNoSessionsToManage() throws Exception {
    Browser b = portal.browser();
    assertThat(b.get("/my-sessions").body()).isEqualTo("none");
    b.get("/remember");
    assertThat(b.get("/my-sessions").body()).isEqualTo("none");
  }

  @Test
  void theClientRecordedAtLogin_cannotBeOverwrittenByTheApplication() throws Exception {
    Browser one = portal.browser();
    one.login("alice", "alice-pw", false);
    assertThat(one.get("/spoof-address").body()).isEqualTo("refused");
    assertThat(list(one)).singleElement().extracting(Listed::address).isEqualTo("127.0.0.1");
  }
}
