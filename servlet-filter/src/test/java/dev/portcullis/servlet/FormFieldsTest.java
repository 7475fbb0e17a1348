package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How many values of a field the query string gave: those are the ones skipped before the body's. */
class FormFieldsTest {
  @Test
  void queryValuesAreCountedByDecodedName() {
    assertThat(FormFields.countInQuery(null, "_csrf")).isZero();
    assertThat(FormFields.countInQuery("", "_csrf")).isZero();
    assertThat(FormFields.countInQuery("_csrf=a", "_csrf")).isEqualTo(1);
    assertThat(FormFields.countInQuery("x=1&_csrf=a&_csrf=b", "_csrf")).isEqualTo(2);
    assertThat(FormFields.countInQuery("%5Fcsrf=a&%5fcsrf", "_csrf"))
        .as("encoded, and without a value")
        .isEqualTo(2);
    assertThat(FormFields.countInQuery("accept+Terms=yes&acceptTerms", "accept Terms"))
        .isEqualTo(1);
    assertThat(FormFields.countInQuery("_csrfx=a&x_csrf=b&=c&&", "_csrf")).isZero();
    assertThat(FormFields.countInQuery("a&b=&_csrf&c=_csrf", "_csrf")).isEqualTo(1);
    assertThat(FormFields.countInQuery("&".repeat(100_000) + "_csrf", "_csrf")).isEqualTo(1);
  }

  @Test
  void aNameThatDoesNotDecode_countsSoThatNoQueryValueIsTakenForTheBodys() {
    assertThat(FormFields.countInQuery("%zz=a", "_csrf")).isEqualTo(1);
    assertThat(FormFields.countInQuery("ok=%zz", "_csrf"))
        .as("only names are decoded")
        .isZero();
  }
}
