package dev.portcullis.examples.portal;

import static dev.portcullis.examples.portal.BrowserSteps.heading;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.session.SessionConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Single sign-on in a real browser (headless Chromium), against the development OpenID provider the portal starts
 * with {@code --sso dev}: a password login is offered the upgrade, the user links the account at the provider's login
 * page and confirms, logs out, logs in with single sign-on (a new session, the terms gate), and unlinks. The audit
 * file then holds each step. The filter's confirmation page shows and submits under its strict
 * Content-Security-Policy without a violation, and a style put into it is refused. With single sign-on off, the browser never holds an upgrade cookie. Screenshots of every
 * step go to {@code target/screenshots/sso-*.png}.
 *
 * <p>The browser uses {@code https://localhost:<port>}, the name in the redirect URI registered at the provider, so
 * that the provider's redirect comes back to the host that holds the session cookie.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("browser")
class SsoBrowserTest {
  private static final Path TARGET = Path.of(System.getProperty("java.io.tmpdir"));
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SESSION_COOKIE = SessionConfig.DEFAULT_COOKIE_NAME;
  private static final String SUBJECT = "alice.adams@sso.example";

  private Path dataDir;
  private RunningPortal portal;
  private ChromeDriver browser;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    Chromium.assumeInstalled();
    this.dataDir = dataDir.resolve("sso");
    portal = new RunningPortal(this.dataDir, SsoOptions.DEV);
    browser = Chromium.start(TARGET.resolve("chromium"), false);
    browser.manage().timeouts().pageLoadTimeout(WAIT);
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

  /** Every test starts with an empty cookie jar: both portals here are on localhost, whose cookies ignore ports. */
  @BeforeEach
  void forgetCookies() {
    browser.executeCdpCommand("Network.clearBrowserCookies", Map.of());
  }

  private String portalUrl(RunningPortal p, String path) {
    return "https://localhost:" + p.portal.httpsPort() + path;
  }

  private static String path(WebDriver b) {
    URI url = URI.create(b.getCurrentUrl());
    return url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
  }

  /** Clicks and waits until the browser has left the current page and {@code arrived} holds. */
  private static void clickAndWait(WebDriver b, By what, Function<WebDriver, Boolean> arrived) {
    BrowserSteps.clickAndWait(b, what, WAIT, arrived);
  }

  private static Function<WebDriver, Boolean> at(String pathPrefix) {
    return d -> path(d).startsWith(pathPrefix);
  }

  private static void screenshot(ChromeDriver b, String name) throws Exception {
    BrowserSteps.screenshot(b, "sso-" + name);
  }

  /** Every cookie the browser holds, on every host and port (the provider's page cannot see the portal's). */
  @SuppressWarnings("unchecked")
  private static Map<String, String> allCookies(ChromeDriver b) {
    Map<String, Object> answer = b.executeCdpCommand("Storage.getCookies", Map.of());
    Map<String, String> cookies = new java.util.HashMap<>();
    for (Object c : (List<Object>) answer.get("cookies")) {
      Map<String, Object> cookie = (Map<String, Object>) c;
      cookies.put((String) cookie.get("name"), (String) cookie.get("value"));
    }
    return cookies;
  }

  /** The mock provider's login page: types {@code subject} and signs in. */
  private void signInAtProvider(String subject, String screenshot) throws Exception {
    URI issuer = portal.portal.sso().developmentIssuer().orElseThrow();
    assertThat(browser.getCurrentUrl()).startsWith(issuer + "/authorize?");
    WebElement name = browser.findElement(By.name("username"));
    screenshot(browser, screenshot);
    name.sendKeys(subject);
    clickAndWait(
        browser,
        By.cssSelector("form button[type=submit]"),
        d -> d.getCurrentUrl().startsWith(portalUrl(portal, "/")));
  }

  private void logInWithPassword(String username) {
    browser.findElement(By.id("username")).sendKeys(username);
    browser.findElement(By.id("password")).sendKeys(username + "-demo-pass");
    browser.findElement(By.id("acceptTerms")).click();
    clickAndWait(browser, By.cssSelector("form.login button[type=submit]"), at("/reports"));
  }

  /**
   * Makes every page the browser opens from now on keep the directives its Content-Security-Policy refused, for {@link
   * #policyViolations()}; the script comes through the DevTools protocol, which no page policy blocks. Returns the
   * script's identifier, to remove it.
   */
  private String recordPolicyViolations() {
    Map<String, Object> added = browser.executeCdpCommand(
        "Page.addScriptToEvaluateOnNewDocument",
        Map.of(
            "source",
            "window.cspViolations = [];"
                + " document.addEventListener('securitypolicyviolation',"
                + " e => window.cspViolations.push(e.effectiveDirective));"));
    return (String) added.get("identifier");
  }

  /** The directives the current page's Content-Security-Policy has refused so far. */
  @SuppressWarnings("unchecked")
  private List<String> policyViolations() {
    return (List<String>) browser.executeScript("return window.cspViolations;");
  }

  /** The events of one type in the audit file, read (as the chain verifier asks) after the portal has stopped. */
  private List<JsonNode> audit(String type) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    for (String line :
        Files.readAllLines(dataDir.resolve(Portal.AUDIT_FILE), StandardCharsets.UTF_8)) {
      JsonNode e = JSON.readTree(line);
      if (e.get("type").asText().equals(type)) {
        events.add(e);
      }
    }
    return events;
  }

  @Test
  void passwordLogin_upgrade_link_logout_ssoLogin_termsGate_unlink() throws Exception {
    String upgradeCookie = PortalSso.UPGRADE_COOKIE;

    // 1. The login page offers both ways in; a password login is offered the upgrade.
    browser.get(portalUrl(portal, "/login"));
    assertThat(browser.findElement(By.cssSelector("form.sso-login button")).getText())
        .isEqualTo("Log in with single sign-on");
    screenshot(browser, "01-login-page");
    logInWithPassword("alice");
    assertThat(browser.manage().getCookieNamed(upgradeCookie))
        .as("the upgrade cookie comes with the password login")
        .isNotNull();
    String passwordSession = browser.manage().getCookieNamed(SESSION_COOKIE).getValue();

    browser.get(portalUrl(portal, "/account"));
    WebElement offer = browser.findElement(By.cssSelector("section.offer"));
    assertThat(offer.getText()).contains("Link your account to single sign-on");
    assertThat(browser.findElement(By.cssSelector("#main")).getText())
        .contains("No single sign-on account is linked");
    screenshot(browser, "02-upgrade-offered");

    // 2. Upgrade: the provider asks the user to sign in, then the portal asks to confirm.
    URI issuer = portal.portal.sso().developmentIssuer().orElseThrow();
    String recorder = recordPolicyViolations();
    clickAndWait(
        browser,
        By.cssSelector("section.offer button"),
        d -> d.getCurrentUrl().startsWith(issuer.toString()));
    signInAtProvider(SUBJECT, "03-provider-login-to-link");
    assertThat(path(browser)).isEqualTo("/sso/link");
    assertThat(heading(browser)).contains("Link this single sign-on account");
    assertThat(browser.findElement(By.id("subject")).getText()).isEqualTo(SUBJECT);
    assertThat(browser.findElement(By.id("issuer")).getText()).isEqualTo(issuer.toString());
    screenshot(browser, "04-confirm-link");
    assertThat(policyViolations())
        .as("the confirmation page needs nothing its Content-Security-Policy refuses")
        .isEmpty();
    // The filter's strict policy is the one in force: a style put into the page is refused.
    browser.executeScript(
        "document.head.insertAdjacentHTML('beforeend', '<style>h1 { color: red; }</style>')");
    new WebDriverWait(browser, WAIT)
        .withMessage("the page's Content-Security-Policy to refuse a style put into it")
        .until(d -> !policyViolations().isEmpty());
    assertThat(policyViolations()).containsExactly("style-src-elem");
    assertThat(browser.findElement(By.tagName("h1")).getCssValue("color"))
        .isNotEqualTo("rgba(255, 0, 0, 1)");
    browser.executeCdpCommand(
        "Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", recorder));
    clickAndWait(browser, By.cssSelector("button[value=confirm]"), at("/reports"));
    assertThat(browser.manage().getCookieNamed(upgradeCookie))
        .as("the upgrade cookie is spent")
        .isNull();
    assertThat(browser.manage().getCookieNamed(SESSION_COOKIE).getValue())
        .as("linking keeps the session")
        .isEqualTo(passwordSession);

    browser.get(portalUrl(portal, "/account"));
    assertThat(browser.findElements(By.cssSelector("section.offer"))).isEmpty();
    assertThat(browser.findElement(By.cssSelector("table.links td.subject")).getText())
        .isEqualTo(SUBJECT);
    screenshot(browser, "05-linked");

    // 3. Log out; meanwhile the portal's terms of use move on past what alice accepted.
    clickAndWait(browser, By.cssSelector(".who button"), at("/login"));
    assertThat(browser.manage().getCookieNamed(SESSION_COOKIE)).isNull();
    portal.portal.users().recordTermsAcceptance("u-1001", "2025-06");

    // 4. Log in with single sign-on: in, on a new session, and through the terms gate.
    clickAndWait(
        browser,
        By.cssSelector("form.sso-login button"),
        d -> d.getCurrentUrl().startsWith(issuer.toString()));
    String authorizingSession = allCookies(browser).get(SESSION_COOKIE);
    assertThat(authorizingSession)
        .as("the session that holds the authorization")
        .isNotNull();
    signInAtProvider(SUBJECT, "06-provider-login");
    new WebDriverWait(browser, WAIT).until(at("/terms"));
    String ssoSession = browser.manage().getCookieNamed(SESSION_COOKIE).getValue();
    assertThat(ssoSession)
        .as("session id rotated at the SSO login")
        .isNotEqualTo(authorizingSession)
        .isNotEqualTo(passwordSession);
    assertThat(browser.findElement(By.cssSelector(".who")).getText()).contains("Alice Adams");
    assertThat(heading(browser)).isEqualTo("Terms of use");
    screenshot(browser, "07-terms-gate");
    browser.findElement(By.id("acceptTerms")).click();
    clickAndWait(browser, By.cssSelector("form[action='/terms'] button"), at("/reports"));
    assertThat(browser.findElement(By.cssSelector("table.reports")).getText())
        .contains("Annual quality review");
    assertThat(browser.manage().getCookieNamed(upgradeCookie))
        .as("no upgrade offer after an SSO login")
        .isNull();
    screenshot(browser, "08-logged-in-with-sso");

    // 5. Unlink on the account page.
    browser.get(portalUrl(portal, "/account"));
    clickAndWait(browser, By.cssSelector("form.unlink button"), at("/account"));
    assertThat(browser.findElements(By.cssSelector("table.links"))).isEmpty();
    assertThat(browser.findElement(By.cssSelector("#main")).getText())
        .contains("No single sign-on account is linked");
    screenshot(browser, "09-unlinked");
    clickAndWait(browser, By.cssSelector(".who button"), at("/login"));

    // 6. The audit file holds every step, as alice, in an intact chain.
    portal.close();
    assertThat(audit("sso_upgrade_offered"))
        .extracting(e -> e.get("user").asText())
        .containsExactly("u-1001");
    assertThat(audit("sso_link_pending")).hasSize(1);
    List<JsonNode> links = audit("sso_link");
    assertThat(links).hasSize(1);
    assertThat(links.get(0).get("user").asText()).isEqualTo("u-1001");
    assertThat(links.get(0).get("outcome").asText()).isEqualTo("success");
    List<JsonNode> logins = audit("authn_login_success");
    assertThat(logins).extracting(e -> e.get("user").asText()).containsExactly("u-1001", "u-1001");
    assertThat(logins.get(1).get("action").asText()).isEqualTo("sso_login");
    assertThat(audit("session_renewed")).isNotEmpty();
    assertThat(audit("terms_accepted")).extracting(e -> e.get("user").asText()).contains("u-1001");
    List<JsonNode> unlinks = audit("sso_unlink");
    assertThat(unlinks).hasSize(1);
    assertThat(unlinks.get(0).get("outcome").asText()).isEqualTo("success");
    assertThat(audit("authn_login_fail")).isEmpty();
    String all = Files.readString(dataDir.resolve(Portal.AUDIT_FILE), StandardCharsets.UTF_8);
    assertThat(all)
        .as("no cookie or session value in the audit log")
        .doesNotContain(passwordSession, ssoSession, authorizingSession);
    AuditChainVerifier.Result chain = AuditChainVerifier.verify(dataDir.resolve(Portal.AUDIT_FILE));
    assertThat(chain.intact()).as(chain.describe()).isTrue();
  }

  @Test
  void withSingleSignOnOff_theBrowserNeverHoldsAnUpgradeCookie(@TempDir Path dir) throws Exception {
    try (RunningPortal off = new RunningPortal(dir)) {
      browser.get(portalUrl(off, "/login"));
      assertThat(browser.findElements(By.cssSelector("form.sso-login"))).isEmpty();
      logInWithPassword("bob");
      List<String> held = new ArrayList<>();
      for (String path : new String[] {"/", "/reports", "/account"}) {
        browser.get(portalUrl(off, path));
        assertThat(browser.findElements(By.cssSelector("section.offer")))
            .as(path)
            .isEmpty();
        assertThat(browser.getPageSource()).as(path).doesNotContainIgnoringCase("single sign-on");
        browser.manage().getCookies().stream().map(Cookie::getName).forEach(held::add);
      }
      screenshot(browser, "10-off-account");
      assertThat(held).isNotEmpty().doesNotContain(PortalSso.UPGRADE_COOKIE);
      assertThat(allCookies(browser)).doesNotContainKey(PortalSso.UPGRADE_COOKIE);
      clickAndWait(browser, By.cssSelector(".who button"), at("/login"));
    }
  }
}
