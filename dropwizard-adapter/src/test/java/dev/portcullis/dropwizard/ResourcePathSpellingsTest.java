package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEvent.Outcome;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The provider portal of {@link ReportsPortalApp} on Dropwizard, asked for its reports and its administrators' area
 * under every spelling Jersey or Jetty might read as the same resource (matrix parameters on any segment, encoded
 * letters, digits, dots and slashes, a trailing slash, {@code //}, letter case, dot segments, suffixes, a query with
 * another id, regex templates that match slashes, a sub-resource locator), with {@code GET}, {@code HEAD} and
 * {@code OPTIONS} and two {@code Accept} headers, logged out, with the wrong role and from another organisation: no
 * protected resource is served to the wrong visitor, none of its methods are listed to a visitor without its role,
 * and every answer that shows a report at {@code /reports/{id}} has its {@code report_view} in the audit log.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ResourcePathSpellingsTest {
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");

  static final DropwizardAppExtension<PortalApp.Config> APP = new DropwizardAppExtension<>(
      ReportsPortalApp.class,
      ResourceHelpers.resourceFilePath("portcullis-reports.yml"),
      ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()));

  @Test
  void everySpelling_servesNoProtectedResource_toTheWrongVisitor_andAuditsEveryReportShown()
      throws Exception {
    TestBrowser anonymous = browser();
    TestBrowser bob = loggedIn("bob", "bob-pw"); // riverside's provider: 101 is his, 201 is not
    TestBrowser carol = loggedIn("carol", "carol-pw"); // hillview, without the PROVIDER role

    List<String> shownToBob = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Spelling spelling : spellings()) {
      String path = spelling.path();
      for (String method : List.of("GET", "HEAD", "OPTIONS")) {
        for (String accept : List.of("text/html", "application/json")) {
          String request = method + " " + path + " " + accept;
          Answer forAnonymous = send(anonymous, method, path, accept);
          if (forAnonymous.served() || forAnonymous.listsMethods()) {
            problems.add("anonymous " + request + " -> " + forAnonymous);
          }
          Answer forCarol = send(carol, method, path, accept);
          if (forCarol.served() || forCarol.listsMethods()) {
            problems.add("carol " + request + " -> " + forCarol);
          }
          Answer forBob = send(bob, method, path, accept);
          boolean own = spelling.target().equals("101");
          if (forBob.served() && !own) {
            problems.add("bob " + request + " -> " + forBob);
          }
          if (own && forBob.status() == 200 && !method.equals("OPTIONS")) {
            shownToBob.add(request);
          }
        }
      }
    }
    assertThat(problems).as("protected resources served to the wrong visitor").isEmpty();
    assertThat(shownToBob)
        .as("bob's own report is shown, so that views can be seen")
        .contains("GET /reports/101 text/html", "HEAD /reports/101 text/html");

    ReportsPortalApp app = (ReportsPortalApp) APP.getApplication();
    assertThat(app.bundle.portcullis().audit().flush(Duration.ofSeconds(10))).isTrue();
    AuditEventType reportView = AuditEventType.of("report_view");
    List<AuditEvent> bobsViews = app.sink.events().stream()
        .filter(e -> e.type().equals(reportView))
        .filter(e -> e.outcome() == Outcome.SUCCESS)
        .filter(e -> e.actor().orElseThrow().userHandle().equals("u-bob"))
        .toList();
    // The application audits /reports/{id}; an attachment, or the report through the locator's
    // path, is another path that its audit rules do not name.
    List<String> shownAtReportsPath = shownToBob.stream()
        .filter(s -> !s.contains("/organisations/") && !s.contains("/files/"))
        .toList();
    assertThat(bobsViews)
        .as("one successful report_view per answer showing a report: " + shownAtReportsPath)
        .hasSize(shownAtReportsPath.size());
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
              "/reports/" + id + "/",
              "/Reports/" + id,
              "/reports//" + id,
              "//reports/" + id,
              "/reports/./" + id,
              "/reports/x/../" + id,
              "/public/../reports/" + id,
              "/public/%2e%2e/reports/" + id,
              "/public/%2E%2E%2Freports%2F" + id,
              "/public/..%2Freports/" + id,
              "/reports/" + id + ";x=y",
              "/reports;x=y/" + id,
              "/public;x=y/../reports/" + id,
              "/reports/" + id + "%3B",
              "/reports/" + id + ".json",
              "/reports/" + id + "%20",
              "/reports/" + id + "%2F",
              "/reports/%2F" + id,
              "/reports/" + id + "?id=201",
              "/reports/" + id + "/files/a/b",
              "/reports/" + id + "/files/a%2Fb",
              "/reports/" + id + "/files/..%2F..%2F201",
              "/organisations/riverside/reports/" + id,
              "/organisations/x/reports/" + id + "/files/a")
          .forEach(path -> spellings.add(new Spelling(path, id)));
    }
    List.of(
            "/admin",
            "/admin/",
            "/Admin",
            "/%61dmin",
            "//admin",
            "/admin;x=y",
            "/admin%3B",
            "/public/../admin",
            "/public/%2e%2e/admin",
            "/public/..;/admin",
            "/public%2F..%2Fadmin",
            "/admin/files/a",
            "/admin/files/a/b",
            "/admin/files/%2e%2e",
            "/application.wadl",
            "/application.wadl?detail=true")
        .forEach(path -> spellings.add(new Spelling(path, "admin")));
    return spellings;
  }

  private record Answer(String method, int status, String body) {
    /**
     * Whether a protected resource came back: its content, or a success status to a {@code GET} or {@code HEAD} (a
     * {@code HEAD} has no body). Jersey answers {@code OPTIONS} itself, with the methods of the path and no content.
     */
    boolean served() {
      return body.contains("secret") || !method.equals("OPTIONS") && status >= 200 && status < 300;
    }

    /**
     * Whether the path's methods came back: the automatic {@code OPTIONS} answer, for a visitor whom no method of the
     * resource would serve. The organisation check is in the handler, so bob gets it for another organisation's report.
     */
    boolean listsMethods() {
      return method.equals("OPTIONS") && status >= 200 && status < 300;
    }

    @Override
    public String toString() {
      return status + " " + body.replace("\n", " ");
    }
  }

  private static Answer send(TestBrowser browser, String method, String path, String accept)
      throws Exception {
    String cookie = browser.cookieHeader();
    RawHttp.Response r = RawHttp.send(
        APP.getLocalPort(),
        method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + accept + "\r\n"
            + (cookie.isEmpty() ? "" : "Cookie: " + cookie + "\r\n")
            + "Connection: close\r\n\r\n");
    return new Answer(method, r.status(), r.body());
  }

  private static TestBrowser browser() {
    return new TestBrowser("http://127.0.0.1:" + APP.getLocalPort());
  }

  private static TestBrowser loggedIn(String user, String password) throws Exception {
    TestBrowser browser = browser();
    String token =
        TestBrowser.csrfToken(FORM_CSRF, browser.get("/login").body()).orElseThrow();
    HttpResponse<String> login =
        browser.post("/login", Map.of("username", user, "password", password, "_csrf", token));
    assertThat(login.headers().firstValue("Location")).as("login of " + user).hasValue("/");
    return browser;
  }
}
