package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.testing.TestBrowser;
import jakarta.servlet.MultipartConfigElement;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/**
 * {@link PortcullisFilter.Builder#maxFormReadsPerAddress}: the share of form bodies one client address may have the
 * filter read at once is the configured one, through the real filter on a real Jetty. Forms whose bodies stop after
 * their first bytes hold places; a complete form from the same address is answered with the plain {@code 503} once
 * they hold every place, and read again once one of them ends.
 */
class FormReadsPerAddressSettingTest {
  /** How often a complete form is sent while waiting for the held places to change; each try waits 50 ms. */
  private static final int TRIES = 400;

  @Test
  void theConfiguredShare_isTheOneApplied() throws Exception {
    try (LoginPortal portal = new LoginPortal((p, filter) -> filter.maxFormReadsPerAddress(2))) {
      Browser b = portal.browser();
      b.openLoginPage();
      // In a fixed order, so that every run drips the same first bytes (Map.of's order changes from
      // one JVM to the next). The order itself changes nothing: a held form whose note comes first
      // takes its place too
      // (everyReadOfAHeldBody_takesAPlace_whateverReadsItAndWhicheverFieldComesFirst).
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("_csrf", b.csrf);
      fields.put("note", "x".repeat(40));
      String form = TestBrowser.form(fields);
      HttpClient http1 = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
      List<SlowForms.Dripping> held = new ArrayList<>();
      List<CompletableFuture<HttpResponse<Void>>> holding = new ArrayList<>();
      List<String> endedEarly = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          hold(http1, b, form, held, holding);
        }
        int status = 0;
        for (int i = 0; i < TRIES && status != 503; i++) {
          // A held form that the client or the machine ended before the server read it holds no
          // place: it is sent again, so that the share is tested with two forms really under way.
          for (int h = 0; h < holding.size(); h++) {
            if (holding.get(h).isDone()) {
              endedEarly.add(String.valueOf(holding
                  .get(h)
                  .handle((r, e) -> r != null
                      ? "answered " + r.statusCode()
                      : "failed " + e.getClass().getSimpleName())
                  .join()));
              held.get(h).fail();
              held.remove(h);
              holding.remove(h);
              hold(http1, b, form, held, holding);
            }
          }
          status = statusOnceItIs(b, form, 503, 1);
        }
        assertThat(status)
            .as(
                "two forms under way fill a share of two (held forms that ended early: %s)",
                endedEarly)
            .isEqualTo(503);
        assertThat(portal.auditedSoFar().events()).anySatisfy(e -> {
          assertThat(e.type()).isEqualTo(AuditEventType.ACCESS_DENIED);
          assertThat(e.reason())
              .hasValueSatisfying(r -> assertThat(r).contains("too many form bodies"));
        });

        held.get(0).fail();
        assertThat(statusOnceItIs(b, form, 200, TRIES))
            .as("with one of the two ended, the address has a place again")
            .isEqualTo(200);
      } finally {
        held.forEach(SlowForms.Dripping::fail);
      }
    }
  }

  /**
   * Every read of a held body takes a place before it starts, whoever reads it and whatever comes first in it: a form
   * whose note comes before its token (the CSRF stage's read), a URL-encoded search with a charset, posted with its
   * token in the header and never read by the page (the audit stage's read of its query, which took no place before),
   * and a multipart login with its token in the header where the servlet has a multipart configuration (the login
   * stage's read of {@code returnTo}, which took no place before). Two held bodies hold two threads and both places;
   * a complete form is refused; once they end, no thread and no place stays held.
   */
  @Test
  void everyReadOfAHeldBody_takesAPlace_whateverReadsItAndWhicheverFieldComesFirst()
      throws Exception {
    try (LoginPortal portal = LoginPortal.withApplicationAccessAndContext(
        (p, filter) -> filter.maxFormReadsPerAddress(2), context -> {
          for (ServletHolder servlet : context.getServletHandler().getServlets()) {
            servlet
                .getRegistration()
                .setMultipartConfig(
                    new MultipartConfigElement(System.getProperty("java.io.tmpdir")));
          }
        })) {
      Browser b = portal.browser();
      b.openLoginPage();
      Map<String, String> noteFirst = new LinkedHashMap<>();
      noteFirst.put("note", "x".repeat(40));
      noteFirst.put("_csrf", b.csrf);
      Map<String, String> complete = new LinkedHashMap<>();
      complete.put("_csrf", b.csrf);
      String completeForm = TestBrowser.form(complete);
      String multipart = "--b0undary\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n"
          + "bob\r\n--b0undary--\r\n";
      String[][] cases = {
        // what, path, content type, body, whether the token travels in the header
        {
          "note first",
          "/whoami",
          "application/x-www-form-urlencoded",
          TestBrowser.form(noteFirst),
          ""
        },
        {
          "search, token in header",
          "/search",
          "application/x-www-form-urlencoded; charset=UTF-8",
          "q=" + "y".repeat(40),
          "header"
        },
        {
          "multipart login, token in header",
          "/login",
          "multipart/form-data; boundary=b0undary",
          multipart,
          "header"
        },
      };
      HttpClient http1 = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
      for (String[] c : cases) {
        List<SlowForms.Dripping> held = new ArrayList<>();
        try {
          for (int i = 0; i < 2; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(b.uri(c[1]))
                .header("Content-Type", c[2])
                .header("Cookie", b.cookieHeader());
            if (!c[4].isEmpty()) {
              request.header("X-CSRF-Token", b.csrf);
            }
            SlowForms.Dripping body = new SlowForms.Dripping(c[3]);
            held.add(body);
            http1.sendAsync(
                request
                    .POST(HttpRequest.BodyPublishers.fromPublisher(body, c[3].length()))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
            body.awaitStarted();
          }
          assertThat(threadsOnceThereAre(2))
              .as("%s: threads waiting for the held bodies", c[0])
              .isEqualTo(2);
          assertThat(portal.filter.formReads().anonymousReading())
              .as("%s: each held body takes a place before it is read", c[0])
              .isEqualTo(2);
          assertThat(statusOnceItIs(b, completeForm, 503, 1))
              .as("%s: a complete form while both places are held", c[0])
              .isEqualTo(503);
        } finally {
          held.forEach(SlowForms.Dripping::fail);
        }
        assertThat(threadsOnceThereAre(0))
            .as("%s: no thread stays held once the bodies end", c[0])
            .isZero();
        for (int i = 0; i < TRIES && portal.filter.formReads().anonymousReading() > 0; i++) {
          Thread.sleep(50);
        }
        assertThat(portal.filter.formReads().anonymousReading())
            .as("%s: every place is given back", c[0])
            .isZero();
      }
    }
  }

  @Test
  void aShareBelowOne_isRefusedAtBuild_namingTheSetting() {
    for (int bad : new int[] {0, -1}) {
      assertThatThrownBy(() -> new LoginPortal((p, filter) -> filter.maxFormReadsPerAddress(bad)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("maxFormReadsPerAddress must be at least 1");
    }
  }

  @Test
  void anonymousFormReads_reachTheFilter_andBelowOneIsRefusedAtBuild() throws Exception {
    try (LoginPortal portal = new LoginPortal((p, filter) -> filter.maxAnonymousFormReads(5))) {
      assertThat(portal.filter.maxAnonymousFormReads()).isEqualTo(5);
    }
    try (LoginPortal portal = new LoginPortal()) {
      assertThat(portal.filter.maxAnonymousFormReads()).isEqualTo(FormBodyReads.ANONYMOUS_AT_ONCE);
    }
    for (int bad : new int[] {0, -1}) {
      assertThatThrownBy(() -> new LoginPortal((p, filter) -> filter.maxAnonymousFormReads(bad)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("maxAnonymousFormReads must be at least 1");
    }
  }

  /** Starts a form whose body stops after its first bytes, and waits until its first bytes are sent. */
  private static void hold(
      HttpClient http1,
      Browser b,
      String form,
      List<SlowForms.Dripping> held,
      List<CompletableFuture<HttpResponse<Void>>> holding)
      throws Exception {
    SlowForms.Dripping body = new SlowForms.Dripping(form);
    held.add(body);
    holding.add(http1.sendAsync(
        HttpRequest.newBuilder(b.uri("/whoami"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Cookie", b.cookieHeader())
            .POST(HttpRequest.BodyPublishers.fromPublisher(body, form.length()))
            .build(),
        HttpResponse.BodyHandlers.discarding()));
    body.awaitStarted();
  }

  /**
   * How many threads are in the filter waiting for a request body the container parses (a form's or a multipart
   * body's), once there are {@code wanted}, or after {@link #TRIES} looks.
   */
  private static int threadsOnceThereAre(int wanted) throws InterruptedException {
    int now = -1;
    for (int i = 0; i < TRIES; i++) {
      now = 0;
      for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
        boolean inFilter = false;
        boolean inBodyRead = false;
        for (StackTraceElement frame : stack) {
          String type = frame.getClassName();
          inFilter |= type.startsWith("dev.portcullis.servlet.");
          inBodyRead |= type.startsWith("org.eclipse.jetty.")
              && (type.contains("FormFields") || type.contains("MultiPart"));
        }
        if (inFilter && inBodyRead) {
          now++;
        }
      }
      if (now == wanted) {
        return now;
      }
      Thread.sleep(50);
    }
    return now;
  }

  /** Sends the complete form until it is answered with {@code wanted}, at most {@code tries} times; the last status. */
  private static int statusOnceItIs(Browser b, String form, int wanted, int tries)
      throws Exception {
    int status = 0;
    for (int i = 0; i < tries; i++) {
      HttpResponse<String> r = b.send(HttpRequest.newBuilder(b.uri("/whoami"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form)));
      status = r.statusCode();
      if (status == wanted) {
        return status;
      }
      Thread.sleep(50);
    }
    return status;
  }
}
