package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium driven through Debian's chromedriver, headless, with a fresh profile under {@code target/}.
 * Selenium never downloads a driver or a browser (the build sets {@code SE_OFFLINE=true}). Tests that need it are
 * skipped, not passed, on a developer's machine without Chromium, and fail in CI ({@code CI=true}), which installs it.
 */
final class Chromium {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private Chromium() {}

  /**
   * Skips the calling test (or class, from {@code @BeforeAll}) when Chromium or its driver is missing; fails instead
   * in CI, where a skipped browser test would pass unseen.
   */
  static void assumeInstalled() {
    if ("true".equals(System.getenv("CI"))) {
      assertThat(Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER))
          .as("CI installs chromium and chromium-driver; the browser tests must run there")
          .isTrue();
    }
    assumeTrue(
        Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER),
        "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
  }

  /**
   * A new headless browser.
   *
   * @param blockCookies whether the profile refuses every cookie, as a user's privacy setting would
   */
  static ChromeDriver start(Path profileParent, boolean blockCookies) throws Exception {
    Path profile =
        Files.createTempDirectory(Files.createDirectories(profileParent), "chromium-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1200,900",
        "--user-data-dir=" + profile,
        // The portal's development certificate is self-signed: trusted by this test browser only.
        "--ignore-certificate-errors");
    if (blockCookies) {
      options.setExperimentalOption(
          "prefs", Map.of("profile.default_content_setting_values.cookies", 2));
    }
    options.setExperimentalOption("excludeSwitches", List.of("enable-automation"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER.toString()))
        .usingAnyFreePort()
        .build();
    return new ChromeDriver(service, options);
  }
}
