package dev.portcullis.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.Cookie;
import java.util.Base64;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * Every filter of {@link FilterBenchmark} takes the path it is measured on (the contender's own outcome checks), and
 * the inline checks of {@link ChecksOnlyFilter} refuse what Portcullis refuses, so the floor it sets is a floor of the
 * same checks.
 */
class FilterBenchmarkTest {
  @ParameterizedTest
  @ValueSource(strings = {"noop", "checksOnly", "portcullis", "springSecurity", "shiro"})
  void everyContender_takesTheMeasuredPath(String filter) throws Exception {
    withBenchmark(filter, bench -> {
      FilterBenchmark.Outcome in = bench.authenticatedGet();
      assertThat(in.reached()).isTrue();
      assertThat(bench.anonymousGet().user()).isNull();
      if (!filter.equals("noop")) {
        assertThat(in.user()).isNotNull();
        assertThat(bench.anonymousProtectedGet().reached()).isFalse();
      }
    });
  }

  /** What a test does with a started benchmark. */
  private interface BenchmarkCheck {
    void check(FilterBenchmark bench) throws Exception;
  }

  /** Runs {@code check} on the benchmark of {@code filter}, started and stopped as JMH does. */
  private static void withBenchmark(String filter, BenchmarkCheck check) throws Exception {
    FilterBenchmark bench = new FilterBenchmark();
    bench.filter = filter;
    bench.start();
    try {
      check.check(bench);
    } finally {
      bench.stop();
    }
  }

  /**
   * The harness costs every contender alike: each authenticated request carries one {@code Cookie} header with every
   * cookie the browser holds (the no-op's container session cookie included), the same string each time, not a join
   * per request whose cost grew with the number of cookies.
   */
  @ParameterizedTest
  @ValueSource(strings = {"noop", "checksOnly", "portcullis", "springSecurity", "shiro"})
  void everyContender_sendsItsCookiesAsOneHeaderBuiltOnce(String filter) throws Exception {
    withBenchmark(filter, bench -> {
      FilterBenchmark.Contender contender = bench.contender();
      MockHttpServletRequest first = contender.authenticated("/home");
      MockHttpServletRequest second = contender.authenticated("/home");
      assertThat(Collections.list(first.getHeaders("Cookie"))).hasSize(1);
      String header = first.getHeader("Cookie");
      assertThat(contender.browserCookies).isNotEmpty();
      for (Cookie c : contender.browserCookies.values()) {
        assertThat(header).contains(c.getName() + "=" + c.getValue());
      }
      assertThat(second.getHeader("Cookie")).isSameAs(header);
    });
  }

  @Test
  void checksOnly_setsTheHeadersAndNamesTheUser() throws Exception {
    FilterBenchmark.ChecksOnlyContender contender = new FilterBenchmark.ChecksOnlyContender();
    FilterBenchmark.Outcome in = contender.send(contender.authenticated("/home"));
    assertThat(in.user()).isEqualTo("u-alice");
    assertThat(in.response().getHeader("Strict-Transport-Security")).startsWith("max-age=");
    assertThat(in.response().getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(in.response().getHeader("Content-Security-Policy"))
        .isEqualTo("frame-ancestors 'none'");
  }

  @Test
  void checksOnly_refusesATamperedAuthCookie() throws Exception {
    FilterBenchmark.ChecksOnlyContender contender = new FilterBenchmark.ChecksOnlyContender();
    Cookie auth = contender.browserCookies.get(ChecksOnlyFilter.AUTH_COOKIE);
    byte[] sealed = Base64.getUrlDecoder().decode(auth.getValue());
    sealed[sealed.length - 20] ^= 1;
    contender.browserCookies.put(
        auth.getName(),
        new Cookie(auth.getName(), Base64.getUrlEncoder().withoutPadding().encodeToString(sealed)));
    assertRedirectedToLogin(contender);
  }

  @Test
  void checksOnly_refusesTheAuthCookieWithAnotherSession() throws Exception {
    FilterBenchmark.ChecksOnlyContender contender = new FilterBenchmark.ChecksOnlyContender();
    // A second login of the same user: its session, with the first login's ticket, is refused.
    for (Cookie c : ((ChecksOnlyFilter) contender.filter).logIn("u-alice")) {
      if (c.getName().equals(ChecksOnlyFilter.SESSION_COOKIE)) {
        contender.browserCookies.put(c.getName(), c);
      }
    }
    assertRedirectedToLogin(contender);
  }

  @Test
  void checksOnly_refusesADuplicatedSessionCookie() throws Exception {
    FilterBenchmark.ChecksOnlyContender contender = new FilterBenchmark.ChecksOnlyContender();
    MockHttpServletRequest request = contender.request("GET", "/home");
    request.addHeader("Cookie", ChecksOnlyFilter.SESSION_COOKIE + "=x; " + cookieHeader(contender));
    FilterBenchmark.Outcome out = contender.send(request);
    assertThat(out.reached()).isFalse();
  }

  private static String cookieHeader(FilterBenchmark.ChecksOnlyContender contender) {
    StringBuilder header = new StringBuilder();
    for (Cookie c : contender.browserCookies.values()) {
      if (header.length() > 0) {
        header.append("; ");
      }
      header.append(c.getName()).append('=').append(c.getValue());
    }
    return header.toString();
  }

  private static void assertRedirectedToLogin(FilterBenchmark.Contender contender)
      throws Exception {
    FilterBenchmark.Outcome out = contender.send(contender.authenticated("/home"));
    assertThat(out.reached()).isFalse();
    assertThat(out.location()).isEqualTo(FilterBenchmark.LOGIN_PAGE);
  }
}
