package dev.portcullis.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH suites behind the README's performance table and prints the table: each Portcullis figure beside the
 * baseline measured in the same run, their ratio, the target and whether this run met it. The cookie and filter suites
 * run in {@link #ROUNDS} rounds, each comparison taken within a round and reported as the median over them; the
 * session suite runs once. Then measures the bytes per idle session in a JVM of its own.
 *
 * <pre>
 * ./mvnw -B -ntp -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.portcullis.benchmarks.PerformanceReport [quick]
 * </pre>
 *
 * {@code quick} runs one short iteration of everything, to check the harness rather than to measure.
 * {@code benchmarks/performance.sh} runs this and the HTTP load test in one go.
 */
public final class PerformanceReport {
  /** JMH's GC profiler's bytes allocated per operation. */
  private static final String ALLOCATED = "gc.alloc.rate.norm";

  private static final Pattern BYTES_PER_SESSION =
      Pattern.compile("bytes per idle session: ([0-9.]+)");

  /**
   * Rounds of the cookie and filter suites. Each round runs every benchmark of the suite in a fresh fork, so the
   * Portcullis fork and its baseline's sit minutes apart at most, and a comparison is taken within each round and then
   * the median over the rounds: on this project's shared machine, forks of the same jar differ by 10 to 12% (within a
   * fork, iterations by about 2%), which one fork per benchmark put straight into the ratios.
   */
  private static final int ROUNDS = 3;

  /**
   * A benchmark's score in each round (the mean of its one fork), in its own unit, and JMH's error (99.9%) of the
   * single round when there is only one.
   */
  record Score(double[] rounds, double error, String unit) {
    String show() {
      if (rounds.length == 1) {
        return String.format(Locale.ROOT, "%,.0f ± %,.0f %s", rounds[0], error, unit);
      }
      double[] sorted = rounds.clone();
      Arrays.sort(sorted);
      return String.format(
          Locale.ROOT,
          "%,.0f %s (%,.0f to %,.0f)",
          median(sorted),
          unit,
          sorted[0],
          sorted[sorted.length - 1]);
    }

    Score plus(Score round) {
      double[] all = Arrays.copyOf(rounds, rounds.length + 1);
      all[rounds.length] = round.rounds[0];
      return new Score(all, Double.NaN, unit);
    }
  }

  /** The median over the rounds of {@code a - b}, each difference taken within its round. */
  static double added(Score a, Score b) {
    return medianPerRound(a, b, (x, y) -> x - y);
  }

  /** The median over the rounds of {@code a / b}, each ratio taken within its round. */
  static double ratio(Score a, Score b) {
    return medianPerRound(a, b, (x, y) -> x / y);
  }

  /**
   * The median over the rounds of {@code op} applied to {@code a} and {@code b} of the same round. Both must have every
   * round: a benchmark missing from one round would pair the rounds after it with the wrong ones.
   */
  private static double medianPerRound(Score a, Score b, DoubleBinaryOperator op) {
    if (a.rounds().length != b.rounds().length) {
      throw new IllegalStateException("scores of " + a.rounds().length + " and " + b.rounds().length
          + " rounds cannot be paired: a benchmark failed in some round");
    }
    double[] values = new double[a.rounds().length];
    for (int i = 0; i < values.length; i++) {
      values[i] = op.applyAsDouble(a.rounds()[i], b.rounds()[i]);
    }
    return median(values);
  }

  private static double median(double[] values) {
    Arrays.sort(values);
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  private final Map<String, Score> scores = new HashMap<>();
  private final boolean quick;
  private final List<String> rows = new ArrayList<>();

  private PerformanceReport(boolean quick) {
    this.quick = quick;
  }

  public static void main(String[] args) throws Exception {
    PerformanceReport report = new PerformanceReport(args.length > 0 && args[0].equals("quick"));
    report.run();
  }

  private void run() throws RunnerException, IOException, InterruptedException {
    int rounds = quick ? 1 : ROUNDS;
    for (int round = 0; round < rounds; round++) {
      measure(SealBenchmark.class.getSimpleName(), 1, "", false, true);
      // With the GC profiler: its normalised allocation rate is the bytes each request allocates.
      measure(FilterBenchmark.class.getSimpleName(), 1, "", true, true);
    }
    measure(
        SessionStoreBenchmark.class.getSimpleName()
            + "\\.(bareCaffeineGet|caffeineGetWithIdleExpiry|storeLoad)",
        1,
        "@1",
        false,
        false);
    measure(
        SessionStoreBenchmark.class.getSimpleName()
            + "\\.(bareCaffeineGet|caffeineGetWithIdleExpiry|storeLoad)",
        2,
        "@2",
        false,
        false);

    String seal = "SealBenchmark.";
    floor(
        "auth cookie seal + open",
        seal + "portcullisSealAndOpen",
        "raw JCA AES-256-GCM",
        seal + "rawGcmSealAndOpen",
        1.3);
    floor(
        "auth cookie open",
        seal + "portcullisOpen",
        "raw JCA AES-256-GCM",
        seal + "rawGcmOpen",
        1.3);
    faster(
        "auth cookie seal + open",
        seal + "portcullisSealAndOpen",
        "Apache Shiro remember-me",
        seal + "shiroSealAndOpen");
    faster(
        "auth cookie open",
        seal + "portcullisOpen",
        "Apache Shiro remember-me",
        seal + "shiroOpen");
    faster(
        "auth cookie seal + open",
        seal + "portcullisSealAndOpen",
        "Spring Security remember-me (signed only)",
        seal + "springRememberMeSignAndCheck");
    faster(
        "auth cookie open",
        seal + "portcullisOpen",
        "Spring Security remember-me (signed only)",
        seal + "springRememberMeCheck");
    faster(
        "auth cookie seal + open",
        seal + "portcullisSealAndOpen",
        "Google Tink AEAD",
        seal + "tinkSealAndOpen");
    faster("auth cookie open", seal + "portcullisOpen", "Google Tink AEAD", seal + "tinkOpen");

    // The request around the cookie: each filter's cost over the no-op filter in the same run.
    String auth = "FilterBenchmark.authenticatedGet[";
    addedVersusPeer(
        "filter, authenticatedGet: cost over the no-op",
        auth + "portcullis]",
        auth + "noop]",
        "Apache Shiro filter",
        auth + "shiro]",
        1.0);
    addedVersusPeer(
        "filter, authenticatedGet: cost over the no-op",
        auth + "portcullis]",
        auth + "noop]",
        "Spring Security filter chain",
        auth + "springSecurity]",
        0.5);
    allocated(
        "filter, authenticatedGet: allocation over the no-op",
        auth + "portcullis]",
        auth + "noop]",
        1536);
    String anon = "FilterBenchmark.anonymousGet[";
    added("filter, anonymousGet (public page)", anon + "portcullis]", anon + "noop]", 500);
    // The floor: the same checks written inline (ChecksOnlyFilter), so the rows above can be read
    // as what the checks cost and what the library adds around them.
    for (String request : List.of("authenticatedGet", "anonymousGet")) {
      String f = "FilterBenchmark." + request + "[";
      beside(
          "filter, " + request + ": cost over the no-op beside the checks alone",
          "",
          "ns",
          f + "portcullis]",
          f + "noop]",
          "the checks alone",
          f + "checksOnly]");
      beside(
          "filter, " + request + ": allocation over the no-op beside the checks alone",
          ALLOCATED,
          "B",
          f + "portcullis]",
          f + "noop]",
          "the checks alone",
          f + "checksOnly]");
    }
    for (String request : List.of("authenticatedGet", "anonymousGet", "anonymousProtectedGet")) {
      String f = "FilterBenchmark." + request + "[";
      context("filter, " + request, f + "portcullis]", "Apache Shiro filter", f + "shiro]");
      context(
          "filter, " + request,
          f + "portcullis]",
          "Spring Security filter chain",
          f + "springSecurity]");
    }

    for (String threads : List.of("@1", "@2")) {
      String s = "SessionStoreBenchmark.";
      floor(
          "session lookup + touch, " + threads.substring(1) + " thread(s)",
          s + "storeLoad" + threads,
          "bare Caffeine get",
          s + "bareCaffeineGet" + threads,
          2.0);
      context(
          "session lookup + touch, " + threads.substring(1) + " thread(s)",
          s + "storeLoad" + threads,
          "Caffeine get with the same idle expiry",
          s + "caffeineGetWithIdleExpiry" + threads);
    }
    sessionMemory();

    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Java %s (%s), %d processors%n",
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors());
    System.out.println();
    System.out.println("| what | Portcullis | baseline, same run | ratio | target | met |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    rows.forEach(System.out::println);
  }

  /**
   * Runs the benchmarks {@code include} matches, one fork each, and adds their scores to {@link #scores}: as another
   * round when {@code round} (short iterations, as the rounds make up for them), or as the only one.
   */
  private void measure(
      String include, int threads, String suffix, boolean allocation, boolean round)
      throws RunnerException {
    ChainedOptionsBuilder options =
        new OptionsBuilder().include(include).threads(threads).forks(1);
    if (allocation) {
      options.addProfiler(GCProfiler.class);
    }
    if (quick) {
      options
          .warmupIterations(1)
          .measurementIterations(1)
          .warmupTime(TimeValue.seconds(1))
          .measurementTime(TimeValue.seconds(1));
    } else if (round) {
      // Six seconds of warm-up: a fork's last compilations of the request path can come seven
      // or eight seconds in (one in six forks moved from 3.9 to 3.0 µs in its fourth second
      // of measurement after four seconds of warm-up).
      options
          .warmupIterations(6)
          .measurementIterations(4)
          .warmupTime(TimeValue.seconds(1))
          .measurementTime(TimeValue.seconds(1));
    } else {
      options
          .warmupIterations(4)
          .measurementIterations(6)
          .warmupTime(TimeValue.seconds(2))
          .measurementTime(TimeValue.seconds(2));
    }
    for (RunResult run : new Runner(options.build()).run()) {
      String benchmark = run.getParams().getBenchmark();
      String name =
          benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
      String filter = run.getParams().getParam("filter");
      if (filter != null) {
        name += "[" + filter + "]";
      }
      Result<?> primary = run.getPrimaryResult();
      add(name + suffix, primary);
      Result<?> bytes = run.getSecondaryResults().get(ALLOCATED);
      if (bytes != null) {
        add(name + suffix + ALLOCATED, bytes);
      }
    }
  }

  private void add(String name, Result<?> result) {
    Score round =
        new Score(new double[] {result.getScore()}, result.getScoreError(), result.getScoreUnit());
    scores.merge(name, round, Score::plus);
  }

  private Score score(String name) {
    Score s = scores.get(name);
    if (s == null) {
      throw new IllegalStateException("no result for " + name + "; have " + scores.keySet());
    }
    return s;
  }

  /** Portcullis within {@code maxRatio} times a floor that does less. */
  private void floor(
      String what, String portcullis, String baselineName, String baseline, double maxRatio) {
    Score p = score(portcullis);
    Score b = score(baseline);
    double ratio = ratio(p, b);
    row(
        what,
        p,
        baselineName + ": " + b.show(),
        String.format(Locale.ROOT, "%.2fx", ratio),
        String.format(Locale.ROOT, "≤ %.1fx", maxRatio),
        ratio <= maxRatio);
  }

  /** Portcullis beside a baseline shown for context, without a target. */
  private void context(String what, String portcullis, String baselineName, String baseline) {
    Score p = score(portcullis);
    Score b = score(baseline);
    rows.add("| " + what + " | " + p.show() + " | " + baselineName + ": " + b.show() + " | "
        + String.format(Locale.ROOT, "%.2fx", ratio(p, b)) + " | | |");
  }

  /** Portcullis faster than a peer (its time at most {@code maxShare} of the peer's). */
  private void faster(
      String what, String portcullis, String peerName, String peer, double maxShare) {
    Score p = score(portcullis);
    Score b = score(peer);
    double ratio = ratio(b, p);
    String target =
        maxShare == 1.0 ? "faster" : String.format(Locale.ROOT, "≥ %.0fx faster", 1 / maxShare);
    row(
        what,
        p,
        peerName + ": " + b.show(),
        String.format(Locale.ROOT, "peer takes %.2fx", ratio),
        target,
        ratio >= 1 / maxShare);
  }

  private void faster(String what, String portcullis, String peerName, String peer) {
    faster(what, portcullis, peerName, peer, 1.0);
  }

  /**
   * What Portcullis adds to the no-op baseline is at most {@code maxShare} of what a peer adds to it, all three
   * measured in the same run.
   */
  private void addedVersusPeer(
      String what,
      String portcullis,
      String baseline,
      String peerName,
      String peer,
      double maxShare) {
    Score p = score(portcullis);
    Score b = score(baseline);
    Score q = score(peer);
    double added = added(p, b);
    double peerAdded = added(q, b);
    row(
        what,
        p,
        String.format(
            Locale.ROOT,
            "no-op filter: %s; %s: %s (+%,.0f ns)",
            b.show(),
            peerName,
            q.show(),
            peerAdded),
        String.format(Locale.ROOT, "+%,.0f ns, %.2f of the peer's", added, added / peerAdded),
        maxShare == 1.0
            ? "≤ the peer's"
            : String.format(Locale.ROOT, "≤ %.1f of the peer's", maxShare),
        added <= peerAdded * maxShare);
  }

  /**
   * What Portcullis and another filter each add to a no-op baseline, for context, without a target: time ({@code
   * metric} empty, in ns) or the allocation ({@link #ALLOCATED}, in B).
   */
  private void beside(
      String what,
      String metric,
      String unit,
      String portcullis,
      String baseline,
      String otherName,
      String other) {
    Score p = score(portcullis + metric);
    Score b = score(baseline + metric);
    Score o = score(other + metric);
    double added = added(p, b);
    double otherAdded = added(o, b);
    rows.add(String.format(
        Locale.ROOT,
        "| %s | %s | no-op filter: %s; %s: %s (+%,.0f %s) | +%,.0f %s, %.2fx the other's | | |",
        what,
        p.show(),
        b.show(),
        otherName,
        o.show(),
        otherAdded,
        unit,
        added,
        unit,
        added / otherAdded));
  }

  /** Portcullis allocates at most {@code maxBytes} per operation more than a no-op baseline. */
  private void allocated(String what, String portcullis, String baseline, double maxBytes) {
    Score p = score(portcullis + ALLOCATED);
    Score b = score(baseline + ALLOCATED);
    double added = added(p, b);
    row(
        what,
        p,
        "no-op filter: " + b.show(),
        String.format(Locale.ROOT, "+%,.0f B", added),
        String.format(Locale.ROOT, "≤ +%,.0f B", maxBytes),
        added <= maxBytes);
  }

  /** Portcullis adds at most {@code maxAddedNanos} to a no-op baseline. */
  private void added(String what, String portcullis, String baseline, double maxAddedNanos) {
    Score p = score(portcullis);
    Score b = score(baseline);
    double added = added(p, b);
    row(
        what,
        p,
        "no-op filter: " + b.show(),
        String.format(Locale.ROOT, "+%,.0f ns", added),
        String.format(Locale.ROOT, "≤ +%,.0f ns", maxAddedNanos),
        added <= maxAddedNanos);
  }

  private void row(
      String what, Score p, String baseline, String ratio, String target, boolean met) {
    rows.add("| " + what + " | " + p.show() + " | " + baseline + " | " + ratio + " | " + target
        + " | " + (met ? "yes" : "**no**") + " |");
  }

  /** {@link SessionMemory} in a JVM of its own, so the heap it measures holds nothing else of this run. */
  private void sessionMemory() throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(
            java.toString(),
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            SessionMemory.class.getName())
        .redirectErrorStream(true)
        .start();
    Double bytes = null;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        Matcher m = BYTES_PER_SESSION.matcher(line);
        if (m.find()) {
          bytes = Double.parseDouble(m.group(1));
        }
      }
    }
    if (process.waitFor() != 0 || bytes == null) {
      throw new IllegalStateException("SessionMemory failed (exit " + process.exitValue() + ")");
    }
    rows.add(String.format(
        Locale.ROOT,
        "| memory per idle session, 1,000,000 sessions | %.0f B | | | ≤ 200 B | %s |",
        bytes,
        bytes <= 200 ? "yes" : "**no**"));
  }
}
