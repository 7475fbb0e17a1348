package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BrowserFamilyTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"
            + " Safari/537.36|Chrome on Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"
            + " Safari/537.36 Edg/131.0.0.0|Edge on Windows",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0|Firefox on Linux",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko)"
            + " Version/18.1 Safari/605.1.15|Safari on macOS",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
            + " Version/18.1 Mobile/15E148 Safari/604.1|Safari on iOS",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
            + " CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1|Chrome on iOS",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36|Samsung Internet on Android",
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/131.0.0.0 Safari/537.36|Chrome on ChromeOS",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"
            + " Safari/537.36 OPR/115.0.0.0|Opera on Windows",
        "Mozilla/5.0 (compatible; Firefox/1.0)|Firefox",
        "curl/8.5.0|other",
        "Java-http-client/17.0.15|other",
        "Safari/605.1.15|other",
      })
  void knownBrowsers_areNamedByFamily(String userAgent, String family) {
    assertThat(BrowserFamily.of(userAgent)).isEqualTo(family);
  }

  @Test
  void absentOrEmpty_isOther() {
    assertThat(BrowserFamily.of(null)).isEqualTo("other");
    assertThat(BrowserFamily.of("")).isEqualTo("other");
  }

  @Test
  void onlyTheHeadOfAHugeHeaderIsRead_andNothingOfItIsKept() {
    String padded = "x".repeat(BrowserFamily.MAX_LENGTH) + " Firefox/133.0 (Windows)";
    assertThat(BrowserFamily.of(padded)).as("past the bound, not read").isEqualTo("other");
    String huge = "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0 " + "y".repeat(1_000_000);
    assertThat(BrowserFamily.of(huge)).isEqualTo("Firefox on Windows");
    String injected = "Mozilla/5.0 <script>alert(1)</script> Chrome/1.0";
    assertThat(BrowserFamily.of(injected)).isEqualTo("Chrome").doesNotContain("<");
  }
}
