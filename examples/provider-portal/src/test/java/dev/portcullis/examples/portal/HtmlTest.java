package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTest {
  @Test
  void escape_neutralisesMarkupInTextAndInQuotedAttributes() {
    assertThat(Html.escape("<a href='x' title=\"y\">&amp;</a>"))
        .isEqualTo("&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;amp;&lt;/a&gt;");
  }

  @Test
  void escape_leavesPlainTextAndUnicodeAlone_andNullIsEmpty() {
    assertThat(Html.escape("Riverside Care – 2025 ✓")).isEqualTo("Riverside Care – 2025 ✓");
    assertThat(Html.escape(null)).isEmpty();
  }
}
