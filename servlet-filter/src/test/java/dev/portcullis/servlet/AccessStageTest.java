package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.transport.TransportConfig;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The access stage on real Jetty. Logged-in users come from {@link HeaderLoginStage}, standing in for the
 * authentication stage, in a pipeline assembled like the builder's: transport, (login), access.
 */
class AccessStageTest {
  static final AccessPolicy POLICY = AccessPolicy.builder()
      .permitAll("/", "/login", "/public/**")
      .requireAnyRole("/admin/**", "ADMIN")
      .requireAnyRole("/council", "COUNCIL_OFFICER")
      .requireAnyRole("/cases/*", "CASEWORKER")
      .authenticated("/reports/**")
      .build();

  private final SecretServlet servlet = new SecretServlet();
  private final dev.portcullis.testing.MutableClock clock =
      dev.portcullis.testing.MutableClock.startingAt2026();
  private final dev.portcullis.testing.RecordingAuditSink sink =
      new dev.portcullis.testing.RecordingAuditSink();
  private final dev.portcullis.audit.AuditLog audit = dev.portcullis.audit.AuditLog.builder()
      .clock(clock)
      .random(new java.security.SecureRandom())
      .auditSink(sink)
      .build();
  private SecuredPortal portal;

  @BeforeEach
  void start() throws Exception {
    portal = new SecuredPortal(
        ports -> new PortcullisFilter(List.of(
            new TransportStage(TransportConfig.builder().developmentMode(true).build()),
            new HeaderLoginStage(),
            new AccessStage(POLICY, "/login", new AuditTrail(audit)))),
        servlet,
        false,
        SecuredPortal.Uris.JETTY_DEFAULT);
  }

  @AfterEach
  void stop() throws Exception {
    portal.close();
    audit.close();
  }

  @Test
  void refusals_areAuditedOnceEach_asAccessDenied() throws Exception {
    assertThat(get("/app/admin/x", HeaderLoginStage.HEADER, "PROVIDER").statusCode())
        .isEqualTo(403);
    // Jetty passes an encoded trailing space; Portcullis refuses the segment (Windows back ends
    // drop it).
    assertThat(get("/app/admin%20").statusCode()).isEqualTo(400);
    assertThat(get("/app/reports/1").statusCode())
        .as("login required is not a denial")
        .isEqualTo(303);
    audit.flush(java.time.Duration.ofSeconds(10));
    sink.assertOnce(
        dev.portcullis.audit.AuditEventType.ACCESS_DENIED,
        e -> e.reason().orElse("").equals("missing role for this path"));
    sink.assertOnce(
        dev.portcullis.audit.AuditEventType.ACCESS_DENIED,
        e -> e.reason().orElse("").equals("ambiguous or malformed path"));
    assertThat(sink.events()).hasSize(2);
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    return portal.get(portal.http(path), headers);
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return portal.send(HttpRequest.newBuilder(portal.http(path))
        .method(
            method,
            method.equals("HEAD")
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString("a=b")));
  }

  private static String loginFor(String target) {
    return "/app/login?returnTo=" + URLEncoder.encode(target, StandardCharsets.UTF_8);
  }

  @Test
  void publicPages_passAnonymously() throws Exception {
    for (String path : List.of("/app/", "/app/login", "/app/public/info", "/app/PUBLIC/info")) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.body()).as(path).isEqualTo("public page");
    }
  }

  @Test
  void protectedGet_anonymously_isSentToLoginWithTheEncodedPathAndQuery() throws Exception {
    HttpResponse<String> r = get("/app/reports/1?year=2026&q=a%20b");

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location"))
        .contains(loginFor("/reports/1?year=2026&q=a%20b"));
    assertThat(r.headers().firstValue("Location").orElseThrow())
        .isEqualTo("/app/login?returnTo=%2Freports%2F1%3Fyear%3D2026%26q%3Da%2520b");
    assertThat(r.body()).doesNotContain(SecretServlet.MARKER);
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void protectedHead_anonymously_isSentToLoginToo() throws Exception {
    HttpResponse<String> r = send("HEAD", "/app/reports/1");

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).contains(loginFor("/reports/1"));
  }

  @Test
  void unlistedPath_needsALogin() throws Exception {
    HttpResponse<String> r = get("/app/unlisted/page");

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).contains(loginFor("/unlisted/page"));
    assertThat(get("/app/unlisted/page", HeaderLoginStage.HEADER, "").statusCode())
        .as("any logged-in user")
        .isEqualTo(200);
  }

  @Test
  void protectedPost_anonymously_gets401WithAGenericBodyAndNoRedirect() throws Exception {
    for (String method : List.of("POST", "PUT", "DELETE")) {
      HttpResponse<String> r = send(method, "/app/reports/1?next=%3Cscript%3E");
      assertThat(r.statusCode()).as(method).isEqualTo(401);
      assertThat(r.body()).as(method).isEqualTo("Please log in first.\n");
      assertThat(r.headers().firstValue("Location")).as(method).isEmpty();
    }
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void loggedInUserWithoutTheRole_gets403_withTheRoleGets200() throws Exception {
    HttpResponse<String> provider = get("/app/admin/users", HeaderLoginStage.HEADER, "PROVIDER");
    HttpResponse<String> admin =
        get("/app/admin/users", HeaderLoginStage.HEADER, "PROVIDER, ADMIN");
    HttpResponse<String> reports = get("/app/reports/1", HeaderLoginStage.HEADER, "PROVIDER");

    assertThat(provider.statusCode()).isEqualTo(403);
    assertThat(provider.body()).isEqualTo("You do not have access to this page.\n");
    assertThat(provider.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(admin.statusCode()).isEqualTo(200);
    assertThat(admin.body()).isEqualTo(SecretServlet.MARKER);
    assertThat(reports.body())
        .as("the marker the corpus looks for does appear when access is right")
        .isEqualTo(SecretServlet.MARKER);
  }

  /**
   * Jetty serves {@code /app/council/} to the same servlet as {@code /app/council}, as JAX-RS and Javalin serve both
   * alike: a trailing slash must not take a user without the role past an exact or one-segment rule.
   */
  @Test
  void trailingSlash_doesNotGetPastAnExactOrOneSegmentRule() throws Exception {
    for (String path : List.of("/app/council", "/app/council/", "/app/cases/7", "/app/cases/7/")) {
      HttpResponse<String> r = get(path, HeaderLoginStage.HEADER, "PROVIDER");
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.body()).as(path).isEqualTo("You do not have access to this page.\n");
    }
    assertThat(servlet.calls).as("no refused request reached the page").hasValue(0);
    assertThat(get("/app/council/", HeaderLoginStage.HEADER, "COUNCIL_OFFICER").statusCode())
        .isEqualTo(200);
    assertThat(get("/app/cases/7/", HeaderLoginStage.HEADER, "CASEWORKER").statusCode())
        .isEqualTo(200);
    assertThat(servlet.calls).hasValue(2);
  }

  @Test
  void ambiguousPath_gets400WithAGenericBody_evenWhenLoggedIn() throws Exception {
    for (String path :
        List.of("/app/reports/1.", "/app/reports%20/1", "/app/REPORTS%3bx=%3Cb%3E/1")) {
      for (String roles : new String[] {null, "ADMIN"}) {
        HttpResponse<String> r =
            roles == null ? get(path) : get(path, HeaderLoginStage.HEADER, roles);
        assertThat(r.statusCode()).as(path).isEqualTo(400);
        assertThat(r.body()).as(path).isEqualTo("Bad request.\n");
      }
    }
    assertThat(servlet.calls).hasValue(0);
  }

  /** The method is upper-cased once for every stage: "get" is GET to the access stage, as it is to the others. */
  @Test
  void lowerCaseGet_isSentToTheLoginPageLikeGet_andLowerCasePost_getsA401LikePost()
      throws Exception {
    SecuredPortal.RawResponse get = portal.raw("get", "/app/reports/1");
    assertThat(get.status()).isEqualTo(303);
    assertThat(get.headers().get("location")).startsWith("/app/login?returnTo=");
    assertThat(portal.raw("post", "/app/reports/1", "Content-Length: 0").status())
        .isEqualTo(401);
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void contextPathSentEncoded_isRefused() throws Exception {
    SecuredPortal.RawResponse r = portal.raw("GET", "/%61pp/public/info");

    assertThat(r.status()).isIn(400, 404);
    assertThat(r.body()).doesNotContain("public page");
  }

  @Test
  void targetTheLoginHandlerWouldNotFollow_isNotCarriedInReturnTo() throws Exception {
    HttpResponse<String> longQuery = get("/app/reports/1?q=" + "a".repeat(1100));

    assertThat(longQuery.statusCode()).isEqualTo(303);
    assertThat(longQuery.headers().firstValue("Location")).contains("/app/login");
    assertThat(get("/app/reports/1?q=" + "a".repeat(900))
            .headers()
            .firstValue("Location")
            .orElseThrow())
        .startsWith("/app/login?returnTo=%2Freports%2F1%3Fq%3Daaa");
  }
}
