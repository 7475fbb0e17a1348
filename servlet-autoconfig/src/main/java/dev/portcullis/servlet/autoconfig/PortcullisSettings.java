package dev.portcullis.servlet.autoconfig;

import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.internal.NearestName;
import dev.portcullis.internal.WholeFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code portcullis.*} settings of a servlet application, read in layers: {@value #RESOURCE} on the class path,
 * then the file named by the system property {@value #CONFIG_PROPERTY} or the environment variable {@value
 * #CONFIG_VARIABLE}, then environment variables named as Spring Boot names them ({@code portcullis.session.idle-timeout}
 * is {@code PORTCULLIS_SESSION_IDLE_TIMEOUT}); each layer overrides the one before.
 *
 * <p>The names are the Spring Boot starter's. A name meant for Portcullis ({@link #isOurs}: {@code portcullis.} or
 * {@code portcullis_} in any case) that this class does not know is a mistake, not something to ignore: a misspelt
 * setting would otherwise leave its secure default silently in place, or not, depending on the typo. Each mistake
 * becomes one message in {@link #problems()}, naming the setting, where it was read and the nearest property; values
 * are never quoted back, since a file may hold secrets. A setting given where none is read (a servlet context
 * parameter, a system property) is a mistake too ({@link #notReadFrom}).
 *
 * <p>The key ring is not a setting: it is read from the environment variable {@link KeyRingSources#ENV_VARIABLE} or
 * the file {@code portcullis.keys.file}. The settings that are secrets ({@link #ENVIRONMENT_ONLY}) are read from the
 * environment only: a file that holds one is a mistake.
 */
final class PortcullisSettings {
  static final String RESOURCE = "portcullis.properties";
  static final String CONFIG_PROPERTY = "portcullis.config";
  static final String CONFIG_VARIABLE = "PORTCULLIS_CONFIG";

  /**
   * The largest settings file read. A larger one, and anything but a regular file (a named pipe would hold the start,
   * a device never ends), is refused before it is read.
   */
  static final int MAX_FILE_BYTES = 1024 * 1024;

  /** Every supported name but the entries of the {@link #LISTS indexed lists}. */
  static final Set<String> NAMES = Collections.unmodifiableSet(new TreeSet<>(Arrays.asList(
      "portcullis.enabled",
      "portcullis.user-directory",
      "portcullis.keys.file",
      "portcullis.keys.max-age",
      "portcullis.keys.reload-interval",
      "portcullis.session.idle-timeout",
      "portcullis.session.absolute-timeout",
      "portcullis.session.max-sessions",
      "portcullis.session.id-format",
      "portcullis.session.anonymous-sessions-per-address",
      "portcullis.session.anonymous-session-window",
      "portcullis.session.tracked-addresses",
      "portcullis.session.max-per-user",
      "portcullis.session.when-exceeded",
      "portcullis.cookies.name-prefix",
      "portcullis.cookies.session.name",
      "portcullis.cookies.session.secure",
      "portcullis.cookies.session.http-only",
      "portcullis.cookies.session.same-site",
      "portcullis.cookies.session.path",
      "portcullis.cookies.session.domain",
      "portcullis.cookies.auth.name",
      "portcullis.cookies.auth.secure",
      "portcullis.cookies.auth.http-only",
      "portcullis.cookies.auth.same-site",
      "portcullis.cookies.auth.path",
      "portcullis.cookies.auth.domain",
      "portcullis.cookies.cookie-check.name",
      "portcullis.cookies.cookie-check.secure",
      "portcullis.cookies.cookie-check.http-only",
      "portcullis.cookies.cookie-check.same-site",
      "portcullis.cookies.cookie-check.path",
      "portcullis.cookies.cookie-check.domain",
      "portcullis.login.terms-version",
      "portcullis.login.ticket-lifetime",
      "portcullis.login.path",
      "portcullis.login.logout-path",
      "portcullis.login.logout-everywhere-path",
      "portcullis.login.terms-path",
      "portcullis.login.after-login-path",
      "portcullis.login.max-concurrent-password-checks",
      "portcullis.login.max-pending-logouts",
      "portcullis.login.max-form-reads-per-address",
      "portcullis.login.max-anonymous-form-reads",
      "portcullis.login.connection-recheck-interval",
      "portcullis.login.cookie-check-by-session-cookie",
      "portcullis.login.limit.max-failures-per-account",
      "portcullis.login.limit.max-failures-per-address",
      "portcullis.login.limit.window",
      "portcullis.login.limit.known-address-for",
      "portcullis.login.limit.max-tracked",
      "portcullis.csrf.trusted-origins",
      "portcullis.transport.development-mode",
      "portcullis.transport.trusted-proxies",
      "portcullis.transport.forwarded-headers",
      "portcullis.transport.hsts-max-age",
      "portcullis.transport.hsts-include-subdomains",
      "portcullis.transport.https-port",
      "portcullis.transport.canonical-host",
      "portcullis.transport.redirect-plain-http",
      "portcullis.transport.container-decides-https",
      "portcullis.access.public-paths",
      "portcullis.access.authenticated-paths",
      "portcullis.audit.sink",
      "portcullis.audit.file",
      "portcullis.audit.queue-capacity",
      "portcullis.audit.when-full",
      "portcullis.audit.retry-interval",
      "portcullis.audit.close-timeout",
      "portcullis.audit.anonymous-events-per-address",
      "portcullis.audit.anonymous-event-window",
      "portcullis.audit.search-demand.sink",
      "portcullis.audit.search-demand.file",
      "portcullis.audit.search-demand.bucket",
      "portcullis.audit.search-demand.max-terms",
      "portcullis.audit.search-demand.minimum-count",
      "portcullis.jdbc.enabled",
      "portcullis.jdbc.apply-schema",
      "portcullis.jdbc.query-timeout",
      "portcullis.jdbc.network-timeout",
      "portcullis.jdbc.clock-skew",
      "portcullis.jdbc.clean-up-every",
      "portcullis.jdbc.clean-up-batch-size",
      "portcullis.redis.uri",
      "portcullis.redis.cluster-nodes",
      "portcullis.redis.key-prefix",
      "portcullis.redis.command-timeout",
      "portcullis.redis.clock-skew",
      "portcullis.redis.max-pending-commands",
      "portcullis.redis.trusted-certificates",
      "portcullis.sso.enabled",
      "portcullis.sso.issuer",
      "portcullis.sso.client-id",
      "portcullis.sso.client-secret",
      "portcullis.sso.scopes",
      "portcullis.sso.redirect-uri",
      "portcullis.sso.cookie-name",
      "portcullis.sso.token-lifetime",
      "portcullis.sso.upgrade-path",
      "portcullis.sso.callback-path",
      "portcullis.sso.login-path",
      "portcullis.sso.link-path",
      "portcullis.sso.unlink-path",
      "portcullis.sso.pending-link-lifetime",
      "portcullis.sso.keep-links-on-logout-everywhere",
      "portcullis.sso.trusted-audiences",
      "portcullis.sso.link-reauthentication",
      "portcullis.sso.max-login-age",
      "portcullis.sso.provider-timeout",
      "portcullis.sso.max-concurrent-provider-calls")));

  /**
   * Secrets read from the environment only: a file that names one is refused, so that a secret is never in a file
   * that is packaged in the WAR, copied or committed.
   */
  static final Set<String> ENVIRONMENT_ONLY = Set.of("portcullis.sso.client-secret");

  /**
   * The indexed lists and the fields of their entries, as the starter binds them: {@code
   * portcullis.access.rules[0].pattern}, or the environment variable {@code PORTCULLIS_ACCESS_RULES_0_PATTERN}.
   */
  static final Map<String, List<String>> LISTS = Map.of(
      "portcullis.access.rules", List.of("pattern", "roles"),
      "portcullis.audit.actions", List.of("pattern", "action"),
      "portcullis.audit.search-endpoints", List.of("path", "parameter"));

  private static final Pattern ENTRY = Pattern.compile("([a-z.-]+)\\[(\\d{1,3})]\\.([a-z-]+)");
  private static final Pattern ENTRY_VARIABLE = Pattern.compile("([A-Z_]+?)_(\\d{1,3})_([A-Z_]+)");
  private static final Pattern INDEX = Pattern.compile("[\\[_](\\d{1,3})[\\]_]");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,18})(ns|us|ms|s|m|h|d)");

  /** A value and where it was read, for messages. */
  private record Value(String text, String source) {}

  private final Map<String, Value> values = new TreeMap<>();
  private final List<String> problems = new ArrayList<>();
  private final List<String> sources = new ArrayList<>();
  private final Set<String> keptOut = new TreeSet<>();

  private PortcullisSettings() {}

  /**
   * Reads the layers.
   *
   * @param loader where {@value #RESOURCE} is looked for (the web application's class loader)
   * @param configProperty the system property {@value #CONFIG_PROPERTY}, or null
   * @param environment the process environment
   */
  static PortcullisSettings read(
      ClassLoader loader, String configProperty, Map<String, String> environment) {
    PortcullisSettings settings = new PortcullisSettings();
    settings.readClassPath(loader);
    String named = configProperty;
    String namedBy = "system property " + CONFIG_PROPERTY;
    if (named == null || named.isBlank()) {
      named = environment.get(CONFIG_VARIABLE);
      namedBy = "environment variable " + CONFIG_VARIABLE;
    }
    if (named != null && !named.isBlank()) {
      settings.readFile(named, namedBy);
    }
    settings.readEnvironment(environment);
    return settings;
  }

  /** For tests: the settings given, as if read from one file. */
  static PortcullisSettings of(Map<String, String> properties) {
    PortcullisSettings settings = new PortcullisSettings();
    OnceProperties p = new OnceProperties();
    p.putAll(properties);
    settings.add(p, "test properties");
    return settings;
  }

  private void readClassPath(ClassLoader loader) {
    List<URL> found;
    try {
      found = Collections.list(loader.getResources(RESOURCE));
    } catch (IOException e) {
      problems.add("cannot look for " + RESOURCE + " on the class path: " + e.getMessage());
      return;
    }
    if (found.size() > 1) {
      problems.add("the class path holds " + found.size() + " files named " + RESOURCE + " ("
          + found + "); keep one, so that it is clear which settings apply");
      return;
    }
    if (found.isEmpty()) {
      return;
    }
    URL url = found.get(0);
    try (InputStream in = url.openStream();
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      OnceProperties p = new OnceProperties();
      p.load(reader);
      add(p, RESOURCE + " on the class path");
    } catch (IOException | IllegalArgumentException e) {
      problems.add(
          "cannot read " + RESOURCE + " from the class path (" + url + "): " + e.getMessage());
    }
  }

  private void readFile(String name, String namedBy) {
    Path file;
    try {
      file = Path.of(name);
    } catch (InvalidPathException e) {
      problems.add(namedBy + " does not name a file path: " + e.getMessage());
      return;
    }
    try (Reader reader = new InputStreamReader(
        new ByteArrayInputStream(WholeFile.read(file, MAX_FILE_BYTES, "settings file " + file)),
        StandardCharsets.UTF_8.newDecoder())) {
      OnceProperties p = new OnceProperties();
      p.load(reader);
      add(p, file + " (" + namedBy + ")");
    } catch (IOException | IllegalArgumentException e) {
      problems.add("cannot read " + file + ", named by " + namedBy + ": " + e.getMessage());
    }
  }

  private void add(OnceProperties properties, String source) {
    sources.add(source);
    for (String key : properties.repeated) {
      if (isOurs(key)) {
        problems.add("the setting " + quoted(key) + " is given more than once in " + source
            + ": each Portcullis setting is given once, so that a later line cannot override a"
            + " reviewed one unseen. Remove all but one");
      }
    }
    for (String key : new TreeSet<>(properties.stringPropertyNames())) {
      String value = properties.getProperty(key).strip();
      if (!isOurs(key)) {
        continue; // the file may hold the application's own settings
      }
      if (!NAMES.contains(key) && !isEntry(key)) {
        problems.add("unknown setting " + quoted(key) + " in " + source
            + ": there is no such Portcullis property" + suggestion(key));
        continue;
      }
      if (ENVIRONMENT_ONLY.contains(key)) {
        problems.add(key + " is set in " + source
            + ", but a secret is read from the environment variable " + variable(key)
            + " only: remove it from there and give it to the application's environment");
        keptOut.add(key);
        continue;
      }
      values.put(key, new Value(value, source));
    }
  }

  private void readEnvironment(Map<String, String> environment) {
    Map<String, String> byVariable = new LinkedHashMap<>();
    for (String name : NAMES) {
      byVariable.put(variable(name), name);
    }
    boolean any = false;
    for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
      String variable = e.getKey();
      if (!isOurs(variable)
          || variable.equals(KeyRingSources.ENV_VARIABLE)
          || variable.equals(CONFIG_VARIABLE)) {
        continue;
      }
      String key = byVariable.get(variable);
      Matcher entry = ENTRY_VARIABLE.matcher(variable);
      if (key == null && entry.matches()) {
        key = LISTS.keySet().stream()
            .filter(list -> variable(list).equals(entry.group(1)))
            .map(list -> list + "[" + Integer.parseInt(entry.group(2)) + "]."
                + entry.group(3).toLowerCase(Locale.ROOT).replace('_', '-'))
            .filter(PortcullisSettings::isEntry)
            .findFirst()
            .orElse(null);
      }
      if (key == null) {
        problems.add("unknown environment variable " + quoted(variable)
            + ": no Portcullis property has this name (the key"
            + " ring is read from " + KeyRingSources.ENV_VARIABLE + ", the settings file from "
            + CONFIG_VARIABLE
            + ")" + variableSuggestion(variable));
        continue;
      }
      values.put(key, new Value(e.getValue().strip(), "environment variable " + variable));
      any = true;
    }
    if (any) {
      sources.add("environment variables");
    }
  }

  /** Whether {@code key} names a field of an entry of one of the {@link #LISTS}. */
  private static boolean isEntry(String key) {
    Matcher m = ENTRY.matcher(key);
    return m.matches() && LISTS.getOrDefault(m.group(1), List.of()).contains(m.group(3));
  }

  /** The environment variable Spring Boot would bind to {@code name}. */
  static String variable(String name) {
    return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Whether {@code name}, a key of a settings file or an environment variable's name, is meant for Portcullis: {@code
   * portcullis} followed by a dot or an underscore, in any case and with any white space around it, so that {@code
   * Portcullis.access.public-paths} and {@code portcullis_session_idle_timeout} are mistakes to report, not the
   * application's own settings to pass over.
   */
  static boolean isOurs(String name) {
    String bare = name.strip().toLowerCase(Locale.ROOT);
    return bare.equals("portcullis")
        || bare.startsWith("portcullis.")
        || bare.startsWith("portcullis_");
  }

  /** {@code name} in quotes when white space around it would otherwise not show in a message. */
  private static String quoted(String name) {
    return name.strip().equals(name) ? name : "'" + name + "'";
  }

  /** The known property nearest to {@code key}, as a message's tail. */
  private static String suggestion(String key) {
    return NearestName.among(key, knownNames(key), name -> name)
        .map(name -> "; did you mean " + name + "?")
        .orElse(" (see the README's property list)");
  }

  /** The known environment variable nearest to {@code variable}, as a message's tail. */
  private static String variableSuggestion(String variable) {
    return NearestName.among(variable, knownNames(variable), PortcullisSettings::environmentName)
        .map(name -> "; did you mean " + environmentName(name) + " (" + name + ")?")
        .orElse(" (see the README's property list)");
  }

  /**
   * Every known name, with the entries of the {@link #LISTS} at the index {@code written} gives ({@code [3]} or {@code
   * _3_}), or at 0.
   */
  private static List<String> knownNames(String written) {
    Matcher index = INDEX.matcher(written);
    int i = index.find() ? Integer.parseInt(index.group(1)) : 0;
    List<String> names = new ArrayList<>(NAMES);
    LISTS.forEach((list, fields) -> fields.forEach(f -> names.add(list + "[" + i + "]." + f)));
    return names;
  }

  /**
   * Reports each of {@code names} that is meant for Portcullis but set {@code where} Portcullis reads no settings (the
   * servlet context's parameters, the system properties): it would otherwise be without effect, unnoticed. With {@code
   * knownOnly} only the names of settings count, as a JVM's system properties may hold other {@code portcullis.*} names
   * that are no settings.
   */
  void notReadFrom(Iterable<String> names, String where, boolean knownOnly) {
    for (String name : names) {
      String bare = name.strip().toLowerCase(Locale.ROOT);
      if (!isOurs(name) || bare.equals(CONFIG_PROPERTY)) {
        continue;
      }
      boolean known = NAMES.contains(bare) || isEntry(bare);
      if (knownOnly && !known) {
        continue;
      }
      problems.add(quoted(name) + " is set as a " + where + ", where Portcullis reads no settings"
          + (known ? "" : ", and there is no such Portcullis property" + suggestion(name))
          + ": put " + (known ? "it" : "Portcullis' settings") + " in " + RESOURCE
          + ", in the file named by " + CONFIG_PROPERTY + " or " + CONFIG_VARIABLE
          + ", or in the environment" + (known ? " (" + environmentName(bare) + ")" : ""));
    }
  }

  /** The environment variable of {@code key}, a name or an entry of a list. */
  static String environmentName(String key) {
    Matcher m = ENTRY.matcher(key);
    return m.matches()
        ? variable(m.group(1)) + "_" + Integer.parseInt(m.group(2)) + "_" + variable(m.group(3))
        : variable(key);
  }

  /** Every mistake found so far, one message each. */
  List<String> problems() {
    return problems;
  }

  /** Where settings were read, in order, for the start-up log line. */
  List<String> sources() {
    return List.copyOf(sources);
  }

  /** Whether {@code key}, a secret, was found in a file and refused there (a problem says so already). */
  boolean keptOut(String key) {
    return keptOut.contains(key) && !values.containsKey(key);
  }

  void problem(String message) {
    problems.add(message);
  }

  Optional<String> string(String key) {
    Value v = values.get(key);
    return v == null || v.text().isEmpty() ? Optional.empty() : Optional.of(v.text());
  }

  Optional<Path> path(String key) {
    return string(key).flatMap(text -> {
      try {
        return Optional.of(Path.of(text));
      } catch (InvalidPathException e) {
        return invalid(key, "a file path");
      }
    });
  }

  Optional<Boolean> bool(String key) {
    return string(key).flatMap(text -> {
      if (text.equalsIgnoreCase("true")) {
        return Optional.of(Boolean.TRUE);
      }
      if (text.equalsIgnoreCase("false")) {
        return Optional.of(Boolean.FALSE);
      }
      return invalid(key, "true or false");
    });
  }

  Optional<Integer> integer(String key) {
    return string(key).flatMap(text -> {
      try {
        return Optional.of(Integer.valueOf(text));
      } catch (NumberFormatException e) {
        return invalid(key, "a whole number");
      }
    });
  }

  Optional<Long> longValue(String key) {
    return string(key).flatMap(text -> {
      try {
        return Optional.of(Long.valueOf(text));
      } catch (NumberFormatException e) {
        return invalid(key, "a whole number");
      }
    });
  }

  /** {@code 20m}, {@code 8h}, {@code 90d}, {@code 500ms} or ISO-8601 ({@code PT20M}); a bare number is refused. */
  Optional<Duration> duration(String key) {
    return string(key).flatMap(text -> {
      Matcher m = DURATION.matcher(text);
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        switch (m.group(2)) {
          case "ns":
            return Optional.of(Duration.ofNanos(amount));
          case "us":
            return Optional.of(Duration.ofNanos(amount).multipliedBy(1000));
          case "ms":
            return Optional.of(Duration.ofMillis(amount));
          case "s":
            return Optional.of(Duration.ofSeconds(amount));
          case "m":
            return Optional.of(Duration.ofMinutes(amount));
          case "h":
            return Optional.of(Duration.ofHours(amount));
          default:
            return Optional.of(Duration.ofDays(amount));
        }
      }
      try {
        return Optional.of(Duration.parse(text));
      } catch (DateTimeParseException e) {
        return invalid(key, "a duration with its unit, such as 20m, 8h, 90d, 500ms or PT20M");
      }
    });
  }

  /** An enum constant by its Spring Boot spelling: {@code json-lines} is {@code JSON_LINES}, case ignored. */
  <E extends Enum<E>> Optional<E> choice(String key, Class<E> type) {
    return string(key).flatMap(text -> {
      String name = text.toUpperCase(Locale.ROOT).replace('-', '_');
      for (E constant : type.getEnumConstants()) {
        if (constant.name().equals(name)) {
          return Optional.of(constant);
        }
      }
      List<String> allowed = new ArrayList<>();
      for (E constant : type.getEnumConstants()) {
        allowed.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      return invalid(key, "one of " + String.join(", ", allowed));
    });
  }

  /** A comma-separated list; empty when unset. */
  List<String> list(String key) {
    return string(key).map(PortcullisSettings::split).orElse(List.of());
  }

  private static List<String> split(String text) {
    List<String> items = new ArrayList<>();
    for (String item : text.split(",", -1)) {
      if (!item.isBlank()) {
        items.add(item.strip());
      }
    }
    return items;
  }

  /**
   * The entries of the indexed list {@code list} (one of the {@link #LISTS}), in index order: each its name ({@code
   * portcullis.audit.actions[0]}) and the values of the fields that are set.
   */
  List<Entry> entries(String list) {
    Map<Integer, Map<String, String>> byIndex = new TreeMap<>();
    for (Map.Entry<String, Value> e : values.entrySet()) {
      Matcher m = ENTRY.matcher(e.getKey());
      if (m.matches() && m.group(1).equals(list) && !e.getValue().text().isEmpty()) {
        byIndex
            .computeIfAbsent(Integer.parseInt(m.group(2)), i -> new TreeMap<>())
            .put(m.group(3), e.getValue().text());
      }
    }
    List<Entry> entries = new ArrayList<>();
    byIndex.forEach((index, fields) -> entries.add(new Entry(list + "[" + index + "]", fields)));
    return entries;
  }

  /** One entry of an indexed list: its name, such as {@code portcullis.audit.actions[0]}, and its fields that are set. */
  record Entry(String name, Map<String, String> fields) {
    Entry {
      fields = Map.copyOf(fields);
    }

    Optional<String> field(String field) {
      return Optional.ofNullable(fields.get(field));
    }

    /** The setting of {@code field} in this entry, for messages. */
    String key(String field) {
      return name + "." + field;
    }
  }

  /**
   * The fields {@code first} and {@code second} of an entry, or empty with a problem for each that is not set: an
   * entry needs both.
   */
  Optional<String[]> both(Entry entry, String first, String second, String purpose) {
    for (String field : List.of(first, second)) {
      if (entry.field(field).isEmpty()) {
        problems.add(entry.key(field) + " is not set: " + purpose);
      }
    }
    return entry.field(first).isPresent() && entry.field(second).isPresent()
        ? Optional.of(
            new String[] {entry.field(first).get(), entry.field(second).get()})
        : Optional.empty();
  }

  /** The access rules {@code portcullis.access.rules[i]}, in index order. */
  List<RoleRule> rules() {
    List<RoleRule> rules = new ArrayList<>();
    for (Entry e : entries("portcullis.access.rules")) {
      String pattern = e.field("pattern").orElse(null);
      List<String> roles = e.field("roles").map(PortcullisSettings::split).orElse(List.of());
      if (pattern == null) {
        problems.add(e.key("pattern") + " is not set, but " + e.key("roles")
            + " is: give the rule its path pattern");
      } else if (roles.isEmpty()) {
        problems.add(e.key("roles") + " is not set: give the roles, one of which a user needs for "
            + e.key("pattern"));
      } else {
        rules.add(new RoleRule(pattern, roles));
      }
    }
    return rules;
  }

  /** An access rule: a path pattern and the roles, one of which a user needs. */
  record RoleRule(String pattern, List<String> roles) {}

  /** Where {@code key} was set, for messages. */
  String sourceOf(String key) {
    Value v = values.get(key);
    return v == null ? "not set" : v.source();
  }

  /** Reports {@code key} as not valid, without its value; always empty. */
  <T> Optional<T> invalid(String key, String expected) {
    problems.add(key + " (" + sourceOf(key) + ") is not valid: expected " + expected);
    return Optional.empty();
  }

  /** Properties that note the names a file gives more than once ({@link Properties#load} keeps the last). */
  private static final class OnceProperties extends Properties {
    private static final long serialVersionUID = 1L;
    final transient Set<String> repeated = new TreeSet<>();

    @Override
    public synchronized Object put(Object key, Object value) {
      Object before = super.put(key, value);
      if (before != null && key instanceof String name) {
        repeated.add(name);
      }
      return before;
    }
  }
}
