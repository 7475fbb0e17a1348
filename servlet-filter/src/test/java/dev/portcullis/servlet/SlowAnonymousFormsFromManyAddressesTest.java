package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.servlet.testing.TestJetty;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Anonymous forms whose bodies never finish arriving, from many client addresses, each within its own share of form
 * reads: together they used to hold every thread of the server, so that nobody could load the login page and a
 * logged-in user's pages stopped answering. The filter now reads at most {@link FormBodyReads#ANONYMOUS_AT_ONCE}
 * anonymous form bodies at once, whatever their addresses, and answers the rest with a 503 without reading them.
 */
class SlowAnonymousFormsFromManyAddressesTest {
  /** As many threads as the slow forms, so that without a bound across addresses they hold all of them. */
  private static final int SERVER_THREADS = 64;

  private static final int ADDRESSES = 8;
  /** Forms per address: under the address's own share ({@link FormBodyReads#PER_ADDRESS}). */
  private static final int FORMS_PER_ADDRESS = 8;

  /** What the legitimate visitors try while the slow forms are held. */
  private static final int ROUNDS = 3;

  @Test
  void slowAnonymousFormsFromManyAddresses_leaveTheLoginPageAndLoggedInUsersAnswered()
      throws Exception {
    try (LoginPortal portal =
        SlowForms.portal(TestJetty.builder().https().http2().maxThreads(SERVER_THREADS))) {
      Browser alice = new Browser(portal.httpsBase(), client(portal));
      assertThat(alice.login("alice", "alice-pw", true).statusCode()).isEqualTo(303);

      Browser attacker = new Browser(portal.httpsBase(), client(portal));
      String form = SlowForms.wrongLoginOverHttp2(attacker);

      try (SlowForms bodies = new SlowForms()) {
        for (int a = 0; a < ADDRESSES; a++) {
          for (int i = 0; i < FORMS_PER_ADDRESS; i++) {
            bodies.start(attacker, "/login", form, "203.0.113." + (10 + a));
          }
        }
        bodies.awaitStarted();

        // Other visitors, each on a connection of their own. A request that waits for a thread
        // that never comes ends at the browser's request timeout and counts as a failure.
        int answered = 0;
        try {
          for (int round = 0; round < ROUNDS; round++) {
            HttpResponse<String> loginPage =
                new Browser(portal.httpsBase(), client(portal)).get("/login");
            HttpResponse<String> whoami = alice.get("/whoami");
            if (loginPage.statusCode() == 200 && whoami.body().startsWith("u-alice")) {
              answered++;
            }
          }
        } catch (HttpTimeoutException e) {
          // Counted below: fewer rounds answered.
        }
        assertThat(answered).isEqualTo(ROUNDS);

        // The filter reads as many anonymous forms as the bound allows; the others were refused
        // without their bodies being read.
        assertThat(portal.filter.formReads().anonymousReading())
            .isEqualTo(FormBodyReads.ANONYMOUS_AT_ONCE);
        assertThat(portal.auditedSoFar().events()).anySatisfy(e -> {
          assertThat(e.type()).isEqualTo(AuditEventType.ACCESS_DENIED);
          assertThat(e.reason())
              .hasValueSatisfying(r -> assertThat(r).contains("too many anonymous form bodies"));
        });
      }
    }
  }

  private static HttpClient client(LoginPortal portal) {
    return SlowForms.client(portal, HttpClient.Version.HTTP_2);
  }
}
