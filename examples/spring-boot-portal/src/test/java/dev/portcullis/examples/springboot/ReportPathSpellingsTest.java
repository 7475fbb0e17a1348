package dev.portcullis.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A provider of one organisation asks for reports under every spelling of their path a server might read as the same
 * report (encoded digits, a trailing slash, letter case, empty and dot segments, path parameters, suffixes, a query
 * with another id, {@code HEAD}, another {@code Accept}): no spelling shows another organisation's report, and every
 * spelling that shows a report is in the audit log.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class ReportPathSpellingsTest {
  private static final Pattern CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");
  private static final Pattern VIEW = Pattern.compile("report_view");

  @LocalServerPort
  int port;

  @DynamicPropertySource
  static void keys(DynamicPropertyRegistry registry) throws Exception {
    Path file = Files.createTempDirectory("portal-keys").resolve("keys.txt");
    DevKeyFile.ensure(
        file, InstantSource.fixed(Instant.parse("2026-11-01T00:00:00Z")), new SecureRandom());
    registry.add("portcullis.keys.file", file::toString);
  }

  @Test
  void everySpellingOfAReportPath_showsNoOtherOrganisationsReport_andEveryViewIsAudited(
      CapturedOutput output) throws Exception {
    TestBrowser alice = new TestBrowser("http://127.0.0.1:" + port);
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", "alice");
    form.put("password", "alice-demo-pw");
    form.put("acceptTerms", "yes");
    form.put("_csrf", TestBrowser.csrfToken(CSRF, alice.get("/login").body()).orElse(""));
    assertThat(alice.post("/login", form).statusCode()).isEqualTo(303);

    List<String> spellings = List.of(
        "/reports/1",
        "/reports/%31",
        "/reports/1/",
        "/Reports/1",
        "/REPORTS/1",
        "/reports//1",
        "/reports/./1",
        "/reports/1;x=y",
        "/reports/1%3B",
        "/reports/1.html",
        "/reports/1.json",
        "/reports/01",
        "/reports/1%20",
        "/reports/1%00",
        "/reports/%EF%BC%91",
        "/reports/1?id=2",
        "/reports/2",
        "/reports/%32",
        "/reports/2/",
        "/Reports/2",
        "/reports/2;x=y",
        "/reports/2.html",
        "/reports/02",
        "/reports/%EF%BC%92",
        "/reports/2?id=1",
        "/reports/3");
    List<String> shown = new java.util.ArrayList<>();
    for (String path : spellings) {
      for (String method : List.of("GET", "HEAD")) {
        for (String accept : List.of("text/html", "application/json", "*/*")) {
          int before = count(output);
          HttpResponse<String> r = alice.send(HttpRequest.newBuilder(alice.uri(path))
              .method(method, HttpRequest.BodyPublishers.noBody())
              .header("Accept", accept));
          String what = method + " " + path + " Accept: " + accept;
          assertThat(r.body()).as(what).doesNotContain("Hillview day centre", "Council summary");
          if (r.statusCode() == 200 && path.toLowerCase(java.util.Locale.ROOT).contains("report")) {
            shown.add(what);
            awaitMore(output, before);
            assertThat(count(output)).as(what + " answered 200: audited").isGreaterThan(before);
          }
        }
      }
    }
    assertThat(shown)
        .as("the own report is shown, so the test can see a view")
        .contains("GET /reports/1 Accept: text/html", "HEAD /reports/1 Accept: text/html");
  }

  private static int count(CapturedOutput output) {
    Matcher m = VIEW.matcher(output.getAll());
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static void awaitMore(CapturedOutput output, int before) throws InterruptedException {
    // The audit log writes on its own thread.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (count(output) <= before && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }
}
