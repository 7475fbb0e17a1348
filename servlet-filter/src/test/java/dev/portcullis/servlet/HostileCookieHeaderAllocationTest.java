package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.transport.TransportConfig;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the filter allocates for a request's {@code Cookie} headers, on a real Jetty: bounded however the headers are
 * written, as long as the container lets them through. Jetty here takes 1 MiB of headers, as Undertow does by default
 * (Jetty's own default is 8 KiB). Measured on the request's thread, from a filter in front of Portcullis, with the
 * thread's allocation counter; the smallest figure of several requests, after a warm-up, so that the figure is the
 * compiled request path's.
 *
 * <p>Regression: the parser made room for one pair per {@code ;}, sixteen times what the client sent: a header of
 * 8,000 semicolons (within Jetty's default 8 KiB) cost 128 KB per request, and one of 5,000 tiny pairs 80 KB, for any
 * anonymous client, on every request, growing with whatever header size the container takes.
 */
class HostileCookieHeaderAllocationTest {
  /**
   * Slack for the figure's spread: the filter keeps the header's text and no table of its pairs, so however many pairs
   * a header holds costs it next to nothing (a table of {@value Cookies#MAX_PAIRS} pairs of four ints took 16 KB).
   */
  private static final long BUDGET_BYTES = 4 * 1024;

  private static final int WARM_UP = 30;
  private static final int MEASURED = 20;

  private final AllocationProbe probe = new AllocationProbe();
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();
  private TestJetty jetty;
  private String base;

  @BeforeEach
  void start() throws Exception {
    MutableClock clock = MutableClock.startingAt2026();
    SessionConfig config = SessionConfig.defaults();
    SessionRegistry sessions = SessionRegistry.create(
        config,
        CaffeineSessionStore.builder(config, clock).executor(Runnable::run).build(),
        new SecureRandom(),
        clock,
        SessionListener.noop());
    PortcullisFilter filter = PortcullisFilter.builder()
        .transport(TransportConfig.builder().developmentMode(true).build())
        .sessions(sessions)
        .build();
    jetty = TestJetty.builder().open();
    for (Connector connector : jetty.server().getConnectors()) {
      connector
          .getConnectionFactory(HttpConnectionFactory.class)
          .getHttpConfiguration()
          .setRequestHeaderSize(1024 * 1024);
    }
    jetty.context("/").filter(probe).filter(filter).servlet(new Page());
    jetty.start();
    base = jetty.baseUri().toString();
  }

  @AfterEach
  void stop() throws Exception {
    jetty.close();
  }

  @Test
  void semicolonsWithinJettysDefaultHeaderSize_costNoRoomForPairs() throws Exception {
    long hostile = extraBytes(List.of(";".repeat(8_000)));

    assertThat(hostile)
        .as("bytes the filter allocates for a Cookie header of 8,000 semicolons")
        .isLessThanOrEqualTo(BUDGET_BYTES);
  }

  @Test
  void thousandsOfTinyPairs_takeNoMoreThanTheBoundsRoom() throws Exception {
    long hostile = extraBytes(List.of("a=;".repeat(5_000)));

    assertThat(hostile)
        .as("bytes the filter allocates for a Cookie header of 5,000 pairs")
        .isLessThanOrEqualTo(BUDGET_BYTES);
  }

  /**
   * Bytes a request with {@code cookieHeaders} allocates behind the probe beyond one without cookies; both answered by
   * the page anonymously.
   */
  private long extraBytes(List<String> cookieHeaders) throws Exception {
    long plain = smallest(List.of());
    long hostile = smallest(cookieHeaders);
    System.out.printf(
        "Cookie headers of %d characters: %d B per request behind the probe, %d B without cookies%n",
        cookieHeaders.stream().mapToInt(String::length).sum(), hostile, plain);
    return hostile - plain;
  }

  /** The smallest allocation behind the probe over {@value #MEASURED} requests, after {@value #WARM_UP}. */
  private long smallest(List<String> cookieHeaders) throws Exception {
    for (int i = 0; i < WARM_UP; i++) {
      send(cookieHeaders);
    }
    probe.clear();
    for (int i = 0; i < MEASURED; i++) {
      send(cookieHeaders);
    }
    List<Long> figures = probe.figures();
    assertThat(figures).as("requests measured").hasSize(MEASURED);
    return Collections.min(figures);
  }

  private void send(List<String> cookieHeaders) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + "/page")).timeout(Duration.ofSeconds(30));
    for (String header : cookieHeaders) {
      request.header("Cookie", header);
    }
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("anonymous");
  }

  /** The page: who asked. */
  private static final class Page extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain");
      resp.getWriter().write(req.getUserPrincipal() == null ? "anonymous" : "someone");
    }
  }

  /** Records what each request allocates on its thread behind this filter. */
  private static final class AllocationProbe implements Filter {
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final List<Long> figures = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void doFilter(
        jakarta.servlet.ServletRequest request,
        jakarta.servlet.ServletResponse response,
        jakarta.servlet.FilterChain chain)
        throws IOException, jakarta.servlet.ServletException {
      long before = threads.getCurrentThreadAllocatedBytes();
      chain.doFilter(request, response);
      figures.add(threads.getCurrentThreadAllocatedBytes() - before);
    }

    void clear() {
      figures.clear();
    }

    List<Long> figures() {
      synchronized (figures) {
        return new ArrayList<>(figures);
      }
    }
  }
}
