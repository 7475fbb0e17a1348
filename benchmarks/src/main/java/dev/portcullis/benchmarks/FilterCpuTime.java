package dev.portcullis.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link FilterBenchmark}'s requests measured in CPU time of the measuring thread rather than elapsed time: on cores
 * shared with other work, elapsed time partly measures the neighbours, and it drifts between one variant and the next.
 * CPU time still carries cache and frequency effects, so treat the figures as a cross-check of JMH's, not a
 * replacement.
 *
 * <p>As JMH does, each (filter, request) pair runs in a JVM of its own (with this JVM's options), so that one filter's
 * types do not make the shared call sites of the mocks and servlet wrappers megamorphic for another. In it, each round
 * sends a batch of requests and records the CPU (and elapsed) nanoseconds per request; the first third of the rounds
 * warm up, and the median of the rest is printed, with the ratios that {@link FilterBenchmark}'s targets name.
 *
 * <pre>
 * ./mvnw -B -ntp -pl benchmarks -am package -DskipTests
 * java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp benchmarks/target/benchmarks.jar \
 *     dev.portcullis.benchmarks.FilterCpuTime [rounds] [batch] [filters] [requests]
 * </pre>
 */
public final class FilterCpuTime {
  private static final String ALL_FILTERS = "noop,portcullis,springSecurity,shiro";
  private static final String ALL_REQUESTS = "authenticatedGet,anonymousGet,anonymousProtectedGet";
  private static final String RESULT = "result ";

  private FilterCpuTime() {}

  public static void main(String[] args) throws Exception {
    String rounds = args.length > 0 ? args[0] : "15";
    String batch = args.length > 1 ? args[1] : "5000";
    String[] filters = (args.length > 2 ? args[2] : ALL_FILTERS).split(",");
    String[] requests = (args.length > 3 ? args[3] : ALL_REQUESTS).split(",");
    Map<String, double[]> medians = new LinkedHashMap<>();
    for (String request : requests) {
      for (String filter : filters) {
        medians.put(filter + " " + request, measure(filter, request, rounds, batch));
      }
    }
    for (Map.Entry<String, double[]> e : medians.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "%-38s %8.0f ns CPU/request (elapsed %8.0f ns)%n",
          e.getKey(),
          e.getValue()[0],
          e.getValue()[1]);
    }
    for (String request : requests) {
      double[] noop = medians.get("noop " + request);
      double[] portcullis = medians.get("portcullis " + request);
      if (noop != null && portcullis != null) {
        System.out.printf(
            Locale.ROOT,
            "%s: Portcullis adds %.0f ns CPU over the no-op filter%n",
            request,
            portcullis[0] - noop[0]);
      }
      for (String peer : new String[] {"springSecurity", "shiro"}) {
        double[] other = medians.get(peer + " " + request);
        if (portcullis != null && other != null) {
          System.out.printf(
              Locale.ROOT,
              "%s: %s / Portcullis %.2f (CPU time)%n",
              request,
              peer,
              other[0] / portcullis[0]);
        }
      }
    }
  }

  /** Runs {@link One} in a JVM of its own; returns its medians (CPU, elapsed). */
  private static double[] measure(String filter, String request, String rounds, String batch)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of(
        "-cp",
        System.getProperty("java.class.path"),
        One.class.getName(),
        filter,
        request,
        rounds,
        batch));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    double[] result = null;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(RESULT)) {
          String[] f = line.substring(RESULT.length()).split(" ");
          result = new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])};
        }
      }
    }
    if (child.waitFor() != 0 || result == null) {
      throw new IllegalStateException(
          filter + " " + request + " failed with exit code " + child.exitValue());
    }
    return result;
  }

  /** One filter and request in this JVM: prints {@code result <median CPU ns> <median elapsed ns>}. */
  static final class One {
    private One() {}

    public static void main(String[] args) throws Exception {
      String filter = args[0];
      String request = args[1];
      int rounds = Integer.parseInt(args[2]);
      int batch = Integer.parseInt(args[3]);
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      if (!threads.isCurrentThreadCpuTimeSupported()) {
        throw new IllegalStateException("this JVM cannot measure thread CPU time");
      }
      FilterBenchmark bench = new FilterBenchmark();
      bench.filter = filter;
      bench.start();
      List<double[]> samples = new ArrayList<>();
      Object sink = null;
      int warmup = Math.max(3, rounds / 3);
      for (int round = 0; round < warmup + rounds; round++) {
        long cpu = threads.getCurrentThreadCpuTime();
        long elapsed = System.nanoTime();
        for (int i = 0; i < batch; i++) {
          sink = run(bench, request);
        }
        cpu = threads.getCurrentThreadCpuTime() - cpu;
        elapsed = System.nanoTime() - elapsed;
        if (round >= warmup) {
          samples.add(new double[] {(double) cpu / batch, (double) elapsed / batch});
        }
      }
      bench.stop();
      if (sink == null) {
        throw new IllegalStateException("no outcome");
      }
      System.out.printf(
          Locale.ROOT, "%s%.1f %.1f%n", RESULT, median(samples, 0), median(samples, 1));
    }

    private static double median(List<double[]> values, int column) {
      double[] v = values.stream().mapToDouble(x -> x[column]).sorted().toArray();
      return v[v.length / 2];
    }

    private static Object run(FilterBenchmark bench, String request) throws Exception {
      return switch (request) {
        case "authenticatedGet" -> bench.authenticatedGet();
        case "anonymousGet" -> bench.anonymousGet();
        case "anonymousProtectedGet" -> bench.anonymousProtectedGet();
        default -> throw new IllegalArgumentException("unknown request " + request);
      };
    }
  }
}
