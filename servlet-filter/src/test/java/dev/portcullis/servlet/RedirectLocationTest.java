package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which {@code sendRedirect} locations the filter writes as they are (a place on this site, which the container would
 * otherwise make absolute from the request's {@code Host} header), and which it leaves to the container: anything a
 * browser could read as another host or scheme.
 */
class RedirectLocationTest {
  @Test
  void pathsQueriesAndRelativePaths_areOnThisSite() {
    for (String location : List.of(
        "/",
        "/account",
        "/reports/1?tab=a%20b",
        "account",
        "../account",
        "./x",
        "?page=2",
        "#top",
        "a/b:c")) {
      assertThat(PortcullisResponse.onThisSite(location)).as(location).isTrue();
    }
  }

  @Test
  void anythingThatCanNameAnotherHostOrScheme_isLeftToTheContainer() {
    for (String location : List.of(
        "",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example:443/x",
        "\t//evil.example",
        " //evil.example",
        "/account\r\nSet-Cookie: a=b",
        "/\u00e9",
        "/a b")) {
      assertThat(PortcullisResponse.onThisSite(location)).as(location).isFalse();
    }
    assertThat(PortcullisResponse.onThisSite(null)).isFalse();
  }
}
