package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The Cookie header parser: the pairs a stage sees, for well-formed and hostile headers. */
class CookiesTest {
  @Test
  void readsPairsTrimmedAndUnquoted() {
    Cookies cookies = Cookies.parse(" a=1; b = \"two\" ;c=; =x; noequals; d=4=5;a=6");

    assertThat(cookies.values("a")).containsExactly("1", "6");
    assertThat(cookies.values("b")).containsExactly("two");
    assertThat(cookies.values("c")).containsExactly("");
    assertThat(cookies.values("d")).containsExactly("4=5");
    assertThat(cookies.values("noequals")).isEmpty();
    assertThat(cookies.count("a")).isEqualTo(2);
    assertThat(cookies.first("d")).isEqualTo("4=5");
  }

  @Test
  void single_findsTheOneValue_orSaysNoneOrSeveral() {
    Cookies cookies = Cookies.parse("sid=1; auth=\"x\"; sid=2; other=3");

    assertThat(cookies.value(cookies.single("auth"))).isEqualTo("x");
    assertThat(cookies.value(cookies.single("other"))).isEqualTo("3");
    assertThat(cookies.single("sid")).isEqualTo(Cookies.SEVERAL);
    assertThat(cookies.single("missing")).isEqualTo(Cookies.ABSENT);
    assertThat(cookies.single("si")).isEqualTo(Cookies.ABSENT);
    assertThat(Cookies.parse("").single("sid")).isEqualTo(Cookies.ABSENT);
  }

  @Test
  void namesAreCaseSensitive() {
    assertThat(Cookies.parse("SID=1").values("sid")).isEmpty();
  }

  @Test
  void aHeaderWithoutPairsHasNone() {
    assertThat(Cookies.parse(";;; ;").count("a")).isZero();
    assertThat(Cookies.parse("").values("a")).isEmpty();
    assertThat(Cookies.parse("=").values("")).isEmpty();
  }

  @Test
  void asManyPairsAsTheBound_areAllRead() {
    String header = "x=0;".repeat(Cookies.MAX_PAIRS - 1) + "sid=1";

    Cookies cookies = Cookies.parse(header);

    assertThat(cookies.values("sid")).containsExactly("1");
    assertThat(cookies.count("x")).isEqualTo(Cookies.MAX_PAIRS - 1);
    // Long enough to be counted against the bound, with one pair.
    assertThat(Cookies.parse("a=" + "v".repeat(5_000)).first("a")).hasSize(5_000);
  }

  /** Not the first pairs only: a second session cookie past the bound must not leave the first to pass as the one. */
  @Test
  void morePairsThanTheBound_readNone_butTheRequestSentCookies() {
    String header = "sid=1;" + "x=0;".repeat(Cookies.MAX_PAIRS - 1) + "sid=2";

    Cookies cookies = Cookies.parse(header);

    assertThat(cookies.values("sid")).isEmpty();
    assertThat(cookies.count("x")).isZero();
    assertThat(cookies.isEmpty()).isFalse();
  }

  @Test
  void separatorsWithoutPairs_areNoCookie() {
    assertThat(Cookies.parse(";".repeat(10_000)).isEmpty()).isTrue();
    assertThat(Cookies.parse("=".repeat(10_000)).isEmpty()).isTrue();
    assertThat(Cookies.parse(";=".repeat(5_000)).isEmpty()).isTrue();
  }

  /** Every name the reference reads gets the same values, in the same order, from the parser. */
  @Property(tries = 5_000)
  void agreesWithAPlainSplit(@ForAll("headers") String header) {
    List<String[]> expected = reference(header);
    Cookies cookies = Cookies.parse(header);
    for (String[] pair : expected) {
      List<String> values = new ArrayList<>();
      for (String[] p : expected) {
        if (p[0].equals(pair[0])) {
          values.add(p[1]);
        }
      }
      assertThat(cookies.values(pair[0])).as(header).isEqualTo(values);
      int place = cookies.single(pair[0]);
      if (values.size() == 1) {
        assertThat(cookies.value(place)).as(header).isEqualTo(values.get(0));
      } else {
        assertThat(place).as(header).isEqualTo(Cookies.SEVERAL);
      }
    }
    int total = expected.size();
    int found = 0;
    for (String name : namesIn(expected)) {
      found += cookies.count(name);
    }
    assertThat(found).as(header).isEqualTo(total);
  }

  @Provide
  Arbitrary<String> headers() {
    return Arbitraries.strings().withChars("ab=; \"\t").ofMaxLength(40);
  }

  private static List<String> namesIn(List<String[]> pairs) {
    List<String> names = new ArrayList<>();
    for (String[] p : pairs) {
      if (!names.contains(p[0])) {
        names.add(p[0]);
      }
    }
    return names;
  }

  /** Splits on ';', the first '=' of each part splits name and value, both trimmed, the value unquoted. */
  private static List<String[]> reference(String header) {
    List<String[]> pairs = new ArrayList<>();
    for (String part : header.split(";", -1)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String name = part.substring(0, eq).strip();
      String value = part.substring(eq + 1).strip();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      pairs.add(new String[] {name, value});
    }
    return pairs;
  }
}
