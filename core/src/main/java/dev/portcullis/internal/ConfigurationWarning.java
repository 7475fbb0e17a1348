package dev.portcullis.internal;

import java.io.PrintStream;
import org.slf4j.Logger;

/**
 * Says a warning about the configuration (development mode, a key file others can read, keys past their age, the
 * default cookie names at a sub-path, ...) where the operator will see it. Through SLF4J when it has a backend; when
 * it has none, SLF4J drops every message, so the warning goes to {@code System.err} instead, which every container
 * and service manager keeps. A portal whose audit goes to a file starts without an SLF4J backend, and its operator
 * still needs to hear that its keys can be read by others.
 *
 * <p>Only for warnings said once, at start-up or on a change of configuration: never for anything a request can
 * cause, which an attacker could repeat to flood the standard error. The text must hold no secret.
 *
 * <p>Unsupported outside Portcullis: this package is internal.
 */
public final class ConfigurationWarning {
  private ConfigurationWarning() {}

  /**
   * Logs {@code warning} at WARN on {@code log}, or prints it to {@code System.err} when SLF4J has no backend, as
   * {@code Portcullis WARNING (<source's class name>): <warning>}.
   *
   * @param source the class the warning comes from, named in the printed line: SLF4J's no-operation logger has lost the
   *     name it was asked for (it answers {@code NOP}), and the operator needs to know which part is warning
   */
  public static void say(Class<?> source, Logger log, String warning) {
    say(source, log, warning, System.err);
  }

  /** As {@link #say(Class, Logger, String)}, printing to {@code err} when SLF4J has no backend. */
  static void say(Class<?> source, Logger log, String warning, PrintStream err) {
    if (Slf4jBackend.missing(log)) {
      err.println("Portcullis WARNING (" + source.getName() + "): " + warning);
      err.flush();
    } else {
      log.warn(warning);
    }
  }
}
