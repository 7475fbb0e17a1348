package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.testing.TestVectors;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionIdFormatTest {
  private final SecureRandom random = new SecureRandom();

  @Test
  void defaultIds_are43Base64UrlCharactersAndUnique() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = SessionIdFormat.BASE64URL.generate(random).cookieValue();
      assertThat(id).hasSize(43).matches("[A-Za-z0-9_-]{43}");
      assertThat(SessionIdFormat.BASE64URL.isWellFormed(id)).isTrue();
      assertThat(seen.add(id)).isTrue();
    }
  }

  @Test
  void defaultFormat_refusesEveryOtherShape() {
    String good = SessionIdFormat.BASE64URL.generate(random).cookieValue();
    assertThat(SessionIdFormat.BASE64URL.isWellFormed(good)).isTrue();

    assertThat(SessionIdFormat.BASE64URL.isWellFormed(null)).isFalse();
    assertThat(SessionIdFormat.BASE64URL.isWellFormed("")).isFalse();
    assertThat(SessionIdFormat.BASE64URL.isWellFormed(good.substring(1))).isFalse();
    assertThat(SessionIdFormat.BASE64URL.isWellFormed(good + "A")).isFalse();
    assertThat(SessionIdFormat.BASE64URL.isWellFormed("+" + good.substring(1))).isFalse();
    assertThat(SessionIdFormat.BASE64URL.isWellFormed("/" + good.substring(1))).isFalse();
    assertThat(SessionIdFormat.BASE64URL.isWellFormed(good.substring(0, 42) + "="))
        .isFalse();
    assertThat(SessionIdFormat.BASE64URL.isWellFormed(good.substring(0, 42) + "B"))
        .as("non-canonical last character")
        .isFalse();
    assertThat(SessionIdFormat.BASE64URL.isWellFormed("é" + good.substring(1))).isFalse();
  }

  @Test
  void defaultFormat_acceptsExactlyTheBase64UrlAlphabet_atEveryCharacter() {
    String good = SessionIdFormat.BASE64URL.generate(random).cookieValue();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (char c = 0; c < Character.MAX_VALUE; c++) {
      // Position 0 and 41 (any character of the alphabet is canonical there).
      String first = c + good.substring(1);
      String inner = good.substring(0, 41) + c + good.substring(42);
      boolean expected = alphabet.indexOf(c) >= 0;
      assertThat(SessionIdFormat.BASE64URL.isWellFormed(first))
          .as("U+%04X first", (int) c)
          .isEqualTo(expected);
      assertThat(SessionIdFormat.BASE64URL.isWellFormed(inner))
          .as("U+%04X inner", (int) c)
          .isEqualTo(expected);
    }
  }

  @Test
  void aspNetIds_are24CharactersOfAToZAnd0To5() {
    for (int i = 0; i < 1000; i++) {
      String id = SessionIdFormat.ASPNET.generate(random).cookieValue();
      assertThat(id).matches("[a-z0-5]{24}");
      assertThat(SessionIdFormat.ASPNET.isWellFormed(id)).isTrue();
    }
    assertThat(SessionIdFormat.ASPNET.isWellFormed("aaaaaaaaaaaaaaaaaaaaaaa6")).isFalse();
    assertThat(SessionIdFormat.ASPNET.isWellFormed("Aaaaaaaaaaaaaaaaaaaaaaaa")).isFalse();
    assertThat(SessionIdFormat.ASPNET.isWellFormed("a".repeat(23))).isFalse();
    assertThat(SessionIdFormat.ASPNET.isWellFormed("a".repeat(25))).isFalse();
    assertThat(SessionIdFormat.BASE64URL.isWellFormed("a".repeat(24))).isFalse();
  }

  @Test
  void aspNetEncoding_matchesThePublishedCases() throws IOException {
    JsonNode vectors = new ObjectMapper()
        .readTree(TestVectors.file("aspnet/aspnet-sessionid.json").toFile());
    assertThat(vectors.get("alphabet").asText()).isEqualTo(SessionIdFormat.ASPNET_ALPHABET);
    assertThat(vectors.get("lengthChars").asInt()).isEqualTo(SessionIdFormat.ASPNET.length());
    JsonNode cases = vectors.get("cases_derived_by_us");
    assertThat(cases).isNotEmpty();
    for (JsonNode c : cases) {
      byte[] bytes = HexFormat.of().parseHex(c.get("bytesHex").asText());
      String expected = c.get("id").asText();

      assertThat(SessionIdFormat.encodeAspNet(bytes)).isEqualTo(expected);
      assertThat(SessionIdFormat.ASPNET.isWellFormed(expected)).isTrue();

      bytes[0] ^= 1;
      assertThat(SessionIdFormat.encodeAspNet(bytes)).as("a changed byte").isNotEqualTo(expected);
    }
  }
}
