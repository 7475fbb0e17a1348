package dev.portcullis.login;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.session.SessionIdFormat;
import dev.portcullis.testing.TestKeyRings;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class LoginFormTokensTest {
  private final SecureRandom random = new SecureRandom();
  private final LoginFormTokens tokens = new LoginFormTokens(TestKeyRings.current());

  @Test
  void aCookieValuesToken_matchesThatValueOnly() {
    String value = tokens.newCookieValue(random);
    String other = tokens.newCookieValue(random);
    String token = tokens.tokenFor(value);

    assertThat(value).hasSize(43).matches("[A-Za-z0-9_-]+").isNotEqualTo(other);
    assertThat(token).hasSize(43).isNotEqualTo(value);
    assertThat(tokens.matches(value, token)).isTrue();
    assertThat(tokens.matches(other, token)).isFalse();
    assertThat(tokens.matches(value, tokens.tokenFor(other))).isFalse();
    assertThat(tokens.matches(value, null)).isFalse();
    assertThat(tokens.matches(null, token)).isFalse();
    assertThat(tokens.matches(value, value))
        .as("the cookie value is not its own token")
        .isFalse();
  }

  @Test
  void anotherKeyRing_makesOtherTokens() {
    String value = tokens.newCookieValue(random);
    LoginFormTokens elsewhere = new LoginFormTokens(TestKeyRings.foreign());

    assertThat(elsewhere.matches(value, tokens.tokenFor(value))).isFalse();
  }

  @Test
  void malformedCookieValues_haveNoToken() {
    for (String bad : new String[] {
      null,
      "",
      "1",
      "A".repeat(42),
      "A".repeat(44),
      "A".repeat(42) + "=",
      "A".repeat(42) + "+",
      "A".repeat(42) + "é"
    }) {
      assertThat(tokens.isWellFormed(bad)).as(String.valueOf(bad)).isFalse();
      assertThat(tokens.tokenFor(bad)).as(String.valueOf(bad)).isNull();
      assertThat(tokens.matches(bad, "A".repeat(43))).isFalse();
    }
  }

  @Test
  void sessionIdTokens_bindToSessionIdsOfTheirFormat_andDifferFromCookieCheckTokens() {
    LoginFormTokens aspnet = tokens.forSessionIds(SessionIdFormat.ASPNET);
    String id = aspnet.newCookieValue(random);
    String token = aspnet.tokenFor(id);

    assertThat(id).matches("[a-z0-5]{24}").isNotEqualTo(aspnet.newCookieValue(random));
    assertThat(aspnet.matches(id, token)).isTrue();
    assertThat(aspnet.matches(aspnet.newCookieValue(random), token)).isFalse();
    assertThat(aspnet.isWellFormed(tokens.newCookieValue(random)))
        .as("a cookie-check value is not an ASP.NET session id")
        .isFalse();
    assertThat(aspnet.tokenFor("ABCDEFGHIJKLMNOPQRSTUVWX")).isNull();

    // A default-format session id is also a well-formed cookie-check value: the same text gets
    // another token in each role.
    LoginFormTokens base64 = tokens.forSessionIds(SessionIdFormat.BASE64URL);
    String sid = base64.newCookieValue(random);
    assertThat(tokens.isWellFormed(sid)).isTrue();
    assertThat(base64.tokenFor(sid)).isNotNull().isNotEqualTo(tokens.tokenFor(sid));
    assertThat(tokens.matches(sid, base64.tokenFor(sid))).isFalse();
    assertThat(base64.matches(sid, tokens.tokenFor(sid))).isFalse();
  }
}
