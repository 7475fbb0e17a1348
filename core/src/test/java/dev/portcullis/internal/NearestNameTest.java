package dev.portcullis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class NearestNameTest {
  private static final List<String> NAMES = List.of(
      "portcullis.access.rules[0].pattern",
      "portcullis.access.default",
      "portcullis.session.idle-timeout");

  @Test
  void aFewLettersOff_caseAndPunctuationAside_findsTheNameMeant() {
    assertThat(NearestName.among("portcullis.acess.rules[0].pattern", NAMES, n -> n))
        .hasValue("portcullis.access.rules[0].pattern");
    assertThat(NearestName.among("Portcullis.Access.Defualt", NAMES, n -> n))
        .hasValue("portcullis.access.default");
    assertThat(NearestName.among(
            "PORTCULLIS_SESSION_IDLE_TIMOUT",
            NAMES,
            n -> n.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_')))
        .hasValue("portcullis.session.idle-timeout");
  }

  @Test
  void aNameFarFromEveryKnownOne_hasNone() {
    assertThat(NearestName.among("portcullis.root.dir", NAMES, n -> n)).isEmpty();
    assertThat(NearestName.among("anything", List.of(), n -> n)).isEmpty();
  }

  @Test
  void distance_countsInsertionsDeletionsAndReplacements() {
    assertThat(NearestName.distance("acess", "access")).isEqualTo(1);
    assertThat(NearestName.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(NearestName.distance("", "abc")).isEqualTo(3);
    assertThat(NearestName.distance("same", "same")).isZero();
  }
}
