package dev.portcullis.spring.portal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spring Boot application in a child JVM, on the test class path, with an environment of the test's choosing (every
 * {@code PORTCULLIS_*} variable of this JVM removed first): what a real process environment does, which a test
 * property cannot show. Its standard output and error are collected.
 */
final class ChildJvm implements AutoCloseable {
  private static final Pattern STARTED = Pattern.compile("started on port (\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;

  private ChildJvm(Process process) {
    this.process = process;
    this.reader = new Thread(this::read, "child-jvm-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code main} with {@code env} added to the environment and {@code args} as its arguments. */
  static ChildJvm start(Class<?> main, Map<String, String> env, String... args) throws IOException {
    return start(main, env, List.of(), args);
  }

  /** As {@link #start(Class, Map, String...)}, with {@code jvmOptions} ({@code -Dname=value}) for the JVM. */
  static ChildJvm start(
      Class<?> main, Map<String, String> env, List<String> jvmOptions, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1"));
    command.addAll(jvmOptions);
    command.addAll(List.of(
        "-cp",
        System.getProperty("java.class.path"),
        main.getName(),
        "--spring.main.banner-mode=off"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("PORTCULLIS"));
    builder.environment().putAll(env);
    return new ChildJvm(builder.start());
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process ended
    } finally {
      synchronized (lines) {
        lines.notifyAll();
      }
    }
  }

  /** The HTTP port, once the application has started; fails with the output if it ends first. */
  int awaitPort() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    synchronized (lines) {
      while (true) {
        for (String line : lines) {
          Matcher m = STARTED.matcher(line);
          if (m.find()) {
            return Integer.parseInt(m.group(1));
          }
        }
        long left = deadline - System.nanoTime();
        if ((!process.isAlive() && !reader.isAlive()) || left <= 0) {
          throw new AssertionError("the application did not start:\n" + output());
        }
        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 200_000_000L))));
      }
    }
  }

  /** The HTTP port once the application has started, or null when it ended without starting. */
  Integer awaitPortOrExit() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    synchronized (lines) {
      while (true) {
        for (String line : lines) {
          Matcher m = STARTED.matcher(line);
          if (m.find()) {
            return Integer.parseInt(m.group(1));
          }
        }
        if (!process.isAlive() && !reader.isAlive()) {
          return null;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the application neither started nor ended:\n" + output());
        }
        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 200_000_000L))));
      }
    }
  }

  /**
   * Waits for an application that must not start to end, and returns its exit code; fails with the output at once if
   * it starts instead.
   */
  int awaitFailedStart() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    synchronized (lines) {
      while (process.isAlive() || reader.isAlive()) {
        for (String line : lines) {
          if (STARTED.matcher(line).find()) {
            throw new AssertionError("the application started:\n" + output());
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the application is still running:\n" + output());
        }
        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 200_000_000L))));
      }
    }
    return awaitExit();
  }

  /** Waits for the process to end and returns its exit code. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("the application is still running:\n" + output());
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return process.exitValue();
  }

  /** Everything the process printed so far. */
  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
