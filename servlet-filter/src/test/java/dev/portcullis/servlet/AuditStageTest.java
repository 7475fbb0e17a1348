package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SearchDemandEvent;
import dev.portcullis.transport.ForwardedHeaders;
import dev.portcullis.transport.TransportConfig;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The audit promises through the real filter on Jetty: identified actions, anonymous searches, failing sinks. */
class AuditStageTest {

  private static boolean actor(AuditEvent e, String handle) {
    return e.actor().map(AuditEvent.Actor::userHandle).orElse("").equals(handle);
  }

  @Test
  void reportView_isAuditedOnce_withUserResourceAndOutcome() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      assertThat(alice.get("/reports/riverside/41").statusCode()).isEqualTo(200);
      assertThat(alice.get("/reports/hillview/42").statusCode()).isEqualTo(403);
      var sink = portal.flushedSink();
      AuditEvent ok = sink.assertOnce(
          AuditEventType.of("report_view"), e -> e.resource().orElse("").equals("41"));
      assertThat(actor(ok, "u-alice")).isTrue();
      assertThat(ok.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
      AuditEvent denied = sink.assertOnce(
          AuditEventType.of("report_view"), e -> e.resource().orElse("").equals("42"));
      assertThat(denied.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(denied.reason()).contains("status 403");
      assertThat(sink.events())
          .filteredOn(e -> e.type().name().equals("report_view"))
          .hasSize(2);
    }
  }

  /**
   * Regression: the audited resource was taken from the lower-cased path, so views of {@code Q3-Report} and
   * {@code q3-report}, two resources on a back end whose ids are case-sensitive, were recorded alike, and neither
   * under the id the application served.
   */
  @Test
  void reportView_isAuditedWithTheResourceIdInItsOwnLetterCase() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      var r = alice.get("/reports/riverside/Q3-Report");
      assertThat(r.body()).isEqualTo("report Q3-Report of riverside");
      assertThat(alice.get("/reports/riverside/q3-report").statusCode()).isEqualTo(200);
      var sink = portal.flushedSink();
      assertThat(sink.events())
          .filteredOn(e -> e.type().name().equals("report_view"))
          .extracting(e -> e.resource().orElse(""))
          .containsExactly("Q3-Report", "q3-report");
    }
  }

  /**
   * Where the application decides access (Spring Security beside the starter), an anonymous visitor of an audited page
   * is sent to the login page with a redirect: nothing was viewed, and the audit says so rather than recording a
   * successful view by nobody.
   */
  @Test
  void anonymousVisitorRedirectedToLogInByTheApplication_isAuditedAsAFailure_notAView()
      throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser anonymous = portal.browser();
      assertThat(anonymous.get("/reports/riverside/41?anonymous-as=redirect").statusCode())
          .isEqualTo(302);
      AuditEvent redirected = portal
          .flushedSink()
          .assertOnce(
              AuditEventType.of("report_view"), e -> e.resource().orElse("").equals("41"));
      assertThat(redirected.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(redirected.reason()).contains("status 302");
      assertThat(redirected.actor()).isEmpty();
    }
  }

  @Test
  void aRedirectAnswersAFormButShowsNoPage() {
    assertThat(AuditStage.answered("GET", 200)).isTrue();
    assertThat(AuditStage.answered("GET", 304)).isTrue();
    assertThat(AuditStage.answered("GET", 302)).isFalse();
    assertThat(AuditStage.answered("HEAD", 303)).isFalse();
    assertThat(AuditStage.answered("POST", 303)).isTrue();
    assertThat(AuditStage.answered("DELETE", 302)).isTrue();
    assertThat(AuditStage.answered("POST", 403)).isFalse();
    assertThat(AuditStage.answered("GET", 404)).isFalse();
  }

  /**
   * The page serves {@code /reports/riverside/41/} as {@code /reports/riverside/41}, as JAX-RS and Javalin do: the view
   * is audited all the same, and refused while the audit log is down, rather than slipping past the action's pattern.
   */
  @Test
  void reportViewWithATrailingSlash_isAuditedLikeWithout_andRefusedWhileTheLogIsDown()
      throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      assertThat(alice.get("/reports/riverside/41/").statusCode()).isEqualTo(200);
      AuditEvent view = portal
          .flushedSink()
          .assertOnce(
              AuditEventType.of("report_view"), e -> e.resource().orElse("").equals("41"));
      assertThat(actor(view, "u-alice")).isTrue();
      assertThat(view.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
    }
    AuditSink broken = event -> {
      throw new IOException("disk full");
    };
    try (LoginPortal portal = new LoginPortal(broken)) {
      Browser b = portal.browser();
      assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      assertThat(portal.audit.flush(Duration.ofSeconds(10))).isFalse();
      assertThat(b.get("/reports/riverside/1/").statusCode()).isEqualTo(503);
    }
  }

  private static HttpResponse<String> send(Browser b, String method, String path)
      throws IOException, InterruptedException {
    return b.send(
        HttpRequest.newBuilder(b.uri(path)).method(method, HttpRequest.BodyPublishers.noBody()));
  }

  /**
   * The servlet answers {@code OPTIONS} with the methods it allows, {@code 200}, without running the page and so
   * without its access check: an {@code OPTIONS} of another organisation's report is no view of it, and nothing is
   * recorded (not even a refusal while the audit log can't write). A {@code HEAD} runs the page as a {@code GET}
   * does, its refusal included, and is recorded like one.
   */
  @Test
  void optionsOfAnAuditedPath_isNoAction_whileHeadAndGetAreRecordedWithThePagesOutcome()
      throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser bob = portal.browser();
      bob.login("bob", "bob-pw", false);
      HttpResponse<String> optionsOther = send(bob, "OPTIONS", "/reports/riverside/41");
      HttpResponse<String> optionsOwn = send(bob, "OPTIONS", "/reports/hillview/42");
      HttpResponse<String> headOther = send(bob, "HEAD", "/reports/riverside/43");
      HttpResponse<String> headOwn = send(bob, "HEAD", "/reports/hillview/44");
      HttpResponse<String> getOwn = bob.get("/reports/hillview/45");

      assertThat(optionsOther.statusCode()).isEqualTo(200);
      assertThat(optionsOther.headers().firstValue("Allow"))
          .hasValueSatisfying(allow -> assertThat(allow).contains("GET", "OPTIONS"));
      assertThat(optionsOwn.statusCode()).isEqualTo(200);
      assertThat(headOther.statusCode()).isEqualTo(403);
      assertThat(headOwn.statusCode()).isEqualTo(200);
      assertThat(getOwn.statusCode()).isEqualTo(200);
      var sink = portal.flushedSink();
      assertThat(sink.events())
          .filteredOn(e -> e.type().name().equals("report_view"))
          .extracting(e -> e.resource().orElse("") + " " + e.outcome())
          .containsExactlyInAnyOrder("43 FAILURE", "44 SUCCESS", "45 SUCCESS");
      assertThat(sink.events()).allMatch(e -> actor(e, "u-bob") || e.actor().isEmpty());
    }
    AuditSink broken = event -> {
      throw new IOException("disk full");
    };
    try (LoginPortal portal = new LoginPortal(broken)) {
      Browser bob = portal.browser();
      assertThat(bob.login("bob", "bob-pw", false).statusCode()).isEqualTo(303);
      assertThat(portal.audit.flush(Duration.ofSeconds(10))).isFalse();
      assertThat(send(bob, "OPTIONS", "/reports/hillview/46").statusCode()).isEqualTo(200);
      assertThat(send(bob, "HEAD", "/reports/hillview/47").statusCode()).isEqualTo(503);
      portal.audit.flush(Duration.ofSeconds(10)); // false: the broken sink keeps failing
      portal.sink.assertOnce(
          AuditEventType.of("report_view"),
          e -> e.resource().orElse("").equals("47")
              && e.reason().orElse("").equals("audit log unavailable"));
      assertThat(portal.sink.events()).noneMatch(e -> e.resource().orElse("").equals("46"));
    }
  }

  /**
   * Only {@code GET} and {@code POST} carry a person's search. An {@code OPTIONS} of the search page runs no search;
   * a {@code HEAD} runs it but shows nobody the results (link checkers and monitors send them): neither is counted.
   */
  @Test
  void optionsAndHeadOfTheSearchPage_areNoSearch_getAndPostAre() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      assertThat(send(alice, "OPTIONS", "/search?q=options+probe").statusCode()).isEqualTo(200);
      assertThat(send(alice, "HEAD", "/search?q=head+probe").statusCode()).isEqualTo(200);
      assertThat(alice.get("/search?q=care+homes").statusCode()).isEqualTo(200);
      assertThat(alice
              .post("/search", Map.of("q", "day care", "_csrf", alice.pageCsrf()))
              .statusCode())
          .isEqualTo(200);
      portal.clock.advance(Duration.ofHours(1));
      portal.flushedSink();
      assertThat(portal.demand.events())
          .extracting(SearchDemandEvent::terms)
          .containsExactlyInAnyOrder("care homes", "day care");
      assertThat(portal.demand.events()).allMatch(e -> e.searches() == 1);
    }
  }

  /**
   * Regression: a {@code ?} or {@code #} sent percent-encoded in a report id ({@code 41%3Fdraft}) reached the audit
   * decoded, and the event cut the resource there as if it were a query string, so the view of report {@code
   * 41?draft} that the application answered was recorded as a view of report {@code 41}.
   */
  @Test
  void encodedQuestionMarkOrHashInAResourceId_isRecordedAsSent_notCutToAnotherId()
      throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      HttpResponse<String> question = alice.get("/reports/riverside/41%3Fdraft");
      HttpResponse<String> hash = alice.get("/reports/riverside/41%23draft");

      assertThat(question.statusCode()).isEqualTo(200);
      assertThat(question.body()).isEqualTo("report 41%3Fdraft of riverside");
      assertThat(hash.statusCode()).isEqualTo(200);
      var sink = portal.flushedSink();
      assertThat(sink.events())
          .filteredOn(e -> e.type().name().equals("report_view"))
          .extracting(e -> e.resource().orElse(""))
          .containsExactly("41%3Fdraft", "41%23draft");
    }
  }

  /**
   * Regression: a resource id longer than an event keeps (1,024 characters) was cut without a trace, so the record
   * read as a view of a shorter id that nobody asked for. The cut is marked, with the length sent.
   */
  @Test
  void overlongResourceId_isRecordedCut_withTheCutVisible() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      String id = "r".repeat(1500);
      assertThat(alice.get("/reports/riverside/" + id).statusCode()).isEqualTo(200);

      AuditEvent view = portal.flushedSink().assertOnce(AuditEventType.of("report_view"));
      String resource = view.resource().orElseThrow();
      assertThat(resource).hasSizeLessThanOrEqualTo(1024).startsWith("r".repeat(900));
      assertThat(resource).endsWith("[cut from 1500 characters]");
    }
  }

  /**
   * Regression: where the application decides access, a request whose path the filter refuses to read (path
   * parameters such as {@code ;jsessionid=}, which the container strips before the application sees the path, or more
   * than 2,048 characters) matched no audit rule and went on to the application: report 41 was served and no
   * {@code report_view} written. It is refused with {@code 400}, as the access stage refuses it, and recorded.
   */
  @Test
  void auditedPathTheFilterCannotRead_isRefused_notServedUnaudited() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);

      HttpResponse<String> withParameter = alice.get("/reports/riverside/41;jsessionid=x");
      HttpResponse<String> overlong = alice.get("/reports/riverside/" + "r".repeat(3000));

      assertThat(withParameter.statusCode()).isEqualTo(400);
      assertThat(withParameter.body()).doesNotContain("report 41");
      assertThat(overlong.statusCode()).isEqualTo(400);
      var sink = portal.flushedSink();
      assertThat(sink.events())
          .filteredOn(e -> e.type().name().equals("access_denied"))
          .hasSize(2)
          .allSatisfy(e -> {
            assertThat(e.reason()).contains("ambiguous or malformed path");
            assertThat(e.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
          });
      assertThat(alice.get("/reports/riverside/41").statusCode()).isEqualTo(200);
    }
  }

  /**
   * Regression: once the audit log was closed (an application stopping it, or the filter's own at shutdown, while the
   * server still takes requests), it still reported itself healthy, so an audited action ran and was answered while
   * its event was refused by the closed log and lost. It is refused with {@code 503} like any action the log can't
   * record, and the rest of the portal goes on.
   */
  @Test
  void auditedAction_afterTheAuditLogIsClosed_isRefusedWith503_notServedUnaudited()
      throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      assertThat(alice.get("/reports/riverside/41").statusCode()).isEqualTo(200);
      portal.flushedSink();
      portal.audit.close();

      HttpResponse<String> afterClose = alice.get("/reports/riverside/42");

      assertThat(afterClose.statusCode()).isEqualTo(503);
      assertThat(afterClose.body()).doesNotContain("report 42");
      assertThat(alice.get("/whoami").body()).startsWith("u-alice");
      assertThat(portal.sink.events())
          .filteredOn(e -> e.type().name().equals("report_view"))
          .extracting(e -> e.resource().orElse(""))
          .containsExactly("41");
    }
  }

  @Test
  void refusalAnsweredAs404_isStillAuditedAsADenial_withTheApplicationsReason() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      HttpResponse<String> refused = alice.get("/reports/hillview/43?refuse-as=404");
      HttpResponse<String> ownReport = alice.get("/reports/riverside/44?refuse-as=404");

      assertThat(refused.statusCode()).isEqualTo(404);
      assertThat(ownReport.statusCode()).isEqualTo(200);
      var sink = portal.flushedSink();
      AuditEvent denied = sink.assertOnce(
          AuditEventType.of("report_view"), e -> e.resource().orElse("").equals("43"));
      assertThat(denied.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(denied.reason()).contains("denied: another organisation");
      assertThat(sink.assertOnce(
                  AuditEventType.of("report_view"), e -> e.resource().orElse("").equals("44"))
              .outcome())
          .isEqualTo(AuditEvent.Outcome.SUCCESS);
    }
  }

  @Test
  void forwardedForWithALeadingZero_isReadAlikeByProxyAndAudit_soNoServedRequestLosesItsAddress()
      throws Exception {
    try (LoginPortal portal =
        new LoginPortal((p, filter) -> filter.transport(TransportConfig.builder()
            .canonicalHost("127.0.0.1")
            .trustedProxies("127.0.0.0/8")
            .build()))) {
      Browser b = portal.browser();
      HttpResponse<String> plain = b.send(HttpRequest.newBuilder(b.uri("/reports/riverside/7"))
          .headers("X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.9"));
      // 010.0.0.1 is 10.0.0.1 to some readers and 8.0.0.1 to others: the proxy handling refuses the
      // hop, so the request counts as the proxy's own (plain HTTP) and is redirected, exactly as
      // the audit would refuse it.
      HttpResponse<String> octal = b.send(HttpRequest.newBuilder(b.uri("/reports/riverside/8"))
          .headers("X-Forwarded-Proto", "https", "X-Forwarded-For", "010.0.0.1"));

      assertThat(plain.statusCode()).isEqualTo(401);
      assertThat(octal.statusCode()).isEqualTo(308);
      var sink = portal.flushedSink();
      AuditEvent seven = sink.assertOnce(
          AuditEventType.of("report_view"), e -> e.resource().orElse("").equals("7"));
      assertThat(seven.clientAddress()).contains("203.0.113.9");
      assertThat(sink.events()).noneMatch(e -> e.resource().orElse("").equals("8"));
      assertThat(sink.events())
          .as("every event carries the address it was served for")
          .allMatch(e -> e.clientAddress().isPresent());
    }
  }

  /** A portal behind a trusted proxy on loopback (development mode, so the proxy's own plain requests pass). */
  private static LoginPortal proxiedPortal(ForwardedHeaders read) throws Exception {
    return new LoginPortal((p, filter) -> {
      TransportConfig.Builder t =
          TransportConfig.builder().developmentMode(true).trustedProxies("127.0.0.0/8");
      if (read != null) {
        t.forwardedHeaders(read);
      }
      filter.transport(t.build());
    });
  }

  /** alice's login with a wrong password, from the login page {@code b} opened, as the proxy forwards it. */
  private static HttpResponse<String> failedLogin(Browser b, String... forwarding)
      throws IOException, InterruptedException {
    b.openLoginPage();
    String form = "username=alice&password=wrong-pw&_csrf=" + b.csrf;
    return b.send(HttpRequest.newBuilder(b.uri("/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .headers(forwarding)
        .POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  /** The client addresses of the failed logins the audit log recorded, in order. */
  private static java.util.List<String> failedLoginAddresses(LoginPortal portal)
      throws InterruptedException {
    return portal.flushedSink().events().stream()
        .filter(e -> e.type().equals(AuditEventType.AUTHN_LOGIN_FAIL))
        .map(e -> e.clientAddress().orElse("none"))
        .toList();
  }

  @Test
  void xForwardedOnly_aClientsOwnForwardedIsIgnored_theLoginIsAuditedForTheXForwardedForAddress()
      throws Exception {
    try (LoginPortal portal = proxiedPortal(ForwardedHeaders.X_FORWARDED)) {
      Browser b = portal.browser();
      HttpResponse<String> proxied = failedLogin(
          b,
          "X-Forwarded-For",
          "203.0.113.9",
          "X-Forwarded-Proto",
          "https",
          "Forwarded",
          "for=198.51.100.1;proto=https");
      // Forwarded alone is not the proxy's word: the request is the proxy's own (plain HTTP from
      // loopback, which development mode serves), never the client's claimed 198.51.100.1.
      HttpResponse<String> forwardedAlone =
          failedLogin(b, "Forwarded", "for=198.51.100.1;proto=https");

      assertThat(proxied.headers().firstValue("Location")).hasValue("/login?error=1");
      assertThat(forwardedAlone.headers().firstValue("Location")).hasValue("/login?error=1");
      assertThat(failedLoginAddresses(portal)).containsExactly("203.0.113.9", "127.0.0.1");
      portal.flushedSink().assertNone(AuditEventType.FORWARDED_HEADERS_CONFLICT);
    }
  }

  @Test
  void forwardedOnly_aClientsOwnXForwardedForIsIgnored_theLoginIsAuditedForTheForwardedAddress()
      throws Exception {
    try (LoginPortal portal = proxiedPortal(ForwardedHeaders.FORWARDED)) {
      Browser b = portal.browser();
      HttpResponse<String> proxied = failedLogin(
          b,
          "Forwarded",
          "for=\"[2001:db8::7]:4711\";proto=https",
          "X-Forwarded-For",
          "203.0.113.9",
          "X-Forwarded-Proto",
          "https");
      HttpResponse<String> xForwardedAlone =
          failedLogin(b, "X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https");

      assertThat(proxied.headers().firstValue("Location")).hasValue("/login?error=1");
      assertThat(xForwardedAlone.headers().firstValue("Location")).hasValue("/login?error=1");
      assertThat(failedLoginAddresses(portal)).containsExactly("2001:db8::7", "127.0.0.1");
      portal.flushedSink().assertNone(AuditEventType.FORWARDED_HEADERS_CONFLICT);
    }
  }

  /**
   * Regression: with both kinds read (the default), a trusted proxy's request whose {@code Forwarded} and {@code
   * X-Forwarded-For} named different clients was served as the proxy's own without a trace in the audit log.
   */
  @Test
  void forwardedAndXForwardedThatDisagree_writeOneConflictEvent_namingBothAddresses_noCredential()
      throws Exception {
    try (LoginPortal portal = proxiedPortal(null)) {
      Browser b = portal.browser();
      HttpResponse<String> disagreeing = failedLogin(
          b,
          "X-Forwarded-For",
          "203.0.113.9",
          "X-Forwarded-Proto",
          "https",
          "Forwarded",
          "for=198.51.100.1;proto=https");
      HttpResponse<String> agreeing = failedLogin(
          b,
          "X-Forwarded-For",
          "203.0.113.9",
          "X-Forwarded-Proto",
          "https",
          "Forwarded",
          "for=203.0.113.9;proto=https");

      assertThat(disagreeing.headers().firstValue("Location")).hasValue("/login?error=1");
      assertThat(agreeing.headers().firstValue("Location")).hasValue("/login?error=1");
      assertThat(failedLoginAddresses(portal))
          .as("the disagreeing request counts as the proxy's own, the agreeing one as the client's")
          .containsExactly("127.0.0.1", "203.0.113.9");
      var sink = portal.flushedSink();
      AuditEvent conflict = sink.assertOnce(AuditEventType.FORWARDED_HEADERS_CONFLICT);
      assertThat(conflict.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(conflict.clientAddress()).contains("127.0.0.1");
      assertThat(conflict.actor()).isEmpty();
      assertThat(conflict.reason().orElseThrow())
          .contains("Forwarded gives 198.51.100.1 over https")
          .contains("X-Forwarded-* gives 203.0.113.9 over https")
          .doesNotContain("wrong-pw")
          .doesNotContain(b.csrf);
      for (String cookie : b.cookies().values()) {
        assertThat(conflict.reason().orElseThrow()).doesNotContain(cookie);
      }
    }
  }

  @Test
  void sessionLifecycle_andLogin_eachAppearOnce() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser b = portal.browser();
      b.login("bob", "bob-pw", false);
      b.logout();
      var sink = portal.flushedSink();
      // The login page makes no session: the login makes bob's, audited as created with him as the
      // actor. No anonymous session was ever written to the audit log (an anonymous flood must not
      // fill it).
      sink.assertOnce(AuditEventType.SESSION_CREATED, e -> actor(e, "u-bob"));
      sink.assertNone(AuditEventType.SESSION_RENEWED);
      sink.assertOnce(AuditEventType.AUTHN_LOGIN_SUCCESS, e -> actor(e, "u-bob"));
      sink.assertOnce(AuditEventType.LOGOUT, e -> actor(e, "u-bob"));
    }
  }

  @Test
  void searchByALoggedInUser_leavesNoTraceOfTheUser_inTheDemandLog() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      String q = "Alice Adams alice@riverside.example 07700 900123 u-alice day care";
      assertThat(alice
              .get("/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8))
              .statusCode())
          .isEqualTo(200);
      portal.clock.advance(Duration.ofHours(1)); // searches are published when their hour closes
      portal.flushedSink();
      SearchDemandEvent event = portal.demand.assertOnce(e -> e.endpoint().equals("/search"));
      assertThat(event.searches()).isEqualTo(1);
      assertThat(event.withoutResults()).isZero();
      String recorded = event.toString() + event.terms();
      for (String trace : new String[] {
        "alice@riverside.example",
        "07700",
        "900123",
        "127.0.0.1",
        alice.cookies().get(dev.portcullis.session.SessionConfig.DEFAULT_COOKIE_NAME)
      }) {
        assertThat(recorded).doesNotContain(trace);
      }
      assertThat(event.terms()).contains("day care");
      // The identified log has no search event: demand is counted anonymously only.
      assertThat(portal.sink.events())
          .noneMatch(e -> e.resource().orElse("").startsWith("/search")
              && !e.type().equals(AuditEventType.SESSION_CREATED));
    }
  }

  @Test
  void queryWithLineBreaksAndEscapes_becomesOneNormalisedEvent() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser b = portal.browser();
      String q = "care\r\nhomes\u001b[31m fake=entry";
      b.get("/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
      portal.clock.advance(Duration.ofHours(1));
      portal.flushedSink();
      SearchDemandEvent e = portal.demand.assertOnce(x -> true);
      assertThat(e.terms()).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u001b");
    }
  }

  @Test
  void
      sinkThatThrows_loginLogoutAndUnauditedPagesStillWork_auditedActionsAre503_andTheFailureIsCounted()
          throws Exception {
    AtomicInteger calls = new AtomicInteger();
    AuditSink broken = event -> {
      calls.incrementAndGet();
      throw new IOException("disk full");
    };
    LoginPortal portal = new LoginPortal(broken);
    try (portal) {
      Browser b = portal.browser();
      assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      assertThat(portal.audit.flush(Duration.ofSeconds(10))).isFalse();
      assertThat(b.get("/reports/riverside/1").statusCode()).isEqualTo(503);
      assertThat(b.get("/other-page").statusCode()).isEqualTo(200);
      assertThat(b.logout().statusCode()).isEqualTo(303);
      assertThat(b.whoami()).isEqualTo("anonymous");
      portal.flushedSink().assertOnce(AuditEventType.LOGOUT);
      portal.sink.assertOnce(
          AuditEventType.of("report_view"),
          e -> e.reason().orElse("").equals("audit log unavailable"));
      assertThat(calls.get()).isPositive();
    }
    // Each call threw once (the retries too); compared once the dispatcher has stopped.
    assertThat(portal.audit.stats().sinkFailures()).isEqualTo(calls.get());
  }

  @Test
  void loginWithControlCharactersInTheUsername_isOneFailedEvent() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser b = portal.browser();
      b.openLoginPage();
      b.post(
          "/login",
          Map.of(
              "username",
              "alice\r\n{\"type\":\"authn_login_success\"}",
              "password",
              "x",
              "_csrf",
              b.csrf));
      var sink = portal.flushedSink();
      sink.assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
      sink.assertNone(AuditEventType.AUTHN_LOGIN_SUCCESS);
    }
  }
}
