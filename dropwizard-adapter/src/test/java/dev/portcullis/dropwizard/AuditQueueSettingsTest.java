package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The audit queue of the {@code portcullis.audit} block ({@code queue-capacity}, {@code when-full}) and its close
 * timeout ({@code close-timeout}), read by a real Dropwizard start-up: with a sink that does not answer, {@code drop}
 * keeps answering logins and counts what the full queue could not take; a value out of range stops the start, naming
 * the setting.
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

  @Test
  void queueSettingsOutOfRange_stopTheStart_namingTheSetting() {
    for (String[] bad : new String[][] {
      {"portcullis.audit.queue-capacity", "0", "portcullis.audit.queueCapacity"},
      {"portcullis.audit.queue-capacity", "1048577", "portcullis.audit.queueCapacity"},
      {"portcullis.audit.when-full", "sometimes", "portcullis.audit.when-full"},
      {"portcullis.audit.close-timeout", "9 milliseconds", "portcullis.audit.closeTimeout"},
      {"portcullis.audit.close-timeout", "0 seconds", "portcullis.audit.closeTimeout"},
      {"portcullis.audit.close-timeout", "61 minutes", "portcullis.audit.closeTimeout"},
      {"portcullis.audit.close-timeout", "-1 seconds", "portcullis.audit.close-timeout"}
    }) {
      Throwable failure = PortalStarts.refused(
          bad[0] + ": " + bad[1], app(PortalApp.class, ConfigOverride.config(bad[0], bad[1])));
      assertThat(failure.getMessage()).as(bad[0] + ": " + bad[1]).contains(bad[2]);
    }
  }
}
