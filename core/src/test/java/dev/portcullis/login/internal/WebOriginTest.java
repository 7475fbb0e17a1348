package dev.portcullis.login.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WebOriginTest {
  @Test
  void anOriginHeader_isRead_withTheDefaultPortAsNone_andTheHostInLowerCase() {
    assertThat(WebOrigin.parse("https://Portal.Example:443"))
        .hasValue(WebOrigin.of("https", "portal.example", -1));
    assertThat(WebOrigin.parse("http://127.0.0.1:8080").orElseThrow().toString())
        .isEqualTo("http://127.0.0.1:8080");
    assertThat(WebOrigin.parse("https://[::1]:8443").orElseThrow())
        .isEqualTo(WebOrigin.of("https", "::1", 8443));
  }

  @Test
  void anythingButSchemeHostAndPort_isNotAnOrigin() {
    for (String notAnOrigin : new String[] {
      "null",
      "",
      "https://",
      "https://portal.example/",
      "https://portal.example/x",
      "https://portal.example?x",
      "https://user@portal.example",
      "https://*.portal.example",
      "https://portal.example:",
      "https://portal.example:0",
      "https://portal.example:65536",
      "https://portal.example:8a",
      "ftp://portal.example",
      "https://[::1",
      "https://[zz::1]",
      "https://[::1]x",
      "portal.example",
      "https://portal.example:443/".repeat(20)
    }) {
      assertThat(WebOrigin.parse(notAnOrigin)).as(notAnOrigin).isEmpty();
    }
  }

  @Test
  void aTrustedOriginSetting_isAnHttpsOrigin() {
    assertThat(WebOrigin.setting("https://forms.example:8443").toString())
        .isEqualTo("https://forms.example:8443");
    assertThatThrownBy(() -> WebOrigin.setting("http://forms.example"))
        .hasMessageContaining("not an HTTPS origin");
    assertThatThrownBy(() -> WebOrigin.setting("https://*.example"))
        .hasMessageContaining("is not an origin");
  }

  @Test
  void theContainersView_isNormalisedTheSameWay() {
    assertThat(WebOrigin.of("HTTPS", "Portal.Example", 443))
        .isEqualTo(WebOrigin.parse("https://portal.example").orElseThrow());
    assertThat(WebOrigin.of("http", "portal.example", 443).toString())
        .isEqualTo("http://portal.example:443");
  }

  @Test
  void aServerAsTheContainerNamesIt_isCheckedAsAnOriginHeaderIs() {
    assertThat(WebOrigin.ofServer("https", "Portal.Example", -1))
        .hasValue(WebOrigin.parse("https://portal.example").orElseThrow());
    assertThat(WebOrigin.ofServer("https", "::1", 8443))
        .hasValue(WebOrigin.parse("https://[::1]:8443").orElseThrow());
    assertThat(WebOrigin.ofServer("https", "[::1]", 8443))
        .hasValue(WebOrigin.parse("https://[::1]:8443").orElseThrow());
    for (String notAHost :
        new String[] {"", "portal.example/x", "evil\"@x", "[::1]x", "[::1", "a b"}) {
      assertThat(WebOrigin.ofServer("https", notAHost, -1)).as(notAHost).isEmpty();
    }
    assertThat(WebOrigin.ofServer("https", "portal.example", 0)).isEmpty();
    assertThat(WebOrigin.ofServer("https", "portal.example", 65536)).isEmpty();
  }
}
