package dev.portcullis.examples.javalin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The notes portal over HTTP on loopback: an editor adds a note, a reader sees it but may not add one. */
class NotesPortalTest {
  private static final Pattern TOKEN =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");

  private final RecordingAuditSink sink = new RecordingAuditSink();
  private Portcullis portcullis;
  private Javalin app;
  private String base;

  @BeforeEach
  void start() {
    SecureRandom random = new SecureRandom();
    portcullis = Portcullis.builder()
        .keyRing(KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
            .build())
        .users(new InMemoryUserDirectory(PasswordHasher.forTests())
            .add("editor", "pw-e".toCharArray(), NotesPortal.user("u-e", "Edith <E>", "EDITOR"))
            .add("reader", "pw-r".toCharArray(), NotesPortal.user("u-r", "Reggie", "READER"))
            .add(
                "newcomer",
                "pw-n".toCharArray(),
                new PortalUser(
                    "u-n", "Nia", "nia@notes.example", Set.of("READER"), "demo", true, "")))
        .termsVersion(NotesPortal.TERMS)
        .random(random)
        .transport(TransportConfig.builder().developmentMode(true).build())
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
