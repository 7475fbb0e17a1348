package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.session.Session;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionLookup;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What one request costs in Redis, counted by the server ({@code INFO commandstats}, which also counts the commands a
 * script runs): one script call to read and touch the session, none more unless the request changed it. And what the
 * session keys reveal: nothing of the id or the user.
 */
@ExtendWith(SharedRedis.class)
class RedisSessionRoundTripTest {
  private static final SessionConfig CONFIG = SessionConfig.builder()
      .idleTimeout(Duration.ofMinutes(30))
      .absoluteTimeout(Duration.ofHours(8))
      .build();

  private final MutableClock clock = MutableClock.startingAt2026();
  private final String prefix = SharedRedis.freshPrefix();
  private final RedisInspector inspector;
  private final RedisStores redis;
  private final SessionStore store;
  private final SessionRegistry registry;

  RedisSessionRoundTripTest(RedisServer server) {
    inspector = new RedisInspector(server);
    redis =
        RedisStores.connect(SharedRedis.patientConfig(server).keyPrefix(prefix).build(), clock);
    store = redis.sessionStore(CONFIG);
    registry =
        SessionRegistry.create(CONFIG, store, new SecureRandom(), clock, SessionListener.noop());
  }

  @AfterEach
  void close() {
    redis.close();
    inspector.close();
  }

  /** Calls per command since the last reset, e.g. {@code evalsha=1}. */
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

  private Session storedSession() {
    Session session = registry.create();
    session.setAttribute("theme", "dark");
    assertThat(registry.save(session)).isTrue();
    return session;
  }

  @Test
  void requestThatOnlyReadsItsSession_isOneScriptCall_andWritesNothingElse() {
    Session stored = storedSession();
    clock.advance(Duration.ofMinutes(5));
    inspector.commands().configResetstat();

    SessionLookup lookup = registry.open(stored.id().cookieValue());
    assertThat(lookup).isInstanceOf(SessionLookup.Found.class);
    Session session = ((SessionLookup.Found) lookup).session();
    assertThat(session.getAttribute("theme")).isEqualTo("dark");
    registry.save(session);

    Map<String, Long> counts = commandCounts();
    assertThat(counts)
        .containsEntry("evalsha", 1L)
        .doesNotContainKeys("eval", "get", "mget", "set");
    assertThat(counts.keySet())
        .containsExactlyInAnyOrder("evalsha", "hmget", "hset", "pexpire", "hgetall");
  }

  @Test
  void requestThatChangesItsSession_addsOneScriptCall() {
    Session stored = storedSession();
    inspector.commands().configResetstat();

    Session session = ((SessionLookup.Found) registry.open(stored.id().cookieValue())).session();
    session.setAttribute("theme", "light");
    assertThat(registry.save(session)).isTrue();

    assertThat(commandCounts()).containsEntry("evalsha", 2L);
    assertThat(((SessionLookup.Found) registry.open(stored.id().cookieValue()))
            .session()
            .getAttribute("theme"))
        .isEqualTo("light");
  }

  @Test
  void sessionKeys_holdNeitherTheSessionIdNorTheUserHandle() {
    String user = "raw-user-handle-5c1d";
    Session session = registry.create();
    session.setUserHandle(user);
    assertThat(registry.save(session)).isTrue();

    List<String> keys = inspector.keys(prefix);

    assertThat(keys)
        .hasSize(2)
        .allMatch(k -> k.startsWith(prefix + "s:") || k.startsWith(prefix + "su:"));
    assertThat(keys)
        .noneMatch(k -> k.contains(session.id().cookieValue()))
        .noneMatch(k -> k.contains(user));
    assertThat(store.findByUser(user)).containsExactly(session.id().storeKey());
    assertThat(inspector.commands().pttl(prefix + "su:" + Keys.hash("user", user)))
        .as("the user index lives as long as the session can")
        .isGreaterThan(Duration.ofHours(7).toMillis());
  }
}
