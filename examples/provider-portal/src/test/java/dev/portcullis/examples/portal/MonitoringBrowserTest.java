package dev.portcullis.examples.portal;

import static dev.portcullis.examples.portal.BrowserSteps.heading;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The council officers' monitoring pages in headless Chromium: searches made by a visitor show on the service-demand
 * page (chart and tables) once their hour is published, the audit page filters by user and verifies the hash chain,
 * a provider is refused, and axe-core finds no accessibility violation on these pages, the home page and the login
 * page. Screenshots go to {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("browser")
class MonitoringBrowserTest {
  private static final Path TARGET = Path.of(System.getProperty("java.io.tmpdir"));
  /** The visitor's searches, as typed; their normalised terms and counts are what the officer should see. */
  private static final List<String> SEARCHES =
      List.of("home care", "Home care", "nursing", "submarine");

  private final ShiftableClock clock = new ShiftableClock();
  private RunningPortal portal;
  private ChromeDriver browser;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    Chromium.assumeInstalled();
    portal = new RunningPortal(dataDir, clock);
    browser = Chromium.start(TARGET.resolve("chromium"), false);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    for (String q : SEARCHES) {
      open("/search");
      browser.findElement(By.id("q")).sendKeys(q);
      clickAndWait(By.cssSelector("form.search button"));
    }
    // Past the end of the searches' hour (and the next, should they straddle two): the
    // search-demand log
    // publishes them.
    clock.advance(Duration.ofHours(2));
    assertThat(portal.portal.flushAudit(Duration.ofSeconds(10))).isTrue();
  }

  @AfterAll
  void stop() {
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
      open("/privacy");
      browser.manage().deleteAllCookies();
    }
  }

  private void open(String path) {
    browser.get(portal.https(path));
  }

  private String path() {
    return BrowserSteps.path(browser);
  }

  private void logIn(String username) {
    open("/login");
    BrowserSteps.logIn(browser, username, username + "-demo-pass");
  }

  private void clickAndWait(By what) {
    BrowserSteps.clickAndWait(browser, what);
  }

  private void screenshot(String name) throws Exception {
    BrowserSteps.screenshot(browser, name);
  }

  private void assertAxeClean(String page) throws Exception {
    assertThat(Axe.violations(browser)).as("axe-core violations on " + page).isEmpty();
  }

  @Test
  void officer_seesTheEarlierSearches_inTheChartAndTables() throws Exception {
    logIn("carol");
    clickAndWait(By.linkText("Service demand"));
    assertThat(path()).isEqualTo(Monitoring.SERVICE_DEMAND_PATH);
    assertThat(heading(browser)).isEqualTo("Service demand");

    WebElement chart = browser.findElement(By.cssSelector("svg.chart"));
    assertThat(chart.getAttribute("role")).isEqualTo("img");
    assertThat(chart.findElement(By.tagName("title")).getAttribute("textContent"))
        .startsWith("Searches per day");
    long barTotal = 0;
    for (WebElement bar : chart.findElements(By.tagName("rect"))) {
      barTotal += Long.parseLong(bar.getAttribute("data-searches"));
    }
    long tableTotal = 0;
    for (WebElement cell :
        browser.findElements(By.cssSelector("#searches-per-day tbody td.number"))) {
      tableTotal += Long.parseLong(cell.getText());
    }
    assertThat(barTotal).isEqualTo(SEARCHES.size());
    assertThat(tableTotal).isEqualTo(SEARCHES.size());

    Map<String, Long> terms = new HashMap<>();
    for (WebElement row : browser.findElements(By.cssSelector("table.demand-week tbody tr"))) {
      terms.merge(
          row.findElement(By.tagName("th")).getText(),
          Long.parseLong(row.findElements(By.tagName("td")).get(0).getText()),
          Long::sum);
    }
    assertThat(terms)
        .containsOnly(
            Map.entry("home care", 2L), Map.entry("nursing", 1L), Map.entry("submarine", 1L));
    screenshot("service-demand");
    assertAxeClean(Monitoring.SERVICE_DEMAND_PATH);
  }

  @Test
  void officer_filtersTheAuditLogByUser_andSeesTheChainVerified() throws Exception {
    logIn("alice");
    open("/reports/102");
    clickAndWait(By.cssSelector(".who button"));
    String alice = DemoData.ACCOUNTS.get("alice").handle();

    logIn("carol");
    clickAndWait(By.linkText("Audit log"));
    assertThat(heading(browser)).isEqualTo("Audit log");
    browser.findElement(By.id("user")).sendKeys(alice);
    clickAndWait(By.cssSelector("form.filters button"));
    assertThat(path()).startsWith(Monitoring.AUDIT_PATH + "?user=" + alice);
    assertThat(browser.findElement(By.id("chain")).getText()).startsWith("Hash chain verified:");

    List<String> users = texts(By.cssSelector("#events td.user"));
    List<String> types = texts(By.cssSelector("#events td.type"));
    assertThat(users).isNotEmpty().containsOnly(alice);
    assertThat(types).contains("authn_login_success", "report_view", "logout");
    assertThat(types.get(0)).isIn("logout", "session_revoked");
    screenshot("audit-log");
    assertAxeClean(Monitoring.AUDIT_PATH);

    // The officer's own views are in the log too.
    browser.findElement(By.id("user")).clear();
    browser.findElement(By.id("user")).sendKeys(DemoData.ACCOUNTS.get("carol").handle());
    new Select(browser.findElement(By.id("type"))).selectByValue(Monitoring.AUDIT_ACTION);
    clickAndWait(By.cssSelector("form.filters button"));
    assertThat(texts(By.cssSelector("#events td.type")))
        .isNotEmpty()
        .containsOnly(Monitoring.AUDIT_ACTION);
  }

  @Test
  void provider_isRefused_andAnonymousVisitor_isSentToLogin() throws Exception {
    open(Monitoring.AUDIT_PATH);
    assertThat(path()).isEqualTo("/login?returnTo=%2Fmonitoring%2Faudit");

    logIn("alice");
    assertThat(browser.findElements(By.linkText("Service demand"))).isEmpty();
    assertThat(browser.findElements(By.linkText("Audit log"))).isEmpty();
    for (String page : List.of(Monitoring.SERVICE_DEMAND_PATH, Monitoring.AUDIT_PATH)) {
      open(page);
      assertThat(path()).isEqualTo(page);
      assertThat(browser.getPageSource())
          .as(page)
          .doesNotContain("Hash chain", "Searches per day", "home care");
    }
    screenshot("monitoring-refused");
  }

  @Test
  void homeAndLoginPages_areAxeClean() throws Exception {
    open("/");
    assertAxeClean("/");
    open("/login");
    assertAxeClean("/login");
  }

  @Test
  void axe_reportsTheViolations_ofAPageThatHasSome() throws Exception {
    browser.get("data:text/html,<title>t</title><img src=\"x.png\"><input type=\"text\">");
    assertThat(Axe.violations(browser))
        .anyMatch(v -> v.startsWith("image-alt "))
        .anyMatch(v -> v.startsWith("label "));
  }

  private List<String> texts(By what) {
    List<String> found = new ArrayList<>();
    for (WebElement e : browser.findElements(what)) {
      found.add(e.getText());
    }
    return found;
  }
}
