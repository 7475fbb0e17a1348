package dev.portcullis.login.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class CsrfTokenTest {
  @Test
  void token_matchesOnlyItself() {
    SecureRandom r = new SecureRandom();
    String t = CsrfToken.generate(r);
    assertThat(t).hasSize(43).matches("[A-Za-z0-9_-]+");
    assertThat(CsrfToken.matches(t, t)).isTrue();
    assertThat(CsrfToken.matches(t, CsrfToken.generate(r))).isFalse();
    assertThat(CsrfToken.matches(t, t.substring(1))).isFalse();
    assertThat(CsrfToken.matches(t, null)).isFalse();
    assertThat(CsrfToken.matches(null, t)).isFalse();
    assertThat(CsrfToken.matches("", "")).isFalse();
    assertThat(CsrfToken.matches(t, t + "x".repeat(200))).isFalse();
  }
}
