package dev.portcullis.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What a piece of code writes to {@code System.err}: slf4j-simple, the tests' SLF4J backend, writes there and looks the
 * stream up on every call. One capture at a time in the JVM, whichever module's test asks.
 *
 * <pre>{@code
 * String logged = CapturedStderr.during(() -> audit.flush(Duration.ofSeconds(10)));
 * }</pre>
 */
public final class CapturedStderr {
  private CapturedStderr() {}

  /** Code that may throw, run while the stream is captured. */
  public interface Action {
    void run() throws Exception;
  }

  /** Runs {@code action} with {@code System.err} captured, and returns what was written meanwhile. */
  public static synchronized String during(Action action) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
