package dev.portcullis.javalin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEvent.Outcome;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import io.javalin.Javalin;
import io.javalin.config.RouterConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.staticfiles.Location;
import io.javalin.security.RouteRole;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A small provider portal on Javalin behind the plugin, under each of Javalin's router options: a public page, an
 * administrators' area guarded by the access policy and by route roles, static files on a public path for the
 * {@code ADMIN} route role, and organisation-scoped reports at {@code /reports/{id}} for the {@code PROVIDER} route
 * role, shown to their own organisation only. Every spelling of those paths a router might read as the same page
 * (encoded letters and digits, a trailing slash, letter case, empty and dot segments, path parameters, encoded
 * slashes and dots, suffixes, a query with another id), sent with {@code GET} and {@code HEAD} and two {@code Accept}
 * headers, logged out, with the wrong role and from another organisation, never serves a protected page; every answer
 * that shows a report has its {@code report_view} in the audit log. No spelling of a WebSocket route for a role opens
 * a socket without it.
 */
class RoutePathSpellingsTest {
  private static final String TERMS = "2026-01";
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  /** Report id to its organisation; each report's page names it. */
  private static final Map<String, String> REPORTS = Map.of("101", "riverside", "201", "hillview");

  enum Role implements RouteRole {
    PROVIDER,
    ADMIN
  }

  private final RecordingAuditSink sink = new RecordingAuditSink();

  @TempDir
  Path staticFiles;

  private Portcullis portcullis;
  private Javalin app;
  private String base;

  private void start(Consumer<RouterConfig> router) throws IOException {
    Files.writeString(staticFiles.resolve("manual.txt"), "admin secret manual");
    SecureRandom random = new SecureRandom();
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    InMemoryUserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests())
        .add("bob", "bob-pw".toCharArray(), user("u-bob", "PROVIDER", "riverside"))
        .add("hana", "hana-pw".toCharArray(), user("u-hana", "PROVIDER", "hillview"))
        .add("carol", "carol-pw".toCharArray(), user("u-carol", "CLERK", "hillview"))
        .add("root", "root-pw".toCharArray(), user("u-root", "ADMIN", "council"));
    portcullis = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .random(random)
        .transport(TransportConfig.builder().developmentMode(true).build())
        .access(
            AccessPolicy.builder()
                .permitAll("/login", "/terms", "/public/**", "/docs/**")
                .requireAnyRole("/admin/**", "ADMIN")
                .build(),
            "/login")
        .auditSink(sink)
        .auditRules(AuditRules.builder().action("/reports/{id}", "report_view").build())
        .build();
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      router.accept(config.router);
      config.registerPlugin(new PortcullisPlugin(portcullis));
      config.routes.get("/login", ctx -> ctx.result("login page csrf=" + csrf(ctx)));
      // Static files on a public path, for administrators by their route role only.
      config.staticFiles.add(files -> {
        files.hostedPath = "/docs";
        files.directory = staticFiles.toString();
        files.location = Location.EXTERNAL;
        files.roles = Set.of(Role.ADMIN);
      });
      config.routes.get("/public/*", ctx -> ctx.result("public page"));
      config.routes.get("/admin", ctx -> ctx.result("admin secret"), Role.ADMIN);
      config.routes.get("/admin/files/<path>", ctx -> ctx.result("admin secret file"), Role.ADMIN);
      config.routes.get("/reports/{id}", RoutePathSpellingsTest::report, Role.PROVIDER);
      config.routes.ws(
          "/reports/{id}/feed",
          ws -> ws.onConnect(c -> c.send("report feed " + c.pathParam("id"))),
          Role.PROVIDER);
    });
    app.start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
  }

  /** A report, for a user of its own organisation; for anyone else exactly as a report that does not exist. */
  private static void report(Context ctx) {
    String id = ctx.pathParam("id");
    String organisation = REPORTS.get(id);
    PortalPrincipal me = PortcullisPlugin.principal(ctx).orElseThrow();
    if (organisation == null || !organisation.equals(me.user().organisation())) {
      throw new NotFoundResponse("no such report");
    }
    ctx.result("report " + id + " of " + organisation + " secret");
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.stop();
    }
    if (portcullis != null) {
      portcullis.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "defaults",
        "trailingSlashesSignificant",
        "multipleSlashesAsOne",
        "caseInsensitiveRoutes"
      })
  void everySpelling_servesNoProtectedPage_toTheWrongVisitor_andAuditsEveryReportShown(
      String option) throws Exception {
    start(router -> {
      switch (option) {
        case "trailingSlashesSignificant" -> router.ignoreTrailingSlashes = false;
        case "multipleSlashesAsOne" -> router.treatMultipleSlashesAsSingleSlash = true;
        case "caseInsensitiveRoutes" -> router.caseInsensitiveRoutes = true;
        default -> {}
      }
    });
    TestBrowser anonymous = new TestBrowser(base);
    TestBrowser bob = loggedIn("bob", "bob-pw"); // riverside's provider: 101 is his, 201 is not
    TestBrowser carol = loggedIn("carol", "carol-pw"); // hillview, without the PROVIDER role

    List<String> shownToBob = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Spelling spelling : spellings()) {
      String path = spelling.path();
      for (String method : List.of("GET", "HEAD")) {
        for (String accept : List.of("text/html", "application/json")) {
          String request = method + " " + path + " " + accept;
          Answer forAnonymous = send(anonymous, method, path, accept);
          if (forAnonymous.served()) {
            problems.add("anonymous " + request + " -> " + forAnonymous);
          }
          Answer forCarol = send(carol, method, path, accept);
          if (forCarol.served()) {
            problems.add("carol " + request + " -> " + forCarol);
          }
          Answer forBob = send(bob, method, path, accept);
          boolean own = spelling.target().equals("101");
          if (forBob.served() && !own) {
            problems.add("bob " + request + " -> " + forBob);
          }
          if (own && forBob.status() == 200) {
            shownToBob.add(request);
          }
        }
      }
    }
    assertThat(problems).as("protected pages served to the wrong visitor").isEmpty();
    TestBrowser root = loggedIn("root", "root-pw");
    assertThat(root.get("/docs/manual.txt").body())
        .as("the static file, for its route role")
        .isEqualTo("admin secret manual");
    assertThat(root.get("/admin/files/a/b").body()).isEqualTo("admin secret file");
    assertThat(shownToBob)
        .as("bob's own report is shown, so that views can be seen")
        .contains("GET /reports/101 text/html", "HEAD /reports/101 text/html");

    portcullis.audit().flush(Duration.ofSeconds(10));
    AuditEventType reportView = AuditEventType.of("report_view");
    List<AuditEvent> bobsViews = sink.events().stream()
        .filter(e -> e.type().equals(reportView))
        .filter(e -> e.outcome() == Outcome.SUCCESS)
        .filter(e -> e.actor().orElseThrow().userHandle().equals("u-bob"))
        .toList();
    assertThat(bobsViews)
        .as("one successful report_view per answer showing a report: " + shownToBob)
        .hasSize(shownToBob.size());
    assertThat(sink.events().stream()
            .filter(e -> e.type().equals(reportView))
            .filter(e -> e.outcome() == Outcome.SUCCESS)
            .filter(e -> e.actor().isEmpty() || !e.actor().get().userHandle().equals("u-bob")))
        .as("no successful report_view for anyone but bob")
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"defaults", "multipleSlashesAsOne", "caseInsensitiveRoutes"})
  void everySpellingOfAWebSocketRoute_opensNoSocket_withoutTheRoutesRole(String option)
      throws Exception {
    start(router -> {
      switch (option) {
        case "multipleSlashesAsOne" -> router.treatMultipleSlashesAsSingleSlash = true;
        case "caseInsensitiveRoutes" -> router.caseInsensitiveRoutes = true;
        default -> {}
      }
    });
    TestBrowser anonymous = new TestBrowser(base);
    TestBrowser bob = loggedIn("bob", "bob-pw");
    TestBrowser carol = loggedIn("carol", "carol-pw"); // without the PROVIDER role
    assertThat(upgradeStatus(bob, "/reports/101/feed"))
        .as("the route's role opens the socket")
        .isEqualTo(101);

    List<String> opened = new ArrayList<>();
    for (String path : List.of(
        "/reports/101/feed",
        "/reports/101/feed/",
        "/reports/101/Feed",
        "/REPORTS/101/feed",
        "/reports/101/%66eed",
        "/reports/10%31/feed",
        "/reports//101/feed",
        "/reports/101//feed",
        "/reports/101/./feed",
        "/reports/101/x/../feed",
        "/public/../reports/101/feed",
        "/public/%2e%2e/reports/101/feed",
        "/public/..%2Freports/101/feed",
        "/reports/101/feed;x=y",
        "/reports;x=y/101/feed",
        "/reports/101/feed%2F",
        "/reports/101%2Ffeed")) {
      for (TestBrowser visitor : List.of(anonymous, carol)) {
        int status = upgradeStatus(visitor, path);
        if (status == 101) {
          opened.add((visitor == carol ? "carol " : "anonymous ") + path);
        }
      }
    }
    assertThat(opened).as("sockets opened without the route's role").isEmpty();
  }

  /** The status line's code of a WebSocket upgrade request for the path as written: 101 when it was accepted. */
  private int upgradeStatus(TestBrowser browser, String path) throws Exception {
    String cookie = browser.cookieHeader();
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), app.port())) {
      socket.setSoTimeout((int) TestBrowser.REQUEST_TIMEOUT.toMillis());
      socket
          .getOutputStream()
          .write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + app.port() + "\r\n"
                  + "Origin: " + base + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                  + (cookie.isEmpty() ? "" : "Cookie: " + cookie + "\r\n") + "\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      String statusLine = new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1))
          .readLine();
      return Integer.parseInt(statusLine.split(" ")[1]);
    }
  }

  /** A path as sent, and the report id or area it spells. */
  private record Spelling(String path, String target) {}

  /** The report and administrators' paths, each under every spelling. */
  private static List<Spelling> spellings() {
    List<Spelling> spellings = new ArrayList<>();
    for (String id : List.of("101", "201")) {
      String head = id.substring(0, 2);
      String last = id.substring(2);
      List.of(
              "/reports/" + id,
              "/reports/" + head + "%3" + last,
              "/%72eports/" + id,
              "/reports/0" + id,
              "/reports/+" + id,
              "/reports/" + id + "/",
              "/reports/" + id + "//",
              "/Reports/" + id,
              "/REPORTS/" + id,
              "/reports//" + id,
              "//reports/" + id,
              "/reports/./" + id,
              "/reports/x/../" + id,
              "/public/../reports/" + id,
              "/public/%2e%2e/reports/" + id,
              "/public/..%2Freports/" + id,
              "/public/%2E%2E%2Freports%2F" + id,
              "/reports/" + id + ";x=y",
              "/reports;x=y/" + id,
              "/reports/" + id + "%3B",
              "/reports/" + id + ".json",
              "/reports/" + id + "%20",
              "/reports/" + id + "%00",
              "/reports/" + id + "%2F",
              "/reports/%2F" + id,
              "/reports/" + id + "?id=201",
              "/reports/" + head + "%EF%BC%9" + last)
          .forEach(path -> spellings.add(new Spelling(path, id)));
    }
    List.of(
            "/admin",
            "/admin/",
            "/Admin",
            "/ADMIN/",
            "/%61dmin",
            "//admin",
            "/admin;x=y",
            "/admin%3B",
            "/admin.json",
            "/admin?x=1",
            "/public/../admin",
            "/public/%2e%2e/admin",
            "/public/..%2Fadmin",
            "/public/..;/admin",
            "/public/%2e%2e%2fadmin",
            "/public%2F..%2Fadmin",
            "/admin/files/a",
            "/admin/files/a/b",
            "/Admin/files/a/b",
            "/public/x/../../admin/files/a",
            "/docs/manual.txt",
            "/docs/manual.txt/",
            "/docs//manual.txt",
            "/docs/./manual.txt",
            "/docs/x/../manual.txt",
            "/public/../docs/manual.txt",
            "/docs/manual%2etxt",
            "/%64ocs/manual.txt",
            "/DOCS/manual.txt",
            "/docs/MANUAL.TXT",
            "/docs/manual.txt;x=y",
            "/docs%2Fmanual.txt",
            "/docs/%2e/manual.txt")
        .forEach(path -> spellings.add(new Spelling(path, "admin")));
    return spellings;
  }

  private record Answer(int status, String body) {
    /** Whether a protected page came back: its content, or a success status (a {@code HEAD} has no body). */
    boolean served() {
      return body.contains("secret") || status >= 200 && status < 300;
    }

    @Override
    public String toString() {
      return status + " " + body.replace("\n", " ");
    }
  }

  /** Sends the path as written, byte for byte, with the browser's cookies. */
  private Answer send(TestBrowser browser, String method, String path, String accept)
      throws Exception {
    String cookie = browser.cookieHeader();
    RawHttp.Response r = RawHttp.send(
        app.port(),
        method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + accept + "\r\n"
            + (cookie.isEmpty() ? "" : "Cookie: " + cookie + "\r\n")
            + "Connection: close\r\n\r\n");
    return new Answer(r.status(), r.body());
  }

  private TestBrowser loggedIn(String user, String password) throws Exception {
    TestBrowser browser = new TestBrowser(base);
    String token = TestBrowser.csrfToken(CSRF, browser.get("/login").body()).orElseThrow();
    HttpResponse<String> login =
        browser.post("/login", Map.of("username", user, "password", password, "_csrf", token));
    assertThat(login.headers().firstValue("Location")).as("login of " + user).hasValue("/");
    return browser;
  }

  private static String csrf(Context ctx) {
    return PortcullisPlugin.csrfToken(ctx);
  }

  private static PortalUser user(String handle, String role, String organisation) {
    return new PortalUser(
        handle, handle, handle + "@example.org", Set.of(role), organisation, true, TERMS);
  }
}
