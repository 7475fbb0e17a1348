package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.servlet.testing.TestJetty;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Login forms whose bodies never finish arriving, sent over HTTP/2 as many streams of one connection: the container
 * gives each stream a thread, which the filter used to hold while it read the form. With more such streams than the
 * server has threads, nobody else could log in (or load any page) for as long as the sender kept trickling bytes.
 * The filter now reads a form body for at most a few requests of one client address at once, and answers the rest
 * with a 503 at once, without reading their bodies.
 */
class SlowLoginBodiesTest {
  /** A small server, so that a few dozen streams would hold every thread. */
  private static final int SERVER_THREADS = 24;

  private static final int SLOW_STREAMS = 40;
  /** The client address the slow streams claim through the trusted proxy (the test's loopback). */
  private static final String SLOW_CLIENT = "203.0.113.9";

  @Test
  void slowLoginBodiesFromOneAddress_leaveOthersAbleToLogIn() throws Exception {
    try (LoginPortal portal =
        SlowForms.portal(TestJetty.builder().https().http2().maxThreads(SERVER_THREADS))) {
      Browser attacker =
          new Browser(portal.httpsBase(), SlowForms.client(portal, HttpClient.Version.HTTP_2));
      String form = SlowForms.wrongLoginOverHttp2(attacker);

      try (SlowForms bodies = new SlowForms()) {
        for (int i = 0; i < SLOW_STREAMS; i++) {
          bodies.start(attacker, "/login", form, SLOW_CLIENT);
        }
        bodies.awaitStarted();

        // Another visitor, from another address and on a connection of her own, over HTTP/2.
        Browser alice =
            new Browser(portal.httpsBase(), SlowForms.client(portal, HttpClient.Version.HTTP_2));
        HttpResponse<String> login = alice.login("alice", "alice-pw", true);
        assertThat(login.statusCode()).isEqualTo(303);
        assertThat(login.headers().firstValue("Location")).hasValue("/");
        assertThat(alice.get("/whoami").body()).startsWith("u-alice");

        // The slow streams past their address's share were refused without their bodies being read.
        assertThat(portal.auditedSoFar().events()).anySatisfy(e -> {
          assertThat(e.type()).isEqualTo(AuditEventType.ACCESS_DENIED);
          assertThat(e.clientAddress()).hasValue(SLOW_CLIENT);
          assertThat(e.reason())
              .hasValueSatisfying(r -> assertThat(r).contains("too many form bodies"));
        });
      }
    }
  }
}
