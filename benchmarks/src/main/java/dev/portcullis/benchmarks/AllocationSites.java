package dev.portcullis.benchmarks;

import dev.portcullis.internal.SuppressForbidden;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Every allocation of a benchmark's operations, per operation and site, from a JFR recording made with TLABs off
 * ({@code -XX:-UseTLAB}: each allocation is then a {@code jdk.ObjectAllocationOutsideTLAB} event, so the recording
 * holds all of them rather than a sample). {@code benchmarks/allocation-sites.sh} makes the recording and runs this.
 *
 * <p>An event counts when its stack passes through the measured method (setup and JMH's own work do not); the number
 * of operations is the number of counted allocations of one class that each operation allocates exactly once. A site
 * is the first frame outside the JDK, the code that asked: the library's own (outside the benchmarks package), or
 * "harness" (the mocks, the page, the benchmark), with the library frame that called the harness there, if any. The
 * library's total is what the library allocates itself or has the JDK allocate (AES-GCM, strings), apart from what the
 * mocks do for it.
 *
 * <p>The run is slow and instrumented, and its compiled code keeps some objects that escape analysis removes in a
 * normal run: the recording says where allocation happens, JMH's {@code -prof gc} what a change saves.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.portcullis.benchmarks.AllocationSites RECORDING.jfr authenticatedGet
 * </pre>
 */
// The whole class reads JFR recordings.
@SuppressForbidden(
    reason = "jdk.jfr.consumer is the JDK's supported API for reading recordings (module jdk.jfr)")
public final class AllocationSites {
  static final String EVENT = "jdk.ObjectAllocationOutsideTLAB";

  /**
   * What to count and how to name sites.
   *
   * @param measuredMethod the benchmark method: the class's full name, a dot and the method's name
   * @param perOperationClass a class each operation allocates exactly once (FilterBenchmark: the mock request)
   * @param libraryPackage the package prefix of the library's frames
   * @param harnessPackage a package prefix inside {@code libraryPackage} that is the harness, not the library
   */
  public record Options(
      String measuredMethod,
      String perOperationClass,
      String libraryPackage,
      String harnessPackage) {
    static Options filterBenchmark(String benchmarkMethod) {
      return new Options(
          FilterBenchmark.class.getName() + "." + benchmarkMethod,
          "org.springframework.mock.web.MockHttpServletRequest",
          "dev.portcullis.",
          "dev.portcullis.benchmarks.");
    }
  }

  /** Bytes and allocations of one class at one site, over all counted operations. */
  public record Site(String allocated, String site, boolean library, long bytes, long count) {}

  /**
   * The counted allocations of a recording.
   *
   * @param operations how many operations the recording holds (allocations of the per-operation class)
   * @param truncated events whose stack was cut off before the measured method could be seen (raise the stack depth
   *     when not zero)
   * @param sites every site, most bytes first
   */
  public record Report(long operations, long truncated, List<Site> sites) {
    /** Bytes per operation at {@code site}. */
    double perOperation(Site site) {
      return (double) site.bytes() / operations;
    }

    /** Bytes per operation in all, or at the library's sites only. */
    double perOperation(boolean libraryOnly) {
      long sum = 0;
      for (Site s : sites) {
        if (s.library() || !libraryOnly) {
          sum += s.bytes();
        }
      }
      return (double) sum / operations;
    }
  }

  private AllocationSites() {}

  /** Reads {@code recording}'s allocation events under {@code options}. */
  public static Report read(Path recording, Options options) throws IOException {
    Map<String, Site> sites = new HashMap<>();
    long operations = 0;
    long truncated = 0;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        if (!event.getEventType().getName().equals(EVENT)) {
          continue;
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null) {
          continue;
        }
        List<RecordedFrame> frames = stack.getFrames();
        if (!passesThrough(frames, options.measuredMethod())) {
          if (stack.isTruncated()) {
            truncated++;
          }
          continue;
        }
        String allocated = readable(event.getClass("objectClass").getName());
        if (allocated.equals(options.perOperationClass())) {
          operations++;
        }
        RecordedFrame caller = caller(frames);
        boolean library = caller != null && inLibrary(caller, options);
        String site = site(frames, caller, library, options);
        String key = allocated + ' ' + site;
        Site before = sites.get(key);
        long bytes = event.getLong("allocationSize");
        sites.put(
            key,
            before == null
                ? new Site(allocated, site, library, bytes, 1)
                : new Site(allocated, site, library, before.bytes() + bytes, before.count() + 1));
      }
    }
    if (operations == 0) {
      throw new IllegalStateException("no allocation of "
          + options.perOperationClass()
          + " under "
          + options.measuredMethod()
          + ": was the recording made with -XX:-UseTLAB and "
          + EVENT
          + " enabled?");
    }
    List<Site> sorted = new ArrayList<>(sites.values());
    sorted.sort(Comparator.comparingLong(Site::bytes)
        .reversed()
        .thenComparing(Site::site)
        .thenComparing(Site::allocated));
    return new Report(operations, truncated, List.copyOf(sorted));
  }

  /** A class name as Java source writes it: JFR names arrays by their descriptors ({@code [B}, {@code [Ljava.lang.String;}). */
  static String readable(String name) {
    int dims = 0;
    while (dims < name.length() && name.charAt(dims) == '[') {
      dims++;
    }
    if (dims == 0) {
      return name;
    }
    String element = name.substring(dims);
    String base = switch (element) {
      case "Z" -> "boolean";
      case "B" -> "byte";
      case "C" -> "char";
      case "S" -> "short";
      case "I" -> "int";
      case "J" -> "long";
      case "F" -> "float";
      case "D" -> "double";
      default ->
        element.startsWith("L") && element.endsWith(";")
            ? element.substring(1, element.length() - 1)
            : element;
    };
    return base + "[]".repeat(dims);
  }

  private static boolean passesThrough(List<RecordedFrame> frames, String measuredMethod) {
    for (RecordedFrame f : frames) {
      if (measuredMethod.equals(name(f))) {
        return true;
      }
    }
    return false;
  }

  /** The first frame outside the JDK: the code that asked for the allocation; null when the JDK alone did. */
  private static RecordedFrame caller(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      if (!inJdk(f.getMethod().getType().getName())) {
        return f;
      }
    }
    return null;
  }

  /**
   * The site of an allocation that {@code caller} asked for, by its name. When that is not the library's, the site
   * says which library frame below it, if any, called it (the mock response writing a header the library set).
   */
  private static String site(
      List<RecordedFrame> frames, RecordedFrame caller, boolean library, Options options) {
    if (caller == null) {
      return "harness (the JDK only)";
    }
    String name = shortName(caller, options.libraryPackage());
    if (library) {
      return name;
    }
    for (RecordedFrame f : frames) {
      if (inLibrary(f, options)) {
        return "harness " + name + " (under " + shortName(f, options.libraryPackage()) + ")";
      }
    }
    return "harness " + name;
  }

  private static boolean inJdk(String type) {
    return type.startsWith("java.")
        || type.startsWith("javax.")
        || type.startsWith("jdk.")
        || type.startsWith("sun.")
        || type.startsWith("com.sun.");
  }

  private static boolean inLibrary(RecordedFrame f, Options options) {
    String type = f.getMethod().getType().getName();
    return type.startsWith(options.libraryPackage()) && !type.startsWith(options.harnessPackage());
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static String shortName(RecordedFrame f, String libraryPackage) {
    String name = name(f);
    return name.startsWith(libraryPackage) ? name.substring(libraryPackage.length()) : name;
  }

  /** Prints {@code report}: its totals, then its {@code rows} largest sites per operation. */
  public static void print(Report report, int rows, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%d operations; %.0f B per operation, %.0f B of it at the library's sites%n",
        report.operations(),
        report.perOperation(false),
        report.perOperation(true));
    if (report.truncated() > 0) {
      out.printf(
          Locale.ROOT,
          "%d events had stacks cut off before the measured method and were not counted%n",
          report.truncated());
    }
    out.println();
    out.println("| B per operation | allocations per operation | class | site |");
    out.println("| ---: | ---: | --- | --- |");
    int shown = 0;
    for (Site s : report.sites()) {
      if (shown++ == rows) {
        break;
      }
      out.printf(
          Locale.ROOT,
          "| %.1f | %.2f | %s | %s |%n",
          report.perOperation(s),
          (double) s.count() / report.operations(),
          s.allocated(),
          s.site());
    }
  }

  /**
   * {@code AllocationSites RECORDING.jfr BENCHMARK_METHOD [ROWS]}: the allocation sites of {@code FilterBenchmark}'s
   * method (for example {@code authenticatedGet}) in the recording, the largest {@code ROWS} (default 60) of them.
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: AllocationSites RECORDING.jfr BENCHMARK_METHOD [ROWS]");
      System.exit(2);
    }
    Report report = read(Path.of(args[0]), Options.filterBenchmark(args[1]));
    print(
        report,
        args.length == 3 ? Integer.parseInt(args[2]) : 60,
        new PrintStream(System.out, true, StandardCharsets.UTF_8));
  }
}
