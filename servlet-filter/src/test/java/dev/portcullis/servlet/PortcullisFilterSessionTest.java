package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionIdFormat;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PortcullisFilterSessionTest {
  private static final Duration IDLE = Duration.ofMinutes(20);
  private static final Duration ABSOLUTE = Duration.ofHours(2);
  private static final String COOKIE = "__Host-portcullis-sid";

  private final PortalServlet servlet = new PortalServlet();
  private JettyPortal portal;

  @BeforeEach
  void start() throws Exception {
    portal = new JettyPortal(
        SessionConfig.builder().idleTimeout(IDLE).absoluteTimeout(ABSOLUTE).build(), servlet);
  }

  @AfterEach
  void stop() throws Exception {
    portal.close();
  }

  /** Makes a session holding {@code name=value} and returns its cookie value. */
  private String sessionWith(String name, String value) throws Exception {
    HttpResponse<String> r = portal.get("/app/set?name=" + name + "&value=" + value);
    assertThat(r.statusCode()).isEqualTo(200);
    return portal.sessionCookieValue(r).orElseThrow();
  }

  private String read(String name, String cookieValue) throws Exception {
    return portal.get("/app/get?name=" + name, portal.cookie(cookieValue)).body();
  }

  @Test
  void attribute_survivesAcrossRequests() throws Exception {
    String sid = sessionWith("theme", "dark");

    assertThat(read("theme", sid)).isEqualTo("dark");
    assertThat(read("other", sid)).isEqualTo("null");
    assertThat(portal.get("/app/get?name=theme").body()).isEqualTo("no session");
    assertThat(read("theme", "A".repeat(43)))
        .as("a well-formed but unknown id")
        .isEqualTo("no session");
  }

  @Test
  void sessionCookie_hasExactlyTheDeclaredAttributes() throws Exception {
    HttpResponse<String> r = portal.get("/app/set?name=a&value=b");

    List<String> cookies = JettyPortal.setCookies(r);
    assertThat(cookies).hasSize(1);
    assertThat(cookies.get(0))
        .matches(COOKIE + "=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Lax");
    assertThat(cookies.get(0))
        .doesNotContainIgnoringCase("expires")
        .doesNotContainIgnoringCase("max-age")
        .doesNotContainIgnoringCase("domain");
  }

  @Test
  void sessionCookie_survivesAResetOfTheResponse_andIsSentOnce() throws Exception {
    HttpResponse<String> r = portal.get("/app/set-then-reset?name=a&value=b");

    assertThat(r.body()).isEqualTo("after reset");
    assertThat(r.headers().firstValue("X-Before-Reset")).isEmpty();
    List<String> cookies = JettyPortal.setCookies(r);
    assertThat(cookies).hasSize(1);
    String sid = portal.sessionCookieValue(r).orElseThrow();
    assertThat(read("a", sid)).isEqualTo("b");
  }

  @Test
  void requestThatNeverAsksForASession_getsNoCookieAndTouchesNoStore() throws Exception {
    HttpResponse<String> r = portal.get("/app/peek");

    assertThat(r.body()).isEqualTo("no session");
    assertThat(JettyPortal.setCookies(r)).isEmpty();
    assertThat(portal.store.calls()).isZero();
  }

  @Test
  void unchangedSession_isNotRewrittenNorIsItsCookieResent() throws Exception {
    String sid = sessionWith("a", "b");
    int saves = portal.store.saves();

    HttpResponse<String> r = portal.get("/app/get?name=a", portal.cookie(sid));

    assertThat(r.body()).isEqualTo("b");
    assertThat(JettyPortal.setCookies(r)).isEmpty();
    assertThat(portal.store.saves()).isEqualTo(saves);
  }

  @Test
  void sessionStoreOutage_leavesTheRequestWithoutASession_butKeepsTheBrowsersCookie()
      throws Exception {
    String sid = sessionWith("theme", "dark");
    portal.storeDown.set(true);

    HttpResponse<String> r = portal.get("/app/get?name=theme", portal.cookie(sid));

    assertThat(r.body()).isEqualTo("no session");
    assertThat(JettyPortal.setCookies(r))
        .as("an outage must not make the browser forget its session")
        .isEmpty();
    portal.storeDown.set(false);
    assertThat(read("theme", sid)).isEqualTo("dark");
  }

  @Test
  void idleSession_expiresOnTheServer() throws Exception {
    String sid = sessionWith("a", "b");
    portal.clock.advance(IDLE.minusSeconds(1));
    assertThat(read("a", sid)).isEqualTo("b");

    portal.clock.advance(IDLE);
    HttpResponse<String> r = portal.get("/app/get?name=a", portal.cookie(sid));

    assertThat(r.body()).isEqualTo("no session");
    assertThat(JettyPortal.setCookies(r))
        .containsExactly(COOKIE + "=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");
  }

  @Test
  void busySession_endsAtTheAbsoluteTimeout() throws Exception {
    String sid = sessionWith("a", "b");
    Duration elapsed = Duration.ZERO;
    Duration step = IDLE.minusMinutes(1);
    while (elapsed.plus(step).compareTo(ABSOLUTE) < 0) {
      portal.clock.advance(step);
      elapsed = elapsed.plus(step);
      assertThat(read("a", sid)).as("after %s", elapsed).isEqualTo("b");
    }

    portal.clock.advance(ABSOLUTE.minus(elapsed));

    assertThat(read("a", sid)).isEqualTo("no session");
  }

  @Test
  void expiredSessionCookie_neverBecomesTheNewSessionId() throws Exception {
    String sid = sessionWith("a", "b");
    portal.clock.advance(IDLE);

    HttpResponse<String> r = portal.get("/app/set?name=a&value=c", portal.cookie(sid));

    String fresh = portal.sessionCookieValue(r).orElseThrow();
    assertThat(fresh).isNotEqualTo(sid);
    assertThat(read("a", fresh)).isEqualTo("c");
    assertThat(read("a", sid)).isEqualTo("no session");
  }

  @Test
  void changeSessionId_leavesTheOldIdDead() throws Exception {
    String sid = sessionWith("a", "b");

    HttpResponse<String> r = portal.get("/app/rotate", portal.cookie(sid));

    String next = portal.sessionCookieValue(r).orElseThrow();
    assertThat(next).isNotEqualTo(sid);
    assertThat(r.body()).isNotEqualTo(next).isNotEqualTo(sid);
    assertThat(read("a", next)).isEqualTo("b");
    assertThat(read("rotated", next)).isEqualTo("yes");
    assertThat(read("a", sid)).isEqualTo("no session");
  }

  @Test
  void invalidate_endsTheSessionAndClearsTheCookie() throws Exception {
    String sid = sessionWith("a", "b");

    HttpResponse<String> r = portal.get("/app/invalidate", portal.cookie(sid));

    assertThat(JettyPortal.setCookies(r))
        .containsExactly(COOKIE + "=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");
    assertThat(read("a", sid)).isEqualTo("no session");
  }

  @Test
  void malformedAndOversizedCookies_areIgnoredWithoutStoreAccessOrError() throws Exception {
    String sid = sessionWith("a", "b");
    portal.store.reset();

    for (String bad : List.of(
        "x",
        sid + "A",
        sid.substring(1),
        sid.substring(0, 42) + "!",
        "%00" + sid.substring(3),
        "A".repeat(4000),
        sid + "=")) {
      HttpResponse<String> r = portal.get("/app/get?name=a", portal.cookie(bad));
      assertThat(r.statusCode()).as(bad).isEqualTo(200);
      assertThat(r.body()).as(bad).isEqualTo("no session");
    }
    assertThat(portal.store.calls()).isZero();

    HttpResponse<String> huge = portal.get("/app/get?name=a", portal.cookie("A".repeat(20_000)));
    assertThat(huge.statusCode()).isBetween(400, 499);
    assertThat(huge.body()).doesNotContain("Exception").doesNotContain("at dev.portcullis");
    assertThat(portal.store.calls()).isZero();
  }

  @Test
  void duplicatedSessionCookies_areBothRefused() throws Exception {
    String first = sessionWith("a", "first");
    String second = sessionWith("a", "second");
    portal.store.reset();

    HttpResponse<String> r =
        portal.get("/app/get?name=a", portal.cookie(first), portal.cookie(second));
    HttpResponse<String> same =
        portal.get("/app/get?name=a", portal.cookie(first), portal.cookie(first));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("no session");
    assertThat(same.body()).isEqualTo("no session");
    assertThat(portal.store.calls()).isZero();
    assertThat(read("a", first)).as("each alone still works").isEqualTo("first");
  }

  @Test
  void containerSession_isNeverCreated() throws Exception {
    String sid = sessionWith("a", "b");
    HttpResponse<String> rotated = portal.get("/app/rotate", portal.cookie(sid));
    HttpResponse<String> invalidated = portal.get(
        "/app/invalidate", portal.cookie(portal.sessionCookieValue(rotated).orElseThrow()));

    for (HttpResponse<String> r : List.of(rotated, invalidated)) {
      assertThat(JettyPortal.setCookies(r))
          .noneMatch(c -> c.toUpperCase(java.util.Locale.ROOT).contains("JSESSIONID"));
    }
    assertThat(portal.app.getSessionHandler().getSessionsCreated()).isZero();

    // The control: the same servlet without the filter does make a container session.
    HttpResponse<String> control = portal.get("/raw/set?name=a&value=b");
    assertThat(JettyPortal.setCookies(control)).anyMatch(c -> c.startsWith("JSESSIONID="));
    assertThat(portal.raw.getSessionHandler().getSessionsCreated()).isEqualTo(1);
  }

  @Test
  void cookieAndState_areWrittenBeforeARedirectCommits() throws Exception {
    HttpResponse<String> r = portal.get("/app/redirect");

    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(read("via", portal.sessionCookieValue(r).orElseThrow())).isEqualTo("redirect");
  }

  @Test
  void cookieAndState_areWrittenBeforeAnErrorCommits() throws Exception {
    HttpResponse<String> r = portal.get("/app/error");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(read("via", portal.sessionCookieValue(r).orElseThrow())).isEqualTo("error");
  }

  @Test
  void cookieAndState_areWrittenBeforeALargeBodyOverflowsTheBuffer() throws Exception {
    for (String path : List.of("/app/large-writer", "/app/large-stream")) {
      HttpResponse<String> r = portal.get(path);

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).hasSize(PortalServlet.LARGE_BODY);
      assertThat(read("via", portal.sessionCookieValue(r).orElseThrow()))
          .isEqualTo(path.substring(5));
    }
  }

  @Test
  void cookie_isWrittenBeforeTheDeclaredContentLengthCommits() throws Exception {
    HttpResponse<String> r = portal.get("/app/content-length");

    assertThat(r.body()).isEqualTo("ok");
    assertThat(read("via", portal.sessionCookieValue(r).orElseThrow())).isEqualTo("content-length");
  }

  @Test
  void changesAfterAFlush_areStillSaved() throws Exception {
    HttpResponse<String> r = portal.get("/app/flush-then-set");

    String sid = portal.sessionCookieValue(r).orElseThrow();
    assertThat(read("early", sid)).isEqualTo("yes");
    assertThat(read("late", sid)).isEqualTo("yes");
  }

  @Test
  void newSession_afterCommit_isRefused() throws Exception {
    HttpResponse<String> r = portal.get("/app/new-after-commit");

    assertThat(r.body()).isEqualTo("refused");
    assertThat(JettyPortal.setCookies(r)).isEmpty();
  }

  @Test
  void asyncRequest_writesCookieAndState() throws Exception {
    HttpResponse<String> r = portal.get("/app/async");

    assertThat(r.body()).isEqualTo("async ok");
    assertThat(read("via", portal.sessionCookieValue(r).orElseThrow())).isEqualTo("async");
  }

  @Test
  void parallelRequests_inOneSession_keepEachOthersWrites() throws Exception {
    String sid = sessionWith("start", "yes");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<HttpResponse<String>> a =
          pool.submit(() -> portal.get("/app/parallel?name=a&value=1", portal.cookie(sid)));
      Future<HttpResponse<String>> b =
          pool.submit(() -> portal.get("/app/parallel?name=b&value=2", portal.cookie(sid)));
      assertThat(a.get(30, TimeUnit.SECONDS).body()).isEqualTo("ok");
      assertThat(b.get(30, TimeUnit.SECONDS).body()).isEqualTo("ok");
    } finally {
      pool.shutdownNow();
    }

    assertThat(read("a", sid)).isEqualTo("1");
    assertThat(read("b", sid)).isEqualTo("2");
    assertThat(read("start", sid)).isEqualTo("yes");
  }

  @Test
  void nonPlainAttributeValue_isRefusedAtSetAttribute() throws Exception {
    HttpResponse<String> r = portal.get("/app/bad-value");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("refused");
  }

  @Test
  void portedPortal_usesTheAspNetCookieNameAndIdShape() throws Exception {
    portal.close();
    portal = new JettyPortal(
        SessionConfig.builder()
            .cookie(SessionConfig.defaultCookie("ASP.NET_SessionId"))
            .idFormat(SessionIdFormat.ASPNET)
            .build(),
        servlet);

    HttpResponse<String> r = portal.get("/app/set?name=a&value=b");

    assertThat(JettyPortal.setCookies(r))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .matches("ASP\\.NET_SessionId=[a-z0-5]{24}; Path=/; Secure; HttpOnly; SameSite=Lax");
    assertThat(read("a", portal.sessionCookieValue(r).orElseThrow())).isEqualTo("b");
    assertThat(read("a", "A".repeat(43)))
        .as("a default-format id is malformed here")
        .isEqualTo("no session");
  }
}
