package dev.portcullis.examples.portal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * Runs axe-core (the {@code axe.min.js} shipped in Deque's {@code com.deque.html.axe-core:selenium} jar) on the page
 * a browser shows, with axe's default rules (WCAG 2 A and AA and best practices), and returns its violations as
 * readable lines. The script is injected through WebDriver, so the page's Content-Security-Policy, which allows no
 * script, stays as it is.
 */
final class Axe {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RUN = "var done = arguments[arguments.length - 1];"
      + "axe.run(document, {resultTypes: ['violations']})"
      + ".then(function (r) { done(JSON.stringify(r.violations)); },"
      + " function (e) { done('axe failed: ' + e); });";
  private static String source;

  private Axe() {}

  /** Each violation as {@code id (impact): help [targets...]}; empty when axe finds none. */
  static List<String> violations(WebDriver browser) throws IOException {
    JavascriptExecutor js = (JavascriptExecutor) browser;
    browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    js.executeScript(source());
    Object result = js.executeAsyncScript(RUN);
    String json = String.valueOf(result);
    if (!json.startsWith("[")) {
      throw new IllegalStateException(json);
    }
    List<String> found = new ArrayList<>();
    for (JsonNode v : JSON.readTree(json)) {
      List<String> targets = new ArrayList<>();
      for (JsonNode node : v.path("nodes")) {
        targets.add(node.path("target").toString());
      }
      found.add(v.path("id").asText() + " (" + v.path("impact").asText() + "): "
          + v.path("help").asText() + " " + targets);
    }
    return found;
  }

  private static synchronized String source() {
    if (source == null) {
      try (InputStream in = Axe.class.getClassLoader().getResourceAsStream("axe.min.js")) {
        if (in == null) {
          throw new IllegalStateException("axe.min.js is not on the test class path");
        }
        source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return source;
  }
}
