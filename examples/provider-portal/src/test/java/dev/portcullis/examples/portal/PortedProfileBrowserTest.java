package dev.portcullis.examples.portal;

import static dev.portcullis.examples.portal.BrowserSteps.clickAndWait;
import static dev.portcullis.examples.portal.BrowserSteps.logIn;
import static dev.portcullis.examples.portal.BrowserSteps.path;
import static dev.portcullis.examples.portal.BrowserSteps.screenshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.cookie.CookieSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The ported (ASP.NET) profile in headless Chromium, as a new user meets it: the browser ends up holding exactly
 * {@code ASP.NET_SessionId} and {@code validPSuser}, both session cookies, HttpOnly and Secure, and the privacy page
 * lists exactly those. Screenshots go to {@code target/screenshots/ported-*.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("browser")
class PortedProfileBrowserTest {
  private static final Path TARGET = Path.of(System.getProperty("java.io.tmpdir"));
  private static final String SESSION = PortalProfile.ASPNET_SESSION_COOKIE;
  private static final String AUTH = PortalProfile.ASPNET_AUTH_COOKIE;

  private RunningPortal portal;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    Chromium.assumeInstalled();
    portal = new RunningPortal(dataDir, PortalProfile.ASPNET);
  }

  @AfterAll
  void stop() {
    if (portal != null) {
      portal.close();
    }
  }

  @Test
  void newUser_logsIn_holdsExactlyTheTwoOriginalCookies_andThePrivacyPageListsThem()
      throws Exception {
    ChromeDriver browser = Chromium.start(TARGET.resolve("chromium"), false);
    try {
      browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
      browser.get(portal.https("/reports"));
      assertThat(path(browser)).isEqualTo("/login?returnTo=%2Freports");
      assertThat(browser.manage().getCookies())
          .as("the login page gives the session id, and nothing else")
          .extracting(Cookie::getName)
          .containsExactly(SESSION);
      screenshot(browser, "ported-login");

      logIn(browser, "alice", "alice-demo-pass");
      assertThat(path(browser)).isEqualTo("/reports");
      Set<Cookie> held = browser.manage().getCookies();
      assertThat(held).extracting(Cookie::getName).containsExactlyInAnyOrder(SESSION, AUTH);
      for (Cookie c : held) {
        assertThat(c.getExpiry()).as(c.getName() + " session cookie").isNull();
        assertThat(c.isHttpOnly()).as(c.getName() + " HttpOnly").isTrue();
        assertThat(c.isSecure()).as(c.getName() + " Secure").isTrue();
        assertThat(c.getPath()).as(c.getName() + " Path").isEqualTo("/");
        assertThat(c.getDomain()).as(c.getName() + " host-only").isEqualTo("127.0.0.1");
        assertThat(c.getSameSite()).as(c.getName() + " SameSite").isEqualTo("Lax");
      }
      assertThat(browser.manage().getCookieNamed(SESSION).getValue()).matches("[a-z0-5]{24}");

      browser.get(portal.https("/privacy"));
      List<String> listed = browser.findElements(By.cssSelector("table.cookies tbody th")).stream()
          .map(WebElement::getText)
          .toList();
      assertThat(listed).containsExactly(SESSION, AUTH);
      assertThat(listed)
          .containsExactlyElementsOf(
              portal.portal.cookies().stream().map(CookieSpec::name).toList());
      assertThat(browser.findElement(By.tagName("main")).getText())
          .contains("Two cookies are required for the operation of this site.");
      browser.manage().window().setSize(new Dimension(1200, 1500));
      screenshot(browser, "ported-privacy");
      browser.manage().window().setSize(new Dimension(1200, 900));
      assertThat(browser.manage().getCookies())
          .extracting(Cookie::getName)
          .containsExactlyInAnyOrder(SESSION, AUTH);

      clickAndWait(browser, By.cssSelector(".who button"));
      assertThat(path(browser)).isEqualTo("/login");
      assertThat(browser.manage().getCookies())
          .as("after logout: a fresh session id from the login page, no auth key")
          .extracting(Cookie::getName)
          .containsExactly(SESSION);
    } finally {
      browser.quit();
    }
  }

  @Test
  void browserThatBlocksCookies_isToldSoInPlainWords() throws Exception {
    ChromeDriver blocking = Chromium.start(TARGET.resolve("chromium"), true);
    try {
      blocking.get(portal.https("/login"));
      logIn(blocking, "alice", "alice-demo-pass");
      assertThat(blocking.findElement(By.tagName("body")).getText())
          .contains("Your browser is blocking cookies");
      assertThat(blocking.manage().getCookies()).isEmpty();
      screenshot(blocking, "ported-cookies-blocked");
    } finally {
      blocking.quit();
    }
  }
}
