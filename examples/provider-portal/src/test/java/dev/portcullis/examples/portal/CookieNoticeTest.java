package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.cookie.SameSite;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CookieNoticeTest {
  private static final CookieSpec HOSTILE = CookieSpec.builder("__Host-x")
      .purpose("<script>alert(1)</script> & \"quotes\"")
      .dataStored("line one\nline two \u2028 </td>")
      .duration("30 days")
      .sameSite(SameSite.STRICT)
      .maxAge(Duration.ofDays(30))
      .build();
  private static final CookieSpec PLAIN = CookieSpec.builder("prefs")
      .purpose("Remembers the layout")
      .dataStored("A layout name")
      .duration("One year")
      .secure(false)
      .httpOnly(false)
      .domain("example.org")
      .path("/app")
      .build();

  @Test
  void table_escapesEveryDeclaredText() {
    String html = new CookieNotice(List.of(HOSTILE)).htmlTable();
    assertThat(html)
        .doesNotContain("<script>", "</td>\n</td>")
        .contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;",
            "line two \u2028 &lt;/td&gt;");
  }

  @Test
  void table_hasOneRowPerDeclaration_inOrder() {
    String html = new CookieNotice(List.of(PLAIN, HOSTILE)).htmlTable();
    assertThat(html.indexOf("<code>prefs</code>"))
        .isPositive()
        .isLessThan(html.indexOf("<code>__Host-x</code>"));
    assertThat(html.split("<tr><th scope=\"row\">", -1)).hasSize(3);
  }

  @Test
  void moreInformation_describesTheFlagsInWords() {
    assertThat(CookieNotice.moreInformation(HOSTILE))
        .contains("HTTPS", "HttpOnly", "SameSite=Strict", "this site only", "2592000 seconds");
    assertThat(CookieNotice.moreInformation(PLAIN))
        .contains(
            "plain HTTP",
            "Readable by scripts",
            "SameSite=Lax",
            "example.org and its subdomains",
            "Path=/app",
            "close the browser");
  }

  @Test
  void json_parsesBackToTheSameTexts_andStaysInertInHtml() throws Exception {
    String json = new CookieNotice(List.of(HOSTILE, PLAIN)).json();
    assertThat(json).doesNotContain("<", ">", "\u2028");
    JsonNode cookies = new ObjectMapper().readTree(json).get("cookies");
    assertThat(cookies.get(0).get("purpose").asText()).isEqualTo(HOSTILE.purpose());
    assertThat(cookies.get(0).get("dataStored").asText()).isEqualTo(HOSTILE.dataStored());
    assertThat(cookies.get(0).get("maxAgeSeconds").asLong()).isEqualTo(2_592_000L);
    assertThat(cookies.get(0).get("sessionScoped").asBoolean()).isFalse();
    assertThat(cookies.get(1).get("domain").asText()).isEqualTo("example.org");
    assertThat(cookies.get(1).get("maxAgeSeconds").isNull()).isTrue();
    assertThat(cookies.get(1).get("secure").asBoolean()).isFalse();
  }

  @Test
  void aCookieWithMaxAge_meansNotAllEndWithTheBrowser() {
    assertThat(new CookieNotice(List.of(PLAIN)).allEndWithTheBrowser()).isTrue();
    assertThat(new CookieNotice(List.of(PLAIN, HOSTILE)).allEndWithTheBrowser()).isFalse();
  }

  @Test
  void noticeWithoutDeclarations_isRefused() {
    assertThatThrownBy(() -> new CookieNotice(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requiredSentence_spellsTheNumberOfDeclarations() {
    assertThat(new CookieNotice(List.of(PLAIN)).requiredSentence())
        .isEqualTo("One cookie is required for the operation of this site.");
    assertThat(new CookieNotice(List.of(PLAIN, HOSTILE)).requiredSentence())
        .isEqualTo("Two cookies are required for the operation of this site.");
    assertThat(new CookieNotice(List.of(PLAIN, HOSTILE, PLAIN)).requiredSentence())
        .isEqualTo("Three cookies are required for the operation of this site.");
    List<CookieSpec> many = java.util.Collections.nCopies(13, PLAIN);
    assertThat(new CookieNotice(many).requiredSentence())
        .isEqualTo("13 cookies are required for the operation of this site.");
  }
}
