package dev.portcullis.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link FilterBenchmark}'s requests measured in CPU time of the measuring thread instead of elapsed time, with the
 * filters interleaved round by round: on cores shared with other work, elapsed time mostly measures the neighbours,
 * and JMH measures one variant after another, so a change in load between them moves the ratios. CPU time still
 * carries cache and frequency effects, so treat the figures as a cross-check of JMH's, not a replacement.
 *
 * <p>Each round runs every (filter, request) pair for a batch of requests in turn and records the CPU nanoseconds per
 * request; the median over the rounds is printed, with the ratios that {@link FilterBenchmark}'s targets name.
 *
 * <pre>
 * ./mvnw -B -ntp -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.portcullis.benchmarks.FilterCpuTime [rounds] [batch] [filters] [requests]
 * </pre>
 */
public final class FilterCpuTime {
  private static final String ALL_FILTERS = "noop,portcullis,springSecurity,shiro";
  private static final String ALL_REQUESTS = "authenticatedGet,anonymousGet,anonymousProtectedGet";

  private FilterCpuTime() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
    String[] filters = (args.length > 2 ? args[2] : ALL_FILTERS).split(",");
    String[] requests = (args.length > 3 ? args[3] : ALL_REQUESTS).split(",");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (!threads.isCurrentThreadCpuTimeSupported()) {
      throw new IllegalStateException("this JVM cannot measure thread CPU time");
    }
    Map<String, FilterBenchmark> benches = new LinkedHashMap<>();
    for (String filter : filters) {
      FilterBenchmark bench = new FilterBenchmark();
      bench.filter = filter;
      bench.start();
      benches.put(filter, bench);
    }
    Map<String, List<Double>> perRequest = new LinkedHashMap<>();
    Object sink = null;
    // The first rounds warm the JIT up and are not recorded.
    int warmup = Math.max(3, rounds / 3);
    for (int round = 0; round < warmup + rounds; round++) {
      for (String request : requests) {
        for (String filter : filters) {
          FilterBenchmark bench = benches.get(filter);
          long start = threads.getCurrentThreadCpuTime();
          for (int i = 0; i < batch; i++) {
            sink = run(bench, request);
          }
          long spent = threads.getCurrentThreadCpuTime() - start;
          if (round >= warmup) {
            perRequest.computeIfAbsent(filter + " " + request, k -> new ArrayList<>()).add((double) spent / batch);
          }
        }
      }
    }
    if (sink == null) {
      throw new IllegalStateException("no outcome");
    }
    Map<String, Double> median = new LinkedHashMap<>();
    for (Map.Entry<String, List<Double>> e : perRequest.entrySet()) {
      double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      median.put(e.getKey(), v[v.length / 2]);
      System.out.printf(Locale.ROOT, "%-38s median %9.0f ns CPU/request (min %9.0f, max %9.0f, %d rounds)%n",
          e.getKey(), v[v.length / 2], v[0], v[v.length - 1], v.length);
    }
    for (String request : requests) {
      Double noop = median.get("noop " + request);
      Double portcullis = median.get("portcullis " + request);
      if (noop != null && portcullis != null) {
        System.out.printf(Locale.ROOT, "%s: Portcullis adds %.0f ns CPU over the no-op filter%n", request,
            portcullis - noop);
      }
      for (String peer : new String[] {"springSecurity", "shiro"}) {
        Double other = median.get(peer + " " + request);
        if (portcullis != null && other != null) {
          System.out.printf(Locale.ROOT, "%s: %s / Portcullis %.2f%n", request, peer, other / portcullis);
        }
      }
    }
    for (FilterBenchmark bench : benches.values()) {
      bench.stop();
    }
  }

  private static Object run(FilterBenchmark bench, String request) throws Exception {
    return switch (request) {
      case "authenticatedGet" -> bench.authenticatedGet();
      case "anonymousGet" -> bench.anonymousGet();
      default -> bench.anonymousProtectedGet();
    };
  }
}
