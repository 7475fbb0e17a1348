package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A per-address share of form reads ({@link PortcullisFilter.Builder#maxFormReadsPerAddress}) as large as the anonymous
 * bound ({@link PortcullisFilter.Builder#maxAnonymousFormReads}) or larger, through the real filter on a real Jetty:
 * an anonymous form needs a place in both, so the slow anonymous forms of one address take every anonymous place, and
 * another address, whose own share is empty, has its form refused with the plain {@code 503} until one of them ends.
 */
class ShareAboveTheAnonymousBoundTest {
  private static final int SHARE = 4;
  private static final int ANONYMOUS = 2;

  /** How often the state is looked at while waiting for it to change; each look waits 50 ms. */
  private static final int TRIES = 400;

  @Test
  void oneAddress_takesEveryAnonymousPlace_andAnotherAddressesFormIsRefusedUntilOneEnds()
      throws Exception {
    try (LoginPortal portal = SlowForms.portal(
        TestJetty.builder().https(),
        (p, filter) -> filter.maxFormReadsPerAddress(SHARE).maxAnonymousFormReads(ANONYMOUS))) {
      Browser visitor =
          new Browser(portal.httpsBase(), SlowForms.client(portal, HttpClient.Version.HTTP_1_1));
      assertThat(visitor.openLoginPage().statusCode()).isEqualTo(200);
      // In a fixed order, so that every run drips the same first bytes.
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("_csrf", visitor.csrf);
      fields.put("note", "x".repeat(40));
      String form = TestBrowser.form(fields);

      try (SlowForms forms = new SlowForms()) {
        List<SlowForms.Dripping> held = new ArrayList<>();
        for (int i = 0; i < ANONYMOUS; i++) {
          SlowForms.Dripping body = forms.start(visitor, "/whoami", form, "203.0.113.10");
          held.add(body);
          body.awaitStarted();
        }
        for (int i = 0;
            i < TRIES && portal.filter.formReads().anonymousReading() < ANONYMOUS;
            i++) {
          Thread.sleep(50);
        }
        assertThat(portal.filter.formReads().anonymousReading())
            .as("one address, within its share of %s, holds every anonymous place", SHARE)
            .isEqualTo(ANONYMOUS);

        assertThat(completeFormFrom(visitor, form, "198.51.100.20"))
            .as("another address's form, while its own share is empty")
            .isEqualTo(503);
        assertThat(portal.auditedSoFar().events()).anySatisfy(e -> {
          assertThat(e.type()).isEqualTo(AuditEventType.ACCESS_DENIED);
          assertThat(e.reason())
              .hasValueSatisfying(r -> assertThat(r).contains("too many anonymous form bodies"));
        });

        held.get(0).fail();
        int status = 0;
        for (int i = 0; i < TRIES && status != 200; i++) {
          status = completeFormFrom(visitor, form, "198.51.100.20");
          if (status != 200) {
            Thread.sleep(50);
          }
        }
        assertThat(status)
            .as("with one of the held forms ended, an anonymous place is free again")
            .isEqualTo(200);
      }
    }
  }

  private static int completeFormFrom(Browser b, String form, String address) throws Exception {
    return b.send(HttpRequest.newBuilder(b.uri("/whoami"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Forwarded-For", address)
            .POST(HttpRequest.BodyPublishers.ofString(form)))
        .statusCode();
  }
}
