package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.transport.TransportConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Paths written to slip past path rules, sent anonymously as raw request lines (many are URIs {@code HttpClient} would
 * refuse to send) to a portal whose protected pages answer {@link SecretServlet#MARKER}. None may get it.
 *
 * <p>The corpus runs twice: with Jetty's default URI checks, which refuse many ambiguous URIs with a 400 before any
 * filter runs, and with Jetty letting every URI through, so that Portcullis alone stands in the way. In the second
 * run the same servlet without Portcullis ({@code /raw}) is the control: it must leak for most of the corpus, or the
 * corpus would prove nothing.
 */
class PathBypassCorpusTest {
  /** Appended to {@code /app} (and to {@code /raw} for the control). */
  static final List<String> VARIANTS = List.of(
      "/reports/1",
      "/REPORTS/1",
      "/Reports/1",
      "/reports/1/",
      "/reports/1.",
      "/reports/1%20",
      "/reports./1",
      "/reports%20/1",
      "/reports;/1",
      "/reports;jsessionid=ABC/1",
      "/reports/1;jsessionid=ABC",
      "/;/reports/1",
      "/public/..;/reports/1",
      "/public/../reports/1",
      "/public/./../reports/1",
      "/public/%2e%2e/reports/1",
      "/public/%2E%2E/reports/1",
      "/public/.%2e/reports/1",
      "/public/%2e./reports/1",
      "/public/%2e%2e%2freports/1",
      "/public/..%2freports/1",
      "/public/..%2Freports/1",
      "/public%2f..%2freports/1",
      "/public/%252e%252e/reports/1",
      "/public/%252e%252e%252freports/1",
      "/public/..%252freports/1",
      "/public/%c0%ae%c0%ae/reports/1",
      "/public/%c0%ae%c0%ae%c0%afreports/1",
      "/public/%e0%80%ae%e0%80%ae/reports/1",
      "/public/%u002e%u002e/reports/1",
      "/public/..\\reports/1",
      "/public/..%5creports/1",
      "/public/..%5Creports/1",
      "/public\\..\\reports\\1",
      "/public/..%255creports/1",
      "//reports/1",
      "///reports/1",
      "/./reports/1",
      "/%2e/reports/1",
      "/reports//1",
      "/%2freports/1",
      "/%252freports/1",
      "/%72eports/1",
      "/%52EPORTS/1",
      "/rep%6frts/1",
      "/reports%2f1",
      "/reports%2F1",
      "/reports%00/1",
      "/reports%00.html",
      "/reports/1%00",
      "/reports%0a/1",
      "/reports%0d%0a/1",
      "/reports/1%0d%0aSet-Cookie:%20x=1",
      "/reports%09/1",
      "/reports%0b/1",
      "/reports%ff/1",
      "/reports%c0%af1",
      "/reports%ef%bc%8f1",
      "/%ef%bd%92eports/1",
      "/reports%e3%80%82/1",
      "/reports/1?x=/public",
      "/reports/1#/public",
      "/public/../../app/reports/1",
      "/public/..;jsessionid=x/reports/1",
      "/public;/../reports/1",
      "/public/..;a=b/reports/1",
      "/public/%2e%2e;/reports/1",
      "/public/.;/../reports/1",
      "/public/..%00/reports/1",
      "/public/..%20/reports/1",
      "/public/.. /reports/1",
      "/public/..%09/reports/1",
      "/public/%2e%2e%5creports/1",
      "/public/%%32%65%%32%65/reports/1",
      "/public/..././reports/1",
      "/admin/users",
      "/ADMIN/users",
      "/admin;/users",
      "/public/..;/admin/users",
      "/public/%2e%2e/admin/users",
      "/admin%2fusers",
      "/Admin./users",
      "/admin%20/users",
      "/public/..%c0%afadmin/users",
      "/reports/../reports/1",
      "/reports/./1",
      "/reports/%2e/1",
      "/reports/1/..",
      "/reports/1/.",
      "/reports/1/%2e%2e",
      "/reports/1/..;",
      "/reports/1\\",
      "/reports/1%5c",
      "/reports/1.json",
      "/public/../REPORTS/1",
      "/PUBLIC/..;/reports/1",
      "/Public/%2E%2E/Reports/1",
      "/public/%2e%2e/%2e%2e/app/reports/1",
      "/public/.%252e/reports/1",
      "/public/..%c0%2freports/1",
      "/public/..%c1%9creports/1",
      "/reports%3b/1",
      "/reports%3bjsessionid=1/1",
      "/public/..%3b/reports/1",
      "/public%3b/../reports/1",
      "/reports%23/1",
      "/reports%3f/1",
      "/reports/1%3f.css",
      "/public/%2e%2e%3b/reports/1",
      "/reports/1/%20",
      "/public/..%2f..%2fapp%2freports%2f1",
      "/public/%2e%2e%2f%2e%2e%2fapp/reports/1",
      "/public/.../reports/1",
      "/reports\t/1",
      "/public/..%5c..%5capp/reports/1",
      "/public/%2e%2e%u2215reports/1",
      "/reports%7e/1",
      "/~/../reports/1",
      "/public/..%25%32%66reports/1",
      "/public/..%2%66reports/1",
      "/reports%",
      "/reports%2",
      "/reports%zz/1",
      "/public/%2e%2e/./reports/1",
      "/public//../reports/1",
      "/public/..//reports/1",
      "/public/x/../../reports/1",
      "/public/x/..%2f..%2freports/1");

  /** Whole request targets: tricks on the context path itself. */
  static final List<String> CONTEXT_TRICKS = List.of(
      "/APP/reports/1",
      "/%61pp/reports/1",
      "/app;x/reports/1",
      "/app/./reports/1",
      "/app/../app/reports/1",
      "/x/../app/reports/1",
      "/app%2freports/1",
      "/app\\reports/1",
      "http://127.0.0.1/app/reports/1",
      "/app/public/%2e%2e/../app/reports/1");

  @ParameterizedTest
  @EnumSource(SecuredPortal.Uris.class)
  void noPathVariant_reachesProtectedContentAnonymously(SecuredPortal.Uris uris) throws Exception {
    SecretServlet servlet = new SecretServlet();
    try (SecuredPortal portal = new SecuredPortal(
        ports -> PortcullisFilter.builder()
            .transport(TransportConfig.builder().developmentMode(true).build())
            .access(AccessStageTest.POLICY, "/login")
            .build(),
        servlet,
        false,
        uris)) {
      List<String> targets = Stream.concat(
              VARIANTS.stream().map(v -> "/app" + v), CONTEXT_TRICKS.stream())
          .toList();
      assertThat(targets).hasSizeGreaterThanOrEqualTo(130);
      Map<Integer, Integer> statuses = new TreeMap<>();
      List<String> leaks = new ArrayList<>();
      for (String target : targets) {
        for (String method : List.of("GET", "POST")) {
          SecuredPortal.RawResponse r = portal.raw(method, target, "Content-Length: 0");
          statuses.merge(r.status(), 1, Integer::sum);
          if (r.body().contains(SecretServlet.MARKER)) {
            leaks.add(method + " " + target + " -> " + r.status());
          }
          assertThat(r.status()).as("%s %s", method, target).isNotEqualTo(500);
        }
      }
      System.out.printf(
          "path corpus, Jetty URIs %s: %d requests, statuses %s%n",
          uris, 2 * targets.size(), statuses);

      assertThat(leaks).as("protected content reached anonymously").isEmpty();

      if (uris == SecuredPortal.Uris.UNSAFE) {
        int controlLeaks = 0;
        for (String variant : VARIANTS) {
          if (portal.raw("GET", "/raw" + variant).body().contains(SecretServlet.MARKER)) {
            controlLeaks++;
          }
        }
        System.out.printf(
            "control without Portcullis: %d of %d variants reach the protected content%n",
            controlLeaks, VARIANTS.size());
        assertThat(controlLeaks)
            .as("variants that a careless back end would serve")
            .isGreaterThan(VARIANTS.size() / 2);
      }
    }
  }
}
