package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.SessionAudit;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: a new anonymous session that the session store failed to save still counted against its address's
 * share ({@link SessionConfig#anonymousSessionsPerAddress()}), so an outage used up the share of every client behind
 * one address (a council behind one NAT) and, once the store answered, they were refused sessions for the rest of the
 * window. Through the real filter on a real Jetty, every browser from loopback: saves that fail for an outage do not
 * count, and the share still holds after it.
 */
class AnonymousSessionsDuringStoreOutageTest {
  private static final int SHARE = 3;

  private StoreOutage<SessionStore> sessions;
  private LoginPortal portal;

  @BeforeEach
  void start() throws Exception {
    portal = new LoginPortal((p, filter) -> {
      sessions = StoreOutage.of(SessionStore.class, p.sessionStore);
      SessionConfig config = SessionConfig.builder()
          .idleTimeout(Duration.ofMinutes(30))
          .absoluteTimeout(Duration.ofHours(12))
          .anonymousSessionsPerAddress(SHARE)
          .build();
      filter.sessions(SessionRegistry.create(
          config, sessions.store(), p.random, p.clock, new SessionAudit(p.audit)));
    });
  }

  @AfterEach
  void stop() throws Exception {
    portal.close();
  }

  @Test
  void newAnonymousSessions_theStoreFailedToSave_doNotUseUpTheAddressShare() throws Exception {
    sessions.fail("save");
    for (int i = 0; i < SHARE + 2; i++) {
      Browser b = portal.browser();
      HttpResponse<String> r = b.get("/remember");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(b.cookies()).as("nothing stored, no cookie").doesNotContainKey(sessionCookie());
    }

    sessions.end();

    for (int i = 0; i < SHARE; i++) {
      Browser b = portal.browser();
      assertThat(b.get("/remember").body()).isEqualTo("remembered");
      assertThat(b.cookies())
          .as("new session %d of the address's %d once the store answers", i + 1, SHARE)
          .containsKey(sessionCookie());
    }
    Browser past = portal.browser();
    assertThat(past.get("/remember").body()).isEqualTo("remembered");
    assertThat(past.cookies()).as("the share still holds").doesNotContainKey(sessionCookie());
  }

  private String sessionCookie() {
    return portal.sessionConfig.cookie().name();
  }
}
