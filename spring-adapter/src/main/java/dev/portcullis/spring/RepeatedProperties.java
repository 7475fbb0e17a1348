package dev.portcullis.spring;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.Resource;

/**
 * The {@code portcullis.*} properties a {@code .properties} file Spring Boot loaded gives more than once where the last
 * one silently wins: twice in one document of the file, or in a document without {@code spring.config.activate.*} after
 * an earlier document of the same file. Spring Boot's loader keeps the last value without a word, so a second {@code
 * portcullis.access.public-paths=/**} further down {@code application.properties} would open every page, unseen by
 * whoever reviewed the first. YAML refuses a repeated key already, and the WAR's settings file and Dropwizard's block
 * refuse it too.
 *
 * <p>Only what one file says twice is refused. The same property in a profile-specific file ({@code
 * application-prod.properties}), in a document of the file activated by {@code spring.config.activate.on-profile}, in
 * another file, in the environment or on the command line is an override, as Spring Boot documents it, and is left
 * alone.
 *
 * <p>The files are those the environment's origin-tracked property sources name as the origin of a {@code
 * portcullis.*} property, read again and split into documents by the rules of Spring Boot's loader ({@code #---} or
 * {@code !---} at the start of a line, not right after or before a comment with the same prefix). Names are compared
 * as the binder compares them ({@code public-paths}, {@code publicPaths} and {@code PUBLIC_PATHS} are one). Files
 * loaded otherwise ({@code @PropertySource}, XML properties) are not read.
 *
 * <p><b>Security.</b> Messages name the property, the file and the lines, never a value.
 */
final class RepeatedProperties {
  private static final ConfigurationPropertyName PORTCULLIS =
      ConfigurationPropertyName.of("portcullis");

  private static final ConfigurationPropertyName ACTIVATE =
      ConfigurationPropertyName.of("spring.config.activate");

  private static final Pattern SEPARATOR = Pattern.compile("[#!]---[ \t\f\r]*");

  /** Far larger than any properties file; a larger resource is left unread rather than read into memory. */
  private static final int MAX_BYTES = 4 * 1024 * 1024;

  static final String ACTION =
      "Give each portcullis.* property once in each .properties file: remove all but the one that is meant (Spring Boot"
          + " would keep the last without a word). To change a value for one environment, set it in a profile-specific"
          + " file such as application-prod.properties, in a document of the file that starts with #--- and"
          + " spring.config.activate.on-profile, or in an environment variable.";

  private RepeatedProperties() {}

  /** Refuses the configuration when a file gives a {@code portcullis.*} property more than once; names each. */
  static void refuseIn(Environment environment) {
    List<String> found = find(environment);
    if (!found.isEmpty()) {
      throw new PortcullisConfigurationException(
          "a property given more than once in one file: " + String.join("; ", found), ACTION);
    }
  }

  /** Each {@code portcullis.*} property a loaded {@code .properties} file repeats, with the file and its lines. */
  static List<String> find(Environment environment) {
    List<String> found = new ArrayList<>();
    for (Resource file : filesOfOurProperties(environment)) {
      String text = read(file);
      if (text != null) {
        repeatedIn(text)
            .forEach((name, lines) -> found.add(name + " (" + file.getDescription()
                + ", lines " + lines.stream().map(String::valueOf).collect(Collectors.joining(", "))
                + ")"));
      }
    }
    return found;
  }

  /** The {@code .properties} files an origin-tracked property source names as where a {@code portcullis.*} came from. */
  private static Set<Resource> filesOfOurProperties(Environment environment) {
    Set<Resource> files = new LinkedHashSet<>();
    if (!(environment instanceof ConfigurableEnvironment configurable)) {
      return files;
    }
    for (PropertySource<?> source : configurable.getPropertySources()) {
      if (!(source instanceof EnumerablePropertySource<?> enumerable)
          || !(source instanceof OriginLookup<?>)) {
        continue;
      }
      for (String name : enumerable.getPropertyNames()) {
        if (!ours(name)) {
          continue;
        }
        Origin origin = OriginLookup.getOrigin(source, name);
        if (origin instanceof TextResourceOrigin text
            && text.getResource() != null
            && text.getResource().getFilename() != null
            && text.getResource().getFilename().toLowerCase(Locale.ROOT).endsWith(".properties")) {
          files.add(text.getResource());
        }
      }
    }
    return files;
  }

  private static String read(Resource file) {
    try (InputStream in = file.getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        return null;
      }
      // Byte for byte: the names compared are ASCII whatever the file's encoding.
      return new String(bytes, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return null; // gone since Spring Boot read it: nothing to compare
    }
  }

  /**
   * The {@code portcullis.*} names {@code text} gives more than once where the last wins, each with the lines
   * (1-based) it is given on, in the order of the file.
   */
  static Map<String, List<Integer>> repeatedIn(String text) {
    List<Map<ConfigurationPropertyName, List<Integer>>> documents = new ArrayList<>();
    Map<ConfigurationPropertyName, List<Integer>> document = new LinkedHashMap<>();
    Map<ConfigurationPropertyName, String> spelling = new LinkedHashMap<>();
    String[] lines = text.split("\r\n|\r|\n", -1);
    int lastCommentPrefix = -1;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String stripped = stripLeading(line);
      int number = i + 1;
      if (!stripped.isEmpty() && (stripped.charAt(0) == '#' || stripped.charAt(0) == '!')) {
        char prefix = stripped.charAt(0);
        boolean separator = prefix != lastCommentPrefix
            && stripped.length() == line.length()
            && SEPARATOR.matcher(stripped).matches();
        if (separator) {
          if (!document.isEmpty()) {
            documents.add(document);
          }
          document = new LinkedHashMap<>();
        } else {
          // Spring Boot's loader: a comment right after a separator continues the document before
          // it.
          if (document.isEmpty() && !documents.isEmpty()) {
            document = documents.remove(documents.size() - 1);
          }
          lastCommentPrefix = prefix;
        }
        continue;
      }
      lastCommentPrefix = -1;
      String logical = stripped;
      while (continues(logical) && i + 1 < lines.length) {
        logical = logical.substring(0, logical.length() - 1) + stripLeading(lines[++i]);
      }
      String key = key(logical);
      if (key.isEmpty()) {
        continue;
      }
      ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
      if (!name.isEmpty()) {
        spelling.putIfAbsent(name, key);
        document.computeIfAbsent(name, n -> new ArrayList<>()).add(number);
      }
    }
    if (!document.isEmpty()) {
      documents.add(document); // never already there: a document reopened was taken out
    }
    // A document without an activation condition always applies: what it repeats from an earlier
    // one of the same file overrides it as silently as a second line would.
    Map<ConfigurationPropertyName, List<Integer>> repeated = new LinkedHashMap<>();
    Map<ConfigurationPropertyName, List<Integer>> always = new LinkedHashMap<>();
    for (Map<ConfigurationPropertyName, List<Integer>> d : documents) {
      boolean conditional = d.keySet().stream().anyMatch(ACTIVATE::isAncestorOf);
      for (Map.Entry<ConfigurationPropertyName, List<Integer>> e : d.entrySet()) {
        if (!PORTCULLIS.isAncestorOf(e.getKey())) {
          continue;
        }
        List<Integer> given = new ArrayList<>(e.getValue());
        if (!conditional && always.containsKey(e.getKey())) {
          given.addAll(0, always.get(e.getKey()));
        }
        if (given.size() > 1) {
          repeated.put(e.getKey(), given);
        }
        if (!conditional) {
          always.put(e.getKey(), given);
        }
      }
    }
    Map<String, List<Integer>> named = new LinkedHashMap<>();
    repeated.forEach((name, given) -> named.put(spelling.get(name), given));
    return named;
  }

  /** Whether a property name could be one of the starter's, in any of the spellings the binder accepts. */
  private static boolean ours(String name) {
    return name.length() > "portcullis".length()
        && name.regionMatches(true, 0, "portcullis", 0, "portcullis".length());
  }

  /** A line that ends with an odd number of backslashes goes on in the next. */
  private static boolean continues(String line) {
    int backslashes = 0;
    for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }

  private static String stripLeading(String line) {
    int i = 0;
    while (i < line.length()
        && (line.charAt(i) == ' ' || line.charAt(i) == '\t' || line.charAt(i) == '\f')) {
      i++;
    }
    return line.substring(i);
  }

  /**
   * The key of a property line, as Spring Boot's loader reads it: up to an unescaped {@code =} or {@code :}, or
   * whitespace followed by anything else, with escapes resolved and a trailing {@code []} left as written.
   */
  private static String key(String line) {
    StringBuilder key = new StringBuilder();
    boolean previousWhitespace = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      boolean escaped = false;
      if (c == '\\' && i + 1 < line.length()) {
        escaped = true;
        char next = line.charAt(++i);
        switch (next) {
          case 't' -> c = '\t';
          case 'n' -> c = '\n';
          case 'r' -> c = '\r';
          case 'f' -> c = '\f';
          case 'u' -> {
            if (i + 4 < line.length()) {
              try {
                c = (char) Integer.parseInt(line.substring(i + 1, i + 5), 16);
                i += 4;
              } catch (NumberFormatException e) {
                c = 'u';
              }
            } else {
              c = 'u';
            }
          }
          default -> c = next;
        }
      }
      boolean whitespace = !escaped && (c == ' ' || c == '\t' || c == '\f');
      if (!escaped && (c == '=' || c == ':')) {
        break;
      }
      if (!whitespace && previousWhitespace) {
        break;
      }
      previousWhitespace = whitespace;
      key.append(c);
    }
    return key.toString().trim();
  }
}
