package dev.portcullis.login;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeRedirectTest {
  @Test
  void onlyRelativePathsOnThisSite_areSafe() {
    assertThat(SafeRedirect.isSafe("/reports/7?tab=notes")).isTrue();
    for (String unsafe : new String[] {
      null,
      "",
      "reports",
      "//evil.example/",
      "/\\evil.example",
      "https://evil.example/",
      "/a b",
      "/\u00e9",
      "/" + "a".repeat(1024)
    }) {
      assertThat(SafeRedirect.isSafe(unsafe)).as(String.valueOf(unsafe)).isFalse();
    }
  }

  @Test
  void aPathTheBrowserWouldRewrite_isNotSafe() {
    // Each of these the browser would resolve on this site to a path starting "//" (or one the
    // server decodes so), which a page that redirects to its own path turns into another host.
    for (String rewritten : new String[] {
      "/.//evil.example",
      "/%2e//evil.example",
      "/%2E//evil.example",
      "/a/..//evil.example",
      "/a/%2e%2e//evil.example",
      "/a/.%2e//evil.example",
      "/.;x//evil.example",
      "/..;/evil.example",
      "/a//b",
      "/%2F%2Fevil.example",
      "/%2fevil.example",
      "/%5Cevil.example",
      "/reports/.",
      "/reports/..",
      "/reports/..?x=1"
    }) {
      assertThat(SafeRedirect.isSafe(rewritten)).as(rewritten).isFalse();
    }
  }

  @Test
  void dotsAndSlashesThatNameThemselves_stayUsable() {
    for (String plain : new String[] {
      "/",
      "/reports/",
      "/reports/7",
      "/reports/v1.2/...",
      "/files/.profile",
      "/a..b/c",
      "/reports;jsessionid=x/7",
      "/search?q=a//b&next=/../x",
      "/page#/../..//x",
      "/search?q=%2F"
    }) {
      assertThat(SafeRedirect.isSafe(plain)).as(plain).isTrue();
    }
  }

  @Test
  void withReturnTo_carriesASafeTargetEncoded_andLeavesAnyOtherOut() {
    assertThat(SafeRedirect.withReturnTo("/login", "/reports/7?tab=notes&x=1"))
        .isEqualTo("/login?returnTo=%2Freports%2F7%3Ftab%3Dnotes%26x%3D1");
    assertThat(SafeRedirect.withReturnTo("/app/login", "//evil.example/")).isEqualTo("/app/login");
    assertThat(SafeRedirect.withReturnTo("/login", null)).isEqualTo("/login");
  }
}
