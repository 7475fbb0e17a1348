package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
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
    try (LoginPortal portal = LoginPortal.on(
        TestJetty.builder().https().http2().maxThreads(SERVER_THREADS),
        (p, filter) ->
            // The loopback client is a trusted proxy, so each request can say whose it is.
            filter.transport(TransportConfig.builder()
                .trustedProxies("127.0.0.1/32")
                .redirectPlainHttp(false)
                .build()))) {
      HttpClient http2 = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_2)
          .sslContext(portal.clientTls())
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
      Browser attacker = new Browser(portal.httpsBase(), http2);
      HttpResponse<String> page = attacker.openLoginPage();
      assertThat(page.version()).isEqualTo(HttpClient.Version.HTTP_2);
      String form = TestBrowser.form(
          Map.of("_csrf", attacker.csrf, "username", "bob", "password", "not-bobs-password"));

      List<Dripping> bodies = new ArrayList<>();
      try {
        for (int i = 0; i < SLOW_STREAMS; i++) {
          Dripping body = new Dripping(form);
          bodies.add(body);
          http2.sendAsync(
              HttpRequest.newBuilder(URI.create(portal.httpsBase() + "/login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("Cookie", attacker.cookieHeader())
                  .header("X-Forwarded-For", SLOW_CLIENT)
                  .POST(HttpRequest.BodyPublishers.fromPublisher(body, form.length()))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
        }
        for (Dripping body : bodies) {
          body.awaitStarted();
        }

        // Another visitor, from another address and on a connection of her own, over HTTP/2.
        Browser alice = new Browser(
            portal.httpsBase(),
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(portal.clientTls())
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build());
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
      } finally {
        bodies.forEach(Dripping::fail);
      }
    }
  }

  /**
   * A request body that sends its first bytes and then nothing more until {@link #fail()}: a form whose end never
   * arrives.
   */
  static final class Dripping implements Flow.Publisher<ByteBuffer> {
    private final byte[] start;
    private final CompletableFuture<Flow.Subscriber<? super ByteBuffer>> subscriber =
        new CompletableFuture<>();

    Dripping(String form) {
      byte[] all = form.getBytes(StandardCharsets.US_ASCII);
      start = Arrays.copyOf(all, 10);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
      s.onSubscribe(new Flow.Subscription() {
        private boolean sent;

        @Override
        public synchronized void request(long n) {
          if (!sent && n > 0) {
            sent = true;
            s.onNext(ByteBuffer.wrap(start));
            subscriber.complete(s);
          }
        }

        @Override
        public void cancel() {
          subscriber.complete(s);
        }
      });
    }

    void awaitStarted() throws Exception {
      subscriber.get(20, TimeUnit.SECONDS);
    }

    void fail() {
      subscriber.thenAccept(s -> s.onError(new IOException("test over")));
    }
  }
}
