package dev.portcullis.jdbc;

import static dev.portcullis.servlet.testing.PortalNode.csrf;
import static dev.portcullis.servlet.testing.PortalNode.login;
import static dev.portcullis.servlet.testing.PortalNode.whoami;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.user.UserDirectory;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two Portcullis-protected Jetty servers, each with its own pool and {@link JdbcStores} on one PostgreSQL schema,
 * sharing one key ring: a login on one node works on the other, and a logout (or "log out everywhere") on either
 * ends it on both, so that the old cookies are refused by the node that issued them.
 */
@ExtendWith(SharedPostgres.class)
class JdbcTwoNodesTest {
  private final SecureRandom random = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final UserDirectory users = PortalNode.aliceAndBob();
  private final HikariDataSource poolA;
  private final HikariDataSource poolB;
  private final PortalNode a;
  private final PortalNode b;

  JdbcTwoNodesTest(PostgresServer server) throws Exception {
    poolA = server.freshDataSource();
    poolB = JdbcLoginAttemptStoreTest.samePlace(poolA);
    byte[] key = new byte[32];
    random.nextBytes(key);
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key))
        .build();
    a = node(ring, poolA);
    b = node(ring, poolB);
  }

  @AfterEach
  void stop() throws Exception {
    a.close();
    b.close();
    poolB.close();
    poolA.close();
  }

  @Test
  void loginOnA_worksOnB_andLogoutOnB_refusesTheOldCookiesOnA() throws Exception {
    TestBrowser onA = a.browser();
    login(onA, "alice", "alice-pw");
    assertThat(whoami(onA)).isEqualTo("u-alice");
    TestBrowser onB = b.sameBrowser(onA);
    assertThat(whoami(onB))
        .as("node B reads the session and ticket from PostgreSQL")
        .isEqualTo("u-alice");
    Map<String, String> saved = new LinkedHashMap<>(onA.cookies());
    assertThat(saved).isNotEmpty();

    HttpResponse<String> out = onB.post("/logout", Map.of("_csrf", csrf(onB)));
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).contains("/login"));

    assertThat(whoami(a.browser(saved)))
        .as("node A refuses the cookies that node B logged out")
        .isEqualTo("anonymous");
    assertThat(whoami(b.browser(saved))).isEqualTo("anonymous");
  }

  @Test
  void logoutEverywhereOnA_endsTheUsersSessionsOnB_andLeavesOtherUsersAlone() throws Exception {
    TestBrowser first = a.browser();
    login(first, "alice", "alice-pw");
    TestBrowser second = b.browser();
    login(second, "alice", "alice-pw");
    TestBrowser other = b.browser();
    login(other, "bob", "bob-pw");
    assertThat(whoami(second)).isEqualTo("u-alice");
    Map<String, String> secondCookies = new LinkedHashMap<>(second.cookies());

    HttpResponse<String> out = first.post("/logout-everywhere", Map.of("_csrf", csrf(first)));
    assertThat(out.statusCode()).isEqualTo(303);

    assertThat(whoami(b.browser(secondCookies)))
        .as("alice's login made on node B ends with log out everywhere on node A")
        .isEqualTo("anonymous");
    assertThat(whoami(a.browser(secondCookies))).isEqualTo("anonymous");
    assertThat(whoami(other)).as("bob stays logged in").isEqualTo("u-bob");
    assertThat(whoami(a.sameBrowser(other))).isEqualTo("u-bob");
  }

  /** One node: its own pool and stores, filter and Jetty. */
  private PortalNode node(KeyRing ring, HikariDataSource pool) throws Exception {
    JdbcStores stores = JdbcStores.builder(pool, clock).build();
    return PortalNode.builder(
            stores.sessionStore(SessionConfig.defaults()), stores.revocationStore())
        .keyRing(ring)
        .users(users)
        .clock(clock)
        .random(random)
        .onClose(stores)
        .start();
  }
}
