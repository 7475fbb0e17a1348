package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of {@code README.md} and {@code docs/*.md} compiles against this module's test class
 * path (core, the servlet filter, the Servlet API, Jetty), so the documentation cannot drift from the code.
 *
 * <p>How a block is compiled depends on what it is and on an HTML comment on the line before its fence (blank lines
 * between are allowed):
 *
 * <ul>
 *   <li>A block with {@code import} lines or a top-level {@code class}, {@code interface}, {@code record} or
 *       {@code enum} is a compilation unit and is compiled as written: it must carry its own imports.
 *   <li>Any other block is a fragment of statements. It is compiled as the body of a method that may throw
 *       {@code Exception}, in a class that imports every {@code dev.portcullis} package the test sees and
 *       {@code java.io}, {@code java.net}, {@code java.nio.file}, {@code java.security}, {@code java.time} and
 *       {@code java.util}. The variables it uses without declaring them are named by
 *       {@code <!-- given: InstantSource clock; SecureRandom random -->}: each declaration becomes a field of that
 *       class.
 *   <li>{@code <!-- not compiled: why -->} skips a block that cannot compile here (Spring Boot code, a class of the
 *       example portal); the reason says where it is compiled instead, if anywhere.
 *   <li>{@code <!-- copy of: path/to/File.java -->} (a path from the repository's root) says the block is a verbatim
 *       part of that file, which another build compiles (a consumer project, an example): the test checks that the
 *       file still contains the block, character for character.
 * </ul>
 *
 * <p>An unmarked block that does not compile fails the test with the file, the line of its fence and the compiler's
 * messages.
 */
class DocumentationSnippetsTest {
  private static final Pattern FENCE = Pattern.compile("^```java\\s*$");
  private static final Pattern NOT_COMPILED =
      Pattern.compile("^<!--\\s*not compiled:\\s*(.+?)\\s*-->\\s*$");
  private static final Pattern GIVEN = Pattern.compile("^<!--\\s*given:\\s*(.+?)\\s*-->\\s*$");
  private static final Pattern COPY_OF = Pattern.compile("^<!--\\s*copy of:\\s*(\\S+)\\s*-->\\s*$");
  private static final Pattern TYPE = Pattern.compile(
      "^(?:(?:public|final|abstract|sealed|non-sealed)\\s+)*(?:class|interface|record|enum)\\s+(\\w+)",
      Pattern.MULTILINE);
  private static final Pattern IMPORT = Pattern.compile("^import\\s", Pattern.MULTILINE);
  private static final List<String> FRAGMENT_PACKAGES = List.of(
      "dev.portcullis.access",
      "dev.portcullis.audit",
      "dev.portcullis.config",
      "dev.portcullis.cookie",
      "dev.portcullis.crypto",
      "dev.portcullis.login",
      "dev.portcullis.revocation",
      "dev.portcullis.servlet",
      "dev.portcullis.session",
      "dev.portcullis.sso",
      "dev.portcullis.ticket",
      "dev.portcullis.transport",
      "dev.portcullis.user",
      "java.io",
      "java.net",
      "java.nio.file",
      "java.security",
      "java.time",
      "java.util");

  /** One {@code ```java} block: where it is, its text, and the marker before it (null if none). */
  record Snippet(String where, String code, String notCompiled, String given, String copyOf) {
    Snippet(String where, String code, String notCompiled, String given) {
      this(where, code, notCompiled, given, null);
    }
  }

  @Test
  void everyJavaBlockInTheDocumentation_compilesOrSaysWhyNot() throws IOException {
    Path root = Path.of(System.getProperty("portcullis.root.dir", ".."));
    List<Path> documents = new ArrayList<>();
    documents.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
    }
    List<Snippet> snippets = new ArrayList<>();
    for (Path document : documents) {
      snippets.addAll(snippets(root.relativize(document).toString(), Files.readString(document)));
    }
    List<String> failures = new ArrayList<>();
    int compiled = 0;
    for (Snippet snippet : snippets) {
      if (snippet.copyOf() != null) {
        copied(root, snippet).ifPresent(failures::add);
      } else if (snippet.notCompiled() == null) {
        compile(snippet).ifPresent(failures::add);
        compiled++;
      }
    }
    assertThat(compiled)
        .as("java blocks compiled (of %d found)", snippets.size())
        .isGreaterThanOrEqualTo(3);
    assertThat(failures)
        .as(
            "java blocks that do not compile or are no longer what they say they copy; fix them or mark them"
                + " <!-- not compiled: why -->")
        .isEmpty();
  }

  @Test
  void aBlockThatDoesNotCompile_isReported() {
    String broken = "Portcullis.builder().keyRing(null).noSuchSetting(true).build();";
    assertThat(compile(new Snippet("broken.md:1", broken, null, null)))
        .hasValueSatisfying(
            message -> assertThat(message).contains("broken.md:1").contains("noSuchSetting"));
    assertThat(compile(new Snippet(
            "given.md:1", "Duration d = lifetime.plusMinutes(1);", null, "Duration lifetime")))
        .isEmpty();
    assertThat(compile(new Snippet(
            "unit.md:1", "import java.util.List;\nclass Unit { List<String> names; }", null, null)))
        .isEmpty();
  }

  @Test
  void aCopyThatDriftedFromItsFile_isReported(@TempDir Path root) throws IOException {
    Files.writeString(root.resolve("App.java"), "class App {\n  void run() {}\n}\n");
    assertThat(copied(root, new Snippet("doc.md:1", "  void run() {}\n", null, null, "App.java")))
        .isEmpty();
    assertThat(
            copied(root, new Snippet("doc.md:1", "  void run(int n) {}\n", null, null, "App.java")))
        .hasValueSatisfying(m -> assertThat(m).contains("doc.md:1").contains("App.java"));
    assertThat(copied(root, new Snippet("doc.md:1", "x", null, null, "Gone.java")))
        .hasValueSatisfying(m -> assertThat(m).contains("Gone.java"));
  }

  @Test
  void markersAreReadFromTheLineBeforeTheFence() {
    String markdown = String.join(
        "\n",
        "text",
        "<!-- not compiled: Spring Boot -->",
        "",
        "```java",
        "a();",
        "```",
        "<!-- given: int x -->",
        "```java",
        "x++;",
        "```",
        "```java",
        "b();",
        "```",
        "<!-- copy of: consumers/App.java -->",
        "```java",
        "c();",
        "```",
        "");
    List<Snippet> found = snippets("doc.md", markdown);
    assertThat(found)
        .extracting(Snippet::where)
        .containsExactly("doc.md:4", "doc.md:8", "doc.md:11", "doc.md:15");
    assertThat(found)
        .extracting(Snippet::notCompiled)
        .containsExactly("Spring Boot", null, null, null);
    assertThat(found).extracting(Snippet::given).containsExactly(null, "int x", null, null);
    assertThat(found)
        .extracting(Snippet::copyOf)
        .containsExactly(null, null, null, "consumers/App.java");
    assertThat(found.get(1).code()).isEqualTo("x++;\n");
  }

  static List<Snippet> snippets(String name, String markdown) {
    String[] lines = markdown.split("\n", -1);
    List<Snippet> found = new ArrayList<>();
    String marker = null;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (FENCE.matcher(line).matches()) {
        int start = i;
        StringBuilder code = new StringBuilder();
        for (i++; i < lines.length && !lines[i].startsWith("```"); i++) {
          code.append(lines[i]).append('\n');
        }
        Matcher skip = marker == null ? null : NOT_COMPILED.matcher(marker);
        Matcher given = marker == null ? null : GIVEN.matcher(marker);
        Matcher copy = marker == null ? null : COPY_OF.matcher(marker);
        found.add(new Snippet(
            name + ":" + (start + 1),
            code.toString(),
            skip != null && skip.matches() ? skip.group(1) : null,
            given != null && given.matches() ? given.group(1) : null,
            copy != null && copy.matches() ? copy.group(1) : null));
        marker = null;
      } else if (line.startsWith("```")) {
        // Another language's block: skip to its end.
        for (i++; i < lines.length && !lines[i].startsWith("```"); i++) {
          // inside a block that is not Java
        }
        marker = null;
      } else if (!line.isBlank()) {
        marker = line.trim();
      }
    }
    return found;
  }

  /** Checks that a {@code copy of} block is still a verbatim part of its file; what differs, or empty. */
  static Optional<String> copied(Path root, Snippet snippet) throws IOException {
    Path file = root.resolve(snippet.copyOf());
    if (!Files.isRegularFile(file)) {
      return Optional.of(
          snippet.where() + " says it is a copy of " + snippet.copyOf() + ", which does not exist");
    }
    if (!Files.readString(file).contains(snippet.code())) {
      return Optional.of(snippet.where() + " is no longer a verbatim part of " + snippet.copyOf()
          + ": change both, or the marker");
    }
    return Optional.empty();
  }

  /** Compiles one block; the compiler's errors, with the block's place, or empty if it compiled. */
  static Optional<String> compile(Snippet snippet) {
    String code = snippet.code();
    Matcher type = TYPE.matcher(code);
    String className;
    String source;
    if (type.find() || IMPORT.matcher(code).find()) {
      className = type.find(0) ? type.group(1) : "Snippet";
      source = code;
    } else {
      className = "Snippet";
      StringBuilder s = new StringBuilder();
      FRAGMENT_PACKAGES.forEach(p -> s.append("import ").append(p).append(".*;\n"));
      s.append("class Snippet {\n");
      if (snippet.given() != null) {
        for (String declaration : snippet.given().split(";")) {
          if (!declaration.isBlank()) {
            s.append("  ").append(declaration.trim()).append(";\n");
          }
        }
      }
      s.append("  void snippet() throws Exception {\n").append(code).append("  }\n}\n");
      source = s.toString();
    }
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files =
        compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      Path out = Files.createTempDirectory("doc-snippet");
      String classPath =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<String> options =
          List.of("--release", "17", "-proc:none", "-classpath", classPath, "-d", out.toString());
      JavaFileObject unit =
          new SimpleJavaFileObject(
              URI.create("string:///" + className + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
              return source;
            }
          };
      StringWriter output = new StringWriter();
      boolean ok = compiler
          .getTask(output, files, diagnostics, options, null, List.of(unit))
          .call();
      if (ok) {
        return Optional.empty();
      }
    } catch (IOException e) {
      return Optional.of(snippet.where() + ": " + e);
    }
    StringBuilder message = new StringBuilder(snippet.where()).append(" does not compile:");
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        message
            .append("\n  line ")
            .append(d.getLineNumber())
            .append(": ")
            .append(d.getMessage(Locale.ROOT));
      }
    }
    message.append("\n--- as compiled ---\n").append(source);
    return Optional.of(message.toString());
  }
}
