package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.login.LoginThrottle;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis.login.limit.*} of a WAR, on a real Jetty over HTTP: the budgets and the window set in the
 * settings file or the environment are the ones a login meets, and a value outside the core's range fails the
 * deployment naming the setting; the table's size ({@code max-tracked}) is read back from the started filter's login.
 * Regression: a WAR could not set the login limit at all; each of these names, unknown
 * to the initializer, failed the deployment, so every WAR kept 100 per account and 1,000 per address an hour.
 */
class LoginLimitDeploymentTest {
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  @TempDir
  Path dir;

  /** The login form posted from {@code address} (through the trusted proxy on loopback), or from loopback itself. */
  private static HttpResponse<String> logIn(
      TestBrowser browser, String address, String user, String password) throws Exception {
    String csrf = TestBrowser.csrfToken(
            CSRF, browser.send(from(browser, "/login", address)).body())
        .orElseThrow();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", user);
    form.put("password", password);
    form.put("acceptTerms", "yes");
    form.put("_csrf", csrf);
    return browser.send(from(browser, "/login", address)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(TestBrowser.form(form))));
  }

  private static HttpRequest.Builder from(TestBrowser browser, String path, String address) {
    HttpRequest.Builder request = HttpRequest.newBuilder(browser.uri(path));
    return address == null
        ? request
        : request.header("X-Forwarded-For", address).header("X-Forwarded-Proto", "https");
  }

  private static boolean refused(HttpResponse<String> login) {
    return login.statusCode() == 303
        && login.headers().firstValue("Location").orElse("").contains("/login?error");
  }

  private Map<String, String> environment(Map<String, String> settings) throws Exception {
    Map<String, String> more = new HashMap<>(settings);
    more.put("PORTCULLIS_AUDIT_SINK", "json-lines");
    more.put("PORTCULLIS_AUDIT_FILE", dir.resolve("audit.jsonl").toString());
    return WarNode.environment(dir, more);
  }

  private long lockEvents() throws Exception {
    return Files.readAllLines(dir.resolve("audit.jsonl")).stream()
        .filter(line -> line.contains("authn_login_lock"))
        .count();
  }

  @Test
  void twoPerAccountInATenMinuteWindow_fromTheSettingsFile_refuseTheRightPasswordAfterTwoWrongOnes()
      throws Exception {
    Path file = dir.resolve("portcullis.properties");
    Files.writeString(
        file,
        "portcullis.login.limit.max-failures-per-account=2\n"
            + "portcullis.login.limit.window=10m\n"
            + "portcullis.login.limit.max-tracked=10000000\n");
    MutableClock clock = MutableClock.startingAt2026();
    try (WarNode node = WarNode.start(
        environment(Map.of("PORTCULLIS_CONFIG", file.toString())), Map.of(), clock, 0)) {
      assertThat(node.login().loginLimitMaxTracked()).hasValue(10_000_000);
      TestBrowser guesser = new TestBrowser(node.base());
      assertThat(refused(logIn(guesser, null, "alice", "guess-1"))).isTrue();
      assertThat(refused(logIn(guesser, null, "alice", "guess-2"))).isTrue();

      TestBrowser owner = new TestBrowser(node.base());
      assertThat(refused(logIn(owner, null, "alice", "alice-pw")))
          .as("the account's budget of two is spent: even the right password is refused")
          .isTrue();
      assertThat(WarNode.whoami(owner)).isEqualTo("anonymous");

      clock.advance(Duration.ofMinutes(11));
      assertThat(logIn(owner, null, "alice", "alice-pw").headers().firstValue("Location"))
          .as("the ten-minute window is over")
          .hasValue("/");
      assertThat(WarNode.whoami(owner)).isEqualTo("u-alice");
    }
    assertThat(lockEvents()).isEqualTo(1);
  }

  @Test
  void threePerAddress_fromTheEnvironment_refuseAnotherAccountsFirstLogin() throws Exception {
    try (WarNode node = WarNode.start(environment(Map.of(
        "PORTCULLIS_LOGIN_LIMIT_MAX_FAILURES_PER_ADDRESS", "3",
        "PORTCULLIS_LOGIN_LIMIT_MAX_TRACKED", "1000")))) {
      assertThat(node.login().loginLimitMaxTracked())
          .as("the table of the login limit in this node's memory")
          .hasValue(1000);
      TestBrowser guesser = new TestBrowser(node.base());
      for (String name : new String[] {"bob", "carol", "dave"}) {
        assertThat(refused(logIn(guesser, null, name, "guess"))).as(name).isTrue();
      }
      TestBrowser alice = new TestBrowser(node.base());
      assertThat(refused(logIn(alice, null, "alice", "alice-pw")))
          .as("the address's budget of three is spent, though alice's own is untouched")
          .isTrue();
      assertThat(WarNode.whoami(alice)).isEqualTo("anonymous");
    }
    assertThat(lockEvents()).isEqualTo(1);
  }

  @Test
  void knownAddressesOff_theOwnersFormerAddressSharesTheAccountBudget() throws Exception {
    String home = "198.51.100.20";
    String stranger = "203.0.113.66";
    Map<String, String> behindProxy = Map.of(
        "PORTCULLIS_TRANSPORT_TRUSTED_PROXIES", "127.0.0.1",
        "PORTCULLIS_LOGIN_LIMIT_MAX_FAILURES_PER_ACCOUNT", "2");
    for (boolean known : new boolean[] {true, false}) {
      Map<String, String> settings = new HashMap<>(behindProxy);
      if (!known) {
        settings.put("PORTCULLIS_LOGIN_LIMIT_KNOWN_ADDRESS_FOR", "0s");
      }
      try (WarNode node = WarNode.start(environment(settings))) {
        assertThat(node.login().loginLimitMaxTracked())
            .as("unset: the core's default")
            .hasValue(LoginThrottle.DEFAULT_MAX_TRACKED);
        TestBrowser owner = new TestBrowser(node.base());
        assertThat(logIn(owner, home, "alice", "alice-pw").headers().firstValue("Location"))
            .hasValue("/");
        TestBrowser guesser = new TestBrowser(node.base());
        logIn(guesser, stranger, "alice", "guess-1");
        logIn(guesser, stranger, "alice", "guess-2");

        TestBrowser ownerAgain = new TestBrowser(node.base());
        assertThat(refused(logIn(ownerAgain, home, "alice", "alice-pw")))
            .as(
                known
                    ? "home, where alice logged in before, has a budget of its own"
                    : "with known-address-for=0s, home shares the account budget the stranger spent")
            .isEqualTo(!known);
      }
    }
  }

  /**
   * The table's size bounds the limit in one node's memory: beside Redis or PostgreSQL, where the nodes share the
   * budgets, it would be ignored, so the deployment fails naming it, before a store is reached.
   */
  @Test
  void maxTracked_besideAStoreTheNodesShare_failsTheDeployment_namingTheSetting() throws Exception {
    for (Map.Entry<String, String> store : Map.of(
            "PORTCULLIS_REDIS_URI", "redis://127.0.0.1:1", "PORTCULLIS_JDBC_ENABLED", "true")
        .entrySet()) {
      Throwable failure = catchThrowable(() -> WarNode.start(environment(
          Map.of(store.getKey(), store.getValue(), "PORTCULLIS_LOGIN_LIMIT_MAX_TRACKED", "5000"))));
      assertThat(failure)
          .as(store.getKey())
          .hasMessageContaining("(1 mistake)")
          .hasMessageContaining("portcullis.login.limit.max-tracked (environment variable"
              + " PORTCULLIS_LOGIN_LIMIT_MAX_TRACKED) is set, but the login limit is kept in the store the"
              + " nodes share");
    }
  }

  @Test
  void outOfRangeOrNotParsed_failsTheDeployment_namingTheSetting() throws Exception {
    Map<String, String[]> refused = new LinkedHashMap<>();
    refused.put("MAX_FAILURES_PER_ACCOUNT", new String[] {"0", "101", "-1"});
    refused.put("MAX_FAILURES_PER_ADDRESS", new String[] {"0", "-5"});
    refused.put("WINDOW", new String[] {"0s", "-PT1H"});
    refused.put("KNOWN_ADDRESS_FOR", new String[] {"401d", "-PT1S"});
    refused.put("MAX_TRACKED", new String[] {"999", "10000001"});
    Map<String, String> expected = Map.of(
        "MAX_FAILURES_PER_ACCOUNT", "a whole number from 1 to 100 (ASVS 2.2.1)",
        "MAX_FAILURES_PER_ADDRESS", "a whole number, at least 1",
        "WINDOW", "a duration above zero, such as 1h",
        "KNOWN_ADDRESS_FOR", "a duration from 0s to 400d",
        "MAX_TRACKED", "a whole number from 1000 to 10000000");
    for (Map.Entry<String, String[]> e : refused.entrySet()) {
      String variable = "PORTCULLIS_LOGIN_LIMIT_" + e.getKey();
      String key =
          "portcullis.login.limit." + e.getKey().toLowerCase(Locale.ROOT).replace('_', '-');
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
    Throwable failure = catchThrowable(
        () -> WarNode.start(environment(Map.of("PORTCULLIS_LOGIN_LIMIT_WINDOW", "3600"))));
    assertThat(failure)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining("portcullis.login.limit.window (environment variable"
            + " PORTCULLIS_LOGIN_LIMIT_WINDOW) is not valid: expected a duration with its unit");
  }
}
