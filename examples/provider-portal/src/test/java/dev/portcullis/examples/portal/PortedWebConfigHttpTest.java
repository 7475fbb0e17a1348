package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ported portal started with the old portal's web.config ({@code --profile aspnet --legacy-web-config ...}) over
 * real HTTPS: the cookie settings of that web.config which are as strict as the portal's or stricter are what the
 * browser's {@code Set-Cookie} headers say and how long an unused login lives; weaker ones are named in start-up
 * warnings and the cookies keep the portal's values.
 */
class PortedWebConfigHttpTest {
  private static final Instant SUNSET = Instant.parse("2099-01-01T00:00:00Z");

  @TempDir
  Path dir;

  private final SecureRandom random = new SecureRandom();
  private final ShiftableClock clock = new ShiftableClock();
  private RunningPortal portal;

  @AfterEach
  void stop() {
    if (portal != null) {
      portal.close();
    }
  }

  /**
   * Starts the portal in {@code profile} with a web.config of fresh keys, these extra attributes on {@code <forms>}
   * and these extra elements in {@code <system.web>}; returns what it logged while starting.
   */
  private String start(PortalProfile profile, String formsAttributes, String systemWebElements)
      throws Exception {
    HexFormat hex = HexFormat.of().withUpperCase();
    byte[] validationKey = new byte[64];
    byte[] decryptionKey = new byte[32];
    random.nextBytes(validationKey);
    random.nextBytes(decryptionKey);
    Path webConfig = dir.resolve("web.config");
    Files.writeString(
        webConfig,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <system.web>\n"
            + "    <httpRuntime targetFramework=\"4.8\" />\n"
            + "    <machineKey validationKey=\"" + hex.formatHex(validationKey)
            + "\" decryptionKey=\"" + hex.formatHex(decryptionKey)
            + "\" validation=\"HMACSHA256\" decryption=\"AES\" />\n"
            + "    " + systemWebElements + "\n"
            + "    <authentication mode=\"Forms\"><forms loginUrl=\"~/Login.aspx\" "
            + formsAttributes + " /></authentication>\n"
            + "  </system.web>\n</configuration>\n");
    PortalOptions options = new PortalOptions(0, 0, dir.resolve("data"), profile)
        .withLegacy(new LegacyOptions(webConfig, SUNSET));
    // The portal logs to standard output (simplelogger.properties).
    PrintStream original = System.out;
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    System.setOut(new PrintStream(logged, true, StandardCharsets.UTF_8));
    try {
      portal = new RunningPortal(options, java.util.Map.of(), clock);
    } finally {
      System.setOut(original);
    }
    return logged.toString(StandardCharsets.UTF_8);
  }

  private static String setCookie(PortalClient browser, String name) {
    List<String> found = browser.setCookieHeaders().stream()
        .filter(c -> c.startsWith(name + "=") && !c.startsWith(name + "=;"))
        .toList();
    assertThat(found)
        .as("Set-Cookie of " + name + " in " + browser.setCookieHeaders())
        .isNotEmpty();
    return found.get(found.size() - 1);
  }

  private static List<String> attributes(String setCookie) {
    return List.of(setCookie.substring(setCookie.indexOf(';') + 1).trim().split(";\\s*"));
  }

  private static PortalClient loggedIn(RunningPortal portal) throws Exception {
    PortalClient alice = portal.client();
    HttpResponse<String> login = alice.loginAs("alice");
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(alice.get("/reports/101").statusCode()).isEqualTo(200);
    return alice;
  }

  @Test
  void stricterSettingsOfTheWebConfig_showOnTheRunningPortalsCookies() throws Exception {
    start(
        PortalProfile.ASPNET,
        "cookieSameSite=\"Strict\" path=\"/reports\" timeout=\"10\"",
        "<sessionState cookieSameSite=\"Strict\" timeout=\"5\" cookieless=\"UseCookies\" />");

    PortalClient alice = loggedIn(portal);

    assertThat(attributes(setCookie(alice, PortalProfile.ASPNET_AUTH_COOKIE)))
        .containsExactlyInAnyOrder("Path=/reports", "Secure", "HttpOnly", "SameSite=Strict");
    assertThat(attributes(setCookie(alice, PortalProfile.ASPNET_SESSION_COOKIE)))
        .containsExactlyInAnyOrder("Path=/", "Secure", "HttpOnly", "SameSite=Strict");
    clock.advance(Duration.ofMinutes(6));
    HttpResponse<String> later = alice.get("/reports/101");
    assertThat(later.statusCode())
        .as("6 minutes without a request, after <sessionState timeout=\"5\">")
        .isEqualTo(303);
    assertThat(later.headers().firstValue("Location").orElse("")).contains("/login");
  }

  @Test
  void weakerSettingsOfTheWebConfig_areNamedAtStartUp_andTheCookiesKeepThePortalsValues()
      throws Exception {
    String logged = start(
        PortalProfile.ASPNET,
        "requireSSL=\"false\" cookieSameSite=\"None\" timeout=\"2880\"",
        "<httpCookies httpOnlyCookies=\"false\" />"
            + "<sessionState cookieSameSite=\"None\" timeout=\"600\" />");

    PortalClient alice = loggedIn(portal);

    assertThat(attributes(setCookie(alice, PortalProfile.ASPNET_AUTH_COOKIE)))
        .containsExactlyInAnyOrder("Path=/", "Secure", "HttpOnly", "SameSite=Lax");
    assertThat(attributes(setCookie(alice, PortalProfile.ASPNET_SESSION_COOKIE)))
        .containsExactlyInAnyOrder("Path=/", "Secure", "HttpOnly", "SameSite=Lax");
    for (String attribute : List.of(
        "<forms requireSSL=\"false\">",
        "<forms cookieSameSite=\"None\">",
        "<forms timeout=\"2880\">",
        "<sessionState cookieSameSite=\"None\">",
        "<sessionState timeout=\"600\">",
        "<httpCookies httpOnlyCookies=\"false\">")) {
      assertThat(logged.lines().filter(l -> l.contains(attribute)).toList())
          .as(attribute + " in: " + logged)
          .isNotEmpty()
          .allMatch(l -> l.contains("WARN") && l.contains("WebConfig"));
    }
    clock.advance(Duration.ofMinutes(31));
    assertThat(alice.get("/reports/101").statusCode())
        .as("31 minutes without a request: the portal's idle timeout of 30 minutes, not 600")
        .isEqualTo(303);
  }

  @Test
  void theStandardProfile_keepsItsHostCookies_andSaysTheWebConfigsSettingsAreNotApplied()
      throws Exception {
    String logged = start(
        PortalProfile.STANDARD,
        "cookieSameSite=\"Strict\"",
        "<sessionState cookieName=\"PortalSession\" />");

    PortalClient alice = loggedIn(portal);

    assertThat(alice.cookies())
        .containsKeys("__Host-portcullis-sid", "__Host-portcullis-auth")
        .doesNotContainKey("PortalSession");
    assertThat(logged).contains("--profile aspnet");
  }
}
