package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.TestVectors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The SP 800-108 counter-mode KDF against Microsoft's published known answers, and its basic shape. */
class Sp800108Test {

  @TestFactory
  List<DynamicTest> matchesAspNetCoreKnownAnswers() throws IOException {
    JsonNode cases = TestVectors.json("aspnet/aspnetcore-dataprotection-kats.json")
        .path("sp800_108_ctr_hmacsha512")
        .path("cases");
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases) {
      byte[] kdk = kdk(c);
      byte[] label = utf8(c, "label_utf8");
      byte[] context = concat(utf8(c, "contextHeader_utf8"), utf8(c, "context_utf8"));
      int n = c.path("numBytes").asInt();
      byte[] expected = Base64.getDecoder().decode(c.path("expectedBase64").asText());
      tests.add(dynamicTest(
          kdk.length + "-byte key, " + n + " bytes",
          () -> assertThat(Sp800108.derive(kdk, label, context, n)).isEqualTo(expected)));
    }
    assertThat(tests).hasSize(8);
    return tests;
  }

  @Test
  void output_isAPrefixOnlyWithinOneLength_becauseTheLengthIsAnInput() {
    byte[] key = HexFormat.of().parseHex("00112233445566778899AABBCCDDEEFF");
    byte[] label = "FormsAuthentication.Ticket".getBytes(StandardCharsets.UTF_8);

    byte[] a = Sp800108.derive(key, label, new byte[0], 64);
    byte[] b = Sp800108.derive(key, label, new byte[0], 32);

    assertThat(a).hasSize(64);
    assertThat(b).hasSize(32).isNotEqualTo(java.util.Arrays.copyOf(a, 32));
    assertThat(Sp800108.deriveSameLength(key, "FormsAuthentication.Ticket"))
        .hasSize(16)
        .isNotEqualTo(Sp800108.deriveSameLength(key, "Other.Purpose"));
  }

  private static byte[] kdk(JsonNode c) {
    if (c.has("kdk_utf8")) {
      return utf8(c, "kdk_utf8");
    }
    String described = c.path("kdk").asText();
    if (described.equals("empty")) {
      // An empty HMAC key equals a key of zeros; the JCA refuses empty keys.
      return new byte[1];
    }
    assertThat(described).isEqualTo("50000 bytes, kdk[i]=(byte)i");
    byte[] kdk = new byte[50_000];
    for (int i = 0; i < kdk.length; i++) {
      kdk[i] = (byte) i;
    }
    return kdk;
  }

  private static byte[] utf8(JsonNode c, String field) {
    return c.path(field).asText("").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
