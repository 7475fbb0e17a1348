package dev.portcullis.examples.portal;

import static dev.portcullis.examples.portal.BrowserSteps.clickAndWait;
import static dev.portcullis.examples.portal.BrowserSteps.heading;
import static dev.portcullis.examples.portal.BrowserSteps.logIn;
import static dev.portcullis.examples.portal.BrowserSteps.path;
import static dev.portcullis.examples.portal.BrowserSteps.screenshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LoginCookies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The portal in a real browser (headless Chromium): what a person does, and what the browser keeps. Screenshots of
 * the login, reports and privacy pages go to {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("browser")
class PortalBrowserTest {
  private static final Path TARGET = Path.of(System.getProperty("java.io.tmpdir"));

  private RunningPortal portal;
  private ChromeDriver browser;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    Chromium.assumeInstalled();
    portal = new RunningPortal(dataDir);
    browser = Chromium.start(TARGET.resolve("chromium"), false);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (portal != null) {
      portal.close();
    }
  }

  @BeforeEach
  @AfterEach
  void forgetCookies() {
    if (browser != null) {
      browser.get(portal.https("/privacy"));
      browser.manage().deleteAllCookies();
    }
  }

  private void open(WebDriver b, String path) {
    b.get(portal.https(path));
  }

  @Test
  void provider_logsIn_readsReports_searches_andLogsOut() throws Exception {
    open(browser, "/reports");
    assertThat(path(browser)).isEqualTo("/login?returnTo=%2Freports");
    assertThat(heading(browser)).isEqualTo("Log in");
    screenshot(browser, "login");

    logIn(browser, "alice", "alice-demo-pass");
    assertThat(path(browser)).isEqualTo("/reports");
    assertThat(browser.findElement(By.cssSelector("table.reports")).getText())
        .contains("Annual quality review", "Riverside Care")
        .doesNotContain("Hillview Homes");
    assertThat(browser.findElement(By.cssSelector(".who")).getText())
        .contains("Alice Adams", "Riverside Care");
    screenshot(browser, "reports");

    clickAndWait(browser, By.linkText("Staff training audit"));
    assertThat(path(browser)).isEqualTo("/reports/102");
    assertThat(heading(browser)).isEqualTo("Staff training audit");

    clickAndWait(browser, By.linkText("Find a care service"));
    browser.findElement(By.id("q")).sendKeys("home care");
    clickAndWait(browser, By.cssSelector("form.search button"));
    assertThat(path(browser)).isEqualTo("/search?q=home+care");
    assertThat(browser.findElement(By.cssSelector("ul.results")).getText())
        .contains("Riverside Home Care");

    clickAndWait(browser, By.cssSelector(".who button"));
    assertThat(path(browser)).isEqualTo("/login");
    open(browser, "/reports/101");
    assertThat(path(browser)).startsWith("/login?returnTo=");
  }

  @Test
  void cookiesTheBrowserHolds_carryTheDeclaredAttributes_andAreGoneAfterLogout() {
    open(browser, "/login");
    logIn(browser, "carol", "carol-demo-pass");
    assertThat(path(browser)).isEqualTo("/reports");

    // Every declared cookie but the cookie-check cookie, which the login removed: a logged-in
    // browser's forms are bound to its session.
    Set<Cookie> held = browser.manage().getCookies();
    assertThat(held)
        .extracting(Cookie::getName)
        .containsExactlyInAnyOrderElementsOf(portal.portal.cookies().stream()
            .map(CookieSpec::name)
            .filter(name -> !name.equals(LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE))
            .toList());
    for (Cookie c : held) {
      CookieSpec spec = portal.portal.cookies().stream()
          .filter(s -> s.name().equals(c.getName()))
          .findFirst()
          .orElseThrow();
      assertThat(c.isSecure())
          .as(c.getName() + " Secure")
          .isEqualTo(spec.secure())
          .isTrue();
      assertThat(c.isHttpOnly())
          .as(c.getName() + " HttpOnly")
          .isEqualTo(spec.httpOnly())
          .isTrue();
      assertThat(c.getSameSite())
          .as(c.getName() + " SameSite")
          .isEqualTo(spec.sameSite().attributeValue());
      assertThat(c.getPath()).as(c.getName() + " Path").isEqualTo("/");
      assertThat(c.getDomain()).as(c.getName() + " host-only").isEqualTo("127.0.0.1");
      assertThat(c.getExpiry()).as(c.getName() + " session-scoped").isNull();
    }

    // Every value is random: the session and auth values.
    List<String> valuesBefore = held.stream().map(Cookie::getValue).toList();
    open(browser, "/account");
    clickAndWait(browser, By.cssSelector("form[action='/logout'] button"));
    assertThat(path(browser)).isEqualTo("/login");
    Set<Cookie> after = browser.manage().getCookies();
    assertThat(after).extracting(Cookie::getName).doesNotContain("__Host-portcullis-auth");
    // Every cookie of the logged-in visit is gone; the login page it lands on sets a fresh
    // cookie-check value and makes no session.
    assertThat(after).extracting(Cookie::getValue).doesNotContainAnyElementsOf(valuesBefore);
    assertThat(after)
        .extracting(Cookie::getName)
        .isSubsetOf("__Host-portcullis-cc", "__Host-portcullis-sid");
  }

  @Test
  void accountPage_listsTheSessions_andEndsTheOtherOne() throws Exception {
    PortalClient elsewhere = portal.client();
    elsewhere.loginAs("bob");
    open(browser, "/login");
    logIn(browser, "bob", "bob-demo-pass");
    open(browser, "/account");
    String table = browser.findElement(By.cssSelector("table.sessions")).getText();
    assertThat(table).contains("Chrome on Linux", "This session", "other", "127.0.0.1");
    screenshot(browser, "account-sessions");

    clickAndWait(browser, By.cssSelector("form[action='/account/sessions/end'] button"));
    assertThat(path(browser)).isEqualTo("/account?ended=1");
    assertThat(browser.findElement(By.cssSelector("p.note")).getText())
        .contains("The session was ended");
    assertThat(browser.findElements(By.cssSelector("form[action='/account/sessions/end']")))
        .isEmpty();
    assertThat(elsewhere.get("/account").statusCode())
        .as("the other client is logged out")
        .isEqualTo(303);
  }

  @Test
  void anotherOrganisationsReport_isNotFound_likeAMissingOne() {
    open(browser, "/reports/201");
    logIn(browser, "alice", "alice-demo-pass");
    assertThat(path(browser)).isEqualTo("/reports/201");
    assertThat(heading(browser)).isEqualTo("Report not found");
    assertThat(browser.getPageSource()).doesNotContain("fluid intake");
  }

  @Test
  void accountWithoutAnEmailAddress_isRefused() {
    open(browser, "/login");
    logIn(browser, "dave", "dave-demo-pass");
    assertThat(path(browser)).isEqualTo("/login?error=1");
    assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText())
        .contains("You could not be logged in");
    assertThat(browser.manage().getCookies())
        .extracting(Cookie::getName)
        .doesNotContain("__Host-portcullis-auth");
  }

  @Test
  void privacyPage_showsTheCookieTable() throws Exception {
    open(browser, "/privacy");
    assertThat(heading(browser)).isEqualTo("Privacy and cookies");
    List<String> names = browser.findElements(By.cssSelector("table.cookies tbody th")).stream()
        .map(e -> e.getText())
        .toList();
    assertThat(names)
        .containsExactlyElementsOf(
            portal.portal.cookies().stream().map(CookieSpec::name).toList());
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(1200, 1500));
    try {
      screenshot(browser, "privacy");
    } finally {
      browser.manage().window().setSize(new org.openqa.selenium.Dimension(1200, 900));
    }
  }

  @Test
  void browserThatBlocksCookies_isToldSoWhenItTriesToLogIn() throws Exception {
    ChromeDriver blocking = Chromium.start(TARGET.resolve("chromium"), true);
    try {
      blocking.get(portal.https("/login"));
      logIn(blocking, "alice", "alice-demo-pass");
      assertThat(blocking.findElement(By.tagName("body")).getText())
          .contains("Your browser is blocking cookies");
      assertThat(blocking.manage().getCookies()).isEmpty();
    } finally {
      blocking.quit();
    }
  }
}
