package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Forms whose bodies never finish arriving, sent over HTTPS to a {@link LoginPortal} whose filter trusts the loopback
 * client as a proxy, so that each form can claim a client address of its own. Closing ends every form started.
 */
final class SlowForms implements AutoCloseable {
  private final List<Dripping> bodies = new ArrayList<>();

  /** A portal on {@code server} whose filter trusts the loopback client as a proxy. */
  static LoginPortal portal(TestJetty.Builder server) throws Exception {
    return portal(server, (p, filter) -> {});
  }

  /** A portal on {@code server} whose filter trusts the loopback client as a proxy, and that {@code configure} adds to. */
  static LoginPortal portal(
      TestJetty.Builder server, BiConsumer<LoginPortal, PortcullisFilter.Builder> configure)
      throws Exception {
    return LoginPortal.on(server, (p, filter) -> {
      configure.accept(p, filter);
      // The loopback client is a trusted proxy, so each request can say whose it is.
      filter.transport(TransportConfig.builder()
          .trustedProxies("127.0.0.1/32")
          .redirectPlainHttp(false)
          .build());
    });
  }

  /** A client of {@code portal}'s HTTPS that speaks {@code version} and follows no redirect. */
  static HttpClient client(LoginPortal portal, HttpClient.Version version) {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(portal.clientTls())
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * Opens the login page in {@code browser}, which must have it over HTTP/2, and returns a login form of bob's with a
   * wrong password and the page's CSRF token.
   */
  static String wrongLoginOverHttp2(Browser browser) throws Exception {
    HttpResponse<String> page = browser.openLoginPage();
    assertThat(page.version()).isEqualTo(HttpClient.Version.HTTP_2);
    // In a fixed order, so that every run drips the same first bytes (Map.of's order changes from
    // one
    // JVM to the next).
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("_csrf", browser.csrf);
    fields.put("username", "bob");
    fields.put("password", "not-bobs-password");
    return TestBrowser.form(fields);
  }

  /**
   * Starts a POST of {@code form} to {@code path} through {@code browser}'s client, with its cookies, from {@code
   * address}, whose body stops after its first bytes; returns the body without waiting for it to start.
   */
  Dripping start(Browser browser, String path, String form, String address) {
    Dripping body = new Dripping(form);
    bodies.add(body);
    browser
        .client()
        .sendAsync(
            HttpRequest.newBuilder(browser.uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", browser.cookieHeader())
                .header("X-Forwarded-For", address)
                .POST(HttpRequest.BodyPublishers.fromPublisher(body, form.length()))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    return body;
  }

  /** Waits until every form started so far has sent its first bytes. */
  void awaitStarted() throws Exception {
    for (Dripping body : bodies) {
      body.awaitStarted();
    }
  }

  @Override
  public void close() {
    bodies.forEach(Dripping::fail);
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
