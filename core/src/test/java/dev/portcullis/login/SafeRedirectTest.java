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
  void withReturnTo_carriesASafeTargetEncoded_andLeavesAnyOtherOut() {
    assertThat(SafeRedirect.withReturnTo("/login", "/reports/7?tab=notes&x=1"))
        .isEqualTo("/login?returnTo=%2Freports%2F7%3Ftab%3Dnotes%26x%3D1");
    assertThat(SafeRedirect.withReturnTo("/app/login", "//evil.example/")).isEqualTo("/app/login");
    assertThat(SafeRedirect.withReturnTo("/login", null)).isEqualTo("/login");
  }
}
