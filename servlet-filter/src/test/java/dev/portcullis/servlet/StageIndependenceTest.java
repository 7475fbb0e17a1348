package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No stage refers to another stage: what stages share lives in non-stage types, and their order is the pipeline's
 * alone. Checked twice for every class of this package that implements {@link Stage}: in the compiled class (and its
 * nested classes), every type named in its constant pool (fields, calls, signatures); and in its source, every word
 * that names another stage (which also catches a constant the compiler would have inlined).
 */
class StageIndependenceTest {
  private static final String PACKAGE = "dev/portcullis/servlet/";
  private static final Pattern TYPE_IN_CLASS =
      Pattern.compile(Pattern.quote(PACKAGE) + "([A-Za-z0-9_]+)");
  private static final Pattern WORD = Pattern.compile("\\b([A-Z][A-Za-z0-9_]*)\\b");

  @Test
  void noStageReferencesAnotherStage() throws Exception {
    Set<String> stages = stageTypes();
    assertThat(stages)
        .as("the pipeline's stages were found")
        .contains(
            "TransportStage",
            "SessionStage",
            "AuthenticationStage",
            "LegacyUpgradeStage",
            "CookieCheckStage",
            "CsrfStage",
            "LoginStage",
            "LogoutStage",
            "TermsStage",
            "SsoStage",
            "AccessStage",
            "AuditStage");
    TreeMap<String, Set<String>> violations = new TreeMap<>();
    for (String stage : stages) {
      Set<String> others = new TreeSet<>(stages);
      others.remove(stage);
      Set<String> found = new TreeSet<>();
      for (Path classFile : classFilesOf(stage)) {
        found.addAll(namedIn(Files.readAllBytes(classFile), others));
      }
      Path source = Path.of("src/main/java", PACKAGE, stage + ".java");
      assertThat(source).as("the source of " + stage).exists();
      found.addAll(namedIn(Files.readString(source, StandardCharsets.UTF_8), others));
      if (!found.isEmpty()) {
        violations.put(stage, found);
      }
    }
    assertThat(violations).as("stages that refer to other stages").isEmpty();
  }

  /** The check can fail: a test-only stage that holds and calls another stage is caught both ways. */
  @Test
  void aStageThatReferencesAnother_isCaught() throws Exception {
    Set<String> stages = stageTypes();
    stages.remove("CrossReferencingStage");
    byte[] compiled;
    try (InputStream in =
        CrossReferencingStage.class.getResourceAsStream("CrossReferencingStage.class")) {
      compiled = in.readAllBytes();
    }
    assertThat(namedIn(compiled, stages)).contains("CsrfStage").doesNotContain("TermsStage");
    String source =
        Files.readString(Path.of("src/test/java", PACKAGE, "CrossReferencingStage.java"));
    assertThat(namedIn(source, stages)).contains("CsrfStage", "CookieCheckStage");
    assertThat(namedIn(source, Set.of("TermsStage"))).isEmpty();
  }

  /** The top-level classes of this package's main code that implement {@link Stage}. */
  private static Set<String> stageTypes()
      throws IOException, URISyntaxException, ClassNotFoundException {
    Set<String> out = new TreeSet<>();
    for (Path file : mainClassFiles()) {
      String name = file.getFileName().toString().replace(".class", "");
      if (name.contains("$") || name.equals("Stage")) {
        continue;
      }
      Class<?> type =
          Class.forName("dev.portcullis.servlet." + name, false, Stage.class.getClassLoader());
      if (Stage.class.isAssignableFrom(type)) {
        out.add(name);
      }
    }
    return out;
  }

  private static List<Path> mainClassFiles() throws IOException, URISyntaxException {
    Path dir = Path.of(
            Stage.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve(PACKAGE);
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".class")).sorted().toList();
    }
  }

  private static List<Path> classFilesOf(String type) throws IOException, URISyntaxException {
    List<Path> out = new ArrayList<>();
    for (Path file : mainClassFiles()) {
      String name = file.getFileName().toString();
      if (name.equals(type + ".class") || name.startsWith(type + "$")) {
        out.add(file);
      }
    }
    return out;
  }

  /** Which of {@code candidates} a class file names anywhere in its constant pool. */
  static Set<String> namedIn(byte[] classFile, Set<String> candidates) throws IOException {
    Set<String> found = new TreeSet<>();
    for (String text : utf8Constants(classFile)) {
      Matcher m = TYPE_IN_CLASS.matcher(text);
      while (m.find()) {
        if (candidates.contains(m.group(1))) {
          found.add(m.group(1));
        }
      }
    }
    return found;
  }

  /** Which of {@code candidates} a source text names as a word. */
  static Set<String> namedIn(String source, Set<String> candidates) {
    Set<String> found = new TreeSet<>();
    Matcher m = WORD.matcher(source);
    while (m.find()) {
      if (candidates.contains(m.group(1))) {
        found.add(m.group(1));
      }
    }
    return found;
  }

  /** Every UTF-8 constant of a class file: class names, descriptors and signatures among them (JVMS 4.4). */
  private static List<String> utf8Constants(byte[] classFile) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort();
    in.readUnsignedShort();
    int count = in.readUnsignedShort();
    List<String> out = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> out.add(in.readUTF());
        case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
        case 15 -> in.skipNBytes(3);
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
        case 5, 6 -> {
          in.skipNBytes(8);
          i++;
        }
        default -> throw new IOException("unknown constant pool tag " + tag);
      }
    }
    return out;
  }
}
