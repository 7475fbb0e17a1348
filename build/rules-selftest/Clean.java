package dev.portcullis.selftest;

/** Formatted as the build wants and free of Error Prone findings: the control case. */
public final class Clean {
  private Clean() {}

  /** Returns the length of the given text. */
  public static int length(String text) {
    return text.length();
  }
}
