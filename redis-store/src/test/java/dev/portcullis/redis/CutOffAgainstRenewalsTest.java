package dev.portcullis.redis;

import static dev.portcullis.servlet.testing.PortalNode.login;
import static dev.portcullis.servlet.testing.PortalNode.whoami;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.servlet.testing.HeldLookups;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An administrator's cut-off of a user's logins ({@link PortalLogin#revokeAll}, from a tool beside two Jetty nodes
 * that share Redis) ends every ticket of a login made before it, renewals included: a renewal that node B answers
 * just after the cut-off to a request it checked just before, and a renewal issued by a node whose clock runs ahead
 * (within the configured clock skew). A renewal keeps its login's {@code authTime}, and the cut-off is compared with
 * that, not with the renewal's own issue time.
 */
class CutOffAgainstRenewalsTest {
  /** Shorter than the session's idle timeout (20 minutes): past the ticket's half-life the session is still alive. */
  private static final Duration TICKET_LIFETIME = Duration.ofMinutes(10);

  private static final String AUTH_COOKIE = LoginCookies.DEFAULT_AUTH_COOKIE;

  private final SecureRandom random = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final HeldLookups users = new HeldLookups(PortalNode.aliceAndBob());
  private RedisServer redis;
  private KeyRing ring;
  private RedisStores adminStores;
  private PortalLogin admin;
  private PortalNode a;
  private PortalNode b;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    redis = RedisServer.start();
    ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    adminStores = stores(clock);
    // The administrator's tool: the same key ring, revocation store and clock as node A.
    admin = PortalLogin.builder()
        .keyRing(ring)
        .users(users)
        .revocations(adminStores.revocationStore())
        .clock(clock)
        .random(random)
        .termsVersion("t1")
        .ticketLifetime(TICKET_LIFETIME)
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (a != null) {
        a.close();
      }
      if (b != null) {
        b.close();
      }
      if (adminStores != null) {
        adminStores.close();
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  @Test
  void revokeAll_whileNodeBRenewsTheTicketOfARequestCheckedBeforeIt_endsTheRenewalToo()
      throws Exception {
    a = node(clock);
    b = node(clock);
    TestBrowser onA = a.browser();
    login(onA, "alice", "alice-pw");
    clock.advance(TICKET_LIFETIME.dividedBy(2).plusSeconds(1));
    String before = onA.cookies().get(AUTH_COOKIE);

    TestBrowser onB = b.sameBrowser(onA);
    users.holdNextLookup();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<HttpResponse<String>> inFlight = pool.submit(() -> onB.get("/whoami"));
      // Node B has read the session and found the ticket not revoked; it now reads the account.
      assertThat(users.awaitHeld()).as("node B's request reached the directory").isTrue();
      clock.advance(Duration.ofMillis(1));
      admin.revokeAll("u-alice");
      clock.advance(Duration.ofMillis(1));
      users.release();
      HttpResponse<String> answered = inFlight.get(2, TimeUnit.MINUTES);
      assertThat(answered.body())
          .as("checked before the cut-off, answered after it")
          .startsWith("u-alice");
    } finally {
      pool.shutdownNow();
    }
    Map<String, String> renewed = new LinkedHashMap<>(onB.cookies());
    assertThat(renewed.get(AUTH_COOKIE))
        .as("node B renewed the ticket past its half-life")
        .isNotNull()
        .isNotEqualTo(before);

    assertThat(whoami(a.browser(renewed)))
        .as("the renewal belongs to a login made before the cut-off")
        .isEqualTo("anonymous");
    assertThat(whoami(b.browser(renewed))).isEqualTo("anonymous");
  }

  @Test
  void renewalIssuedByANodeWhoseClockIsAhead_isEndedByACutOffMadeAfterIt() throws Exception {
    // Node B's clock runs 10 s ahead: within the stores' clock skew (30 s by default).
    InstantSource ahead = () -> clock.instant().plusSeconds(10);
    a = node(clock);
    b = node(ahead);
    TestBrowser onA = a.browser();
    login(onA, "alice", "alice-pw");
    clock.advance(TICKET_LIFETIME.dividedBy(2).plusSeconds(1));
    String before = onA.cookies().get(AUTH_COOKIE);
    TestBrowser onB = b.sameBrowser(onA);
    assertThat(whoami(onB)).isEqualTo("u-alice");
    Map<String, String> renewed = new LinkedHashMap<>(onB.cookies());
    assertThat(renewed.get(AUTH_COOKIE))
        .as("node B renewed the ticket past its half-life")
        .isNotNull()
        .isNotEqualTo(before);

    clock.advance(Duration.ofSeconds(1));
    admin.revokeAll("u-alice");

    assertThat(whoami(a.browser(renewed)))
        .as("renewed before the cut-off, though stamped later by the clock ahead")
        .isEqualTo("anonymous");
    assertThat(whoami(b.browser(renewed))).isEqualTo("anonymous");
    clock.advance(Duration.ofSeconds(1));
    TestBrowser again = a.browser();
    login(again, "alice", "alice-pw");
    assertThat(whoami(b.sameBrowser(again)))
        .as("a login after the cut-off, on either node")
        .isEqualTo("u-alice");
  }

  private RedisStores stores(InstantSource nodeClock) {
    return RedisStores.connect(
        RedisStoreConfig.builder()
            .uri(redis.uri())
            .commandTimeout(SharedRedis.PATIENT)
            .keyPrefix("cut-off:")
            .build(),
        nodeClock);
  }

  /** One node with its own Redis connection on {@code nodeClock}, the shared key ring and directory. */
  private PortalNode node(InstantSource nodeClock) throws Exception {
    RedisStores stores = stores(nodeClock);
    return PortalNode.builder(
            stores.sessionStore(SessionConfig.defaults()), stores.revocationStore())
        .keyRing(ring)
        .users(users)
        .clock(nodeClock)
        .random(random)
        .ticketLifetime(TICKET_LIFETIME)
        .onClose(stores)
        .start();
  }
}
