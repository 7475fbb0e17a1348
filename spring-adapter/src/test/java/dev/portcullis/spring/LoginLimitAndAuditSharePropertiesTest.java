package dev.portcullis.spring;

import static dev.portcullis.spring.PortcullisAutoConfigurationTest.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.login.PortalLogin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * {@code portcullis.login.limit.*}, {@code portcullis.login.cookie-check-by-session-cookie}, {@code
 * portcullis.audit.retry-interval}, {@code .close-timeout}, {@code .anonymous-events-per-address}, {@code .anonymous-event-window} and
 * {@code portcullis.redis.max-pending-commands}: bound at start-up, and a value outside the core's range stops start-up
 * naming the property and its range. Their effect over HTTP: {@code portal.LoginLimitOverHttpTest}, {@code
 * portal.AnonymousAuditShareOverHttpTest}, {@code portal.SessionCookieCheckOverHttpTest}.
 */
class LoginLimitAndAuditSharePropertiesTest {
  @TempDir
  Path dir;

  private WebApplicationContextRunner runner() throws Exception {
    return new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class))
        .withInitializer(PortcullisAutoConfigurationTest.processEnvironment(Map.of()))
        .withUserConfiguration(TestUsers.class)
        .withPropertyValues(TestUsers.ACCESS)
        .withPropertyValues(
            "portcullis.login.terms-version=" + TestUsers.TERMS,
            "portcullis.keys.file=" + TestKeys.file(dir),
            "portcullis.transport.canonical-host=portal.example");
  }

  @Test
  void valuesInRange_start() throws Exception {
    runner()
        .withPropertyValues(
            "portcullis.login.limit.max-failures-per-account=1",
            "portcullis.login.limit.max-failures-per-address=1",
            "portcullis.login.limit.window=1ms",
            "portcullis.login.limit.known-address-for=400d",
            "portcullis.audit.retry-interval=10ms",
            "portcullis.audit.close-timeout=10ms",
            "portcullis.audit.anonymous-events-per-address=1000000",
            "portcullis.audit.anonymous-event-window=1d",
            "portcullis.login.cookie-check-by-session-cookie=true")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(PortalLogin.class).cookies().cookieCheckBySessionCookie())
              .isTrue();
          assertThat(context.getBean(AuditLog.class).closeTimeout())
              .isEqualTo(Duration.ofMillis(10));
        });
    runner()
        .withPropertyValues(
            "portcullis.login.limit.max-failures-per-account=100",
            "portcullis.login.limit.known-address-for=0s",
            "portcullis.audit.retry-interval=10m",
            "portcullis.audit.close-timeout=1h",
            "portcullis.audit.anonymous-events-per-address=1",
            "portcullis.audit.anonymous-event-window=1s")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(PortalLogin.class).cookies().cookieCheckBySessionCookie())
              .as("off by default: the cookie-check cookie")
              .isFalse();
          assertThat(context.getBean(AuditLog.class).closeTimeout()).isEqualTo(Duration.ofHours(1));
        });
  }

  @Test
  void loginLimitOutOfRange_stopsStartUp_namingTheProperty() throws Exception {
    String prefix = "portcullis.login.limit.";
    Map<String, String[]> refused = Map.of(
        "max-failures-per-account", new String[] {"0", "101", "-1"},
        "max-failures-per-address", new String[] {"0", "-1"},
        "window", new String[] {"0s", "-1h"},
        "known-address-for", new String[] {"401d", "-1s"});
    Map<String, String> ranges = Map.of(
        "max-failures-per-account", "1 to 100",
        "max-failures-per-address", "at least 1",
        "window", "a duration above zero",
        "known-address-for", "0s to 400d");
    for (Map.Entry<String, String[]> e : refused.entrySet()) {
      for (String value : e.getValue()) {
        String property = prefix + e.getKey();
        runner()
            .withPropertyValues(property + "=" + value)
            .run(failsWith(
                property + " is outside " + ranges.get(e.getKey()),
                "Set " + property + " to " + ranges.get(e.getKey())));
      }
    }
  }

  @Test
  void auditShareOrRetryOutOfRange_stopsStartUp_namingTheProperty() throws Exception {
    Map<String, String[]> refused = Map.of(
        "retry-interval", new String[] {"9ms", "11m", "0s"},
        "close-timeout", new String[] {"9ms", "0s", "-1s", "61m"},
        "anonymous-events-per-address", new String[] {"0", "1000001"},
        "anonymous-event-window", new String[] {"999ms", "2d"});
    Map<String, String> ranges = Map.of(
        "retry-interval", "10ms to 10m",
        "close-timeout", "10ms to 1h",
        "anonymous-events-per-address", "1 to 1000000",
        "anonymous-event-window", "1s to 1d");
    for (Map.Entry<String, String[]> e : refused.entrySet()) {
      for (String value : e.getValue()) {
        String property = "portcullis.audit." + e.getKey();
        runner()
            .withPropertyValues(property + "=" + value)
            .run(failsWith(
                property + " is outside " + ranges.get(e.getKey()),
                "Set " + property + " to " + ranges.get(e.getKey())));
      }
    }
  }

  @Test
  void redisMaxPendingCommandsOutOfRange_stopsStartUp_beforeConnecting() throws Exception {
    for (String value : new String[] {"1", "0", "65537"}) {
      runner()
          .withPropertyValues(
              "portcullis.redis.uri=redis://:a-password@127.0.0.1:1",
              "portcullis.redis.max-pending-commands=" + value)
          .run(context -> {
            failsWith(
                    "portcullis.redis.max-pending-commands is outside 2 to 65536",
                    "Set portcullis.redis.max-pending-commands to 2 to 65536")
                .accept(context);
            for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
              assertThat(String.valueOf(t.getMessage())).doesNotContain("a-password");
            }
          });
    }
  }

  @Test
  void
      cookieCheckBySessionCookie_besideADeclaredCookieCheckCookie_orAPlainSessionCookie_stopsStartUp()
          throws Exception {
    runner()
        .withPropertyValues(
            "portcullis.login.cookie-check-by-session-cookie=true",
            "portcullis.cookies.cookie-check.name=__Host-old-cc")
        .run(failsWith(
            "portcullis.login.cookie-check-by-session-cookie=true, but portcullis.cookies.cookie-check.*"
                + " declares a cookie-check cookie",
            "remove portcullis.cookies.cookie-check.*"));
    runner()
        .withPropertyValues(
            "portcullis.login.cookie-check-by-session-cookie=true",
            "portcullis.cookies.session.name=portal-sid",
            "portcullis.cookies.session.secure=false")
        .run(failsWith(
            "the cookie check by the session cookie needs a Secure session cookie",
            "portcullis.login.cookie-check-by-session-cookie=true needs a Secure session cookie"));
  }
}
