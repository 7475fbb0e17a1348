package dev.portcullis.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jdk.jfr.Recording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads a recording of known allocations. Arrays of several megabytes are allocated outside any TLAB whatever the JVM's
 * settings, so each is an event here too, without {@code -XX:-UseTLAB}.
 */
class AllocationSitesTest {
  private static final int OPERATIONS = 6;
  private static final int MARKER_BYTES = 4 << 20;
  private static final int HELPER_LONGS = 1 << 20; // 8 MB
  private static final String TEST = AllocationSitesTest.class.getName();

  @TempDir
  static Path dir;

  private static Path recording;

  // Kept reachable, so that no allocation is optimised away.
  private static Object sink;

  @BeforeAll
  static void record() throws Exception {
    recording = dir.resolve("allocations.jfr");
    try (Recording r = new Recording()) {
      r.enable(AllocationSites.EVENT).withStackTrace();
      r.start();
      sink = new byte[3 * MARKER_BYTES]; // outside the measured method: not counted
      for (int i = 0; i < OPERATIONS; i++) {
        measured();
      }
      r.stop();
      r.dump(recording);
    }
  }

  private static void measured() {
    sink = new byte[MARKER_BYTES];
    sink = Mock.allocate();
  }

  /** Stands for the harness's code that the measured library code calls (a mock response, say). */
  static final class Mock {
    static long[] allocate() {
      return new long[HELPER_LONGS];
    }
  }

  private static AllocationSites.Options options(String libraryPackage, String harnessPackage) {
    return new AllocationSites.Options(
        TEST + ".measured", "byte[]", libraryPackage, harnessPackage);
  }

  @Test
  void countsTheMeasuredMethodsAllocationsPerOperation_andNothingOutsideIt() throws Exception {
    AllocationSites.Report report =
        AllocationSites.read(recording, options("dev.portcullis.", "dev.portcullis.none."));

    assertThat(report.operations()).isEqualTo(OPERATIONS);
    assertThat(report.sites())
        .extracting(AllocationSites.Site::allocated, AllocationSites.Site::site)
        .containsExactly(
            tuple("long[]", "benchmarks.AllocationSitesTest$Mock.allocate"),
            tuple("byte[]", "benchmarks.AllocationSitesTest.measured"));
    AllocationSites.Site longs = report.sites().get(0);
    AllocationSites.Site bytes = report.sites().get(1);
    // The array's payload and its header.
    assertThat(report.perOperation(longs)).isBetween(8.0 * HELPER_LONGS, 8.0 * HELPER_LONGS + 64);
    assertThat(report.perOperation(bytes)).isBetween((double) MARKER_BYTES, MARKER_BYTES + 64.0);
    assertThat(longs.count()).isEqualTo(OPERATIONS);
    assertThat(report.perOperation(false))
        .isCloseTo(report.perOperation(longs) + report.perOperation(bytes), within(1e-6));
  }

  @Test
  void framesInTheHarnessPackage_areNotTheLibrarys() throws Exception {
    AllocationSites.Report report =
        AllocationSites.read(recording, options("dev.portcullis.", "dev.portcullis.benchmarks."));

    assertThat(report.sites()).allSatisfy(s -> {
      assertThat(s.library()).isFalse();
      assertThat(s.site()).startsWith("harness ");
    });
    assertThat(report.perOperation(true)).isZero();
  }

  @Test
  void harnessCodeCalledByTheLibrary_isTheHarnesss_underTheLibrarysFrame() throws Exception {
    AllocationSites.Report report =
        AllocationSites.read(recording, options("dev.portcullis.", TEST + "$Mock"));

    assertThat(report.sites())
        .extracting(AllocationSites.Site::site, AllocationSites.Site::library)
        .containsExactly(
            tuple(
                "harness benchmarks.AllocationSitesTest$Mock.allocate"
                    + " (under benchmarks.AllocationSitesTest.measured)",
                false),
            tuple("benchmarks.AllocationSitesTest.measured", true));
    assertThat(report.perOperation(true)).isBetween((double) MARKER_BYTES, MARKER_BYTES + 64.0);
  }

  @Test
  void printsTotalsAndTheLargestSitesFirst() throws Exception {
    AllocationSites.Report report =
        AllocationSites.read(recording, options("dev.portcullis.", "dev.portcullis.none."));
    ByteArrayOutputStream text = new ByteArrayOutputStream();

    AllocationSites.print(report, 1, new PrintStream(text, true, StandardCharsets.UTF_8));

    String printed = text.toString(StandardCharsets.UTF_8);
    assertThat(printed).startsWith(OPERATIONS + " operations; ");
    assertThat(printed).contains("| long[] | benchmarks.AllocationSitesTest$Mock.allocate |");
    assertThat(printed).doesNotContain("| byte[] |");
  }

  @Test
  void arrayDescriptors_readAsSourceNames() {
    assertThat(AllocationSites.readable("[B")).isEqualTo("byte[]");
    assertThat(AllocationSites.readable("[[J")).isEqualTo("long[][]");
    assertThat(AllocationSites.readable("[Ljava.lang.String;")).isEqualTo("java.lang.String[]");
    assertThat(AllocationSites.readable("java.util.HashMap$Node"))
        .isEqualTo("java.util.HashMap$Node");
  }

  @Test
  void aRecordingWithoutTheMeasuredMethod_isRefusedSayingWhatToCheck() {
    AllocationSites.Options elsewhere =
        new AllocationSites.Options(TEST + ".neverCalled", "byte[]", "dev.portcullis.", "x.");

    assertThatThrownBy(() -> AllocationSites.read(recording, elsewhere))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("-XX:-UseTLAB");
  }
}
