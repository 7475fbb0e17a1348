package dev.portcullis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;

class ConfigurationWarningTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);

  @Test
  void withoutALoggingBackend_theWarningGoesToTheStandardError_namingItsSource_notNop() {
    ConfigurationWarning.say(
        ConfigurationWarningTest.class, NOPLogger.NOP_LOGGER, "keys readable by others", stream);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("Portcullis WARNING (dev.portcullis.internal.ConfigurationWarningTest): keys"
            + " readable by others" + System.lineSeparator());
  }

  @Test
  void withABackend_theWarningIsLogged_notPrintedAsWell() {
    ConfigurationWarning.say(
        ConfigurationWarningTest.class,
        LoggerFactory.getLogger(ConfigurationWarningTest.class),
        "keys readable by others",
        stream);

    assertThat(err.size()).isZero();
  }
}
