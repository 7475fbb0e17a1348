package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.testing.TestKeyRings;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis.audit.anonymous-events-per-address}, {@code .anonymous-event-window}, {@code .retry-interval} and {@code .close-timeout}
 * of a WAR, on a real Jetty over HTTP: the share of anonymous audit events one address may have written, and its
 * window, are the ones set in the settings file, and a value outside the core's range fails the deployment naming the
 * setting. Regression: a WAR could not set them; each name, unknown to the initializer, failed the deployment.
 */
class AnonymousAuditShareDeploymentTest {
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  @TempDir
  Path dir;

  private Map<String, String> environment(Map<String, String> settings) throws Exception {
    Map<String, String> more = new HashMap<>(settings);
    more.put("PORTCULLIS_AUDIT_SINK", "json-lines");
    more.put("PORTCULLIS_AUDIT_FILE", dir.resolve("audit.jsonl").toString());
    return WarNode.environment(dir, more);
  }

  /** A login for a name no account has: an audit event without a user, from loopback. */
  private static HttpResponse<String> unknownNameLogin(TestBrowser browser) throws Exception {
    String csrf = TestBrowser.csrfToken(CSRF, browser.get("/login").body()).orElseThrow();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", "nobody-here");
    form.put("password", "guess");
    form.put("acceptTerms", "yes");
    form.put("_csrf", csrf);
    return browser.post("/login", form);
  }

  @Test
  void
      oneEventPerTenSecondsAndAddress_fromTheSettingsFile_withholdsTheSecondFailedLogin_untilTheWindowEnds()
          throws Exception {
    Path file = dir.resolve("portcullis.properties");
    Files.writeString(
        file,
        "portcullis.audit.anonymous-events-per-address=1\n"
            + "portcullis.audit.anonymous-event-window=10s\n"
            + "portcullis.audit.retry-interval=250ms\n"
            + "portcullis.audit.close-timeout=1h\n");
    MutableClock clock = MutableClock.startingAt2026();
    try (WarNode node = WarNode.start(
        environment(Map.of("PORTCULLIS_CONFIG", file.toString())), Map.of(), clock, 0)) {
      TestBrowser guesser = new TestBrowser(node.base());
      assertThat(unknownNameLogin(guesser).statusCode()).isEqualTo(303);
      assertThat(unknownNameLogin(guesser).statusCode()).isEqualTo(303);
      clock.advance(Duration.ofSeconds(11));
      assertThat(unknownNameLogin(guesser).statusCode()).isEqualTo(303);
    }
    List<String> lines = Files.readAllLines(dir.resolve("audit.jsonl"));
    assertThat(lines.stream().filter(line -> line.contains("\"type\":\"authn_login_fail\"")))
        .as("the first of each ten-second window; the second was withheld: %s", lines)
        .hasSize(2);
    assertThat(lines.stream().filter(line -> line.contains("\"type\":\"audit_withheld\"")))
        .as("and the withheld one is summarised")
        .singleElement()
        .satisfies(line -> assertThat(line).contains("authn_login_fail"));
  }

  @Test
  void outOfRangeOrNotParsed_failsTheDeployment_namingTheSetting() throws Exception {
    Map<String, String[]> refused = new LinkedHashMap<>();
    refused.put("RETRY_INTERVAL", new String[] {"9ms", "11m", "0s"});
    refused.put("ANONYMOUS_EVENTS_PER_ADDRESS", new String[] {"0", "1000001", "-1"});
    refused.put("ANONYMOUS_EVENT_WINDOW", new String[] {"999ms", "2d", "0s"});
    refused.put("CLOSE_TIMEOUT", new String[] {"9ms", "61m", "0s"});
    Map<String, String> expected = Map.of(
        "RETRY_INTERVAL", "a duration from 10ms to 10m",
        "ANONYMOUS_EVENTS_PER_ADDRESS", "a whole number from 1 to 1000000",
        "ANONYMOUS_EVENT_WINDOW", "a duration from 1s to 1d",
        "CLOSE_TIMEOUT", "a duration from 10ms to 1h");
    for (Map.Entry<String, String[]> e : refused.entrySet()) {
      String variable = "PORTCULLIS_AUDIT_" + e.getKey();
      String key = "portcullis.audit." + e.getKey().toLowerCase(Locale.ROOT).replace('_', '-');
      for (String value : e.getValue()) {
        Throwable failure =
            catchThrowable(() -> WarNode.start(environment(Map.of(variable, value))));
        assertThat(failure)
            .as(variable + "=" + value)
            .hasMessageContaining("(1 mistake)")
            .hasMessageContaining(key + " (environment variable " + variable
                + ") is not valid: expected " + expected.get(e.getKey()));
      }
    }
    Throwable failure = catchThrowable(() -> WarNode.start(
        environment(Map.of("PORTCULLIS_AUDIT_ANONYMOUS_EVENTS_PER_ADDRESS", "sixty"))));
    assertThat(failure)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining(
            "portcullis.audit.anonymous-events-per-address (environment variable"
                + " PORTCULLIS_AUDIT_ANONYMOUS_EVENTS_PER_ADDRESS) is not valid: expected a whole number");
  }

  @Test
  void closeTimeout_fromTheSettings_isTheAuditLogs_andThirtySecondsUnlessSet() {
    for (Map.Entry<String, Duration> e :
        Map.of("10ms", Duration.ofMillis(10), "1h", Duration.ofHours(1)).entrySet()) {
      try (AuditLog log = PortcullisAssembly.auditLog(
          PortcullisSettings.of(Map.of("portcullis.audit.close-timeout", e.getKey())),
          TestKeyRings.current(),
          InstantSource.system(),
          new SecureRandom())) {
        assertThat(log.closeTimeout()).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
    try (AuditLog log = PortcullisAssembly.auditLog(
        PortcullisSettings.of(Map.of()),
        TestKeyRings.current(),
        InstantSource.system(),
        new SecureRandom())) {
      assertThat(log.closeTimeout()).isEqualTo(AuditLog.DEFAULT_CLOSE_TIMEOUT);
    }
  }
}
