package dev.portcullis.examples.javalin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The notes portal over HTTP on loopback: an editor adds a note, a reader sees it but may not add one; the terms of use
 * are open to everyone, and a user who accepted older ones accepts the current ones there.
 */
class NotesPortalTest {
  private static final Pattern TOKEN =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");

  private final RecordingAuditSink sink = new RecordingAuditSink();
  private Portcullis portcullis;
  private Javalin app;
  private String base;

  @BeforeEach
  void start() {
    portcullis = builder(
            keys(),
            new InMemoryUserDirectory(PasswordHasher.forTests())
                .add("editor", "pw-e".toCharArray(), NotesPortal.user("u-e", "Edith <E>", "EDITOR"))
                .add("reader", "pw-r".toCharArray(), NotesPortal.user("u-r", "Reggie", "READER"))
                .add(
                    "newcomer",
                    "pw-n".toCharArray(),
                    new PortalUser(
                        "u-n", "Nia", "nia@notes.example", Set.of("READER"), "demo", true, "")),
            NotesPortal.TERMS)
        .auditSink(sink)
        .build();
    app = NotesPortal.create(portcullis).start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
  }

  @AfterEach
  void stop() {
    app.stop();
    portcullis.close();
  }

  @Test
  void anEditorAddsANote_aReaderSeesItButMayNotAddOne_andBothLogOut() throws Exception {
    TestBrowser editor = logIn("editor", "pw-e");
    HttpResponse<String> home = editor.get("/");
    assertThat(home.body()).contains("Hello Edith &lt;E&gt;").contains("action=\"/notes\"");
    HttpResponse<String> added =
        editor.post("/notes", Map.of("text", "<b>bins</b> on Tuesday", "_csrf", token(home)));
    assertThat(added.statusCode()).isEqualTo(303);
    assertThat(editor.get("/").body()).contains("<li>&lt;b&gt;bins&lt;/b&gt; on Tuesday</li>");
    // Regression: the pages came as "text/html" with no charset, so a browser guessed the encoding
    // of a page that
    // holds what editors wrote; a guessed ISO-2022-JP reads this note's escape sequence as a switch
    // of character set.
    editor.post("/notes", Map.of("text", "caf\u00e9 \u001b$B", "_csrf", token(editor.get("/"))));
    HttpResponse<String> withNotes = editor.get("/");
    assertThat(withNotes.body()).contains("caf\u00e9 \u001b$B");
    for (HttpResponse<String> page : List.of(
        withNotes,
        editor.get("/terms"),
        editor.get("/no-such-page"),
        new TestBrowser(base).get("/login"))) {
      assertThat(page.headers().firstValue("Content-Type"))
          .as(page.uri().getPath())
          .hasValueSatisfying(type -> assertThat(type.toLowerCase(Locale.ROOT).replace(" ", ""))
              .isEqualTo("text/html;charset=utf-8"));
    }

    TestBrowser reader = logIn("reader", "pw-r");
    HttpResponse<String> readerHome = reader.get("/");
    assertThat(readerHome.body()).contains("bins").doesNotContain("action=\"/notes\"");
    assertThat(reader
            .post("/notes", Map.of("text", "mine", "_csrf", token(readerHome)))
            .statusCode())
        .isEqualTo(403);
    assertThat(editor.post("/notes", Map.of("text", "no token")).statusCode()).isEqualTo(403);
    assertThat(editor.get("/").body()).doesNotContain("mine").doesNotContain("no token");

    assertThat(editor.post("/logout", Map.of("_csrf", token(editor.get("/")))).statusCode())
        .isEqualTo(303);
    assertThat(editor.get("/").statusCode()).isEqualTo(303);

    portcullis.audit().flush(Duration.ofSeconds(10));
    sink.assertOnce(AuditEventType.LOGOUT);
    sink.assertOnce(AuditEventType.CSRF_FAIL);
    // Regression: adding a note, the portal's one action, left no trace in the audit log.
    AuditEventType noteAdd = AuditEventType.of("note_add");
    assertThat(sink.events().stream()
            .filter(e -> e.type().equals(noteAdd))
            .map(e -> e.actor().orElseThrow().userHandle() + " " + e.outcome()))
        .containsExactlyInAnyOrder("u-e SUCCESS", "u-e SUCCESS", "u-r FAILURE");
  }

  /** A user who has not accepted the current terms logs in by ticking the login form's box, and not without it. */
  @Test
  void aUserWhoHasNotAcceptedTheTerms_logsInByAcceptingThemOnTheLoginForm() throws Exception {
    TestBrowser browser = new TestBrowser(base);
    HttpResponse<String> page = browser.get("/login");
    assertThat(page.body()).contains("name=\"acceptTerms\" value=\"yes\"");

    HttpResponse<String> unticked = browser.post(
        "/login", Map.of("username", "newcomer", "password", "pw-n", "_csrf", token(page)));
    assertThat(unticked.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).contains("error=1"));

    page = browser.get("/login");
    HttpResponse<String> ticked = browser.post(
        "/login",
        Map.of(
            "username",
            "newcomer",
            "password",
            "pw-n",
            "acceptTerms",
            "yes",
            "_csrf",
            token(page)));
    assertThat(ticked.headers().firstValue("Location")).hasValue("/");
    assertThat(browser.get("/").body()).contains("Hello Nia");
  }

  /** A visitor sent to the login page from a page of the portal is taken back there after logging in. */
  @Test
  void aVisitorSentToLogIn_returnsToThePageAskedFor() throws Exception {
    TestBrowser browser = new TestBrowser(base);
    HttpResponse<String> asked = browser.get("/?view=mine");
    String loginPage = asked.headers().firstValue("Location").orElseThrow();
    assertThat(loginPage).startsWith("/login?returnTo=");

    HttpResponse<String> page = browser.get(loginPage);
    Matcher returnTo = Pattern.compile("name=\"returnTo\" value=\"([^\"]*)\"").matcher(page.body());
    assertThat(returnTo.find()).as("the form carries returnTo").isTrue();
    HttpResponse<String> login = browser.post(
        "/login",
        Map.of(
            "username",
            "editor",
            "password",
            "pw-e",
            "returnTo",
            returnTo.group(1),
            "_csrf",
            token(page)));

    assertThat(login.headers().firstValue("Location")).hasValue("/?view=mine");
  }

  @Test
  void anAnonymousVisitorReadsTheTermsOfUse_linkedFromTheLoginForm() throws Exception {
    TestBrowser browser = new TestBrowser(base);
    HttpResponse<String> terms = browser.get("/terms");
    assertThat(terms.statusCode()).isEqualTo(200);
    assertThat(terms.body())
        .contains(
            "<h1>Terms of use</h1>", "Version " + NotesPortal.TERMS + ".", "<li>Keep your password")
        .doesNotContain("acceptTerms");

    assertThat(browser.get("/login").body()).contains("<a href=\"/terms\">terms of use</a>");
  }

  /**
   * The terms change while a user is logged in: the portal is deployed again with the current version, sharing the
   * key ring and the session and revocation stores with the one before, and the user who accepted the older terms is
   * held at the terms page until accepting the current ones there.
   */
  @Test
  void aUserWhoAcceptedOlderTerms_isHeldAtTheTermsPage_untilAcceptingTheCurrentOnesThere()
      throws Exception {
    String olderTerms = "2025-06";
    InMemoryUserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests())
        .add(
            "olu",
            "pw-o".toCharArray(),
            new PortalUser(
                "u-o", "Olu", "olu@notes.example", Set.of("READER"), "demo", true, olderTerms));
    KeyRing keys = keys();
    SessionStore sessions = CaffeineSessionStore.builder(
            SessionConfig.defaults(), Clock.systemUTC())
        .build();
    RevocationStore revocations = RevocationStore.inMemory(Clock.systemUTC());

    Javalin before = NotesPortal.create(builder(keys, users, olderTerms)
            .sessionStore(sessions)
            .revocations(revocations)
            .build())
        .start("127.0.0.1", 0);
    TestBrowser browser = new TestBrowser("http://127.0.0.1:" + before.port());
    try {
      HttpResponse<String> page = browser.get("/login");
      HttpResponse<String> login = browser.post(
          "/login", Map.of("username", "olu", "password", "pw-o", "_csrf", token(page)));
      assertThat(login.headers().firstValue("Location")).hasValue("/");
    } finally {
      before.stop();
    }

    Javalin after = NotesPortal.create(builder(keys, users, NotesPortal.TERMS)
            .sessionStore(sessions)
            .revocations(revocations)
            .build())
        .start("127.0.0.1", 0);
    try {
      browser = browser.on("http://127.0.0.1:" + after.port());
      HttpResponse<String> home = browser.get("/");
      assertThat(home.statusCode()).isEqualTo(303);
      assertThat(home.headers().firstValue("Location")).hasValue("/terms");

      HttpResponse<String> terms = browser.get("/terms");
      assertThat(terms.statusCode()).isEqualTo(200);
      assertThat(terms.body())
          .contains(
              "Version " + NotesPortal.TERMS + ".",
              "<form method=\"post\" action=\"/terms\">",
              "name=\"acceptTerms\" value=\"yes\"");
      HttpResponse<String> accepted =
          browser.post("/terms", Map.of("acceptTerms", "yes", "_csrf", token(terms)));
      assertThat(accepted.statusCode()).isEqualTo(303);
      assertThat(accepted.headers().firstValue("Location")).hasValue("/");

      assertThat(browser.get("/").body()).contains("Hello Olu");
      assertThat(users.findByHandle("u-o").orElseThrow().acceptedTermsVersion())
          .isEqualTo(NotesPortal.TERMS);
      assertThat(browser.get("/terms").body()).doesNotContain("acceptTerms");
      HttpResponse<String> again =
          browser.post("/terms", Map.of("acceptTerms", "yes", "_csrf", token(terms)));
      assertThat(again.headers().firstValue("Location"))
          .as("a second acceptance has nothing left to accept")
          .hasValue("/");
    } finally {
      after.stop();
    }
  }

  /**
   * A page that does not exist gets the portal's own plain {@code 404}, whatever the method and the {@code Accept}
   * header: Javalin's default names the method and path it could not route ("Endpoint GET /... not found"), which
   * puts request data into the answer.
   */
  @Test
  void anUnknownPage_getsAGenericNotFound_thatEchoesNothingOfTheRequest() throws Exception {
    TestBrowser reader = logIn("reader", "pw-r");
    String path = "/no-such-page-q7x";

    HttpResponse<String> get = reader.get(path + "?term=%3Cb%3Ezz9%3C%2Fb%3E");
    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(get.body()).isEqualTo(NotesPortal.NOT_FOUND_PAGE);
    assertThat(get.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));

    HttpResponse<String> json =
        reader.send(HttpRequest.newBuilder(reader.uri(path)).header("Accept", "application/json"));
    assertThat(json.statusCode()).isEqualTo(404);
    assertThat(json.body()).isEqualTo(NotesPortal.NOT_FOUND_PAGE);

    HttpResponse<String> post =
        reader.post(path, Map.of("text", "x", "_csrf", token(reader.get("/"))));
    assertThat(post.statusCode()).isEqualTo(404);
    assertThat(post.body()).isEqualTo(NotesPortal.NOT_FOUND_PAGE);

    for (HttpResponse<String> answer : List.of(get, json, post)) {
      assertThat(answer.body())
          .doesNotContain("no-such-page")
          .doesNotContain("zz9")
          .doesNotContain("GET")
          .doesNotContain("POST");
    }
  }

  /**
   * Regression: a request Jetty refuses before any route or filter runs (an encoded dot segment, {@code /%2e%2e/login},
   * or a bad {@code Host} header) got Jetty's default error page, which names Jetty and its version. The portal answers
   * its own plain page, the same for every such request.
   */
  @Test
  void aRequestTheContainerRefuses_getsThePortalsOwnPlainErrorPage() throws Exception {
    TestBrowser visitor = new TestBrowser(base);
    for (String path : List.of("/%2e%2e/login", "/notes/%2e%2e/%2e%2e/login")) {
      HttpResponse<String> refused = visitor.get(path);
      assertThat(refused.statusCode()).as(path).isEqualTo(400);
      assertThat(refused.body()).as(path).isEqualTo(NotesPortal.ERROR_PAGE);
      assertThat(refused.body().toLowerCase(Locale.ROOT)).doesNotContain("jetty");
      assertThat(refused.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    }
    assertThat(visitor.get("/login").statusCode()).as("the portal still serves").isEqualTo(200);
  }

  /**
   * Regression: the portal's own page for requests Jetty refuses before any route or filter runs (a malformed request
   * line, an encoded slash or dot segment, headers too large, an illegal {@code Host}, an unknown {@code
   * Transfer-Encoding}) came without the headers Portcullis puts on every other response. The page is still the
   * portal's, now under those headers (an encoded slash reaches Portcullis, which refuses it itself).
   */
  @Test
  void aRequestTheContainerRefuses_getsThePortalsPage_withTheSecurityHeaders() throws Exception {
    SoftAssertions softly = new SoftAssertions();
    for (Map.Entry<String, String> refused : RawHttp.refusedRequests(app.port()).entrySet()) {
      RawHttp.Response response = RawHttp.send(app.port(), refused.getValue());
      softly
          .assertThat(RawHttp.errorPageProblems(response))
          .as("%s, answered:%n%s", refused.getKey(), response)
          .isEmpty();
      softly
          .assertThat(response.body())
          .as(refused.getKey())
          .isIn(NotesPortal.ERROR_PAGE, "Bad request.\n");
    }
    softly.assertAll();
  }

  /**
   * Regression: Javalin's Jetty kept its default header cache, which on one keep-alive connection hands the filter a
   * {@code Cookie} header that differs from an earlier one only in letter case as the earlier one: the logged-in
   * user's cookies with every letter's case changed, which open nothing, were taken for hers.
   */
  @Test
  void cookiesDifferingOnlyInLetterCase_onOneConnection_areNotTakenForTheEarlierOnes()
      throws Exception {
    TestBrowser editor = logIn("editor", "pw-e");
    String changed = editor.caseSwappedCookieHeader();
    HttpClient oneConnection =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI home = editor.uri("/");

    HttpResponse<String> own = oneConnection.send(
        HttpRequest.newBuilder(home).header("Cookie", editor.cookieHeader()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(own.body()).contains("Hello Edith");
    HttpResponse<String> other = oneConnection.send(
        HttpRequest.newBuilder(home).header("Cookie", changed).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).as("the changed cookies log nobody in").isEqualTo(303);
    assertThat(other.body()).doesNotContain("Hello Edith");
  }

  private static KeyRing keys() {
    return KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(new SecureRandom()))
        .build();
  }

  /** The portal's Portcullis on loopback over plain HTTP, as {@link NotesPortal#main} builds it. */
  private static Portcullis.Builder builder(KeyRing keys, UserDirectory users, String terms) {
    return Portcullis.builder()
        .keyRing(keys)
        .users(users)
        .termsVersion(terms)
        .auditRules(NotesPortal.AUDIT_RULES)
        .random(new SecureRandom())
        .transport(TransportConfig.builder().developmentMode(true).build());
  }

  private TestBrowser logIn(String user, String password) throws IOException, InterruptedException {
    TestBrowser browser = new TestBrowser(base);
    HttpResponse<String> page = browser.get("/login");
    HttpResponse<String> login = browser.post(
        "/login", Map.of("username", user, "password", password, "_csrf", token(page)));
    assertThat(login.headers().firstValue("Location")).hasValue("/");
    return browser;
  }

  private static String token(HttpResponse<String> page) {
    return TestBrowser.csrfToken(TOKEN, page.body()).orElseThrow();
  }
}
