package dev.portcullis.servlet;

import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.testing.CountingUserDirectory;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A {@link LoginPortal} behind a trusted proxy (127.0.0.0/8, {@code X-Forwarded-For}), so that tests can log in from
 * many client addresses, with a user directory that counts its password checks and takes {@link #CHECK_TIME} for
 * each, as a real password hash does.
 *
 * <p>{@link #concurrently} holds each password check until one more check than the limit runs at once (for at most
 * {@link #HOLD}), so a limit that can be raced is raced on any machine, however slowly it serves the burst.
 */
final class ProxiedLogins implements AutoCloseable {
  /** About what a real password hash takes. */
  static final Duration CHECK_TIME = Duration.ofMillis(20);
  /**
   * The longest a password check waits for the others during a burst; a limit that holds lets its checks go as soon as
   * the burst's other requests are answered.
   */
  static final Duration HOLD = Duration.ofSeconds(3);
  /** Concurrent client connections; Jetty queues what its threads cannot take at once. */
  private static final int CLIENTS = 150;
  /** Patient with a machine that many builds share: a burst is about counts, not speed. */
  private static final Duration BURST_TIMEOUT = Duration.ofMinutes(2);

  final LoginPortal portal;
  CountingUserDirectory users;

  /** @param throttle the login limit, made from the portal (its clock and random) */
  ProxiedLogins(Function<LoginPortal, LoginThrottle> throttle) throws Exception {
    // As many checks at once as clients: the login limit alone decides in these races.
    this(throttle, CLIENTS);
  }

  /**
   * @param throttle the login limit, made from the portal (its clock and random)
   * @param maxConcurrentPasswordChecks the node's bound on password checks at once
   */
  ProxiedLogins(Function<LoginPortal, LoginThrottle> throttle, int maxConcurrentPasswordChecks)
      throws Exception {
    portal = new LoginPortal((p, filter) -> {
      users = new CountingUserDirectory(p.users, CHECK_TIME);
      PortalLogin login = PortalLogin.builder()
          .keyRing(p.ring)
          .users(users)
          .revocations(RevocationStore.inMemory(p.clock))
          .clock(p.clock)
          .random(p.random)
          .termsVersion(LoginPortal.TERMS)
          .throttle(throttle.apply(p))
          .maxConcurrentPasswordChecks(maxConcurrentPasswordChecks)
          .build();
      filter
          .transport(TransportConfig.builder()
              .developmentMode(true)
              .trustedProxies("127.0.0.0/8")
              .build())
          // Every client comes through one proxy, often from one claimed address: the bound on
          // form bodies read at once per address (FormReadsPerAddressSettingTest) must not decide
          // here either, nor the bound on anonymous form bodies read at once, or which attempts get
          // a
          // plain 503 depends on the machine's speed.
          .maxFormReadsPerAddress(CLIENTS)
          .maxAnonymousFormReads(CLIENTS)
          .login(login, p.random);
    });
  }

  /** A browser that has opened the login page: it holds the cookie-check cookie and the CSRF token bound to it. */
  Browser loginPage() throws IOException, InterruptedException {
    Browser b = portal.browser();
    b.openLoginPage();
    return b;
  }

  /** The login POST of {@code browser} as the proxy forwards it from {@code address}; does not change its cookies. */
  static HttpRequest.Builder loginPost(
      Browser browser, String address, String username, String password) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", username);
    form.put("password", password);
    form.put("_csrf", browser.csrf);
    return HttpRequest.newBuilder(browser.uri("/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Forwarded-For", address)
        .header("X-Forwarded-Proto", "https")
        .timeout(TestBrowser.REQUEST_TIMEOUT)
        .POST(HttpRequest.BodyPublishers.ofString(TestBrowser.form(form)));
  }

  /** One login from {@code address} through {@code browser}, keeping the cookies it gets (a real user's login). */
  static HttpResponse<String> login(
      Browser browser, String address, String username, String password)
      throws IOException, InterruptedException {
    browser.openLoginPage();
    return browser.send(loginPost(browser, address, username, password));
  }

  /**
   * Sends the {@code n} requests {@code attempt} makes, all released at once over {@value #CLIENTS} connections, with
   * {@code browser}'s cookies, each password check held until {@code limit + 1} run at once; returns the responses in
   * order. Once every request is either answered or waiting in a held check, no further check can come: the held ones
   * are let go then, rather than after {@link #HOLD}.
   */
  List<HttpResponse<String>> concurrently(
      Browser browser, int n, int limit, IntFunction<HttpRequest.Builder> attempt)
      throws Exception {
    users.holdChecksUntil(limit + 1, HOLD);
    try {
      return send(browser, n, attempt);
    } finally {
      users.holdChecksUntil(0, Duration.ZERO);
    }
  }

  private List<HttpResponse<String>> send(
      Browser browser, int n, IntFunction<HttpRequest.Builder> attempt) throws Exception {
    String cookies = browser.cookieHeader();
    HttpClient client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(BURST_TIMEOUT)
        .build();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    CompletionService<HttpResponse<String>> answers = new ExecutorCompletionService<>(pool);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<HttpResponse<String>>> sent = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        HttpRequest request =
            attempt.apply(i).header("Cookie", cookies).timeout(BURST_TIMEOUT).build();
        sent.add(answers.submit(() -> {
          start.await();
          return client.send(request, HttpResponse.BodyHandlers.ofString());
        }));
      }
      start.countDown();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(BURST_TIMEOUT.toMinutes() + 1);
      int answered = 0;
      while (answered < n) {
        if (answered + users.heldChecks() == n) {
          users.releaseHeldChecks();
        }
        // A held check can arrive between two answers, so look again every few milliseconds.
        if (answers.poll(10, TimeUnit.MILLISECONDS) != null) {
          answered++;
        } else if (System.nanoTime() > deadline) {
          throw new TimeoutException(answered + " of " + n + " requests answered");
        }
      }
      List<HttpResponse<String>> responses = new ArrayList<>();
      for (Future<HttpResponse<String>> f : sent) {
        responses.add(f.get());
      }
      return responses;
    } finally {
      pool.shutdownNow();
    }
  }

  @Override
  public void close() throws Exception {
    portal.close();
  }
}
