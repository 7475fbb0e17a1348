package dev.portcullis.examples.portal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What the browser tests do on the portal's pages: log in through the login form, click and wait for the next page,
 * read where the browser is and what the page is called, and keep a screenshot in {@code target/screenshots/}.
 */
final class BrowserSteps {
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  /** How long a click may take to leave its page. */
  private static final Duration CLICK_WAIT = Duration.ofSeconds(20);

  private BrowserSteps() {}

  /**
   * Fills the login form the browser shows with {@code username} and {@code password}, accepts the terms (by their
   * label, as a person does) and submits, waiting until the browser has left the login page.
   */
  static void logIn(WebDriver b, String username, String password) {
    b.findElement(By.id("username")).sendKeys(username);
    b.findElement(By.id("password")).sendKeys(password);
    b.findElement(By.cssSelector("label[for=acceptTerms]")).click();
    clickAndWait(b, By.cssSelector("form.login button[type=submit]"));
  }

  /** Clicks and waits until the browser has left the current page (a form post, a link). */
  static void clickAndWait(WebDriver b, By what) {
    WebElement page = b.findElement(By.tagName("html"));
    b.findElement(what).click();
    new WebDriverWait(b, CLICK_WAIT).until(driver -> isGone(page));
  }

  /** Clicks and waits up to {@code wait} until the browser has left the current page and {@code arrived} holds. */
  static void clickAndWait(
      WebDriver b, By what, Duration wait, Function<WebDriver, Boolean> arrived) {
    WebElement page = b.findElement(By.tagName("html"));
    b.findElement(what).click();
    new WebDriverWait(b, wait).until(d -> isGone(page) && arrived.apply(d));
  }

  /**
   * Whether {@code element}'s page has been replaced. During a navigation Chromium may answer "node ... does not
   * belong to the document" as a generic error instead of a stale-element one; both mean the old page is gone.
   */
  static boolean isGone(WebElement element) {
    try {
      element.isEnabled();
      return false;
    } catch (StaleElementReferenceException | NoSuchElementException e) {
      return true;
    } catch (WebDriverException e) {
      if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
        return true;
      }
      throw e;
    }
  }

  /** The path and query of the page an {@code https://} browser is on. */
  static String path(WebDriver b) {
    String url = b.getCurrentUrl();
    return url.substring(url.indexOf('/', "https://".length()));
  }

  /** The page's {@code h1}. */
  static String heading(WebDriver b) {
    return b.findElement(By.tagName("h1")).getText();
  }

  /** Saves what {@code b} shows as {@code target/screenshots/<name>.png}. */
  static void screenshot(ChromeDriver b, String name) throws Exception {
    Files.createDirectories(SCREENSHOTS);
    Path shot = b.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }
}
