package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditLog;
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
  private static final long BUDGET_BYTES = 768;

  private final RequestAllocation allocation = new RequestAllocation();

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

      RequestAllocation.Figures figures = allocation.measure(portcullis, "/public");
      // The measured request is the real thing: it reaches the page anonymously, with the headers.
      allocation.send(portcullis, "/public", null);
      assertThat(allocation.page.reached).isTrue();
      assertThat(allocation.page.user).isNull();
      InMemoryHttp.Response response = allocation.response;
      assertThat(response.all("Strict-Transport-Security")).hasSize(1);
      assertThat(response.all("X-Frame-Options")).containsExactly("DENY");
      assertThat(response.all("Set-Cookie")).isEmpty();
      System.out.printf(
          "anonymous GET of a public page: %d B per request over the no-op filter (%d B); budget: %d B%n",
          figures.perRequest(), figures.noopPerRequest(), BUDGET_BYTES);
      assertThat(figures.perRequest())
          .as("bytes one anonymous GET of a public page allocates in the filter")
          .isLessThanOrEqualTo(BUDGET_BYTES);
    }
  }
}
