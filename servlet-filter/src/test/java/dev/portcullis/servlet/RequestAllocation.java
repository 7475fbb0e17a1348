package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;

/**
 * What one in-memory GET allocates in a filter, over a filter that only passes the request on, for the allocation
 * tests: each filter gets the same GET {@value #REQUESTS} times in a row, counted with this thread's allocation counter,
 * and the figure is the smallest of {@value #ROUNDS} rounds (a collection or a compilation on the way only adds), so
 * that it is what the compiled request path allocates.
 */
final class RequestAllocation {
  static final int REQUESTS = 10_000;
  static final int ROUNDS = 8;

  private static final Filter NOOP = (req, res, chain) -> chain.doFilter(req, res);

  final InMemoryHttp.Request request = new InMemoryHttp.Request();
  final InMemoryHttp.Response response = new InMemoryHttp.Response();
  final Page page = new Page();

  /**
   * Bytes per request in the filter beyond the no-op filter, the no-op filter's own in the same round, and the floor's
   * smallest bytes per call (0 when there is none).
   */
  record Figures(long perRequest, long noopPerRequest, long floorPerCall) {}

  /** Measures {@code GET path} through {@code filter}, without cookies. */
  Figures measure(Filter filter, String path) throws Exception {
    return measure(filter, path, null, null);
  }

  /**
   * Measures {@code GET path} with {@code cookieHeader} through {@code filter}, and in every round also {@code floor}: a
   * call that stands for what any filter doing the same work would allocate.
   */
  Figures measure(Filter filter, String path, String cookieHeader, Callable<Object> floor)
      throws Exception {
    long perRequest = Long.MAX_VALUE;
    long noopPerRequest = 0;
    long floorPerCall = floor == null ? 0 : Long.MAX_VALUE;
    for (int round = 0; round < ROUNDS; round++) {
      long filtered = perRequest(filter, path, cookieHeader);
      long bare = perRequest(NOOP, path, cookieHeader);
      if (filtered - bare < perRequest) {
        perRequest = filtered - bare;
        noopPerRequest = bare;
      }
      if (floor != null) {
        floorPerCall = Math.min(floorPerCall, perCall(floor));
      }
    }
    return new Figures(perRequest, noopPerRequest, floorPerCall);
  }

  /** Sends {@code GET path}, with {@code cookieHeader} unless it is null, through {@code filter} to the page. */
  void send(Filter filter, String path, String cookieHeader) throws IOException, ServletException {
    request.next("GET", path);
    if (cookieHeader != null) {
      request.header("Cookie", cookieHeader);
    }
    response.clear();
    page.reached = false;
    filter.doFilter(request, response, page);
  }

  /** Bytes this thread allocates per GET through {@code filter}, over {@value #REQUESTS} requests. */
  private long perRequest(Filter filter, String path, String cookieHeader) throws Exception {
    return perCall(
        () -> {
          send(filter, path, cookieHeader);
          return page.reached;
        },
        "requests that reached the page");
  }

  /** Bytes this thread allocates per call of {@code call}, over {@value #REQUESTS} calls. */
  private static long perCall(Callable<Object> call) throws Exception {
    return perCall(() -> call.call() != null, "calls that returned a value");
  }

  /** One call of what is measured: true if it did what it is for. */
  @FunctionalInterface
  private interface Call {
    boolean run() throws Exception;
  }

  /**
   * Bytes this thread allocates per call of {@code call}, over {@value #REQUESTS} calls, each of which must do what it
   * is for ({@code done} names them).
   */
  private static long perCall(Call call, String done) throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    int succeeded = 0;
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < REQUESTS; i++) {
      if (call.run()) {
        succeeded++;
      }
    }
    long after = threads.getThreadAllocatedBytes(thread);
    assertThat(succeeded).as(done).isEqualTo(REQUESTS);
    return (after - before) / REQUESTS;
  }

  /** The application: a short page, and who asked for it. */
  static final class Page implements FilterChain {
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
