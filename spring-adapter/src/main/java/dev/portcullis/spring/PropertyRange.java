package dev.portcullis.spring;

import java.time.Duration;

/**
 * A property's value checked against the range its core builder accepts, before the builder sees it: out of range,
 * start-up stops naming the property (the builder's own message names its method, not the property). Values are not
 * quoted back.
 */
final class PropertyRange {
  private PropertyRange() {}

  /**
   * {@code value}, when it is from {@code least} to {@code most}; otherwise start-up stops naming {@code property},
   * with {@code range} (such as {@code 1 to 100}) and what the property is for.
   */
  static int of(String property, int value, int least, int most, String range, String meaning) {
    if (value < least || value > most) {
      throw outside(property, range, meaning);
    }
    return value;
  }

  /** As {@link #of(String, int, int, int, String, String)}, for a long. */
  static long of(String property, long value, long least, long most, String range, String meaning) {
    if (value < least || value > most) {
      throw outside(property, range, meaning);
    }
    return value;
  }

  /** As {@link #of(String, int, int, int, String, String)}, for a duration; {@code most} null: no upper bound. */
  static Duration of(
      String property,
      Duration value,
      Duration least,
      Duration most,
      String range,
      String meaning) {
    if (value.compareTo(least) < 0 || (most != null && value.compareTo(most) > 0)) {
      throw outside(property, range, meaning);
    }
    return value;
  }

  private static PortcullisConfigurationException outside(
      String property, String range, String meaning) {
    return new PortcullisConfigurationException(
        property + " is outside " + range,
        "Set " + property + " to " + range + ", or remove it for the default: " + meaning + ".");
  }
}
