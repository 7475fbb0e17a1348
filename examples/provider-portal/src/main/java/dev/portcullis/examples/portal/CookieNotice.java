package dev.portcullis.examples.portal;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.cookie.SameSite;
import java.util.List;

/**
 * The cookie notice, generated from the {@link CookieSpec} declarations of every cookie the filter sets: the table on
 * the privacy page and the same list as JSON. Nothing here is typed in twice, so the notice cannot drift from what
 * the filter writes.
 */
final class CookieNotice {
  private final List<CookieSpec> cookies;

  CookieNotice(List<CookieSpec> cookies) {
    if (cookies.isEmpty()) {
      throw new IllegalArgumentException("a cookie notice needs the cookie declarations");
    }
    this.cookies = List.copyOf(cookies);
  }

  List<CookieSpec> cookies() {
    return cookies;
  }

  /** True when no declared cookie outlives the browser session (none has a Max-Age). */
  boolean allEndWithTheBrowser() {
    return cookies.stream().allMatch(CookieSpec::sessionScoped);
  }

  private static final String[] NUMBERS = {
    "", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven",
    "Twelve"
  };

  /**
   * How many cookies the site needs, as a sentence: "Two cookies are required for the operation of this site." Every
   * declared cookie is one the portal cannot work without (there are no optional ones), so the count is the number of
   * declarations, spelled out up to twelve.
   */
  String requiredSentence() {
    int n = cookies.size();
    String count = n < NUMBERS.length ? NUMBERS[n] : Integer.toString(n);
    return n == 1
        ? "One cookie is required for the operation of this site."
        : count + " cookies are required for the operation of this site.";
  }

  /** The flags of a declaration in words, for the "more information" column. */
  static String moreInformation(CookieSpec c) {
    StringBuilder b = new StringBuilder();
    b.append(c.secure() ? "Sent only over HTTPS (Secure). " : "Also sent over plain HTTP. ");
    b.append(
        c.httpOnly()
            ? "Hidden from scripts in the page (HttpOnly). "
            : "Readable by scripts in the page. ");
    if (c.sameSite() == SameSite.STRICT) {
      b.append("Sent only with requests from this site (SameSite=Strict). ");
    } else if (c.sameSite() == SameSite.LAX) {
      b.append(
          "Sent with requests from this site and when you follow a link to it (SameSite=Lax). ");
    } else {
      b.append("Sent with requests from other sites too (SameSite=None). ");
    }
    b.append(c.domain().map(d -> "For " + d + " and its subdomains").orElse("For this site only"))
        .append(" (Path=")
        .append(c.path())
        .append("). ");
    b.append(c.maxAge()
        .map(a -> "Kept for " + a.toSeconds() + " seconds (Max-Age).")
        .orElse("Deleted when you close the browser or log out."));
    return b.toString();
  }

  /** The cookie table for the privacy page: one row per declared cookie, every cell escaped. */
  String htmlTable() {
    StringBuilder b = new StringBuilder(2048)
        .append(
            "<table class=\"cookies\">\n<caption>Cookies this portal sets</caption>\n<thead><tr>")
        .append(
            "<th scope=\"col\">Name</th><th scope=\"col\">Purpose</th><th scope=\"col\">Data stored</th>")
        .append(
            "<th scope=\"col\">Duration</th><th scope=\"col\">More information</th></tr></thead>\n<tbody>\n");
    for (CookieSpec c : cookies) {
      b.append("<tr><th scope=\"row\"><code>")
          .append(Html.escape(c.name()))
          .append("</code></th><td>")
          .append(Html.escape(c.purpose()))
          .append("</td><td>")
          .append(Html.escape(c.dataStored()))
          .append("</td><td>")
          .append(Html.escape(c.duration()))
          .append("</td><td>")
          .append(Html.escape(moreInformation(c)))
          .append("</td></tr>\n");
    }
    return b.append("</tbody>\n</table>\n").toString();
  }

  /** The same declarations as a JSON document: {@code {"cookies":[{...}, ...]}}. */
  String json() {
    StringBuilder b = new StringBuilder(2048).append("{\"cookies\":[");
    for (int i = 0; i < cookies.size(); i++) {
      CookieSpec c = cookies.get(i);
      b.append(i == 0 ? "\n" : ",\n")
          .append("{\"name\":")
          .append(string(c.name()))
          .append(",\"purpose\":")
          .append(string(c.purpose()))
          .append(",\"dataStored\":")
          .append(string(c.dataStored()))
          .append(",\"duration\":")
          .append(string(c.duration()))
          .append(",\"moreInformation\":")
          .append(string(moreInformation(c)))
          .append(",\"secure\":")
          .append(c.secure())
          .append(",\"httpOnly\":")
          .append(c.httpOnly())
          .append(",\"sameSite\":")
          .append(string(c.sameSite().attributeValue()))
          .append(",\"path\":")
          .append(string(c.path()))
          .append(",\"domain\":")
          .append(c.domain().map(CookieNotice::string).orElse("null"))
          .append(",\"maxAgeSeconds\":")
          .append(c.maxAge().map(a -> Long.toString(a.toSeconds())).orElse("null"))
          .append(",\"sessionScoped\":")
          .append(c.sessionScoped())
          .append('}');
    }
    return b.append("\n]}\n").toString();
  }

  /** A JSON string literal; also escapes {@code <}, {@code >} and {@code &} so the text is inert if embedded in HTML. */
  static String string(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
