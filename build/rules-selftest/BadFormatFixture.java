package dev.portcullis.selftest;

/** Compiles cleanly, but is not formatted as palantir-java-format would format it. */
public final class BadFormatFixture {
    private BadFormatFixture() {}

  public static int   twice( int value ) { return value*2; }
}
