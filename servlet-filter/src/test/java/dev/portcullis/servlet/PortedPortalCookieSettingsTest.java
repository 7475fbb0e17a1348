package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.portal.LoginPage;
import com.example.portal.PortedPortalSecurity;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.testing.CapturedStderr;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestVectors;
import dev.portcullis.user.PasswordHasher;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's port of an ASP.NET portal ({@link PortedPortalSecurity}) on a real Jetty over HTTPS, started with
 * web.config files whose cookie settings differ: what is as strict as Portcullis or stricter is what the browser
 * gets; what is weaker is not applied and is named once in a start-up warning; cookies in URLs stop the start.
 */
class PortedPortalCookieSettingsTest {
  private static final String TERMS = "2026-01";

  @TempDir
  Path dataDir;

  private final SecureRandom random = new SecureRandom();
  private JsonNode vector;
  private MutableClock clock;
  private PortedPortalQuickStartTest.Accounts accounts;
  private TestJetty jetty;
  private Portcullis portcullis;

  @BeforeEach
  void prepare() throws Exception {
    vector = StreamSupport.stream(
            TestVectors.json("aspnet/formsauth-vectors.json").spliterator(), false)
        .filter(v -> v.path("id").asText().equals("julianmaughan-fx45-hmacsha256"))
        .findFirst()
        .orElseThrow();
    KeyRingSources.createFile(
        KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
            .build(),
        dataDir.resolve("keys.txt"));
    // The vector's cookie was issued at 13:25 and expired at 18:20 that day.
    clock = new MutableClock(Instant.parse("2019-06-22T14:00:00Z"));
    accounts = new PortedPortalQuickStartTest.Accounts(PasswordHasher.forTests());
    accounts.add(
        vector.path("expected").path("name").asText(),
        "unused",
        LoginPortal.user(
            "u-pat",
            "Pat Provider",
            "pat@riverside.example",
            "PROVIDER",
            "riverside",
            true,
            TERMS));
  }

  @AfterEach
  void stop() throws Exception {
    if (jetty != null) {
      jetty.close();
    }
    if (portcullis != null) {
      portcullis.close();
    }
  }

  /**
   * The old portal's web.config with these extra attributes on {@code <forms>} and these extra elements in {@code
   * <system.web>}, installed as the README's port installs it.
   */
  private void start(String formsAttributes, String systemWebElements) throws Exception {
    JsonNode key = vector.path("machineKey");
    Files.writeString(
        dataDir.resolve("web.config"),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <system.web>\n"
            + "    <httpRuntime targetFramework=\"4.5\" />\n"
            + "    " + systemWebElements + "\n"
            + "    <authentication mode=\"Forms\"><forms loginUrl=\"~/Account/Login\" "
            + formsAttributes + " /></authentication>\n"
            + "    <machineKey validationKey=\"" + key.path("validationKey").asText()
            + "\" decryptionKey=\"" + key.path("decryptionKey").asText() + "\" validation=\""
            + key.path("validation").asText() + "\" decryption=\""
            + key.path("decryption").asText()
            + "\" />\n  </system.web>\n</configuration>\n");
    jetty = TestJetty.builder().https().open();
    ServletContextHandler context =
        jetty.context("/").servlet(new PortedPortalQuickStartTest.Home()).handler();
    context.addServlet(new ServletHolder(new LoginPage()), "/login");
    portcullis = PortedPortalSecurity.install(
        context.getServletContext(), accounts, accounts::byOldLoginName, dataDir, clock);
    jetty.start();
  }

  private Browser browser() {
    HttpClient client = HttpClient.newBuilder()
        .sslContext(jetty.clientTls())
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    return new Browser(jetty.httpsBaseUri().toString().replaceAll("/$", ""), client);
  }

  /** A browser that arrived with the old portal's login cookie and was logged in by it. */
  private Browser loggedInByTheOldCookie(String path) throws Exception {
    Browser browser = browser();
    browser.cookies().put(".ASPXAUTH", vector.path("cookieHex").asText());
    HttpResponse<String> first = browser.get(path);
    assertThat(first.body()).isEqualTo("u-pat on " + path);
    return browser;
  }

  private static String setCookie(Browser browser, String name) {
    List<String> found = browser.setCookieHeaders().stream()
        .filter(c -> c.startsWith(name + "=") && !c.startsWith(name + "=;"))
        .toList();
    assertThat(found)
        .as("Set-Cookie of " + name + " in " + browser.setCookieHeaders())
        .hasSize(1);
    return found.get(0);
  }

  private static List<String> attributes(String setCookie) {
    return List.of(setCookie.substring(setCookie.indexOf(';') + 1).trim().split(";\\s*"));
  }

  @Test
  void stricterCookieSettingsOfTheWebConfig_areWhatTheBrowserGets() throws Exception {
    start(
        "requireSSL=\"true\" cookieSameSite=\"Strict\" path=\"/portal\"",
        "<httpCookies requireSSL=\"true\" httpOnlyCookies=\"true\" />"
            + "<sessionState cookieName=\"PortalSession\" cookieSameSite=\"Strict\""
            + " cookieless=\"UseCookies\" />");

    Browser browser = loggedInByTheOldCookie("/portal/reports/7");

    assertThat(attributes(setCookie(browser, "validPSuser")))
        .containsExactlyInAnyOrder("Path=/portal", "Secure", "HttpOnly", "SameSite=Strict");
    assertThat(attributes(setCookie(browser, "PortalSession")))
        .containsExactlyInAnyOrder("Path=/", "Secure", "HttpOnly", "SameSite=Strict");
    assertThat(browser.cookies()).doesNotContainKey("ASP.NET_SessionId");
  }

  @Test
  void aFormsTimeoutShorterThanPortcullis_endsAnUnusedLoginThen() throws Exception {
    start("timeout=\"10\"", "");
    Browser browser = loggedInByTheOldCookie("/reports/7");

    clock.advance(Duration.ofMinutes(4));
    assertThat(browser.get("/reports/8").body()).isEqualTo("u-pat on /reports/8");
    clock.advance(Duration.ofMinutes(11));

    assertThat(browser.get("/reports/9").statusCode())
        .as(
            "15 minutes after the login, 11 without a request: the session is alive, the ticket not")
        .isEqualTo(303);
  }

  @Test
  void slidingExpirationOff_endsTheLoginAtTheFormsTimeout_howeverBusy() throws Exception {
    start("timeout=\"30\" slidingExpiration=\"false\"", "");
    Browser browser = loggedInByTheOldCookie("/reports/7");

    for (int i = 1; i <= 3; i++) {
      clock.advance(Duration.ofMinutes(9));
      assertThat(browser.get("/reports/" + i).body()).isEqualTo("u-pat on /reports/" + i);
    }
    clock.advance(Duration.ofMinutes(4));

    assertThat(browser.get("/reports/4").statusCode())
        .as("31 minutes after the login, used every 9 minutes")
        .isEqualTo(303);
  }

  @Test
  void weakerCookieSettingsOfTheWebConfig_leaveTheCookiesSecure_andAreEachNamedOnceAtStartUp()
      throws Exception {
    String logged = CapturedStderr.during(
        () -> start(
            "requireSSL=\"false\" cookieSameSite=\"None\" domain=\"example.com\" timeout=\"2880\""
                + " cookieless=\"UseDeviceProfile\"",
            "<httpCookies requireSSL=\"false\" httpOnlyCookies=\"false\" sameSite=\"None\" />"
                + "<sessionState cookieSameSite=\"None\" timeout=\"600\" cookieless=\"AutoDetect\" />"));

    Browser browser = loggedInByTheOldCookie("/reports/7");

    assertThat(attributes(setCookie(browser, "validPSuser")))
        .containsExactlyInAnyOrder("Path=/", "Secure", "HttpOnly", "SameSite=Lax");
    assertThat(attributes(setCookie(browser, "ASP.NET_SessionId")))
        .containsExactlyInAnyOrder("Path=/", "Secure", "HttpOnly", "SameSite=Lax");
    // Once per attribute and cookie it would have changed.
    for (String attribute : List.of(
        "<forms requireSSL=\"false\">",
        "<forms cookieSameSite=\"None\">",
        "<forms domain=\"example.com\">",
        "<forms timeout=\"2880\">",
        "<forms cookieless=\"UseDeviceProfile\">",
        "<sessionState cookieSameSite=\"None\">",
        "<sessionState timeout=\"600\">",
        "<sessionState cookieless=\"AutoDetect\">")) {
      assertThat(logged.split(attribute, -1)).as(attribute + " in: " + logged).hasSize(2);
    }
    for (String attribute : List.of(
        "<httpCookies requireSSL=\"false\">",
        "<httpCookies httpOnlyCookies=\"false\">",
        "<httpCookies sameSite=\"None\">")) {
      assertThat(logged.split(attribute, -1))
          .as(attribute + ", for both cookies, in: " + logged)
          .hasSize(3);
    }
    assertThat(logged)
        .contains("validPSuser")
        .contains("ASP.NET_SessionId")
        .doesNotContain(vector.path("machineKey").path("validationKey").asText())
        .doesNotContain(vector.path("machineKey").path("decryptionKey").asText());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "<forms cookieless=\"UseUri\">",
        "<sessionState cookieless=\"UseUri\">",
        "<sessionState cookieless=\"true\">"
      })
  void cookiesInUrls_stopTheStart_namingTheAttribute(String attribute) {
    String value = attribute.substring(attribute.indexOf('"') + 1, attribute.lastIndexOf('"'));
    boolean forms = attribute.startsWith("<forms");

    assertThatThrownBy(() -> start(
            forms ? "cookieless=\"" + value + "\"" : "",
            forms ? "" : "<sessionState cookieless=\"" + value + "\" />"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(attribute)
        .hasMessageContaining("never");
  }

  @Test
  void regenerateExpiredSessionIdFalse_isNamedAtStartUp_andNoUnknownOrEndedSessionIdIsTakenOn()
      throws Exception {
    String logged = CapturedStderr.during(
        () -> start("", "<sessionState regenerateExpiredSessionId=\"false\" />"));
    assertThat(logged
            .lines()
            .filter(l -> l.contains("<sessionState regenerateExpiredSessionId=\"false\">"))
            .toList())
        .as(logged)
        .hasSize(1)
        .allMatch(l -> l.contains("WARN") && l.contains("new id"));

    String name = vector.path("expected").path("name").asText();
    accounts.add(
        name,
        PasswordHasher.forTests().hash("pat-password".toCharArray()),
        accounts.byOldLoginName(name).orElseThrow());
    Browser browser = browser();
    String planted = "abcdefghijklmnopqrstuvwx";
    browser.cookies().put("ASP.NET_SessionId", planted);
    assertThat(passwordLogin(browser, name, "pat-password").statusCode()).isEqualTo(303);
    String first = browser.cookies().get("ASP.NET_SessionId");
    assertThat(browser.get("/reports/7").body()).isEqualTo("u-pat on /reports/7");
    assertThat(first)
        .as("the session id after an unknown one")
        .isNotEqualTo(planted)
        .hasSize(24);

    clock.advance(Duration.ofMinutes(21));
    assertThat(browser.get("/reports/8").body())
        .as("21 minutes unused: the session has ended")
        .doesNotContain("u-pat");
    assertThat(passwordLogin(browser, name, "pat-password").statusCode()).isEqualTo(303);
    assertThat(browser.get("/reports/9").body()).isEqualTo("u-pat on /reports/9");
    assertThat(browser.cookies().get("ASP.NET_SessionId"))
        .as("the session id after an ended one")
        .isNotEqualTo(first)
        .hasSize(24);
  }

  /** Opens the login page and posts its form, with its CSRF token, as a browser would. */
  private static HttpResponse<String> passwordLogin(Browser browser, String user, String password)
      throws Exception {
    Matcher csrf = Pattern.compile("name=_csrf value=\"([^\"]*)\"")
        .matcher(browser.get("/login").body());
    assertThat(csrf.find()).isTrue();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("_csrf", csrf.group(1));
    form.put("username", user);
    form.put("password", password);
    form.put("acceptTerms", "yes");
    return browser.post("/login", form);
  }

  @ParameterizedTest
  @CsvSource({
    "Framework20, 2019-06-22T18:19:00Z, true",
    "Framework20, 2019-06-22T18:21:00Z, false",
    "Framework40, 2019-06-22T18:19:00Z, true",
    "Framework40, 2019-06-22T18:21:00Z, false"
  })
  void ticketCompatibilityMode_readsTheOldCookiesExpiryAsTheUtcInstantItHolds(
      String mode, String now, boolean loggedIn) throws Exception {
    // The vector's ticket expires at 18:20:01 UTC; in Framework20 .NET compared it in local time.
    clock.set(Instant.parse(now));
    start("ticketCompatibilityMode=\"" + mode + "\"", "");

    Browser browser = browser();
    browser.cookies().put(".ASPXAUTH", vector.path("cookieHex").asText());
    HttpResponse<String> first = browser.get("/reports/7");

    assertThat(first.body().equals("u-pat on /reports/7")).as(first.body()).isEqualTo(loggedIn);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "<forms ticketCompatibilityMode=\"Framework45\">",
        "<sessionState mode=\"Database\">",
        "<sessionState regenerateExpiredSessionId=\"yes\">"
      })
  void aValueAspNetWouldRefuse_stopsTheStart_namingIt(String attribute) {
    boolean forms = attribute.startsWith("<forms");
    String written = attribute.substring(attribute.indexOf(' ') + 1, attribute.length() - 1);

    assertThatThrownBy(
            () -> start(forms ? written : "", forms ? "" : "<sessionState " + written + " />"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(attribute);
  }

  @ParameterizedTest
  @ValueSource(strings = {"StateServer", "SQLServer", "Custom"})
  void sessionsTheOldPortalShared_areNamedAtStartUp_whenTheseStayInOneNodesMemory(String mode)
      throws Exception {
    String logged = CapturedStderr.during(() -> start(
        "",
        "<sessionState mode=\"" + mode + "\" customProvider=\"Db\""
            + " sqlConnectionString=\"Server=db;User ID=portal;Password=s3cret-Pw\" />"));

    assertThat(logged
            .lines()
            .filter(l -> l.contains("<sessionState mode=\"" + mode + "\">"))
            .toList())
        .as(logged)
        .hasSize(1)
        .allMatch(l -> l.contains("WARN") && l.contains("RedisStores") && l.contains("JdbcStores"));
    assertThat(logged).doesNotContain("s3cret-Pw");
    assertThat(loggedInByTheOldCookie("/reports/7").cookies()).containsKey("ASP.NET_SessionId");
  }

  @Test
  void sessionStateModeInProc_saysNothing_andModeOff_saysThePortalNowKeepsSessions()
      throws Exception {
    String inProc = CapturedStderr.during(() -> start("", "<sessionState mode=\"InProc\" />"));
    assertThat(inProc).doesNotContain("<sessionState mode");
    stop();

    String off = CapturedStderr.during(() -> start("", "<sessionState mode=\"Off\" />"));
    assertThat(
            off.lines().filter(l -> l.contains("<sessionState mode=\"Off\">")).toList())
        .as(off)
        .hasSize(1)
        .allMatch(l -> l.contains("WARN") && l.contains("ASP.NET_SessionId"));
  }
}
