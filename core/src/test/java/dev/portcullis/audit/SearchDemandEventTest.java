package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class SearchDemandEventTest {
  private static final Instant T = Instant.parse("2026-03-04T10:17:42.123Z");

  private static final Instant HOUR = Instant.parse("2026-03-04T10:00:00Z");

  private static String terms(String raw) {
    return SearchTerms.normalise(raw);
  }

  @Test
  void typeHasNoFieldThatCouldHoldAPersonSessionOrAddress() {
    List<String> components = Arrays.stream(SearchDemandEvent.class.getRecordComponents())
        .map(RecordComponent::getName)
        .toList();
    assertThat(components)
        .containsExactly(
            "terms", "searches", "withoutResults", "endpoint", "bucketStart", "bucket");
    List<Field> instanceFields = Arrays.stream(SearchDemandEvent.class.getDeclaredFields())
        .filter(f -> !Modifier.isStatic(f.getModifiers()))
        .toList();
    assertThat(instanceFields)
        .extracting(Field::getName)
        .containsExactlyInAnyOrder(
            "terms", "searches", "withoutResults", "endpoint", "bucketStart", "bucket");
    for (Field f : instanceFields) {
      String name = f.getName().toLowerCase(Locale.ROOT);
      assertThat(name)
          .doesNotContain("user", "actor", "session", "address", "ip", "org", "request", "id");
      assertThat(f.getType()).isIn(String.class, long.class, Instant.class, Duration.class);
    }
  }

  @Test
  void reflectionCheck_wouldCatchAnIdentifyingField() {
    // The negative case: the same check on AuditEvent, which does identify, must find such fields.
    assertThat(Arrays.stream(AuditEvent.class.getDeclaredFields()).map(Field::getName))
        .contains("actor", "clientAddress", "session", "requestId");
  }

  @Test
  void query_isLowerCasedTrimmedAndCollapsed() {
    assertThat(terms("  Care   HOMES\tin\n\nLeeds  ")).isEqualTo("care homes in leeds");
    assertThat(terms("İSTANBUL")).isEqualTo("i̇stanbul"); // Locale.ROOT, not Turkish rules
    assertThat(terms(null)).isEmpty();
    assertThat(terms("   ")).isEmpty();
  }

  @Test
  void punctuationAndControlCharacters_becomeSpaces() {
    assertThat(terms("day-care, \"respite\"; (overnight)!\u001b[31m"))
        .isEqualTo("day-care respite overnight 31m");
    assertThat(terms("o'brien & sons")).isEqualTo("o'brien & sons");
  }

  @Test
  void emailAddresses_areRedacted() {
    assertThat(terms("Jane.Doe+care@Example.ORG referral")).isEqualTo("[email] referral");
    assertThat(terms("contact me at jane@x")).isEqualTo("contact me at [email]");
  }

  @Test
  void phoneNumbers_areRedacted_inTheUsualWritings() {
    for (String phone : new String[] {
      "07700 900123",
      "07700900123",
      "+44 7700 900123",
      "+447700900123",
      "(0113) 496 0000",
      "0113-496-0000",
      "0113.496.0000",
      "０７７００９００１２３"
    }) {
      assertThat(terms("call " + phone + " today")).as(phone).isEqualTo("call [phone] today");
    }
  }

  /**
   * A phone or card number written only in digits of another script was kept as typed: the check for a list of years
   * split the run on ASCII non-digits, found no group at all and took "every group is a year" to be true.
   */
  @Test
  void numbersInDigitsOfOtherScripts_areRedactedLikeAsciiOnes_andYearsKeptInAsciiDigits() {
    assertThat(terms("٠٧٧٠٠٩٠٠١٢٣")).isEqualTo("[phone]"); // 07700900123, Arabic-Indic
    assertThat(terms("०७७००९००१२३")).isEqualTo("[phone]"); // Devanagari
    assertThat(terms("card ٤١١١ ١١١١ ١١١١ ١١١١")).isEqualTo("card [number]");
    assertThat(terms("ref ١٢٣٤٥٦")).isEqualTo("ref [number]");
    assertThat(terms("homes ٢٠١٠ ٢٠٢٠")).isEqualTo("homes 2010 2020");
    assertThat(terms("budget ٢٠٢٥/٢٦")).isEqualTo("budget 2025 26");
    assertThat(terms("١٢ beds")).isEqualTo("12 beds");
  }

  /** NFKC makes U+2011 (non-breaking hyphen) U+2010 and leaves the other dashes alone: each is read as '-'. */
  @Test
  void dashesAndTheMinusSign_areHyphens_toEveryRule() {
    for (String dash :
        new String[] {"\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\ufe63"}) {
      assertThat(terms("u" + dash + "1001 respite")).as(dash).isEqualTo("[user-handle] respite");
      assertThat(terms("day" + dash + "care")).as(dash).isEqualTo("day-care");
    }
    assertThat(terms("123e4567\u2013e89b\u201312d3\u2013a456\u2013426614174000"))
        .isEqualTo("[token]");
    assertThat(terms("ip 10\u30020\u30020\u30021")).isEqualTo("ip [ip-address]");
    assertThat(terms("jane\uff20example.org")).isEqualTo("[email]");
  }

  @Test
  void longDigitRuns_areRedacted_butShortNumbersKept() {
    assertThat(terms("nhs 943 476 5919")).isEqualTo("nhs [phone]".replace("[phone]", "[number]"));
    assertThat(terms("born 01/02/1980")).isEqualTo("born [number]");
    assertThat(terms("ref 123456")).isEqualTo("ref [number]");
    assertThat(terms("ip 192.168.1.20")).isEqualTo("ip [ip-address]");
    assertThat(terms("12 bed homes 2026")).isEqualTo("12 bed homes 2026");
    assertThat(terms("ref 12345")).isEqualTo("ref 12345");
  }

  @Test
  void postcodesAndNationalInsuranceNumbers_areRedacted() {
    assertThat(terms("homes near SW1A 1AA")).isEqualTo("homes near [postcode]");
    assertThat(terms("homes near ls11ab please")).isEqualTo("homes near [postcode] please");
    assertThat(terms("homes in LS1")).isEqualTo("homes in ls1");
    assertThat(terms("ni AB 12 34 56 C")).isEqualTo("ni [ni-number]");
    assertThat(terms("ni ab123456c")).isEqualTo("ni [ni-number]");
  }

  @Test
  void longQuery_isCutAtATokenBoundary() {
    String t = terms("word ".repeat(50));
    assertThat(t.length()).isLessThanOrEqualTo(SearchTerms.MAX_LENGTH);
    assertThat(t).endsWith("word").doesNotContain("  ");
    assertThat(terms("x".repeat(300))).isEmpty();
  }

  @Test
  void time_isTruncatedToTheBucket() {
    assertThat(SearchDemandEvent.bucketStart(T, SearchDemandEvent.DEFAULT_BUCKET))
        .isEqualTo(HOUR);
    assertThat(SearchDemandEvent.bucketStart(T, Duration.ofMinutes(15)))
        .isEqualTo(Instant.parse("2026-03-04T10:15:00Z"));
    assertThat(SearchDemandEvent.bucketStart(T, Duration.ofDays(1)))
        .isEqualTo(Instant.parse("2026-03-04T00:00:00Z"));
    SearchDemandEvent record =
        new SearchDemandEvent("q", 3, 1, "/search", HOUR, SearchDemandEvent.DEFAULT_BUCKET);
    assertThat(record.bucketEnd()).isEqualTo(Instant.parse("2026-03-04T11:00:00Z"));
    assertThat(record.toString())
        .isEqualTo(
            "{\"kind\":\"search_demand\",\"bucket_start\":\"2026-03-04T10:00:00Z\","
                + "\"bucket\":\"PT1H\",\"endpoint\":\"/search\",\"terms\":\"q\",\"searches\":3,\"without_results\":1}");
  }

  @Test
  void bucketsThatDoNotDivideADay_orAreTooFineOrCoarse_areRefused() {
    for (Duration bad : new Duration[] {
      Duration.ofSeconds(30),
      Duration.ofMinutes(7),
      Duration.ofDays(2),
      Duration.ofMillis(3_600_500)
    }) {
      assertThatThrownBy(() -> SearchDemandEvent.checkBucket(bad))
          .as(bad.toString())
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new SearchDemandEvent("q", 1, 0, "/s", Instant.EPOCH, bad))
          .as(bad.toString())
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void canonicalConstructor_refusesRawTermsBadCountsUnalignedTimeAndBadEndpoint() {
    Instant hour = HOUR;
    Duration h = Duration.ofHours(1);
    assertThat(new SearchDemandEvent("care homes [postcode]", 1, 0, "/search", hour, h).terms())
        .isEqualTo("care homes [postcode]");
    assertThat(new SearchDemandEvent(SearchDemandEvent.OTHER_TERMS, 7, 7, "/search", hour, h)
            .searches())
        .isEqualTo(7);
    assertThatThrownBy(() -> new SearchDemandEvent("jane@example.org", 1, 0, "/search", hour, h))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SearchDemandEvent("from 10.0.0.1", 1, 0, "/search", hour, h))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SearchDemandEvent("Care Homes", 1, 0, "/search", hour, h))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SearchDemandEvent("care", 1, 0, "/search", T, h))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SearchDemandEvent("care", 0, 0, "/search", hour, h))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SearchDemandEvent("care", 2, 3, "/search", hour, h))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SearchDemandEvent("care", 2, -1, "/search", hour, h))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SearchDemandEvent("care", 1, 0, "/search?q=jane", hour, h))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void otherTerms_isNoQuerysNormalForm() {
    assertThat(terms(SearchDemandEvent.OTHER_TERMS)).isEqualTo("other");
    assertThat(SearchTerms.MARKERS).doesNotContain(SearchDemandEvent.OTHER_TERMS);
  }

  @Provide
  Arbitrary<String> queries() {
    Arbitrary<String> pieces = Arbitraries.oneOf(
        Arbitraries.strings()
            .withChars("abcSWLS01239 @.+-()/'&[]#:=_x\t\n\u001b")
            .ofMaxLength(12),
        Arbitraries.of(
            "jane@example.org",
            "07700 900123",
            "+44 7700 900123",
            "sw1a 1aa",
            "ab 12 34 56 c",
            "[email]",
            "[number]",
            "[token]",
            "[ip-address]",
            "[user-handle]",
            "01/02/1980",
            "care homes",
            "０７７００",
            "x".repeat(120),
            "10.0.0.1",
            "2001:db8::1",
            "::ffff:10.0.0.1",
            "u-1001",
            "U_5f3a9c",
            "07700x900x123",
            "q0C9xJ3mZ7yS2bVw8KfLrT5nPdHa1GjE4uYoXiWcBvN",
            "sid=",
            "password:",
            "fz3mbl55ibqdo2q1ewvyfj45",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
            "123e4567-e89b-12d3-a456-426614174000"),
        Arbitraries.strings().ofMaxLength(10));
    return pieces.list().ofMaxSize(12).map(l -> String.join(" ", l));
  }

  @Test
  void aHandleLeftAloneByAPhoneNumbersRedaction_isRedactedInTheSamePass() {
    // Found by normalising_isIdempotent: the phone number took the handle's leading digit with it.
    String once = SearchTerms.normalise("07700 900123 0a-aa0");
    assertThat(once).isEqualTo("[phone] [user-handle]");
    assertThat(SearchTerms.normalise(once)).isEqualTo(once);
  }

  @Property(tries = 3000)
  void normalising_isIdempotent(@ForAll("queries") String raw) {
    String once = SearchTerms.normalise(raw);
    assertThat(SearchTerms.normalise(once)).isEqualTo(once);
  }

  @Property(tries = 3000)
  void normalisedTerms_holdNoEmailAddressOrLongDigitRun_andFitTheCap(
      @ForAll("queries") String raw) {
    String t = SearchTerms.normalise(raw);
    assertThat(t).doesNotContain("@");
    assertThat(t.replaceAll("[^0-9 .\\-'&+]", "|"))
        .doesNotContainPattern("[0-9](?:[ .\\-'&+]*[0-9]){5}");
    assertThat(t)
        .doesNotContainPattern("[0-9]{1,3}(?:\\.[0-9]{1,3}){3}")
        .doesNotContain("db8")
        .doesNotContain("u-1001")
        .doesNotContain("5f3a9c");
    assertThat(t.length()).isLessThanOrEqualTo(SearchTerms.MAX_LENGTH);
    assertThat(t).isEqualTo(t.strip()).doesNotContain("  ");
  }

  /**
   * Zero digits of scripts with decimal digits: NFKC leaves most of them alone (Arabic-Indic, Extended Arabic-Indic,
   * NKo, Devanagari, Bengali, Gurmukhi, Gujarati, Tamil, Thai, Lao, Tibetan, Myanmar, Khmer, Mongolian, Osmanya,
   * Brahmi) and folds the full-width and mathematical ones.
   */
  private static final List<Integer> ZEROS = List.of(
      0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0BE6, 0x0E50, 0x0ED0, 0x0F20,
      0x1040, 0x17E0, 0x1810, 0x104A0, 0x11066, 0xFF10, 0x1D7CE);

  /** Dashes (Unicode category Pd) and the minus sign; NFKC folds only the small and full-width hyphen-minus. */
  private static final List<Character> DASHES = List.of(
      '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\u058A', '\u05BE',
      '\u2E3A', '\u301C', '\uFE58', '\uFE63', '\uFF0D');

  @Provide
  Arbitrary<Integer> zeros() {
    return Arbitraries.of(ZEROS);
  }

  @Provide
  Arbitrary<Character> dashes() {
    return Arbitraries.of(DASHES);
  }

  @Provide
  Arbitrary<Character> fullStops() {
    return Arbitraries.of('.', '\u3002', '\uFF61');
  }

  /** {@code text} with its ASCII digits in the script of {@code zero}, its hyphens as {@code dash}, its full stops as {@code stop}. */
  private static String rewritten(String text, int zero, char dash, char stop) {
    StringBuilder out = new StringBuilder(text.length() * 2);
    text.codePoints().forEach(c -> {
      if (c >= '0' && c <= '9') {
        out.appendCodePoint(zero + c - '0');
      } else if (c == '-') {
        out.append(dash);
      } else if (c == '.') {
        out.append(stop);
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }

  /** Whatever digits, dashes or full stops a query is written in, it gives the terms of its ASCII form. */
  @Property(tries = 3000)
  void queryInOtherDigitsDashesAndFullStops_givesTheTermsOfItsAsciiForm(
      @ForAll("queries") String raw,
      @ForAll("zeros") int zero,
      @ForAll("dashes") char dash,
      @ForAll("fullStops") char stop) {
    assertThat(SearchTerms.normalise(rewritten(raw, zero, dash, stop)))
        .isEqualTo(SearchTerms.normalise(raw));
  }

  /** The redaction promises of the ASCII queries, for the same queries in other digits and dashes. */
  @Property(tries = 3000)
  void normalisedTerms_holdNoLongDigitRunHandleOrAddress_inAnyDigits(
      @ForAll("queries") String ascii,
      @ForAll("zeros") int zero,
      @ForAll("dashes") char dash,
      @ForAll("fullStops") char stop) {
    String t = SearchTerms.normalise(rewritten(ascii, zero, dash, stop));
    assertThat(t.codePoints().filter(Character::isDigit))
        .as("kept digits are ASCII")
        .allMatch(c -> c >= '0' && c <= '9');
    assertThat(t).doesNotContain("@");
    assertThat(t.replaceAll("[^0-9 .\\-'&+]", "|"))
        .doesNotContainPattern("[0-9](?:[ .\\-'&+]*[0-9]){5}");
    assertThat(t)
        .doesNotContainPattern("[0-9]{1,3}(?:\\.[0-9]{1,3}){3}")
        .doesNotContain("db8")
        .doesNotContain("u-1001")
        .doesNotContain("5f3a9c");
  }

  @Property(tries = 500)
  void plainWords_surviveUnchanged(@ForAll @StringLength(min = 1, max = 12) String word) {
    String lower = word.toLowerCase(Locale.ROOT);
    if (lower.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
      // The negative of the redaction properties: ordinary search words are not eaten.
      assertThat(SearchTerms.normalise(word)).isEqualTo(lower);
    }
  }
}
