package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class JsonTest {

  private static String roundTrip(String value) throws Exception {
    StringBuilder out = new StringBuilder();
    new Json.ObjectWriter(out).string("v", value).end();
    JsonNode node = Fixtures.JSON.readTree(out.toString());
    return node.get("v").textValue();
  }

  private static void assertSafeLine(String json) {
    assertThat(json.chars())
        .as("no control, DEL, C1 or line-separator characters in %s", json)
        .noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029);
  }

  @Test
  void trickyStrings_roundTripThroughARealParser() throws Exception {
    String[] values = {
      "",
      "plain",
      "quote \" and backslash \\",
      "cr\r lf\n tab\t bs\b ff\f",
      "esc \u001b[31mred\u001b[0m",
      "nul \u0000 del \u007f nel \u0085 c1 \u009b",
      "ls \u2028 ps \u2029",
      "emoji \ud83d\ude00",
      "é ñ 中文",
      "} ] \", \"x\":\"y",
      "</script>"
    };
    for (String v : values) {
      assertThat(roundTrip(v)).isEqualTo(v);
      assertSafeLine(Json.escaped(v));
    }
  }

  @Test
  void loneSurrogates_areEscapedNotMangled() throws Exception {
    String lone = "a\ud800b\udc00c";
    assertThat(Json.escaped(lone)).isEqualTo("a\\ud800b\\udc00c");
    assertThat(roundTrip(lone)).isEqualTo(lone);
  }

  @Test
  void escapedText_isNotTheRawText() {
    // The negative case: escaping must change text that needs it, or the round trip proves nothing.
    assertThat(Json.escaped("a\nb")).isEqualTo("a\\nb");
    assertThat(Json.escaped("\u001b")).isEqualTo("\\u001b");
    assertThat(Json.escaped("\"")).isEqualTo("\\\"");
  }

  @Test
  void nullValue_isJsonNull() throws Exception {
    StringBuilder out = new StringBuilder();
    new Json.ObjectWriter(out).string("v", null).number("n", -5).end();
    JsonNode node = Fixtures.JSON.readTree(out.toString());
    assertThat(node.get("v").isNull()).isTrue();
    assertThat(node.get("n").longValue()).isEqualTo(-5);
  }

  @Property(tries = 2000)
  void anyText_roundTrips_andStaysOneSafeLine(@ForAll @StringLength(max = 60) String value)
      throws Exception {
    assertThat(roundTrip(value)).isEqualTo(value);
    assertSafeLine(Json.escaped(value));
  }

  @Property(tries = 1000)
  void controlHeavyText_roundTrips(
      @ForAll
          @StringLength(max = 30)
          @CharRange(from = '\u0000', to = '\u00a0')
          @Chars({'\u2028', '\u2029', '"'})
          String value)
      throws Exception {
    assertThat(roundTrip(value)).isEqualTo(value);
    assertSafeLine(Json.escaped(value));
  }
}
