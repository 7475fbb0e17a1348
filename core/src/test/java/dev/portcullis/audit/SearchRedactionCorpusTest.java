package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The attack: personal data typed or pasted into a search box (IPv4 and IPv6 addresses, phone numbers with letters or
 * odd separators between the digits, user handles such as {@code u-1001}, session ids and tokens) reached the
 * anonymous search-demand log as typed. {@code search-redaction-corpus.tsv} holds queries with the terms they must
 * give: each kind of personal data replaced by its placeholder, and ordinary words, care-service and place names,
 * postcode districts, years and short numbers kept as typed.
 */
class SearchRedactionCorpusTest {
  private static final String CORPUS = "search-redaction-corpus.tsv";
  private static List<String[]> corpus;

  @BeforeAll
  static void readCorpus() throws IOException {
    corpus = new ArrayList<>();
    try (InputStream in = SearchRedactionCorpusTest.class.getResourceAsStream(CORPUS)) {
      assertThat(in).as(CORPUS).isNotNull();
      int number = 0;
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
        number++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] columns = line.split("\t", -1);
        assertThat(columns)
            .as("line %d has a query, a tab and the expected terms", number)
            .hasSize(2);
        corpus.add(
            new String[] {unescape(columns[0]), unescape(columns[1]), Integer.toString(number)});
      }
    }
  }

  @Test
  void everyQueryOfTheCorpus_givesItsExpectedTerms() {
    List<String> misses = new ArrayList<>();
    for (String[] entry : corpus) {
      String got = SearchTerms.normalise(entry[0]);
      if (!got.equals(entry[1])) {
        misses.add(
            "line " + entry[2] + ": " + entry[0] + " -> " + got + " (expected " + entry[1] + ")");
      }
    }
    long redacted = corpus.stream().filter(e -> hasMarker(e[1])).count();
    System.out.printf(
        "search redaction corpus: %d queries, %d with placeholders, %d kept without, %d misses%n",
        corpus.size(), redacted, corpus.size() - redacted, misses.size());
    assertThat(misses).as("queries whose terms differ from the corpus").isEmpty();
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(150);
    // Both sides are well represented: the corpus pins what must be kept as much as what must go.
    assertThat(redacted).isGreaterThanOrEqualTo(60);
    assertThat(corpus.size() - redacted).isGreaterThanOrEqualTo(60);
  }

  @Test
  void everyExpectedValue_isAlreadyNormal() {
    for (String[] entry : corpus) {
      assertThat(SearchTerms.normalise(entry[1])).as("line " + entry[2]).isEqualTo(entry[1]);
    }
  }

  @Test
  void everyPlaceholder_isExercised() {
    for (String marker : SearchTerms.MARKERS) {
      assertThat(corpus).as(marker).anyMatch(e -> e[1].contains(marker));
    }
  }

  @Test
  void theAttacksOwnQueries_keepNoIdentifier() {
    String terms =
        SearchTerms.normalise("respite 10.0.0.1 8.8.8.8 2001:db8::1 07700x900x123 u-1001 "
            + "q0C9xJ3mZ7yS2bVw8KfLrT5nPdHa1GjE4uYoXiWcBvN");
    assertThat(terms)
        .isEqualTo("respite [ip-address] [ip-address] [ip-address] [phone] [user-handle] [token]");
    // The negative case: the words around them are still there, so the check above could see a
    // leak.
    assertThat(SearchTerms.normalise("respite 10 0 8")).isEqualTo("respite 10 0 8");
  }

  private static boolean hasMarker(String terms) {
    return SearchTerms.MARKERS.stream().anyMatch(terms::contains);
  }

  /** Undoes {@code \t \n \r \\ \\uXXXX}, so that the corpus can hold control characters and tabs. */
  private static String unescape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 == s.length()) {
        out.append(c);
        continue;
      }
      char next = s.charAt(++i);
      switch (next) {
        case 't' -> out.append('\t');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case '\\' -> out.append('\\');
        case 'u' -> {
          out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> throw new IllegalArgumentException("unknown escape \\" + next + " in " + s);
      }
    }
    return out.toString();
  }
}
