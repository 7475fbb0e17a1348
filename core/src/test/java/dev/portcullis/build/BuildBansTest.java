package dev.portcullis.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import de.thetaphi.forbiddenapis.Checker;
import de.thetaphi.forbiddenapis.CheckerResult;
import de.thetaphi.forbiddenapis.ForbiddenViolation;
import de.thetaphi.forbiddenapis.Logger;
import dev.portcullis.crypto.Sealer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exercises the build's bans so that they cannot rot silently: the forbidden-apis signatures the parent pom applies to
 * main code ({@code build/forbidden-apis.txt} plus the bundled {@code jdk-unsafe}, {@code jdk-deprecated} and {@code
 * jdk-non-portable} lists, suppressed by {@code **.SuppressForbidden}) must flag one fixture per rule, spare a clean
 * fixture and a suppressed one, and find nothing in core's main classes. The module border (no Servlet API, no Spring,
 * no {@code javax.servlet} in core) is checked on core's own test classpath.
 *
 * <p>Keep {@link #checker()} in step with the {@code forbiddenapis} configuration in the parent pom.
 */
class BuildBansTest {
  /** As {@code maven.compiler.release}: selects the bundled signature lists for that JDK. */
  private static final String TARGET_RELEASE = "17";

  private static final List<String> BUNDLED =
      List.of("jdk-unsafe", "jdk-deprecated", "jdk-non-portable");

  @ParameterizedTest(name = "{0} is flagged as {1}")
  @CsvSource(delimiter = '|', textBlock = """
      ReadsInstantNow         | java.time.Instant#now()
      ReadsCurrentTimeMillis  | java.lang.System#currentTimeMillis()
      CreatesDateOfNow        | java.util.Date#<init>()
      CreatesRandom           | java.util.Random#<init>()
      DeserializesObjects     | java.io.ObjectInputStream
      LowerCasesWithoutLocale | java.lang.String#toLowerCase()
      FormatsWithoutLocale    | java.lang.String#format(java.lang.String,java.lang.Object[])
      """)
  void fixtureBreakingOneRule_isFlagged(String fixture, String signature) throws Exception {
    List<String> violations = violationsIn(fixture);
    assertThat(violations).anySatisfy(v -> assertThat(v).contains(signature));
  }

  @ParameterizedTest
  @ValueSource(strings = {"FollowsEveryBan", "SuppressedInstantNow"})
  void cleanOrSuppressedFixture_isNotFlagged(String fixture) throws Exception {
    assertThat(violationsIn(fixture)).isEmpty();
  }

  @Test
  void coreMainClasses_breakNoBan() throws Exception {
    Path classes =
        Path.of(Sealer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> names;
    try (Stream<Path> files = Files.walk(classes)) {
      names = files
          .filter(p -> p.toString().endsWith(".class"))
          .map(p -> classes.relativize(p).toString().replace(File.separatorChar, '/'))
          .collect(Collectors.toList());
    }
    assertThat(names)
        .as("core main classes under " + classes)
        .contains("dev/portcullis/crypto/Sealer.class");
    Checker checker = checker();
    checker.addClassesToCheck(classes.toFile(), names.toArray(String[]::new));
    Map<String, List<String>> found = new LinkedHashMap<>();
    for (CheckerResult r : checker.runWithResults()) {
      if (!r.getViolations().isEmpty()) {
        found.put(r.getClassName(), describe(r.getViolations()));
      }
    }
    assertThat(found).as("forbidden API use in core main code").isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jakarta.servlet.Filter",
        "jakarta.servlet.http.HttpServletRequest",
        "javax.servlet.Filter",
        "javax.servlet.http.HttpServletRequest",
        "org.springframework.core.SpringVersion",
        "org.springframework.context.ApplicationContext",
        "org.springframework.boot.SpringApplication",
        "org.springframework.security.core.Authentication"
      })
  void frameworkClass_isNotOnCoreClasspath(String className) {
    assertThatThrownBy(() -> Class.forName(className, false, getClass().getClassLoader()))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void coreTestClasspath_holdsNoServletOrSpringPackage() throws IOException {
    List<String> offenders = new ArrayList<>();
    String classPath = System.getProperty("java.class.path");
    List<String> entries = List.of(classPath.split(File.pathSeparator));
    assertThat(entries).as("test classpath").anyMatch(e -> e.contains("junit-jupiter"));
    for (String entry : entries) {
      Path path = Path.of(entry);
      for (String banned : List.of("jakarta/servlet/", "javax/servlet/", "org/springframework/")) {
        if (contains(path, banned)) {
          offenders.add(entry + " has " + banned);
        }
      }
    }
    assertThat(offenders).isEmpty();
  }

  private static boolean contains(Path entry, String packagePath) throws IOException {
    if (Files.isDirectory(entry)) {
      return Files.isDirectory(entry.resolve(packagePath));
    }
    if (!Files.isRegularFile(entry)) {
      return false;
    }
    try (ZipFile zip = new ZipFile(entry.toFile())) {
      Enumeration<? extends ZipEntry> all = zip.entries();
      while (all.hasMoreElements()) {
        if (all.nextElement().getName().startsWith(packagePath)) {
          return true;
        }
      }
    }
    return false;
  }

  private List<String> violationsIn(String fixture) throws Exception {
    String binaryName = BanFixtures.class.getName() + "$" + fixture;
    Checker checker = checker();
    try (var in =
        getClass().getClassLoader().getResourceAsStream(binaryName.replace('.', '/') + ".class")) {
      assertThat(in).as("compiled fixture " + binaryName).isNotNull();
      checker.addClassToCheck(in, fixture);
    }
    List<CheckerResult> results = checker.runWithResults();
    assertThat(results).hasSize(1);
    return describe(results.get(0).getViolations());
  }

  /** The same signatures, bundled lists and suppression annotation as the parent pom's forbiddenapis plugin. */
  private Checker checker() throws Exception {
    Checker checker = new Checker(
        new QuietLogger(),
        getClass().getClassLoader(),
        EnumSet.of(
            Checker.Option.FAIL_ON_MISSING_CLASSES,
            Checker.Option.IGNORE_SIGNATURES_OF_MISSING_CLASSES));
    assertThat(checker.isSupportedJDK).as("forbiddenapis supports this JDK").isTrue();
    checker.addSuppressAnnotation("**.SuppressForbidden");
    for (String bundled : BUNDLED) {
      checker.addBundledSignatures(bundled, TARGET_RELEASE);
    }
    checker.parseSignaturesFile(signaturesFile());
    return checker;
  }

  private static File signaturesFile() {
    String root = System.getProperty("portcullis.root.dir");
    assertThat(root).as("system property portcullis.root.dir (set by surefire)").isNotBlank();
    File file = Path.of(root, "build", "forbidden-apis.txt").toFile();
    assertThat(file).as("the build's signatures file").isFile();
    return file;
  }

  private static List<String> describe(List<ForbiddenViolation> violations) {
    return violations.stream().map(v -> v.description).collect(Collectors.toList());
  }

  /** Collects nothing: the assertions carry the violations. */
  private static final class QuietLogger implements Logger {
    @Override
    public void error(String msg) {}

    @Override
    public void warn(String msg) {}

    @Override
    public void info(String msg) {}

    @Override
    public void debug(String msg) {}
  }
}
