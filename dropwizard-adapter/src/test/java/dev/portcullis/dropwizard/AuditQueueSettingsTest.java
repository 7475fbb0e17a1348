package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SearchDemandEvent;
import dev.portcullis.testing.RecordingSearchDemandSink;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit queue of the {@code portcullis.audit} block ({@code queue-capacity}, {@code when-full}), its close
 * timeout ({@code close-timeout}), retry interval ({@code retry-interval}), share of anonymous events ({@code
 * anonymous-events-per-address}, {@code anonymous-event-window}) and search-demand counts ({@code search-demand.bucket},
 * {@code .max-terms}, {@code .minimum-count}), read by a real Dropwizard start-up: with a sink that does not answer,
 * {@code drop} keeps answering logins and counts what the full queue could not take; the share and the counts show in
 * what is written; a value out of range stops the start, naming the setting.
 */
class AuditQueueSettingsTest {
  private static DropwizardTestSupport<PortalApp.Config> app(
      Class<? extends PortalApp> application, ConfigOverride... overrides) {
    return PortalStarts.app(application, overrides);
  }

  /** {@link PortalApp} whose audit sink takes no event until {@link #release} is counted down. */
  public static class StuckSinkApp extends PortalApp {
    final CountDownLatch release = new CountDownLatch(1);

    public StuckSinkApp() {
      AuditSink stuck = new AuditSink() {
        @Override
        public void accept(AuditEvent event) throws IOException {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
        }
      };
      bundle.customize((config, builder) -> builder.auditSink(stuck));
    }
  }

  @Test
  void whenFullDrop_withASinkThatDoesNotAnswer_keepsAnsweringLogins_andCountsTheDroppedEvents()
      throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = app(
        StuckSinkApp.class,
        ConfigOverride.config("portcullis.audit.queue-capacity", "1"),
        ConfigOverride.config("portcullis.audit.when-full", "drop"),
        ConfigOverride.config("portcullis.audit.close-timeout", "1 hour"));
    StuckSinkApp app = null;
    try {
      support.before();
      app = support.getApplication();
      for (String[] user :
          new String[][] {{"alice", "alice-pw"}, {"carol", "carol-pw"}, {"root", "root-pw"}}) {
        TestBrowser browser = SessionAndCookieSettingsTest.browser(support);
        assertThat(SessionAndCookieSettingsTest.login(browser, user[0], user[1]).statusCode())
            .as(user[0])
            .isEqualTo(303);
      }
      assertThat(app.bundle.portcullis().audit().stats().dropped()).isPositive();
      assertThat(app.bundle.portcullis().audit().closeTimeout()).isEqualTo(Duration.ofHours(1));
    } finally {
      if (app != null) {
        app.release.countDown();
      }
      support.after();
    }
  }

  /** {@link PortalApp} whose search-demand records are kept for the test too. */
  public static class DemandRecordingApp extends PortalApp {
    final RecordingSearchDemandSink searches = new RecordingSearchDemandSink();

    public DemandRecordingApp() {
      bundle.customize((config, builder) -> builder.auditSink(sink).demandSink(searches));
    }
  }

  @Test
  void retryShareAndSearchCounts_fromTheYamlBlock_shapeWhatTheAuditLogWrites(@TempDir Path dir)
      throws Exception {
    String config = ConfigFileApp.LOOPBACK_SERVER + """
        logging:
          level: WARN
        """ + ConfigFileApp.PORTCULLIS_BLOCK + """
          access:
            public-paths: [/login, /terms, /status/**]
          audit:
            retry-interval: 10 minutes
            anonymous-events-per-address: 2
            anonymous-event-window: 1 hour
            search-endpoints: [{path: /status, parameter: q}]
            search-demand:
              bucket: 15 minutes
              max-terms: 1
              minimum-count: 2
        """;
    try (ConfigFileApp<PortalApp.Config> started =
        ConfigFileApp.start(DemandRecordingApp.class, dir, config)) {
      DemandRecordingApp app = started.application();
      AuditLog audit = app.bundle.portcullis().audit();
      assertThat(audit.retryInterval()).isEqualTo(Duration.ofMinutes(10));

      TestBrowser visitor = new TestBrowser(started.base());
      for (String q : new String[] {"alpha", "beta", "beta"}) {
        assertThat(visitor.get("/status?q=" + q).statusCode()).isEqualTo(200);
      }
      TestBrowser stranger = new TestBrowser(started.base());
      for (int i = 0; i < 3; i++) {
        assertThat(stranger.post("/status", Map.of()).statusCode())
            .as("a state change without a CSRF token")
            .isEqualTo(403);
      }
      app.clock.advance(Duration.ofMinutes(15)); // the bucket is over; the anonymous window is not
      assertThat(stranger.post("/status", Map.of()).statusCode()).isEqualTo(403);
      assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();

      assertThat(app.sink.events())
          .as("the stranger's share of two")
          .filteredOn(e -> e.type().name().equals("csrf_fail"))
          .hasSize(2);
      assertThat(audit.stats().withheld()).isEqualTo(2);
      // max-terms 1 keeps only alpha's own count, and minimum-count 2 folds it into the others.
      assertThat(app.searches.events()).singleElement().satisfies(e -> {
        assertThat(e.terms()).isEqualTo(SearchDemandEvent.OTHER_TERMS);
        assertThat(e.searches()).isEqualTo(3);
        assertThat(e.bucket()).isEqualTo(Duration.ofMinutes(15));
      });
    }
  }

  @Test
  void queueSettingsOutOfRange_stopTheStart_namingTheSetting() {
    String a = "portcullis.audit.";
    for (String[] bad : new String[][] {
      {"portcullis.audit.queue-capacity", "0", "portcullis.audit.queueCapacity"},
      {"portcullis.audit.queue-capacity", "1048577", "portcullis.audit.queueCapacity"},
      {"portcullis.audit.when-full", "sometimes", "portcullis.audit.when-full"},
      {"portcullis.audit.close-timeout", "9 milliseconds", "portcullis.audit.closeTimeout"},
      {"portcullis.audit.close-timeout", "0 seconds", "portcullis.audit.closeTimeout"},
      {"portcullis.audit.close-timeout", "61 minutes", "portcullis.audit.closeTimeout"},
      {"portcullis.audit.close-timeout", "-1 seconds", "portcullis.audit.close-timeout"},
      {a + "retry-interval", "9 milliseconds", a + "retryInterval"},
      {a + "retry-interval", "11 minutes", a + "retryInterval"},
      {a + "anonymous-events-per-address", "0", a + "anonymousEventsPerAddress"},
      {a + "anonymous-events-per-address", "1000001", a + "anonymousEventsPerAddress"},
      {a + "anonymous-event-window", "999 milliseconds", a + "anonymousEventWindow"},
      {a + "anonymous-event-window", "2 days", a + "anonymousEventWindow"},
      {a + "search-demand.bucket", "7 minutes", a + "search-demand.bucket must be whole seconds"},
      {a + "search-demand.bucket", "59 seconds", a + "search-demand.bucket must be whole seconds"},
      {a + "search-demand.max-terms", "0", a + "searchDemand.maxTerms"},
      {a + "search-demand.minimum-count", "1001", a + "searchDemand.minimumCount"}
    }) {
      Throwable failure = PortalStarts.refused(
          bad[0] + ": " + bad[1], app(PortalApp.class, ConfigOverride.config(bad[0], bad[1])));
      assertThat(failure.getMessage()).as(bad[0] + ": " + bad[1]).contains(bad[2]);
    }
  }
}
