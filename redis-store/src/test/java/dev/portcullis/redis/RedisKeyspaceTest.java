package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the stores leave in Redis: prefixed keys named by hashes, never by a raw identifier. */
@ExtendWith(SharedRedis.class)
class RedisKeyspaceTest {
  private static final String TICKET = "ticketid-AAAAAAAAAAAAAAAAAAAAAA";
  private static final String USER = "userhandle-BBBBBBBBBBBBBBBBBB";
  private static final String TOKEN = "tokenid-CCCCCCCCCCCCCCCCCCCCCC";
  private static final String ISSUER = "https://idp.example/realm-DDDD";
  private static final String SUBJECT = "subject-EEEEEEEEEEEEEEEEEEEEEE";
  private static final String LINKED_USER = "linkeduser-FFFFFFFFFFFFFFFFFF";

  private final MutableClock clock = MutableClock.startingAt2026();
  private final String prefix = SharedRedis.freshPrefix();
  private final RedisInspector inspector;
  private final RedisStores redis;

  RedisKeyspaceTest(RedisServer server) {
    inspector = new RedisInspector(server);
    redis =
        RedisStores.connect(SharedRedis.patientConfig(server).keyPrefix(prefix).build(), clock);
  }

  @AfterEach
  void close() {
    redis.close();
    inspector.close();
  }

  @Test
  void keys_areHashesUnderThePrefix_andNeverHoldARawTicketIdTokenIdUserOrSubject() {
    Instant later = clock.instant().plus(Duration.ofHours(1));
    redis.revocationStore().revoke(TICKET, later);
    redis.revocationStore().revokeAllIssuedBefore(USER, clock.instant(), later);
    redis.replayStore().markUsed(TOKEN, later);
    redis.accountLinkStore().link(ISSUER, SUBJECT, LINKED_USER);

    List<String> keys = inspector.keys(prefix);

    Keys names = new Keys(prefix, clock, Duration.ZERO);
    assertThat(keys)
        .containsExactlyInAnyOrder(
            names.revokedTicket(TICKET),
            names.userCutOff(USER),
            names.usedToken(TOKEN),
            names.identity(ISSUER, SUBJECT),
            names.linkedUser(LINKED_USER));
    for (String raw : List.of(
        TICKET,
        USER,
        TOKEN,
        ISSUER,
        SUBJECT,
        LINKED_USER,
        "AAAAAAAA",
        "BBBBBBBB",
        "CCCCCCCC",
        "idp.example",
        "EEEEEEEE",
        "FFFFFFFF")) {
      assertThat(keys).noneMatch(k -> k.contains(raw));
    }
    assertThat(keys).allMatch(k -> k.matches("\\Q" + prefix + "\\E[a-z:]+[A-Za-z0-9_-]{43}"));
  }

  @Test
  void sameStringAsTicketAndAsToken_givesDifferentKeys() {
    Keys names = new Keys(prefix, clock, Duration.ZERO);

    assertThat(names.revokedTicket("same"))
        .doesNotEndWith(names.usedToken("same").substring(prefix.length() + 3));
    assertThat(names.identity("ab", "c")).isNotEqualTo(names.identity("a", "bc"));
  }
}
