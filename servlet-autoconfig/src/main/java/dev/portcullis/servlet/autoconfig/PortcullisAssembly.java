package dev.portcullis.servlet.autoconfig;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.KeyRingAudit;
import dev.portcullis.audit.SearchDemandSink;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.cookie.CookieNames;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.cookie.SameSite;
import dev.portcullis.crypto.KeyInfo;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.ReloadingKeyRing;
import dev.portcullis.internal.ConfigurationWarning;
import dev.portcullis.internal.KeyAgeText;
import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.login.SessionLimit;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionIdFormat;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.transport.ForwardedHeaders;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.UserDirectory;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps {@link PortcullisSettings} onto the core builders and {@link PortcullisFilter#builder()}, in two steps: {@link
 * #prepare} checks every setting and builds what holds no resource (key ring, session and cookie declarations,
 * transport, access policy, audited actions and search endpoints) when the application is deployed; {@link #assemble}
 * adds the user directory, opens the audit log, connects the shared stores (Redis or PostgreSQL, when set) and builds
 * the filter when the filter starts. This class is the only one that knows the builders but for the optional store
 * modules', which {@code RedisSettings} and {@code JdbcSettings} map.
 *
 * <p><b>Security.</b> Every mistake is collected, and any mistake stops the deployment: there is no default key and
 * no default user directory, and a value that does not parse is refused rather than replaced by a default. Messages
 * name settings and their sources, never their values.
 */
final class PortcullisAssembly {
  private static final Logger log = LoggerFactory.getLogger(PortcullisAssembly.class);

  /** The audit sinks the settings can choose, spelt as the Spring Boot starter spells them. */
  enum AuditSinkType {
    SLF4J,
    JSON_LINES,
    HASH_CHAINED
  }

  /** The search-demand sinks the settings can choose, spelt as the Spring Boot starter spells them. */
  enum DemandSinkType {
    SLF4J,
    JSON_LINES
  }

  /**
   * Everything checked at deployment; immutable, holds no resource. {@code cookieCheckCookie} is null when the session
   * cookie does the blocked-cookie check ({@code portcullis.login.cookie-check-by-session-cookie=true}).
   */
  record Prepared(
      KeyRing keyRing,
      SessionConfig sessions,
      CookieSpec authCookie,
      CookieSpec cookieCheckCookie,
      TransportConfig transport,
      Optional<AccessPolicy> access,
      AuditRules auditRules,
      Optional<SharedStores.Connection> sharedStores,
      Optional<SsoSettings.Prepared> sso,
      PortcullisSettings settings,
      Optional<String> userDirectoryClass) {}

  /** The built filter and what to close, in order, when the context stops. */
  record Assembled(PortcullisFilter filter, PortalLogin login, List<AutoCloseable> resources) {}

  private static final String LOGIN_LIMIT = "portcullis.login.limit";
  private static final String MAX_TRACKED = LOGIN_LIMIT + ".max-tracked";
  private static final String COOKIE_CHECK_BY_SESSION_COOKIE =
      "portcullis.login.cookie-check-by-session-cookie";

  private PortcullisAssembly() {}

  /**
   * Checks every setting and builds the parts without resources; {@code settings.problems()} holds every mistake
   * found (empty: the result is complete).
   *
   * @param environment the process environment, for the key ring variable
   * @param loader the web application's class loader, for {@code portcullis.user-directory}
   */
  static Prepared prepare(
      PortcullisSettings s,
      Map<String, String> environment,
      InstantSource clock,
      ClassLoader loader) {
    KeyRing keyRing = keyRing(s, environment, clock);
    CookieNames names = Objects.requireNonNullElse(
        part(
            s,
            "portcullis.cookies.name-prefix",
            () -> CookieNames.withPrefix(
                s.string("portcullis.cookies.name-prefix").orElse(CookieNames.DEFAULT_PREFIX))),
        CookieNames.defaults());
    SessionConfig sessions = part(s, "portcullis.session", () -> {
      CookieSpec cookie =
          cookie(s, "portcullis.cookies.session", SessionConfig.defaultCookie(names.session()));
      SessionConfig.Builder b = SessionConfig.builder();
      if (cookie != null) {
        b.cookie(cookie);
      }
      s.duration("portcullis.session.idle-timeout").ifPresent(b::idleTimeout);
      s.duration("portcullis.session.absolute-timeout").ifPresent(b::absoluteTimeout);
      s.longValue("portcullis.session.max-sessions").ifPresent(b::maxSessions);
      s.choice("portcullis.session.id-format", SessionIdFormat.class).ifPresent(b::idFormat);
      s.integer("portcullis.session.anonymous-sessions-per-address")
          .ifPresent(b::anonymousSessionsPerAddress);
      s.duration("portcullis.session.anonymous-session-window")
          .ifPresent(b::anonymousSessionWindow);
      s.longValue("portcullis.session.tracked-addresses").ifPresent(b::trackedAddresses);
      return b.build();
    });
    CookieSpec auth =
        cookie(s, "portcullis.cookies.auth", LoginCookies.defaultAuthCookie(names.auth()));
    CookieSpec check = null;
    if (s.bool(COOKIE_CHECK_BY_SESSION_COOKIE).orElse(false)) {
      PortcullisSettings.NAMES.stream()
          .filter(name -> name.startsWith("portcullis.cookies.cookie-check."))
          .filter(name -> s.string(name).isPresent())
          .findFirst()
          .ifPresent(name -> s.problem(COOKIE_CHECK_BY_SESSION_COOKIE + "=true ("
              + s.sourceOf(COOKIE_CHECK_BY_SESSION_COOKIE) + ") and " + name + " ("
              + s.sourceOf(name)
              + ") are set: the session cookie does the blocked-cookie check, so there"
              + " is no cookie-check cookie to declare; remove portcullis.cookies.cookie-check.*, or "
              + COOKIE_CHECK_BY_SESSION_COOKIE + " to keep the cookie-check cookie"));
    } else {
      check = cookie(
          s,
          "portcullis.cookies.cookie-check",
          LoginCookies.defaultCookieCheckCookie(names.cookieCheck()));
    }
    String transportPrefix =
        "portcullis.transport (canonical-host, https-port, redirect-plain-http, development-mode)";
    TransportConfig transport = part(s, transportPrefix, () -> {
      TransportConfig.Builder b = TransportConfig.builder();
      s.bool("portcullis.transport.development-mode").ifPresent(b::developmentMode);
      b.trustedProxies(s.list("portcullis.transport.trusted-proxies"));
      s.choice("portcullis.transport.forwarded-headers", ForwardedHeaders.class)
          .ifPresent(b::forwardedHeaders);
      s.duration("portcullis.transport.hsts-max-age").ifPresent(b::hstsMaxAge);
      s.bool("portcullis.transport.hsts-include-subdomains").ifPresent(b::hstsIncludeSubDomains);
      s.integer("portcullis.transport.https-port").ifPresent(b::httpsPort);
      s.string("portcullis.transport.canonical-host").ifPresent(b::canonicalHost);
      s.bool("portcullis.transport.redirect-plain-http").ifPresent(b::redirectPlainHttp);
      s.bool("portcullis.transport.container-decides-https").ifPresent(b::containerDecidesHttps);
      return b.build();
    });
    List<String> publicPaths = s.list("portcullis.access.public-paths");
    List<String> authenticated = s.list("portcullis.access.authenticated-paths");
    List<PortcullisSettings.RoleRule> rules = s.rules();
    Optional<AccessPolicy> access = Optional.empty();
    if (!publicPaths.isEmpty() || !authenticated.isEmpty() || !rules.isEmpty()) {
      access = Optional.ofNullable(part(s, "portcullis.access", () -> {
        AccessPolicy.Builder b =
            AccessPolicy.builder().permitAll(publicPaths.toArray(String[]::new));
        for (PortcullisSettings.RoleRule r : rules) {
          b.requireAnyRole(r.pattern(), r.roles().toArray(String[]::new));
        }
        return b.authenticated(authenticated.toArray(String[]::new)).build();
      }));
    }
    if (s.string("portcullis.login.terms-version").isEmpty()) {
      s.problem(
          "portcullis.login.terms-version is not set: give the current terms-of-use version (logging in"
              + " means accepting it), for example 2026-01");
    }
    // Read now so that a value that does not parse is reported at deployment.
    s.duration("portcullis.login.ticket-lifetime");
    connectionRecheckInterval(s);
    Optional<AuditSinkType> sink = s.choice("portcullis.audit.sink", AuditSinkType.class);
    if (sink.filter(t -> t != AuditSinkType.SLF4J).isPresent()
        && s.path("portcullis.audit.file").isEmpty()) {
      s.problem("portcullis.audit.sink is "
          + sink.get().name().toLowerCase(Locale.ROOT).replace('_', '-')
          + ", which writes to a file, but portcullis.audit.file is not set");
    }
    s.integer("portcullis.audit.queue-capacity");
    s.choice("portcullis.audit.when-full", AuditLog.WhenFull.class);
    outside(
        s,
        "portcullis.audit.retry-interval",
        s.duration("portcullis.audit.retry-interval"),
        d -> d.compareTo(Duration.ofMillis(10)) < 0 || d.compareTo(Duration.ofMinutes(10)) > 0,
        "a duration from 10ms to 10m");
    outside(
        s,
        "portcullis.audit.close-timeout",
        s.duration("portcullis.audit.close-timeout"),
        d -> d.compareTo(Duration.ofMillis(10)) < 0 || d.compareTo(Duration.ofHours(1)) > 0,
        "a duration from 10ms to 1h");
    outside(
        s,
        "portcullis.audit.anonymous-events-per-address",
        s.integer("portcullis.audit.anonymous-events-per-address"),
        n -> n < 1 || n > 1_000_000,
        "a whole number from 1 to 1000000");
    outside(
        s,
        "portcullis.audit.anonymous-event-window",
        s.duration("portcullis.audit.anonymous-event-window"),
        d -> d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(1)) > 0,
        "a duration from 1s to 1d");
    loginLimit(s);
    searchDemand(s);
    AuditRules auditRules = auditRules(s);
    Optional<SharedStores.Connection> shared = sharedStores(s, loader);
    maxTrackedInMemoryOnly(s, shared);
    Optional<SsoSettings.Prepared> sso = SsoSettings.prepare(s, names.sso(), clock, loader);
    Optional<String> directory = s.string("portcullis.user-directory");
    directory.ifPresent(name -> userDirectoryClass(s, name, loader));
    return new Prepared(
        keyRing, sessions, auth, check, transport, access, auditRules, shared, sso, s, directory);
  }

  /** Reports {@code key} as not valid, expecting {@code expected}, when its value is {@code refused}. */
  private static <T> void outside(
      PortcullisSettings s, String key, Optional<T> value, Predicate<T> refused, String expected) {
    value.filter(refused).ifPresent(v -> s.invalid(key, expected));
  }

  /**
   * Checks {@code portcullis.login.limit.*} against the ranges {@link LoginThrottle.Builder} accepts, so that a value
   * outside is reported under its setting at deployment, not under the builder's words when the filter starts.
   */
  private static void loginLimit(PortcullisSettings s) {
    outside(
        s,
        LOGIN_LIMIT + ".max-failures-per-account",
        s.integer(LOGIN_LIMIT + ".max-failures-per-account"),
        n -> n < 1 || n > 100,
        "a whole number from 1 to 100 (ASVS 2.2.1)");
    outside(
        s,
        LOGIN_LIMIT + ".max-failures-per-address",
        s.integer(LOGIN_LIMIT + ".max-failures-per-address"),
        n -> n < 1,
        "a whole number, at least 1");
    outside(
        s,
        LOGIN_LIMIT + ".window",
        s.duration(LOGIN_LIMIT + ".window"),
        d -> d.isNegative() || d.isZero(),
        "a duration above zero, such as 1h");
    outside(
        s,
        LOGIN_LIMIT + ".known-address-for",
        s.duration(LOGIN_LIMIT + ".known-address-for"),
        d -> d.isNegative() || d.compareTo(Duration.ofDays(400)) > 0,
        "a duration from 0s to 400d");
    outside(
        s,
        MAX_TRACKED,
        s.longValue(MAX_TRACKED),
        n -> n < 1_000 || n > 10_000_000,
        "a whole number from 1000 to 10000000");
  }

  /**
   * Reports {@code portcullis.login.limit.max-tracked} beside a store the nodes share: it bounds the limit kept in one
   * node's memory, and would be ignored there.
   */
  private static void maxTrackedInMemoryOnly(
      PortcullisSettings s, Optional<SharedStores.Connection> shared) {
    if (shared.isPresent() && s.string(MAX_TRACKED).isPresent()) {
      s.problem(MAX_TRACKED + " (" + s.sourceOf(MAX_TRACKED) + ") is set, but the login limit is"
          + " kept in the store the nodes share (portcullis.redis.* or portcullis.jdbc.enabled): remove"
          + " it, it bounds the limit kept in one node's memory");
    }
  }

  /**
   * The login limit of {@code portcullis.login.limit.*} (checked by {@link #prepare}), its budgets in {@code store},
   * which the nodes share, hashed under a key derived from the key ring's active key; in this node's memory when
   * {@code store} is null.
   */
  private static LoginThrottle loginThrottle(
      PortcullisSettings s,
      LoginAttemptStore store,
      KeyRingSource keyRing,
      InstantSource clock,
      SecureRandom random) {
    LoginThrottle.Builder b = LoginThrottle.builder(clock).random(random);
    s.integer(LOGIN_LIMIT + ".max-failures-per-account").ifPresent(b::maxFailuresPerAccount);
    s.integer(LOGIN_LIMIT + ".max-failures-per-address").ifPresent(b::maxFailuresPerAddress);
    s.duration(LOGIN_LIMIT + ".window").ifPresent(b::window);
    s.duration(LOGIN_LIMIT + ".known-address-for").ifPresent(b::knownAddressFor);
    s.longValue(MAX_TRACKED).ifPresent(b::maxTracked);
    if (store != null) {
      b.store(store).hashKeyFrom(keyRing);
    }
    return b.build();
  }

  /**
   * {@code portcullis.login.connection-recheck-interval}, how often the login behind an open WebSocket is checked
   * again; a value outside the core's bounds is reported under this name, not under the builder's.
   */
  private static Optional<Duration> connectionRecheckInterval(PortcullisSettings s) {
    String key = "portcullis.login.connection-recheck-interval";
    return s.duration(key)
        .flatMap(interval -> OpenConnections.allowsInterval(interval)
            ? Optional.of(interval)
            : s.invalid(key, "a duration from 1s to 1h"));
  }

  /**
   * The PostgreSQL stores when {@code portcullis.jdbc.enabled=true}, the Redis stores when a {@code portcullis.redis.*}
   * setting is given, this node's memory (empty) otherwise. Both at once, or either without its module, is refused
   * rather than silently kept in memory.
   */
  private static Optional<SharedStores.Connection> sharedStores(
      PortcullisSettings s, ClassLoader loader) {
    Optional<String> redis = PortcullisSettings.NAMES.stream()
        .filter(name -> name.startsWith(RedisSettings.PREFIX + "."))
        .filter(name -> s.string(name).isPresent())
        .findFirst();
    String jdbc = JdbcSettings.PREFIX + ".enabled";
    if (s.bool(jdbc).orElse(false)) {
      if (redis.isPresent()) {
        s.problem("both " + jdbc + "=true (" + s.sourceOf(jdbc) + ") and " + redis.get() + " ("
            + s.sourceOf(redis.get())
            + ") are set: choose one shared store for the nodes, PostgreSQL or Redis");
      } else if (moduleThere(
          s,
          jdbc,
          JdbcSettings.MODULE_CLASS,
          "dev.portcullis:portcullis-jdbc",
          IN_MEMORY,
          loader)) {
        return Optional.of(JdbcSettings.connection(s));
      }
    } else if (redis.isPresent()
        && moduleThere(
            s,
            redis.get(),
            RedisSettings.MODULE_CLASS,
            "dev.portcullis:portcullis-redis",
            IN_MEMORY,
            loader)) {
      return RedisSettings.connection(s);
    }
    return Optional.empty();
  }

  private static final String IN_MEMORY =
      "remove the setting to keep the stores in this node's memory";

  /**
   * Whether the optional module or library of {@code className} is on the class path; a problem naming {@code
   * artifact} otherwise.
   *
   * @param withoutIt what else the application may do, such as removing {@code key}
   */
  static boolean moduleThere(
      PortcullisSettings s,
      String key,
      String className,
      String artifact,
      String withoutIt,
      ClassLoader loader) {
    try {
      Class.forName(className, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      s.problem(key + " (" + s.sourceOf(key) + ") is set, but " + artifact
          + " is not on the class path: add that artifact to the application (WEB-INF/lib), or "
          + withoutIt);
      return false;
    }
  }

  /**
   * The audited actions and search endpoints; each entry is tried on its own, so that every mistake is reported, and
   * reported by its setting rather than by a core message that would quote the value.
   */
  private static AuditRules auditRules(PortcullisSettings s) {
    AuditRules.Builder rules = AuditRules.builder();
    for (PortcullisSettings.Entry e : s.entries("portcullis.audit.actions")) {
      s.both(e, "pattern", "action", "an audited action needs its path pattern and its name")
          .ifPresent(a -> {
            if (!accepted(() -> AuditEventType.of(a[1]))) {
              s.invalid(
                  e.key("action"),
                  "a lower_snake_case name of at most 64 characters, such as report_view");
            } else if (!accepted(() -> AuditRules.builder().action(a[0], a[1]))) {
              s.invalid(
                  e.key("pattern"),
                  "a path of lower-case literal segments and {name} placeholders,"
                      + " optionally ending in /**, such as /reports/{id}");
            } else {
              rules.action(a[0], a[1]);
            }
          });
    }
    for (PortcullisSettings.Entry e : s.entries("portcullis.audit.search-endpoints")) {
      s.both(e, "path", "parameter", "a search endpoint needs its path and its query parameter")
          .ifPresent(a -> {
            if (!accepted(() -> AuditRules.builder().searchEndpoint(a[0], a[1]))) {
              s.invalid(
                  e.key("path"),
                  "a normalised lower-case path without a trailing slash, such as /search");
            } else {
              rules.searchEndpoint(a[0], a[1]);
            }
          });
    }
    return rules.build();
  }

  private static boolean accepted(Runnable step) {
    try {
      step.run();
      return true;
    } catch (IllegalArgumentException | NullPointerException e) {
      return false;
    }
  }

  /** Checks the search-demand settings, which {@link #auditLog} applies. */
  private static void searchDemand(PortcullisSettings s) {
    String prefix = "portcullis.audit.search-demand";
    Optional<DemandSinkType> sink = s.choice(prefix + ".sink", DemandSinkType.class);
    Optional<Path> file = s.path(prefix + ".file");
    if (sink.filter(t -> t == DemandSinkType.JSON_LINES).isPresent() && file.isEmpty()) {
      s.problem(prefix + ".sink is json-lines, which writes to a file, but " + prefix
          + ".file is not set");
    }
    if (file.isPresent()
        && file.map(Path::toAbsolutePath)
            .equals(s.path("portcullis.audit.file").map(Path::toAbsolutePath))) {
      s.problem(
          prefix + ".file (" + s.sourceOf(prefix + ".file")
              + ") is the audit file, portcullis.audit.file: the anonymous search counts need a file of their own");
    }
    s.duration(prefix + ".bucket")
        .filter(bucket -> !accepted(() -> AuditLog.builder().demandBucket(bucket)))
        .ifPresent(bucket -> s.invalid(
            prefix + ".bucket",
            "whole seconds from 1m to 1d that divide a day, such as 1h or 15m"));
    s.integer(prefix + ".max-terms")
        .filter(n -> n < 1 || n > 1_000_000)
        .ifPresent(n -> s.invalid(prefix + ".max-terms", "a whole number from 1 to 1000000"));
    s.integer(prefix + ".minimum-count")
        .filter(n -> n < 1 || n > 1000)
        .ifPresent(n -> s.invalid(prefix + ".minimum-count", "a whole number from 1 to 1000"));
  }

  private static KeyRing keyRing(
      PortcullisSettings s, Map<String, String> environment, InstantSource clock) {
    Optional<Path> file = s.path("portcullis.keys.file");
    Duration maxAge = s.duration("portcullis.keys.max-age").orElse(KeyRing.DEFAULT_MAX_KEY_AGE);
    s.duration("portcullis.keys.reload-interval")
        .filter(d -> d.isNegative() || d.isZero())
        .ifPresent(d -> s.problem("portcullis.keys.reload-interval must be positive ("
            + s.sourceOf("portcullis.keys.reload-interval") + ")"));
    KeyRing ring;
    try {
      if (file.isPresent()) {
        ring = KeyRingSources.fromFile(file.get());
      } else if (environment.containsKey(KeyRingSources.ENV_VARIABLE)) {
        ring = KeyRingSources.fromEnvironment(environment);
      } else {
        s.problem(
            "there is no key ring, and Portcullis has no default key: set the environment variable "
                + KeyRingSources.ENV_VARIABLE
                + " or portcullis.keys.file (make either with dev.portcullis.crypto.KeyTool)");
        return null;
      }
    } catch (RuntimeException e) {
      s.problem("the key ring ("
          + (file.isPresent()
              ? "portcullis.keys.file, " + s.sourceOf("portcullis.keys.file")
              : "environment variable " + KeyRingSources.ENV_VARIABLE)
          + ") cannot be used: " + e.getMessage());
      return null;
    }
    List<KeyInfo> old = ring.keysOlderThan(maxAge, clock.instant());
    if (!old.isEmpty()) {
      ConfigurationWarning.say(
          PortcullisAssembly.class,
          log,
          "Portcullis keys " + old.stream().map(KeyInfo::idHex).collect(Collectors.joining(", "))
              + " are older than " + KeyAgeText.of(maxAge)
              + ": add a new key, roll it out to every node, then promote it");
    }
    return ring;
  }

  private static CookieSpec cookie(PortcullisSettings s, String prefix, CookieSpec defaults) {
    return part(s, prefix, () -> {
      CookieSpec.Builder b = defaults.toBuilder();
      s.string(prefix + ".name").ifPresent(b::name);
      s.bool(prefix + ".secure").ifPresent(b::secure);
      s.bool(prefix + ".http-only").ifPresent(b::httpOnly);
      s.choice(prefix + ".same-site", SameSite.class).ifPresent(b::sameSite);
      s.string(prefix + ".path").ifPresent(b::path);
      s.string(prefix + ".domain").ifPresent(b::domain);
      return b.build();
    });
  }

  private static void userDirectoryClass(PortcullisSettings s, String name, ClassLoader loader) {
    try {
      Class<?> type = Class.forName(name, false, loader);
      if (!UserDirectory.class.isAssignableFrom(type)) {
        s.problem("portcullis.user-directory names " + name + ", which does not implement "
            + UserDirectory.class.getName());
      } else if (!Modifier.isPublic(type.getModifiers())) {
        s.problem("portcullis.user-directory names " + name + ", which is not a public class");
      } else {
        Object unused =
            type.getConstructor(); // NoSuchMethodException without a public no-argument constructor
      }
    } catch (ClassNotFoundException e) {
      s.problem(
          "portcullis.user-directory names the class " + name + ", which is not on the class path");
    } catch (NoSuchMethodException e) {
      s.problem("portcullis.user-directory names " + name
          + ", which has no public constructor without parameters");
    } catch (LinkageError e) {
      s.problem("portcullis.user-directory names " + name + ", which cannot be loaded: " + e);
    }
  }

  /** Makes the user directory {@code portcullis.user-directory} names (checked by {@link #prepare}). */
  static UserDirectory instantiate(String name, ClassLoader loader)
      throws ReflectiveOperationException {
    return Class.forName(name, true, loader)
        .asSubclass(UserDirectory.class)
        .getConstructor()
        .newInstance();
  }

  /** {@link #assemble(Prepared, UserDirectory, Function, InstantSource, SecureRandom)} without context attributes. */
  static Assembled assemble(
      Prepared p, UserDirectory users, InstantSource clock, SecureRandom random) {
    return assemble(p, users, name -> null, clock, random);
  }

  /**
   * Builds the filter. On failure nothing stays open.
   *
   * @param contextAttributes the servlet context's attributes, for what the shared stores need
   * @throws IllegalStateException with every mistake found, one a line
   */
  static Assembled assemble(
      Prepared p,
      UserDirectory users,
      Function<String, Object> contextAttributes,
      InstantSource clock,
      SecureRandom random) {
    PortcullisSettings s = p.settings();
    Optional<Path> keyFile = s.path("portcullis.keys.file");
    ReloadingKeyRing watched = keyFile
        .map(f -> KeyRingSources.watchFile(
            f,
            s.duration("portcullis.keys.reload-interval")
                .orElse(ReloadingKeyRing.DEFAULT_INTERVAL)))
        .orElse(null);
    KeyRingSource keyRing = watched != null ? watched : p.keyRing();
    AuditLog audit;
    try {
      audit = auditLog(s, keyRing, clock, random);
    } catch (RuntimeException | Error e) {
      if (watched != null) {
        closeAll(List.of(watched));
      }
      throw e;
    }
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      SharedStores shared =
          p.sharedStores().map(c -> c.open(clock, contextAttributes)).orElse(null);
      SessionStore store = shared != null
          ? shared.sessionStores().apply(p.sessions())
          : CaffeineSessionStore.builder(p.sessions(), clock)
              .listener(new SessionAudit(audit))
              .build();
      SessionRegistry registry =
          SessionRegistry.create(p.sessions(), store, random, clock, new SessionAudit(audit));
      RevocationStore revocations =
          shared != null ? shared.revocationStore() : RevocationStore.inMemory(clock);
      closeIfCloseable(store, resources::add);
      closeIfCloseable(revocations, resources::add);
      if (shared != null) {
        resources.add(shared.connection()); // after the stores it made
      }
      if (watched != null) {
        resources.add(watched);
        resources.add(KeyRingAudit.attach(watched, audit));
      }
      // Single sign-on's account links and single-use marks where the sessions are: in memory, a
      // link made on one
      // node would be unknown to the others, and an upgrade token could be redeemed once on each.
      AccountLinkStore links =
          shared != null ? shared.accountLinkStore() : AccountLinkStore.inMemory();
      ReplayStore replay = shared != null ? shared.replayStore() : ReplayStore.inMemory(clock);
      if (shared == null) { // the shared ones close with their connection
        closeIfCloseable(links, resources::add);
        closeIfCloseable(replay, resources::add);
      }
      PortalLogin login = part(s, "portcullis.login", () -> {
        PortalLogin.Builder b = PortalLogin.builder()
            .keyRing(keyRing)
            .users(users)
            .revocations(revocations)
            .clock(clock)
            .random(random)
            .authCookie(p.authCookie());
        if (p.cookieCheckCookie() == null) {
          b.cookieCheckBySessionCookie();
        } else {
          b.cookieCheckCookie(p.cookieCheckCookie());
        }
        // The login limit's budgets where the sessions are: in memory each node would grant an
        // account its own.
        b.throttle(loginThrottle(
            s, shared != null ? shared.loginAttemptStore() : null, keyRing, clock, random));
        s.string("portcullis.login.terms-version").ifPresent(b::termsVersion);
        s.duration("portcullis.login.ticket-lifetime").ifPresent(b::ticketLifetime);
        s.string("portcullis.login.path").ifPresent(b::loginPath);
        s.string("portcullis.login.logout-path").ifPresent(b::logoutPath);
        s.string("portcullis.login.logout-everywhere-path").ifPresent(b::logoutEverywherePath);
        s.string("portcullis.login.terms-path").ifPresent(b::termsPath);
        s.string("portcullis.login.after-login-path").ifPresent(b::afterLoginPath);
        s.integer("portcullis.login.max-concurrent-password-checks")
            .ifPresent(b::maxConcurrentPasswordChecks);
        s.integer("portcullis.login.max-pending-logouts").ifPresent(b::maxPendingLogouts);
        connectionRecheckInterval(s).ifPresent(b::connectionRecheckInterval);
        Optional<SessionLimit> whenExceeded =
            s.choice("portcullis.session.when-exceeded", SessionLimit.class);
        Optional<Integer> maxPerUser = s.integer("portcullis.session.max-per-user");
        if (maxPerUser.isPresent()) {
          b.maxSessionsPerUser(maxPerUser.get(), whenExceeded.orElse(SessionLimit.END_OLDEST));
        } else if (whenExceeded.isPresent()) {
          throw new IllegalStateException(
              "portcullis.session.when-exceeded needs portcullis.session.max-per-user");
        }
        return b.build();
      });
      PortcullisFilter filter = login == null
          ? null
          : part(
              s,
              "portcullis.access, portcullis.login, portcullis.csrf and the cookie names together",
              () -> {
                PortcullisFilter.Builder b = PortcullisFilter.builder()
                    .transport(p.transport())
                    .sessions(registry)
                    .login(login, random)
                    .audit(audit, p.auditRules())
                    .trustedOrigins(
                        s.list("portcullis.csrf.trusted-origins").toArray(String[]::new));
                p.access()
                    .ifPresent(policy -> b.access(policy, login.endpoints().loginPath()));
                p.sso().ifPresent(sso -> b.sso(sso.config(links, replay), keyRing, clock));
                s.integer("portcullis.login.max-form-reads-per-address")
                    .ifPresent(b::maxFormReadsPerAddress);
                s.integer("portcullis.login.max-anonymous-form-reads")
                    .ifPresent(b::maxAnonymousFormReads);
                return b.build();
              });
      if (!s.problems().isEmpty()) {
        throw new IllegalStateException(report(s.problems()));
      }
      resources.add(audit); // last: the stores may still audit while they close
      return new Assembled(filter, login, List.copyOf(resources));
    } catch (RuntimeException | Error e) {
      resources.add(audit);
      closeAll(resources);
      throw e;
    }
  }

  static AuditLog auditLog(
      PortcullisSettings s, KeyRingSource keyRing, InstantSource clock, SecureRandom random) {
    AuditSinkType type =
        s.choice("portcullis.audit.sink", AuditSinkType.class).orElse(AuditSinkType.SLF4J);
    AuditSink sink;
    Optional<Path> file = s.path("portcullis.audit.file");
    SearchDemandSink demand = demandSink(s);
    try {
      switch (type) {
        case JSON_LINES:
          sink = AuditSink.jsonLines(file.orElseThrow());
          break;
        case HASH_CHAINED:
          // Checkpoints under the portal's key ring: a rewrite by someone who can write the file is
          // found.
          sink = AuditSink.hashChained(file.orElseThrow(), keyRing);
          break;
        default:
          sink = AuditSink.slf4j();
      }
    } catch (IOException e) {
      closeAll(List.of(demand));
      throw cannotOpen(s, "portcullis.audit.file", file.orElseThrow(), e);
    }
    try {
      AuditLog.Builder b =
          AuditLog.builder().clock(clock).random(random).auditSink(sink).demandSink(demand);
      s.integer("portcullis.audit.queue-capacity").ifPresent(b::queueCapacity);
      s.choice("portcullis.audit.when-full", AuditLog.WhenFull.class).ifPresent(b::whenFull);
      s.duration("portcullis.audit.search-demand.bucket").ifPresent(b::demandBucket);
      s.integer("portcullis.audit.search-demand.max-terms").ifPresent(b::demandMaxTerms);
      s.integer("portcullis.audit.search-demand.minimum-count").ifPresent(b::demandMinimumCount);
      s.duration("portcullis.audit.retry-interval").ifPresent(b::retryInterval);
      s.duration("portcullis.audit.close-timeout").ifPresent(b::closeTimeout);
      s.integer("portcullis.audit.anonymous-events-per-address")
          .ifPresent(b::anonymousEventsPerAddress);
      s.duration("portcullis.audit.anonymous-event-window").ifPresent(b::anonymousEventWindow);
      return b.build();
    } catch (RuntimeException e) {
      closeAll(List.of(sink, demand));
      throw new IllegalStateException(report(List.of("portcullis.audit: " + e.getMessage())), e);
    }
  }

  private static SearchDemandSink demandSink(PortcullisSettings s) {
    String key = "portcullis.audit.search-demand.file";
    if (s.choice("portcullis.audit.search-demand.sink", DemandSinkType.class)
            .orElse(DemandSinkType.SLF4J)
        == DemandSinkType.SLF4J) {
      return SearchDemandSink.slf4j();
    }
    Path file = s.path(key).orElseThrow();
    try {
      return SearchDemandSink.jsonLines(file);
    } catch (IOException e) {
      throw cannotOpen(s, key, file, e);
    }
  }

  private static IllegalStateException cannotOpen(
      PortcullisSettings s, String key, Path file, IOException e) {
    return new IllegalStateException(
        report(
            List.of(
                "cannot open " + key + " " + file + " (" + s.sourceOf(key) + "): " + e.getMessage()
                    + "; its directory must exist and be writable, and no other process may hold the file")),
        e);
  }

  private static void closeIfCloseable(Object part, Consumer<AutoCloseable> resources) {
    if (part instanceof AutoCloseable closeable) {
      resources.accept(closeable);
    }
  }

  /** Closes each in order; a failure is logged and the rest are still closed. */
  static void closeAll(List<? extends AutoCloseable> resources) {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        log.error(
            "Portcullis could not close {} at shutdown", resource.getClass().getName(), e);
      }
    }
  }

  /** Runs one builder; a refusal becomes a problem named after the settings {@code prefix}, and the part is null. */
  static <T> T part(PortcullisSettings s, String prefix, Supplier<T> builder) {
    try {
      return builder.get();
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      s.problem(prefix + ": " + e.getMessage());
      return null;
    }
  }

  /** The deployment error: every problem, one a line. */
  static String report(List<String> problems) {
    StringBuilder sb = new StringBuilder(
        "Portcullis is not configured correctly, so the application does not start ("
            + problems.size() + (problems.size() == 1 ? " mistake" : " mistakes") + "):");
    for (String problem : problems) {
      sb.append("\n  - ").append(problem);
    }
    return sb.toString();
  }
}
