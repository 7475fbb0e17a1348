package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.oauth2.sdk.id.Audience;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.testing.MutableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Provider discovery against issuers that hang or misbehave, on real loopback sockets: one discovery at a time, no
 * lock held while it waits, failures remembered with a back-off, and only https endpoints accepted.
 */
class OidcDiscoveryTest {
  private static final int TIMEOUT_MS = 300;
  private final MutableClock clock = MutableClock.startingAt2026();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private OidcClient client(URI issuer, String... trustedAudiences) {
    return client(TIMEOUT_MS, issuer, trustedAudiences);
  }

  private OidcClient client(int timeoutMs, URI issuer, String... trustedAudiences) {
    return new OidcClient(
        SsoConfig.builder()
            .links(AccountLinkStore.inMemory())
            .replay(ReplayStore.inMemory(clock))
            .provider(issuer, "portal", "secret")
            .redirectUri(URI.create("https://portal.example/sso/callback"))
            .trustedAudiences(trustedAudiences)
            .providerTimeout(Duration.ofMillis(timeoutMs))
            .build(),
        clock);
  }

  /** An issuer that accepts connections and never answers; counts the connections. */
  private AtomicInteger hangingIssuer(ServerSocket server) {
    AtomicInteger connections = new AtomicInteger();
    List<Socket> held = new CopyOnWriteArrayList<>();
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          held.add(server.accept());
          connections.incrementAndGet();
        } catch (IOException e) {
          return;
        }
      }
    });
    acceptor.setDaemon(true);
    acceptor.start();
    closing.add(() -> {
      for (Socket s : held) {
        s.close();
      }
    });
    return connections;
  }

  @Test
  void hangingIssuer_concurrentRequestsShareOneDiscovery_andTheFailureIsRememberedWithABackoff()
      throws Exception {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(server);
    AtomicInteger connections = hangingIssuer(server);
    OidcClient client = client(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/realm"));

    ExecutorService pool = Executors.newFixedThreadPool(3);
    closing.add(pool::shutdownNow);
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(pool.submit(() -> client.authorize(null)));
    }
    int failed = 0;
    for (Future<?> call : calls) {
      try {
        call.get();
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(IOException.class);
        failed++;
      }
    }
    assertThat(failed).isEqualTo(3);
    assertThat(connections).as("three concurrent requests, one discovery").hasValue(1);

    // Within the back-off nobody connects again: the failure is answered at once.
    assertThatThrownBy(() -> client.authorize(null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("next try after");
    clock.advance(Duration.ofMillis(999));
    assertThatThrownBy(() -> client.authorize(null)).isInstanceOf(IOException.class);
    assertThat(connections).hasValue(1);

    // After it, one new try; its failure doubles the back-off.
    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> client.authorize(null)).isInstanceOf(IOException.class);
    assertThat(connections).hasValue(2);
    clock.advance(Duration.ofMillis(1999));
    assertThatThrownBy(() -> client.authorize(null)).isInstanceOf(IOException.class);
    assertThat(connections).hasValue(2);
    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> client.authorize(null)).isInstanceOf(IOException.class);
    assertThat(connections).hasValue(3);
  }

  /**
   * The warm-up discovery's thread, while it waits for an issuer that does not answer: a daemon named for Portcullis
   * whose context class loader is Portcullis' own, not the loader of the thread that built the filter (a container's
   * web application loader, which the thread would otherwise keep alive after the application stopped).
   */
  @Test
  void warmUpDiscoveryThread_isADaemonWithPortcullisLoader_notTheBuildingThreadsContextLoader()
      throws Exception {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(server);
    AtomicInteger connections = hangingIssuer(server);
    OidcClient client =
        client(60_000, URI.create("http://127.0.0.1:" + server.getLocalPort() + "/realm"));
    Set<Thread> earlier = discoveryThreads();
    ClassLoader applications = new URLClassLoader(new URL[0], null);
    Thread building = Thread.currentThread();
    ClassLoader before = building.getContextClassLoader();
    building.setContextClassLoader(applications);
    try {
      client.startDiscovery();
    } finally {
      building.setContextClassLoader(before);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (connections.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(connections).as("the discovery reached the issuer").hasValue(1);

    Set<Thread> started = discoveryThreads();
    started.removeAll(earlier);
    assertThat(started).singleElement().satisfies(t -> {
      assertThat(t.isAlive()).as("still waiting for the issuer").isTrue();
      assertThat(t.isDaemon()).isTrue();
      assertThat(t.getContextClassLoader())
          .isNotSameAs(applications)
          .isSameAs(OidcClient.class.getClassLoader());
    });
  }

  /**
   * The client built, and its discovery started, by a thread whose context class loader is a web application's: no
   * thread it starts (the warm-up, the HTTP client's selector and workers) holds that loader, which would keep the
   * application's classes alive after it stopped, for as long as the client lives.
   */
  @Test
  void clientBuiltUnderAnApplicationsContextLoader_leavesNoThreadHoldingThatLoader()
      throws Exception {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(server);
    AtomicInteger connections = hangingIssuer(server);
    ClassLoader applications = new URLClassLoader(new URL[0], null);
    Thread building = Thread.currentThread();
    ClassLoader before = building.getContextClassLoader();
    building.setContextClassLoader(applications);
    try {
      client(60_000, URI.create("http://127.0.0.1:" + server.getLocalPort() + "/realm"))
          .startDiscovery();
    } finally {
      building.setContextClassLoader(before);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (connections.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(connections).as("the discovery reached the issuer").hasValue(1);

    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(Thread::isAlive)
        .filteredOn(t -> t.getContextClassLoader() == applications)
        .extracting(Thread::getName)
        .isEmpty();
  }

  private static Set<Thread> discoveryThreads() {
    Set<Thread> found = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("portcullis-oidc-discovery")) {
        found.add(t);
      }
    }
    return found;
  }

  /**
   * An issuer that drips its discovery document a byte at a time, each byte well within the timeout. Regression: the
   * timeout applied per socket read, so the discovery (and the request waiting for it) lasted as long as the drip. The
   * timeout is the configured one ({@link SsoConfig#providerTimeout()}, here 1 second), well below the 5-second
   * default.
   */
  @Test
  void drippingIssuer_discoveryFailsWithinAboutTheConfiguredTimeout() throws Exception {
    DrippingServer server =
        new DrippingServer("{\"issuer\":\"" + "x".repeat(200) + "\"}", Duration.ofMillis(50));
    closing.add(server);
    int timeoutMs = 1_000;
    assertThat(server.wholeAnswer()).isGreaterThan(Duration.ofMillis(10L * timeoutMs));
    OidcClient client = client(timeoutMs, server.uri("/realm"));

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.authorize(null))
        .isInstanceOf(java.net.http.HttpTimeoutException.class);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(server.requests()).isOne();
    assertThat(took)
        .as("the configured timeout, not the default")
        .isGreaterThan(Duration.ofMillis(timeoutMs - 100L))
        .isLessThan(Duration.ofMillis(3L * timeoutMs));
  }

  /** A discovery document whose issuer is right but whose endpoints are plain http on a public host. */
  @Test
  void discoveredEndpointOutsideLoopbackWithoutHttps_isRefused() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    closing.add(() -> server.stop(0));
    String issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realm";
    AtomicInteger plainEndpoint = new AtomicInteger(-1);
    List<String> endpoints = List.of("authorization_endpoint", "token_endpoint", "jwks_uri");
    server.createContext("/realm/.well-known/openid-configuration", exchange -> {
      StringBuilder json =
          new StringBuilder("{\"issuer\":\"" + issuer + "\",\"subject_types_supported\":"
              + "[\"public\"],\"response_types_supported\":[\"code\"],\"id_token_signing_alg_values_supported\":"
              + "[\"RS256\"]");
      for (int i = 0; i < endpoints.size(); i++) {
        String base = i == plainEndpoint.get() ? "http://login.example" : issuer;
        json.append(",\"")
            .append(endpoints.get(i))
            .append("\":\"")
            .append(base)
            .append("/")
            .append(i)
            .append('"');
      }
      byte[] body = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();

    // Loopback http is the development allowance: accepted.
    assertThat(client(10_000, URI.create(issuer)).authorize(null).location().toString())
        .startsWith(issuer + "/0?");
    for (int i = 0; i < endpoints.size(); i++) {
      plainEndpoint.set(i);
      OidcClient client = client(10_000, URI.create(issuer));
      assertThatThrownBy(() -> client.authorize(null))
          .as(endpoints.get(plainEndpoint.get()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("not https");
    }
  }

  @Test
  void audiences_onlyThisClientOrTrustedOnes_withAzpForSeveral() {
    URI issuer = URI.create("https://login.example");
    OidcClient strict = client(issuer);
    OidcClient trusting = client(issuer, "reports-api");
    List<Audience> one = Audience.create("portal");
    List<Audience> two = Audience.create("portal", "reports-api");
    assertThat(strict.audienceProblem(one, null)).isNull();
    assertThat(strict.audienceProblem(one, "portal")).isNull();
    assertThat(strict.audienceProblem(one, "other")).isEqualTo("azp is another client");
    assertThat(strict.audienceProblem(two, "portal")).isEqualTo("untrusted extra audience");
    assertThat(trusting.audienceProblem(two, "portal")).isNull();
    assertThat(trusting.audienceProblem(two, null)).isEqualTo("several audiences without azp");
    assertThat(trusting.audienceProblem(two, "reports-api")).isEqualTo("azp is another client");
  }
}
