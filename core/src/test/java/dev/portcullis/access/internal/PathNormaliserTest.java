package dev.portcullis.access.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PathNormaliserTest {
  @Property(tries = 20_000)
  void agreesWithTheTwoPassReference(@ForAll("pathLike") String raw) {
    assertThat(PathNormaliser.normalise(raw)).as("'%s'", raw).isEqualTo(reference(raw));
  }

  @Example
  void examples() {
    assertThat(PathNormaliser.normalise("/")).contains("/");
    assertThat(PathNormaliser.normalise("/Reports/42/")).contains("/reports/42/");
    assertThat(PathNormaliser.normalise("/a%41b/%7e")).contains("/aab/~");
    assertThat(PathNormaliser.normalise("/a%2Fb")).isEmpty();
    assertThat(PathNormaliser.normalise("/a%252f")).isEmpty();
    assertThat(PathNormaliser.normalise("/a/%2e%2e/b")).isEmpty();
    assertThat(PathNormaliser.normalise("/a/..;/b")).isEmpty();
    assertThat(PathNormaliser.normalise("/a//b")).isEmpty();
    assertThat(PathNormaliser.normalise("/a%20")).isEmpty();
    assertThat(PathNormaliser.normalise("/a%4")).isEmpty();
    assertThat(PathNormaliser.normalise("/caf\u00e9")).isEmpty();
    assertThat(PathNormaliser.normalise("a/b")).isEmpty();
  }

  @Provide
  Arbitrary<String> pathLike() {
    Arbitrary<String> pieces = Arbitraries.oneOf(
        Arbitraries.of(
            "/", "//", ".", "..", "%2e", "%2E", "%2f", "%25", "%41", "%7e", "%20", "%", "%4", "%zz",
            ";", "\\", " ", "A", "b", "z", "0", "-", "_", "~", "\u00e9", "\t", "%00", "%7f",
            "%C3%A9"),
        Arbitraries.strings().withCharRange('a', 'e').ofMinLength(1).ofMaxLength(3));
    return pieces.list().ofMaxSize(8).map(l -> "/" + String.join("", l));
  }

  /** The earlier two-pass implementation (decode, then split into segments), kept as the oracle. */
  private static Optional<String> reference(String rawPath) {
    if (rawPath == null
        || rawPath.isEmpty()
        || rawPath.length() > PathNormaliser.MAX_LENGTH
        || rawPath.charAt(0) != '/') {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder(rawPath.length());
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c == '%') {
        if (i + 2 >= rawPath.length()) {
          return Optional.empty();
        }
        int hi = Character.digit(rawPath.charAt(i + 1), 16);
        int lo = Character.digit(rawPath.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return Optional.empty();
        }
        c = (char) (hi * 16 + lo);
        if (c == '/' || c == '%') {
          return Optional.empty(); // an encoded slash or a double encoding
        }
        i += 2;
      }
      if (c < 0x21 && c != ' ' || c >= 0x7f || c == ';' || c == '\\') {
        return Optional.empty();
      }
      out.append(c);
    }
    String path = out.toString();
    String[] segments = path.substring(1).split("/", -1);
    for (int s = 0; s < segments.length; s++) {
      String seg = segments[s];
      boolean last = s == segments.length - 1;
      if (seg.isEmpty() && !last) {
        return Optional.empty(); // "//"
      }
      if (seg.equals(".")
          || seg.equals("..")
          || seg.endsWith(".")
          || seg.endsWith(" ")
          || seg.startsWith(" ")) {
        return Optional.empty();
      }
    }
    return Optional.of(path.toLowerCase(Locale.ROOT));
  }
}
