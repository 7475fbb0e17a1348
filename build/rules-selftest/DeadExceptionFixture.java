package dev.portcullis.selftest;

/** Formatted as the build wants, but Error Prone's DeadException (an ERROR) finds the exception never thrown. */
public final class DeadExceptionFixture {
  private DeadExceptionFixture() {}

  /** Meant to refuse a negative value; the missing {@code throw} lets it through. */
  public static int check(int value) {
    if (value < 0) {
      new IllegalArgumentException("negative");
    }
    return value;
  }
}
