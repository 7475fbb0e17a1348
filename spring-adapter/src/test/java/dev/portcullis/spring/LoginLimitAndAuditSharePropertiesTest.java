package dev.portcullis.spring;

import static dev.portcullis.spring.PortcullisAutoConfigurationTest.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.PortalLogin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * {@code portcullis.login.limit.*} (read back from the login the context built), {@code portcullis.login.cookie-check-by-session-cookie}, {@code
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
            "portcullis.login.limit.max-tracked=1000",
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
          assertThat(context.getBean(PortalLogin.class).loginLimitMaxTracked())
              .as("the table of the login limit in this node's memory")
              .hasValue(1000);
        });
    runner()
        .withPropertyValues(
            "portcullis.login.limit.max-failures-per-account=100",
            "portcullis.login.limit.known-address-for=0s",
            "portcullis.login.limit.max-tracked=10000000",
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
          assertThat(context.getBean(PortalLogin.class).loginLimitMaxTracked())
              .hasValue(10_000_000);
        });
  }

  @Test
  void loginLimitOutOfRange_stopsStartUp_namingTheProperty() throws Exception {
    String prefix = "portcullis.login.limit.";
    Map<String, String[]> refused = Map.of(
        "max-failures-per-account", new String[] {"0", "101", "-1"},
        "max-failures-per-address", new String[] {"0", "-1"},
        "window", new String[] {"0s", "-1h"},
        "known-address-for", new String[] {"401d", "-1s"},
        "max-tracked", new String[] {"999", "10000001", "0", "-1"});
    Map<String, String> ranges = Map.of(
        "max-failures-per-account", "1 to 100",
        "max-failures-per-address", "at least 1",
        "window", "a duration above zero",
        "known-address-for", "0s to 400d",
        "max-tracked", "1000 to 10000000");
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
  void maxTracked_isTheCoreDefault_whenUnset() throws Exception {
    runner().run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(PortalLogin.class).loginLimitMaxTracked())
          .hasValue(LoginThrottle.DEFAULT_MAX_TRACKED);
    });
  }

  /**
   * The table's size bounds the limit in one node's memory; beside the stores the nodes share it would be ignored, so
   * start-up stops naming it, before Redis is reached or the database looked for.
   */
  @Test
  void maxTracked_besideRedisOrPostgreSQL_stopsStartUp_namingTheProperty() throws Exception {
    runner()
        .withPropertyValues(
            "portcullis.redis.uri=redis://:a-password@127.0.0.1:1",
            "portcullis.login.limit.max-tracked=5000")
        .run(context -> {
          failsWith(
                  "portcullis.login.limit.max-tracked is set, but the login limit is kept in Redis",
                  "Remove portcullis.login.limit.max-tracked")
              .accept(context);
          for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain("a-password");
          }
        });
    runner()
        .withPropertyValues(
            "portcullis.jdbc.enabled=true", "portcullis.login.limit.max-tracked=5000")
        .run(failsWith(
            "portcullis.login.limit.max-tracked is set, but the login limit is kept in PostgreSQL",
            "Remove portcullis.login.limit.max-tracked"));
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
