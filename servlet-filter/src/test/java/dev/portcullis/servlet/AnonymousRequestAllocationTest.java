package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditLog;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/**
 * What one anonymous GET of a public page allocates in the filter, over a filter that only passes the request on: the
 * portal of {@link AuthenticatedRequestAllocationTest} (HTTPS transport, sessions, login, CSRF, an access policy and
 * the audit log) on an in-memory request without cookies, which costs nothing itself. Measured with the thread's
 * allocation counter over 10,000 requests after a warm-up, so the figure is what the compiled request path allocates.
 *
 * <p>The budget is what the request's own state needs (the exchange, its two wrappers, the session state, the page's
 * writer guard, the request path), about 400 to 550 B here, with a margin for the figure's spread between runs on a
 * loaded machine. A change that brings back per-request copies, lists, parses or formats on the public pages fails
 * here, not only in the benchmarks.
 */
class AnonymousRequestAllocationTest {
  private static final int REQUESTS = 10_000;
  private static final int ROUNDS = 8;
  private static final long BUDGET_BYTES = 768;

  private final InMemoryHttp.Request request = new InMemoryHttp.Request();
  private final InMemoryHttp.Response response = new InMemoryHttp.Response();
  private final Page page = new Page();

  @Test
  void anonymousPublicGet_allocatesWithinTheRequestsOwnState() throws Exception {
    InstantSource clock = InstantSource.system();
    SecureRandom random = new SecureRandom();
    try (AuditLog audit = AuditLog.builder()
        .clock(clock)
        .random(random)
        .auditSink(event -> {})
        .demandSink(event -> {})
        .build()) {
      PortcullisFilter portcullis = AuthenticatedRequestAllocationTest.portal(clock, random, audit);
      Filter noop = (req, res, chain) -> chain.doFilter(req, res);

      long perRequest = Long.MAX_VALUE;
      long noopPerRequest = 0;
      // The smallest of a few measurements: a collection or a compilation on the way only adds.
      for (int round = 0; round < ROUNDS; round++) {
        long filtered = allocatedPerRequest(portcullis);
        long bare = allocatedPerRequest(noop);
        if (filtered - bare < perRequest) {
          perRequest = filtered - bare;
          noopPerRequest = bare;
        }
      }
      // The measured request is the real thing: it reaches the page anonymously, with the headers.
      request.next("GET", "/public");
      response.clear();
      portcullis.doFilter(request, response, page);
      assertThat(page.reached).isTrue();
      assertThat(page.user).isNull();
      assertThat(response.all("Strict-Transport-Security")).hasSize(1);
      assertThat(response.all("X-Frame-Options")).containsExactly("DENY");
      assertThat(response.all("Set-Cookie")).isEmpty();
      System.out.printf(
          "anonymous GET of a public page: %d B per request over the no-op filter (%d B); budget: %d B%n",
          perRequest, noopPerRequest, BUDGET_BYTES);
      assertThat(perRequest)
          .as("bytes one anonymous GET of a public page allocates in the filter")
          .isLessThanOrEqualTo(BUDGET_BYTES);
    }
  }

  /** Bytes this thread allocates per anonymous GET through {@code filter}, over {@value #REQUESTS} requests. */
  private long allocatedPerRequest(Filter filter) throws IOException, ServletException {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    int reached = 0;
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < REQUESTS; i++) {
      request.next("GET", "/public");
      response.clear();
      page.reached = false;
      filter.doFilter(request, response, page);
      if (page.reached) {
        reached++;
      }
    }
    long after = threads.getThreadAllocatedBytes(thread);
    assertThat(reached).as("requests that reached the page").isEqualTo(REQUESTS);
    return (after - before) / REQUESTS;
  }

  /** The application: a short page, and who asked for it. */
  private static final class Page implements FilterChain {
    boolean reached;
    String user;

    @Override
    public void doFilter(jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse res)
        throws IOException {
      HttpServletRequest http = (HttpServletRequest) req;
      HttpServletResponse out = (HttpServletResponse) res;
      reached = true;
      user = http.getRemoteUser();
      out.setContentType("text/html;charset=utf-8");
      out.getWriter().write("<p>page</p>");
    }
  }
}
