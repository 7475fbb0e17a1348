package dev.portcullis.dropwizard;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SearchDemandSink;
import dev.portcullis.cookie.CookieNames;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.cookie.SameSite;
import dev.portcullis.crypto.InvalidKeyRingException;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.ReloadingKeyRing;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.SessionLimit;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionIdFormat;
import dev.portcullis.transport.ForwardedHeaders;
import dev.portcullis.transport.TransportConfig;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The {@code portcullis:} block of a Dropwizard configuration, with the names of the Spring Boot starter's
 * {@code portcullis.*} properties (kebab case):
 *
 * <pre>{@code
 * portcullis:
 *   keys:
 *     file: /etc/portal/keys.txt        # made with dev.portcullis.crypto.KeyTool; or pkcs12: {path, password},
 *                                       # or neither: the ring in the environment-variable (PORTCULLIS_KEY_RING)
 *     reload-interval: 10s              # the file is read again when it changes
 *     max-age: 90 days                  # the health check turns unhealthy past it
 *   login:
 *     terms-version: "2026-01"          # required
 *     max-concurrent-password-checks: 2 # password logins checked at once; default half the processors
 *     max-pending-logouts: 10000        # logouts a failing store could not finish, kept to finish later
 *     max-form-reads-per-address: 16    # form bodies of one client address read at once; default 16
 *     max-anonymous-form-reads: 32      # form bodies of anonymous requests read at once; default 32
 *     connection-recheck-interval: 30s  # how often an open WebSocket's login is checked again, 1s to 1h
 *     logout-path: /logout              # and logout-everywhere-path, terms-path, after-login-path
 *     ticket-lifetime: 8 hours          # 1 minute to 1 day
 *     limit:                            # the login limit; the core's defaults where unset
 *       max-failures-per-account: 100   # password checks per account per window, 1 to 100
 *       max-failures-per-address: 1000  # and per client address
 *       window: 1 hour
 *       known-address-for: 30 days      # an address the account logged in from has a budget of its own
 *       max-tracked: 100000             # budgets kept in memory, 1000 to 10000000; not with redis or jdbc
 *     # per-node-login-limit: true      # accept the limit in each node's memory beside shared sessions
 *     # cookie-check-by-session-cookie: true  # no cookie-check cookie: the session cookie does the check
 *   csrf:
 *     trusted-origins: [https://apply.portal.example] # sibling origins whose forms post here; default none
 *   session:
 *     idle-timeout: 30 minutes
 *     absolute-timeout: 8 hours
 *     max-per-user: 3                   # sessions per user; when-exceeded: end-oldest (default) or refuse-new
 *   cookies:
 *     name-prefix: staff                # __Host-staff-sid, ...: one per application on a shared host name
 *     session:                          # and auth, cookie-check: name, secure, http-only, same-site, path, domain
 *       same-site: strict
 *   transport:
 *     canonical-host: portal.example    # plain GETs are redirected there; required unless
 *     # redirect-plain-http: false (plain HTTP refused with 403) or development-mode: true (loopback only)
 *     trusted-proxies: [10.0.0.0/8]     # the TLS-terminating proxy; its X-Forwarded-* headers are believed
 *   access:
 *     public-paths: [/privacy]
 *     rules:
 *       - pattern: /admin/**
 *         roles: [ADMIN]
 *   audit:
 *     sink: json-lines                  # slf4j (default), json-lines or hash-chained
 *     file: /var/log/portal/audit.jsonl
 *     queue-capacity: 8192              # events waiting for delivery; when-full: block (default) or drop
 *     close-timeout: 30 seconds         # how long closing the log at shutdown waits for the sink, 10 ms to 1 hour
 *     retry-interval: 1 second          # how often a failing sink is offered its kept events again, 10 ms to 10 min
 *     anonymous-events-per-address: 60  # events of one type without a user per address and window, 1 to 1000000
 *     anonymous-event-window: 1 minute  # 1 second to 1 day
 *     actions: [{pattern: "/reports/{id}", action: report_view}]  # audited with the user
 *     search-endpoints: [{path: /search, parameter: q}]           # counted in the search-demand log only
 *     search-demand: {sink: json-lines, file: /var/log/portal/search-demand.jsonl}  # default slf4j
 *     # search-demand: {bucket: 1 hour, max-terms: 10000, minimum-count: 1}  # the counts' defaults
 *   redis:                              # optional: every store and the login limit in Redis, for many nodes
 *     uri: rediss://:${REDIS_PASSWORD}@redis.internal:6379/0  # or cluster-nodes: [...]
 *   # jdbc:                             # or in PostgreSQL, on the DataSource given to PortcullisBundle.dataSource
 *   #   apply-schema: true
 *   sso:                                # optional: single sign-on through an OpenID provider
 *     issuer: https://login.example/realms/portal
 *     client-id: portal
 *     client-secret: ${PORTCULLIS_SSO_CLIENT_SECRET}  # from the environment (EnvironmentVariableSubstitutor)
 *     redirect-uri: https://portal.example/sso/callback
 * }</pre>
 *
 * <p>Dropwizard validates the block at start-up: a missing required value or a contradiction stops the application
 * with the setting named. What the core refuses when {@link #toBuilder} builds the parts, or when the bundle builds
 * the whole, stops it as well, its message followed by the settings of this block that the core's Java names stand
 * for ({@code permitAll(...)} is {@code access.public-paths}, and so on).
 *
 * <p><b>Security.</b> There is no default key and no default terms version; plain HTTP is served only in
 * development mode, and then only from loopback. Without {@code access} every page but the login and terms pages needs
 * a login.
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public class PortcullisFactory {
  /**
   * What the core's refusals call a part of the configuration, and the setting of this block that holds it: the core
   * speaks in its builders' words, the application's author wrote YAML.
   */
  private static final List<Map.Entry<String, String>> YAML_NAMES = yamlNames();

  /** The transport block's settings under the names the YAML has. */
  private static final String TRANSPORT_SETTINGS =
      "In the YAML: plain-HTTP GETs are redirected to portcullis.transport.canonical-host (the portal's host name,"
          + " as in its certificate; portcullis.transport.https-port unless 443); set"
          + " portcullis.transport.redirect-plain-http: false to refuse plain HTTP with 403 instead (TLS ends at a"
          + " connector of type https); on a developer's own machine only, portcullis.transport.development-mode: true"
          + " serves plain HTTP to loopback clients.";

  @Valid
  @NotNull
  private Keys keys = new Keys();

  @Valid
  @NotNull
  private Login login = new Login();

  @Valid
  @NotNull
  private Csrf csrf = new Csrf();

  @Valid
  @NotNull
  private Session session = new Session();

  @Valid
  @NotNull
  private Cookies cookies = new Cookies();

  @Valid
  @NotNull
  private Transport transport = new Transport();

  @Valid
  @NotNull
  private Access access = new Access();

  @Valid
  @NotNull
  private Audit audit = new Audit();

  @Valid
  private Redis redis;

  @Valid
  private Jdbc jdbc;

  @Valid
  private Sso sso;

  /**
   * A {@link Portcullis.Builder} with the key ring, the terms version and every setting of this block but the
   * {@code redis} and {@code sso} blocks, whose stores the bundle connects; the application adds its user directory.
   *
   * @throws IllegalStateException if the key ring cannot be read or the core refuses a setting
   */
  public Portcullis.Builder toBuilder() {
    return toBuilder(keySource());
  }

  private static List<Map.Entry<String, String>> yamlNames() {
    return List.of(
        Map.entry("login page", "the login page is portcullis.login.path"),
        Map.entry("permitAll(", "permitAll(...) pages are portcullis.access.public-paths"),
        Map.entry("requireAnyRole(", "requireAnyRole(...) rules are portcullis.access.rules"),
        Map.entry(
            "authenticated(", "authenticated(...) pages are portcullis.access.authenticated-paths"),
        Map.entry(
            "access pattern",
            "access patterns are portcullis.access.public-paths, portcullis.access.authenticated-paths"
                + " and portcullis.access.rules[N].pattern"),
        Map.entry("cookie name prefix", "the cookie name prefix is portcullis.cookies.name-prefix"),
        Map.entry(
            "perNodeLoginLimit()",
            "perNodeLoginLimit() is portcullis.login.per-node-login-limit: true"),
        Map.entry(
            "maxTracked",
            "maxTracked is portcullis.login.limit.max-tracked, for the limit in this node's memory only"),
        Map.entry("trusted origin", "trusted origins are portcullis.csrf.trusted-origins"),
        Map.entry(
            "cookieCheckBySessionCookie()",
            "cookieCheckBySessionCookie() is portcullis.login.cookie-check-by-session-cookie: true, and"
                + " cookieCheckCookie(...) is portcullis.cookies.cookie-check"),
        Map.entry(
            "cookie check by the session cookie",
            "the cookie check by the session cookie is portcullis.login.cookie-check-by-session-cookie: true, and"
                + " the session cookie's Secure attribute is portcullis.cookies.session.secure"),
        Map.entry("terms version", "the terms version is portcullis.login.terms-version"),
        Map.entry(
            "endpoint paths",
            "the endpoint paths are portcullis.login.path, portcullis.login.logout-path,"
                + " portcullis.login.logout-everywhere-path, portcullis.login.terms-path and"
                + " portcullis.login.after-login-path"),
        Map.entry(
            "paths must differ",
            "the endpoint paths are portcullis.login.path, portcullis.login.logout-path,"
                + " portcullis.login.logout-everywhere-path and portcullis.login.terms-path"),
        Map.entry(
            "two Portcullis cookies have the same name",
            "the cookie names are portcullis.cookies.session.name, portcullis.cookies.auth.name and"
                + " portcullis.cookies.cookie-check.name"),
        Map.entry(
            "SSO-upgrade cookie",
            "the SSO-upgrade cookie is named by portcullis.sso.cookie-name, or by"
                + " portcullis.cookies.name-prefix when that is unset"),
        Map.entry(
            "single sign-on replay store",
            "with portcullis.redis or portcullis.jdbc, the portcullis.sso block keeps its replay store there; single sign-on"
                + " configured in customize(...) needs a shared one too"),
        Map.entry(
            "single sign-on account links",
            "with portcullis.redis or portcullis.jdbc, the portcullis.sso block keeps its account links there; single sign-on"
                + " configured in customize(...) needs shared ones too"));
  }

  /**
   * {@code refusal}, a message of the core, followed by the settings of this block that the Java names in it stand
   * for; the message alone when it names none of them.
   */
  static String inYamlTerms(String refusal) {
    String message = String.valueOf(refusal);
    StringJoiner names =
        new StringJoiner("; ", message.endsWith(".") ? " In the YAML: " : ". In the YAML: ", ".");
    names.setEmptyValue("");
    for (Map.Entry<String, String> name : YAML_NAMES) {
      if (message.contains(name.getKey())) {
        names.add(name.getValue());
      }
    }
    return message + names;
  }

  /** As {@link #toBuilder()}, with the key ring already read. */
  Portcullis.Builder toBuilder(KeyRingSource ring) {
    Portcullis.Builder b = Portcullis.builder().keyRing(ring).termsVersion(login.termsVersion);
    b.sessions(sessionConfig());
    if (cookies.namePrefix != null) {
      b.cookieNamePrefix(cookies.namePrefix); // checked by build(), in PortcullisBundle
    }
    CookieSpec authCookie =
        cookie("auth", cookies.auth, LoginCookies::defaultAuthCookie, CookieNames::auth);
    CookieSpec cookieCheckCookie = cookie(
        "cookie-check",
        cookies.cookieCheck,
        LoginCookies::defaultCookieCheckCookie,
        CookieNames::cookieCheck);
    if (session.maxPerUser != null) {
      b.maxSessionsPerUser(
          session.maxPerUser,
          session.whenExceeded != null ? session.whenExceeded : SessionLimit.END_OLDEST);
    }
    TransportConfig.Builder t = TransportConfig.builder()
        .developmentMode(transport.developmentMode)
        .trustedProxies(transport.trustedProxies);
    if (transport.forwardedHeaders != null) {
      t.forwardedHeaders(transport.forwardedHeaders);
    }
    if (transport.canonicalHost != null) {
      t.canonicalHost(transport.canonicalHost).redirectPlainHttp(true);
    }
    if (transport.redirectPlainHttp != null) {
      t.redirectPlainHttp(transport.redirectPlainHttp);
    }
    if (transport.httpsPort != null) {
      t.httpsPort(transport.httpsPort);
    }
    if (transport.containerDecidesHttps != null) {
      t.containerDecidesHttps(transport.containerDecidesHttps);
    }
    if (transport.hstsMaxAge != null) {
      t.hstsMaxAge(transport.hstsMaxAge.toJavaDuration());
    }
    if (transport.hstsIncludeSubdomains != null) {
      t.hstsIncludeSubDomains(transport.hstsIncludeSubdomains);
    }
    try {
      b.transport(t.build());
    } catch (IllegalStateException e) {
      // The core names its builder's methods; the application's author knows this block.
      throw new IllegalStateException(
          "portcullis.transport was refused: " + e.getMessage() + " " + TRANSPORT_SETTINGS, e);
    }
    if (!access.publicPaths.isEmpty()
        || !access.authenticatedPaths.isEmpty()
        || !access.rules.isEmpty()) {
      AccessPolicy policy;
      try {
        AccessPolicy.Builder a =
            AccessPolicy.builder().permitAll(access.publicPaths.toArray(String[]::new));
        for (RoleRule rule : access.rules) {
          a.requireAnyRole(rule.pattern, rule.roles.toArray(String[]::new));
        }
        policy =
            a.authenticated(access.authenticatedPaths.toArray(String[]::new)).build();
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new IllegalStateException(
            "portcullis.access was refused: " + inYamlTerms(e.getMessage()), e);
      }
      b.access(policy, login.path);
    }
    b.trustedOrigins(csrf.trustedOrigins.toArray(String[]::new));
    if (login.maxFormReadsPerAddress != null) {
      b.maxFormReadsPerAddress(login.maxFormReadsPerAddress);
    }
    if (login.maxAnonymousFormReads != null) {
      b.maxAnonymousFormReads(login.maxAnonymousFormReads);
    }
    b.login(l -> {
      l.loginPath(login.path);
      setIfGiven(login.logoutPath, l::logoutPath);
      setIfGiven(login.logoutEverywherePath, l::logoutEverywherePath);
      setIfGiven(login.termsPath, l::termsPath);
      setIfGiven(login.afterLoginPath, l::afterLoginPath);
      if (login.ticketLifetime != null) {
        l.ticketLifetime(login.ticketLifetime.toJavaDuration());
      }
      setIfGiven(authCookie, l::authCookie);
      setIfGiven(cookieCheckCookie, l::cookieCheckCookie);
      if (login.cookieCheckBySessionCookie) {
        l.cookieCheckBySessionCookie(); // beside cookies.cookie-check, refused by build()
      }
      if (login.maxConcurrentPasswordChecks != null) {
        l.maxConcurrentPasswordChecks(login.maxConcurrentPasswordChecks);
      }
      if (login.maxPendingLogouts != null) {
        l.maxPendingLogouts(login.maxPendingLogouts);
      }
      if (login.connectionRecheckInterval != null) {
        l.connectionRecheckInterval(login.connectionRecheckInterval.toJavaDuration());
      }
    });
    if (login.perNodeLoginLimit) {
      b.perNodeLoginLimit();
    }
    LoginLimit limit = login.limit;
    if (!limit.isUnset()) {
      b.loginLimit(throttle -> {
        setIfGiven(limit.maxFailuresPerAccount, throttle::maxFailuresPerAccount);
        setIfGiven(limit.maxFailuresPerAddress, throttle::maxFailuresPerAddress);
        if (limit.window != null) {
          throttle.window(limit.window.toJavaDuration());
        }
        if (limit.knownAddressFor != null) {
          throttle.knownAddressFor(limit.knownAddressFor.toJavaDuration());
        }
        setIfGiven(limit.maxTracked, throttle::maxTracked);
      });
    }
    setIfGiven(audit.queueCapacity, b::auditQueueCapacity);
    setIfGiven(audit.whenFull, b::auditWhenFull);
    if (audit.closeTimeout != null) {
      b.auditCloseTimeout(audit.closeTimeout.toJavaDuration());
    }
    if (!audit.isLogSettingsUnset()) {
      Audit a = audit;
      b.audit(log -> {
        if (a.retryInterval != null) {
          log.retryInterval(a.retryInterval.toJavaDuration());
        }
        setIfGiven(a.anonymousEventsPerAddress, log::anonymousEventsPerAddress);
        if (a.anonymousEventWindow != null) {
          log.anonymousEventWindow(a.anonymousEventWindow.toJavaDuration());
        }
        if (a.searchDemand.bucket != null) {
          log.demandBucket(a.searchDemand.bucket.toJavaDuration());
        }
        setIfGiven(a.searchDemand.maxTerms, log::demandMaxTerms);
        setIfGiven(a.searchDemand.minimumCount, log::demandMinimumCount);
      });
    }
    if (!audit.actions.isEmpty() || !audit.searchEndpoints.isEmpty()) {
      b.auditRules(auditRules());
    }
    AuditSink auditSink = null;
    if (!"slf4j".equals(audit.sink)) {
      try {
        auditSink = "json-lines".equals(audit.sink)
            ? AuditSink.jsonLines(audit.file)
            : AuditSink.hashChained(audit.file, ring);
      } catch (IOException e) {
        // The core's reason names the file and what is wrong with it (never a key).
        throw new UncheckedIOException(
            "cannot open portcullis.audit.file " + audit.file + ": " + e.getMessage(), e);
      }
      b.auditSink(auditSink);
    }
    if ("json-lines".equals(audit.searchDemand.sink)) {
      try {
        b.demandSink(SearchDemandSink.jsonLines(audit.searchDemand.file));
      } catch (IOException e) {
        UncheckedIOException refused = new UncheckedIOException(
            "cannot open portcullis.audit.search-demand.file " + audit.searchDemand.file + ": "
                + e.getMessage(),
            e);
        closeQuietly(auditSink, refused);
        throw refused;
      }
    }
    return b;
  }

  /**
   * The audited actions and search endpoints of the {@code audit} block.
   *
   * @throws IllegalStateException naming the entry the core refuses and what it takes
   */
  private AuditRules auditRules() {
    AuditRules.Builder rules = AuditRules.builder();
    String entry = "";
    try {
      for (int i = 0; i < audit.actions.size(); i++) {
        entry = "portcullis.audit.actions[" + i + "]";
        rules.action(audit.actions.get(i).pattern, audit.actions.get(i).action);
      }
      for (int i = 0; i < audit.searchEndpoints.size(); i++) {
        entry = "portcullis.audit.search-endpoints[" + i + "]";
        rules.searchEndpoint(
            audit.searchEndpoints.get(i).path, audit.searchEndpoints.get(i).parameter);
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException(
          entry + " was refused: " + e.getMessage()
              + ". In the YAML: an action's pattern has lower-case literal"
              + " segments and {name} placeholders (optionally ending in /**) and its action is named in"
              + " lower_snake_case; a search endpoint's path is normalised and lower case, with its query"
              + " parameter",
          e);
    }
    return rules.build();
  }

  /**
   * The {@code session} settings and the {@code cookies.session} cookie, with the core's defaults where unset.
   *
   * @throws IllegalStateException naming the block's settings when the core refuses them together (an idle timeout
   *     not shorter than the absolute one, say)
   */
  SessionConfig sessionConfig() {
    SessionConfig.Builder s = SessionConfig.builder();
    setIfGiven(
        cookie("session", cookies.session, SessionConfig::defaultCookie, CookieNames::session),
        s::cookie);
    if (session.idleTimeout != null) {
      s.idleTimeout(session.idleTimeout.toJavaDuration());
    }
    if (session.absoluteTimeout != null) {
      s.absoluteTimeout(session.absoluteTimeout.toJavaDuration());
    }
    setIfGiven(session.maxSessions, s::maxSessions);
    setIfGiven(session.idFormat, s::idFormat);
    setIfGiven(session.anonymousSessionsPerAddress, s::anonymousSessionsPerAddress);
    if (session.anonymousSessionWindow != null) {
      s.anonymousSessionWindow(session.anonymousSessionWindow.toJavaDuration());
    }
    setIfGiven(session.trackedAddresses, s::trackedAddresses);
    try {
      return s.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException(
          "portcullis.session was refused: " + e.getMessage() + ". In the YAML: the idle timeout is"
              + " portcullis.session.idle-timeout (core default 20 minutes), the absolute timeout"
              + " portcullis.session.absolute-timeout (core default 8 hours), which must be the longer",
          e);
    }
  }

  /**
   * The cookie {@code cookies.<name>} describes: the core's own declaration of it (with its cookie-notice text), named
   * after {@code cookies.name-prefix} when that is set, with the block's changes; {@code null} when the block changes
   * nothing, so that the core's default stays.
   *
   * @throws IllegalStateException naming the block's settings when the core refuses the cookie
   */
  private CookieSpec cookie(
      String name,
      Cookie settings,
      Function<String, CookieSpec> declaration,
      Function<CookieNames, String> defaultName) {
    if (settings == null || settings.isUnset()) {
      return null;
    }
    String key = "portcullis.cookies." + name;
    try {
      CookieNames names = cookies.namePrefix == null
          ? CookieNames.defaults()
          : CookieNames.withPrefix(cookies.namePrefix);
      CookieSpec.Builder c = declaration.apply(defaultName.apply(names)).toBuilder();
      setIfGiven(settings.name, c::name);
      setIfGiven(settings.secure, c::secure);
      setIfGiven(settings.httpOnly, c::httpOnly);
      setIfGiven(settings.sameSite, c::sameSite);
      setIfGiven(settings.path, c::path);
      setIfGiven(settings.domain, c::domain);
      return c.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException(
          key + " was refused: " + e.getMessage() + ". In the YAML: " + key + ".name is an RFC 6265"
              + " token; a __Host- name (the default) needs secure: true, path: / and no domain, a __Secure-"
              + " name secure: true; same-site: none needs secure: true; portcullis.cookies.name-prefix is"
              + " 1 to 64 ASCII letters, digits, '-' or '_'",
          e);
    }
  }

  /** Closes a sink opened for a builder that is given up, keeping a failure to close beside {@code cause}. */
  private static void closeQuietly(AuditSink sink, Exception cause) {
    if (sink == null) {
      return;
    }
    try {
      sink.close();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private static <T> void setIfGiven(T value, java.util.function.Consumer<? super T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  /**
   * The key ring {@code keys.file} or the PKCS12 store {@code keys.pkcs12.path} holds, read again every {@code
   * keys.reload-interval} so that rotations and revocations take effect without a restart; close it to stop reading.
   *
   * @throws IllegalStateException when neither is set: the ring is then the environment variable's ({@link
   *     #keySource()}), which is not read again
   * @throws dev.portcullis.crypto.InvalidKeyRingException if the file or store cannot be read or holds no valid ring
   */
  public ReloadingKeyRing keyRing() {
    if (keys.file != null) {
      return KeyRingSources.watchFile(keys.file, keys.reloadInterval.toJavaDuration());
    }
    if (keys.pkcs12.path != null) {
      char[] password = keys.pkcs12.passwordForStore();
      try {
        return KeyRingSources.watchPkcs12(
            keys.pkcs12.path, password, keys.reloadInterval.toJavaDuration());
      } catch (InvalidKeyRingException e) {
        // The core's reason names the store, never its password.
        throw new InvalidKeyRingException(
            "portcullis.keys.pkcs12: " + e.getMessage()
                + ". In the YAML: portcullis.keys.pkcs12.path is the"
                + " store and portcullis.keys.pkcs12.password its password; each AES key's alias is"
                + " <8 hex id>.<status>",
            e);
      } finally {
        Arrays.fill(password, '\0');
      }
    }
    throw new IllegalStateException(
        "portcullis.keys names no key file and no PKCS12 key store: the key ring is"
            + " in the environment variable " + keys.environmentVariable
            + ", which is not read again; see keySource()");
  }

  /**
   * The key ring of the {@code keys} block: the file's or the PKCS12 store's, watched as {@link #keyRing()} says (a
   * {@link ReloadingKeyRing}, to close when done), or else the ring in the process environment variable {@code
   * keys.environment-variable}, which does not change.
   *
   * @throws dev.portcullis.crypto.InvalidKeyRingException if the ring cannot be read or is not valid, naming its
   *     source (the variable's name, never its value)
   */
  public KeyRingSource keySource() {
    return keySource(System::getenv);
  }

  /** As {@link #keySource()}, reading the variable with {@code environment}. */
  KeyRingSource keySource(Function<String, String> environment) {
    if (keys.file != null || keys.pkcs12.path != null) {
      return keyRing();
    }
    String variable = keys.environmentVariable;
    String value = environment.apply(variable);
    try {
      return KeyRingSources.fromEnvironment(
          value == null ? Map.of() : Map.of(variable, value), variable);
    } catch (InvalidKeyRingException e) {
      // The core's reason names the variable, never its value.
      throw new InvalidKeyRingException(
          "portcullis.keys: " + e.getMessage()
              + ". In the YAML: the key ring is read from the environment variable"
              + " portcullis.keys.environment-variable names when neither portcullis.keys.file nor"
              + " portcullis.keys.pkcs12.path is set",
          e);
    }
  }

  public Keys getKeys() {
    return keys;
  }

  public void setKeys(Keys keys) {
    this.keys = keys;
  }

  public Login getLogin() {
    return login;
  }

  public void setLogin(Login login) {
    this.login = login;
  }

  public Csrf getCsrf() {
    return csrf;
  }

  public void setCsrf(Csrf csrf) {
    this.csrf = csrf;
  }

  public Session getSession() {
    return session;
  }

  public void setSession(Session session) {
    this.session = session;
  }

  public Cookies getCookies() {
    return cookies;
  }

  public void setCookies(Cookies cookies) {
    this.cookies = cookies;
  }

  public Transport getTransport() {
    return transport;
  }

  public void setTransport(Transport transport) {
    this.transport = transport;
  }

  public Access getAccess() {
    return access;
  }

  public void setAccess(Access access) {
    this.access = access;
  }

  public Audit getAudit() {
    return audit;
  }

  public void setAudit(Audit audit) {
    this.audit = audit;
  }

  /** The {@code redis} block; {@code null} when the YAML has none (every store in this node's memory). */
  public Redis getRedis() {
    return redis;
  }

  public void setRedis(Redis redis) {
    this.redis = redis;
  }

  /**
   * The {@code jdbc} block; {@code null} when the YAML has none. With it, the stores are in PostgreSQL, on the
   * application's {@code DataSource} ({@link PortcullisBundle#dataSource}).
   */
  public Jdbc getJdbc() {
    return jdbc;
  }

  public void setJdbc(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** The stores are in one place: Redis or PostgreSQL, not both. */
  @JsonIgnore
  @ValidationMethod(message = BOTH_STORES)
  public boolean isOneSharedStore() {
    return redis == null || jdbc == null;
  }

  /**
   * {@code login.limit.max-tracked} bounds the login limit in this node's memory; with the {@code redis} or {@code
   * jdbc} block the nodes share the limit there, and the setting would be ignored.
   */
  @JsonIgnore
  @ValidationMethod(
      message =
          "portcullis.login.limit.max-tracked is set, but the redis or jdbc block keeps the login limit in the store"
              + " the nodes share: remove max-tracked, it bounds the limit kept in one node's memory")
  public boolean isMaxTrackedInThisNodesMemory() {
    return login == null
        || login.limit == null
        || login.limit.maxTracked == null
        || (redis == null && jdbc == null);
  }

  /** Why a configuration with both the {@code redis} and the {@code jdbc} block is refused, and what to do. */
  static final String BOTH_STORES =
      "portcullis.redis and portcullis.jdbc are both set: the nodes share their stores in one place. Keep"
          + " portcullis.redis for Redis or portcullis.jdbc for PostgreSQL, and remove the other";

  /**
   * The {@code sso} block; {@code null} when the YAML has none (no single sign-on). The bundle builds {@code SsoConfig}
   * from it.
   */
  public Sso getSso() {
    return sso;
  }

  public void setSso(Sso sso) {
    this.sso = sso;
  }

  /** The blocks that are set; never a secret (the SSO client secret has no getter, and is not shown here). */
  @Override
  public String toString() {
    return "PortcullisFactory[keys=" + (keys == null ? null : keys.file) + ", terms-version="
        + (login == null ? null : login.termsVersion) + ", redis=" + (redis != null) + ", jdbc="
        + (jdbc != null) + ", sso="
        + sso
        + "]";
  }

  /**
   * {@code keys}: where the key ring is, and how old its keys may get. The ring comes from exactly one place, as with
   * the Spring Boot starter's {@code portcullis.keys.*}: the key file {@code file} (made with {@code
   * dev.portcullis.crypto.KeyTool}), the PKCS12 key store {@code pkcs12.path} with its {@code pkcs12.password}, or,
   * when neither is set, the process environment variable {@code environment-variable} (unset: {@code
   * PORTCULLIS_KEY_RING}), which holds the ring's text. A file or a store is read again every {@code reload-interval};
   * the variable's ring does not change while the application runs.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Keys {
    private Path file;

    @NotBlank
    private String environmentVariable = KeyRingSources.ENV_VARIABLE;

    @Valid
    @NotNull
    private Pkcs12 pkcs12 = new Pkcs12();

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.DAYS)
    private Duration maxAge = Duration.days(KeyRing.DEFAULT_MAX_KEY_AGE.toDays());

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration reloadInterval =
        Duration.seconds(ReloadingKeyRing.DEFAULT_INTERVAL.toSeconds());

    /** One place for the ring: a key file or a PKCS12 key store, not both. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.keys.file and portcullis.keys.pkcs12.path are both set: the key ring comes from one place."
                + " Keep the key file or the PKCS12 key store, and remove the other")
    public boolean isOneKeySource() {
      return file == null || pkcs12.path == null;
    }

    /** How often the key file or the PKCS12 store is read again; a changed file that is not a valid ring is refused. */
    public Duration getReloadInterval() {
      return reloadInterval;
    }

    public void setReloadInterval(Duration reloadInterval) {
      this.reloadInterval = reloadInterval;
    }

    /** The key file in the text form KeyTool writes; unset: the PKCS12 store, or the environment variable. */
    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    /**
     * The process environment variable that holds the ring's text (the line {@code KeyTool env FILE} prints), read
     * when neither {@code file} nor {@code pkcs12.path} is set; from the operating-system environment only, never
     * from the YAML. Unset: {@code PORTCULLIS_KEY_RING}.
     */
    public String getEnvironmentVariable() {
      return environmentVariable;
    }

    public void setEnvironmentVariable(String environmentVariable) {
      this.environmentVariable = environmentVariable;
    }

    /** The PKCS12 key store; its {@code path} unset, none. */
    public Pkcs12 getPkcs12() {
      return pkcs12;
    }

    public void setPkcs12(Pkcs12 pkcs12) {
      this.pkcs12 = pkcs12;
    }

    public Duration getMaxAge() {
      return maxAge;
    }

    public void setMaxAge(Duration maxAge) {
      this.maxAge = maxAge;
    }
  }

  /**
   * {@code keys.pkcs12}: a PKCS12 key store whose AES secret-key entries are named {@code <8 hex id>.<status>} (made
   * with {@code keytool -genseckey}), at {@code path}, opened with {@code password}.
   *
   * <p><b>Security.</b> The password has no getter and no default: it is not in {@link #toString()}, in Jackson's view
   * of the configuration or in any message of the bundle. Give it from the environment through Dropwizard's
   * substitution ({@code password: ${PORTCULLIS_KEYS_PKCS12_PASSWORD}}); an expression left unreplaced stops the start.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Pkcs12 {
    private Path path;
    private String password;

    /** A store needs its password. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.keys.pkcs12.path is set without portcullis.keys.pkcs12.password: give the key store's"
                + " password from the environment, password:"
                // Escaped: the validator reads ${...} and {...} in a message as expressions.
                + " \\$\\{PORTCULLIS_KEYS_PKCS12_PASSWORD\\}, with Dropwizard's EnvironmentVariableSubstitutor in"
                + " initialize")
    public boolean isPasswordGivenWithPath() {
      return path == null || password != null && !password.isEmpty();
    }

    /** A {@code ${NAME}} expression that reaches the configuration unreplaced is no password; the start stops. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.keys.pkcs12.password is an environment variable expression that was not replaced:"
                + " add Dropwizard's substitution in initialize,"
                + " bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider("
                + "bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(true))),"
                + " and set the variable")
    public boolean isPasswordSubstituted() {
      return password == null || !password.strip().startsWith("${");
    }

    /** The key store file; unset, no store. */
    public Path getPath() {
      return path;
    }

    public void setPath(Path path) {
      this.path = path;
    }

    /**
     * The key store's password. Write-only: there is deliberately no getter, so that no report or serializer can show
     * it.
     */
    public void setPassword(String password) {
      this.password = password;
    }

    /** The password, for opening the store only. */
    char[] passwordForStore() {
      return password.toCharArray();
    }

    /** The path, without the password. */
    @Override
    public String toString() {
      return "Pkcs12[path=" + path + "]";
    }
  }

  /**
   * {@code login}: the terms-of-use version, the paths of the login page, the logout and "log out everywhere"
   * endpoints, the terms page and the page a login without a safe return target goes to ({@code path}, {@code
   * logout-path}, {@code logout-everywhere-path}, {@code terms-path}, {@code after-login-path}; unset: {@code /login},
   * {@code /logout}, {@code /logout-everywhere}, {@code /terms}, {@code /}), how long an auth ticket lives before it
   * must be renewed by use ({@code ticket-lifetime}, 1 minute to 1 day; unset: 8 hours), how many password logins are checked at once
   * ({@code max-concurrent-password-checks}, at least 1; unset: the core's default, half the processors), and how
   * many logouts a failing store could not finish are kept on the node to finish later ({@code max-pending-logouts},
   * from 1 to 1,000,000; unset: the core's default, 10,000), how many form bodies of one client address the filter
   * reads at once ({@code max-form-reads-per-address}, at least 1; unset: 16), how many form bodies of requests nobody
   * is logged in to it reads at once whatever their addresses ({@code max-anonymous-form-reads}, at least 1; unset:
   * 32), how often the login behind an open WebSocket is checked again ({@code connection-recheck-interval}, from 1 second to 1 hour; unset: the core's
   * default, 30 seconds), and whether a login limit kept in each node's memory is accepted beside sessions the nodes
   * share ({@code per-node-login-limit}; unset: false, and the start stops on that pair), and whether the session
   * cookie does the blocked-cookie check instead of a cookie-check cookie ({@code cookie-check-by-session-cookie};
   * unset: false).
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Login {
    @NotBlank
    private String termsVersion;

    @NotBlank
    private String path = "/login";

    private String logoutPath;
    private String logoutEverywherePath;
    private String termsPath;
    private String afterLoginPath;

    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    @MaxDuration(value = 1, unit = TimeUnit.DAYS)
    private Duration ticketLifetime;

    @Min(1)
    private Integer maxConcurrentPasswordChecks;

    @Min(1)
    @Max(1_000_000)
    private Integer maxPendingLogouts;

    @Min(1)
    private Integer maxFormReadsPerAddress;

    @Min(1)
    private Integer maxAnonymousFormReads;

    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @MaxDuration(value = 1, unit = TimeUnit.HOURS)
    private Duration connectionRecheckInterval;

    @Valid
    @NotNull
    private LoginLimit limit = new LoginLimit();

    private boolean perNodeLoginLimit;

    private boolean cookieCheckBySessionCookie;

    /** The login limit against password guessing; the core's defaults where unset. */
    public LoginLimit getLimit() {
      return limit;
    }

    public void setLimit(LoginLimit limit) {
      this.limit = limit;
    }

    public String getTermsVersion() {
      return termsVersion;
    }

    public void setTermsVersion(String termsVersion) {
      this.termsVersion = termsVersion;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    /** The logout endpoint (POST); unset: {@code /logout}. */
    public String getLogoutPath() {
      return logoutPath;
    }

    public void setLogoutPath(String logoutPath) {
      this.logoutPath = logoutPath;
    }

    /** The "log out everywhere" endpoint (POST); unset: {@code /logout-everywhere}. */
    public String getLogoutEverywherePath() {
      return logoutEverywherePath;
    }

    public void setLogoutEverywherePath(String logoutEverywherePath) {
      this.logoutEverywherePath = logoutEverywherePath;
    }

    /** The terms page, open to everyone; unset: {@code /terms}. */
    public String getTermsPath() {
      return termsPath;
    }

    public void setTermsPath(String termsPath) {
      this.termsPath = termsPath;
    }

    /** Where a login without a safe return target goes; unset: {@code /}. */
    public String getAfterLoginPath() {
      return afterLoginPath;
    }

    public void setAfterLoginPath(String afterLoginPath) {
      this.afterLoginPath = afterLoginPath;
    }

    /** How long an auth ticket lives before it must be renewed by use; 1 minute to 1 day. Unset: 8 hours. */
    public Duration getTicketLifetime() {
      return ticketLifetime;
    }

    public void setTicketLifetime(Duration ticketLifetime) {
      this.ticketLifetime = ticketLifetime;
    }

    public Integer getMaxConcurrentPasswordChecks() {
      return maxConcurrentPasswordChecks;
    }

    public void setMaxConcurrentPasswordChecks(Integer maxConcurrentPasswordChecks) {
      this.maxConcurrentPasswordChecks = maxConcurrentPasswordChecks;
    }

    public Integer getMaxFormReadsPerAddress() {
      return maxFormReadsPerAddress;
    }

    public void setMaxFormReadsPerAddress(Integer maxFormReadsPerAddress) {
      this.maxFormReadsPerAddress = maxFormReadsPerAddress;
    }

    public Integer getMaxAnonymousFormReads() {
      return maxAnonymousFormReads;
    }

    public void setMaxAnonymousFormReads(Integer maxAnonymousFormReads) {
      this.maxAnonymousFormReads = maxAnonymousFormReads;
    }

    public Integer getMaxPendingLogouts() {
      return maxPendingLogouts;
    }

    public void setMaxPendingLogouts(Integer maxPendingLogouts) {
      this.maxPendingLogouts = maxPendingLogouts;
    }

    /** How often the login behind an open WebSocket is checked again; unset: the core's default, 30 seconds. */
    public Duration getConnectionRecheckInterval() {
      return connectionRecheckInterval;
    }

    public void setConnectionRecheckInterval(Duration connectionRecheckInterval) {
      this.connectionRecheckInterval = connectionRecheckInterval;
    }

    /**
     * Accepts a login limit kept in each node's memory beside a session store the nodes share (one given in {@code
     * customize(...)}): behind a load balancer, a password guesser then gets one budget per node, and the start logs a
     * warning. Unset or false: the start stops on that pair. True beside a limit the nodes share (the {@code redis}
     * or {@code jdbc} block) is a contradiction that stops the start too.
     */
    public boolean isPerNodeLoginLimit() {
      return perNodeLoginLimit;
    }

    public void setPerNodeLoginLimit(boolean perNodeLoginLimit) {
      this.perNodeLoginLimit = perNodeLoginLimit;
    }

    /**
     * No cookie-check cookie: the session cookie does the blocked-cookie check (the login form's token is bound to its
     * value), for a portal that must set no cookie beyond its session and auth cookies. Needs a Secure session cookie;
     * not together with {@code cookies.cookie-check}. Without the {@code __Host-} prefix on the session cookie a
     * sibling host of the same site can set it (cookie tossing) and so forge a login form. Unset: {@code false}.
     */
    public boolean isCookieCheckBySessionCookie() {
      return cookieCheckBySessionCookie;
    }

    public void setCookieCheckBySessionCookie(boolean cookieCheckBySessionCookie) {
      this.cookieCheckBySessionCookie = cookieCheckBySessionCookie;
    }
  }

  /**
   * {@code login.limit}: the login limit against password guessing ({@code LoginThrottle}), kept in this node's memory
   * or, with the {@code redis} or {@code jdbc} block, in the store the nodes share: at most {@code
   * max-failures-per-account} password checks per account (1 to 100; unset: 100) and {@code max-failures-per-address}
   * per client address (at least 1; unset: 1000) in any sliding {@code window} (at least a minute; unset: 1 hour); an
   * address the account logged in from is known for {@code known-address-for} (0, no known addresses, to 400 days;
   * unset: 30 days) and has a budget of its own, so that a stranger's guesses cannot lock the owner out. In memory the
   * limit keeps at most {@code max-tracked} budgets and as many known addresses (1000 to 10000000; unset: 100000); with
   * the {@code redis} or {@code jdbc} block that setting stops the start.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class LoginLimit {
    @Min(1)
    @Max(100)
    private Integer maxFailuresPerAccount;

    @Min(1)
    private Integer maxFailuresPerAddress;

    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    private Duration window;

    @MinDuration(value = 0, unit = TimeUnit.SECONDS)
    @MaxDuration(value = 400, unit = TimeUnit.DAYS)
    private Duration knownAddressFor;

    @Min(1_000)
    @Max(10_000_000)
    private Long maxTracked;

    /** Whether the core's limit stays as it is. */
    @JsonIgnore
    boolean isUnset() {
      return maxFailuresPerAccount == null
          && maxFailuresPerAddress == null
          && window == null
          && knownAddressFor == null
          && maxTracked == null;
    }

    /** Password checks per account (or per known address of it) in the window; 1 to 100. Unset: 100. */
    public Integer getMaxFailuresPerAccount() {
      return maxFailuresPerAccount;
    }

    public void setMaxFailuresPerAccount(Integer maxFailuresPerAccount) {
      this.maxFailuresPerAccount = maxFailuresPerAccount;
    }

    /** Password checks per client address (an IPv6 /64) in the window; at least 1. Unset: 1000. */
    public Integer getMaxFailuresPerAddress() {
      return maxFailuresPerAddress;
    }

    public void setMaxFailuresPerAddress(Integer maxFailuresPerAddress) {
      this.maxFailuresPerAddress = maxFailuresPerAddress;
    }

    /** The sliding window of both budgets; at least a minute. Unset: 1 hour. */
    public Duration getWindow() {
      return window;
    }

    public void setWindow(Duration window) {
      this.window = window;
    }

    /** How long an address stays known after a login from it; 0 (none known) to 400 days. Unset: 30 days. */
    public Duration getKnownAddressFor() {
      return knownAddressFor;
    }

    public void setKnownAddressFor(Duration knownAddressFor) {
      this.knownAddressFor = knownAddressFor;
    }

    /**
     * How many budgets, and as many known addresses, the limit keeps in this node's memory; 1000 to 10000000. Too
     * small lets a guesser who sprays addresses push budgets out, its own among them; each costs memory. Not with the
     * {@code redis} or {@code jdbc} block. Unset: 100000.
     */
    public Long getMaxTracked() {
      return maxTracked;
    }

    public void setMaxTracked(Long maxTracked) {
      this.maxTracked = maxTracked;
    }
  }

  /**
   * {@code csrf}: origins besides the portal's own whose forms may post to it ({@code trusted-origins}, each exactly
   * {@code https://host[:port]}); their requests still need the CSRF token. None by default.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Csrf {
    @NotNull
    private List<@NotBlank String> trustedOrigins = new ArrayList<>();

    public List<String> getTrustedOrigins() {
      return trustedOrigins;
    }

    public void setTrustedOrigins(List<String> trustedOrigins) {
      this.trustedOrigins = trustedOrigins;
    }
  }

  /**
   * {@code cookies}: {@code name-prefix}, the word in the cookie names ({@code staff} gives {@code __Host-staff-sid},
   * {@code __Host-staff-auth} and {@code __Host-staff-cc}). Each Portcullis application that shares a host name with
   * another needs one of its own: a {@code __Host-} cookie has {@code Path=/}, so with the default names
   * ({@code portcullis}) they overwrite each other's cookies. {@code session}, {@code auth} and {@code cookie-check}
   * change one cookie each ({@link Cookie}); a name given there wins over the prefix.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Cookies {
    private String namePrefix;

    @Valid
    private Cookie session;

    @Valid
    private Cookie auth;

    @Valid
    private Cookie cookieCheck;

    public String getNamePrefix() {
      return namePrefix;
    }

    public void setNamePrefix(String namePrefix) {
      this.namePrefix = namePrefix;
    }

    /** The session cookie; unset: {@code __Host-portcullis-sid} (or {@code __Host-<prefix>-sid}). */
    public Cookie getSession() {
      return session;
    }

    public void setSession(Cookie session) {
      this.session = session;
    }

    /** The auth-key cookie; unset: {@code __Host-portcullis-auth} (or {@code __Host-<prefix>-auth}). */
    public Cookie getAuth() {
      return auth;
    }

    public void setAuth(Cookie auth) {
      this.auth = auth;
    }

    /**
     * The cookie the login page sets to check that the browser keeps cookies; unset: {@code __Host-portcullis-cc} (or
     * {@code __Host-<prefix>-cc}).
     */
    public Cookie getCookieCheck() {
      return cookieCheck;
    }

    public void setCookieCheck(Cookie cookieCheck) {
      this.cookieCheck = cookieCheck;
    }
  }

  /**
   * One cookie's name and attributes, the Spring Boot starter's {@code portcullis.cookies.<cookie>.*}: {@code name},
   * {@code secure}, {@code http-only}, {@code same-site} ({@code strict}, {@code lax} or {@code none}), {@code path}
   * and {@code domain}. Unset values keep the core's secure defaults: Secure, HttpOnly, {@code SameSite=Lax}, {@code
   * Path=/}, no {@code Domain} (host-only). The core checks the result: a {@code __Host-} name (the default) needs
   * {@code secure: true}, {@code path: /} and no domain, a {@code __Secure-} name needs {@code secure: true}, and
   * {@code same-site: none} needs {@code secure: true}; a refusal stops the start, naming this block.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Cookie {
    private String name;
    private Boolean secure;
    private Boolean httpOnly;
    private SameSite sameSite;
    private String path;
    private String domain;

    /** Whether nothing is set, so that the core's declaration stays as it is. */
    @JsonIgnore
    boolean isUnset() {
      return name == null
          && secure == null
          && httpOnly == null
          && sameSite == null
          && path == null
          && domain == null;
    }

    /** The cookie's name, such as {@code ASP.NET_SessionId} for a ported portal; an RFC 6265 token. */
    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    /** Send the cookie over HTTPS only; unset: {@code true}. */
    public Boolean getSecure() {
      return secure;
    }

    public void setSecure(Boolean secure) {
      this.secure = secure;
    }

    /** Hide the cookie from scripts; unset: {@code true}. */
    public Boolean getHttpOnly() {
      return httpOnly;
    }

    public void setHttpOnly(Boolean httpOnly) {
      this.httpOnly = httpOnly;
    }

    /** The {@code SameSite} attribute; unset: {@code lax}. */
    public SameSite getSameSite() {
      return sameSite;
    }

    public void setSameSite(SameSite sameSite) {
      this.sameSite = sameSite;
    }

    /** The {@code Path} attribute; unset: {@code /}. */
    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    /** The {@code Domain} attribute; unset keeps the cookie host-only. */
    public String getDomain() {
      return domain;
    }

    public void setDomain(String domain) {
      this.domain = domain;
    }
  }

  /**
   * {@code session}: the Spring Boot starter's {@code portcullis.session.*}, the core's defaults where unset: {@code
   * idle-timeout} (20 minutes) and {@code absolute-timeout} (8 hours, longer than the idle timeout), each at least a
   * minute; {@code max-sessions}, the most sessions the in-memory store keeps (100,000); {@code id-format}, {@code
   * base64url} (the default) or {@code aspnet} for a ported portal; {@code anonymous-sessions-per-address} (60) new
   * sessions without a login per client address per {@code anonymous-session-window} (1 minute), counted for {@code
   * tracked-addresses} (100,000) addresses; {@code max-per-user}, at most this many sessions per user, enforced at
   * every login (unset: no limit), past which {@code when-exceeded} ends the oldest ({@code end-oldest}, the default)
   * or refuses the login ({@code refuse-new}).
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Session {
    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    private Duration idleTimeout;

    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    private Duration absoluteTimeout;

    @Min(1)
    private Long maxSessions;

    private SessionIdFormat idFormat;

    @Min(1)
    private Integer anonymousSessionsPerAddress;

    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration anonymousSessionWindow;

    @Min(1)
    private Long trackedAddresses;

    @Min(1)
    private Integer maxPerUser;

    private SessionLimit whenExceeded;

    /** {@code when-exceeded} says what happens past {@code max-per-user}, so it needs it. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.session.when-exceeded is set without portcullis.session.max-per-user: set max-per-user to"
                + " the most concurrent sessions a user may have, or remove when-exceeded")
    public boolean isWhenExceededGivenWithMaxPerUser() {
      return whenExceeded == null || maxPerUser != null;
    }

    public Duration getIdleTimeout() {
      return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    public Duration getAbsoluteTimeout() {
      return absoluteTimeout;
    }

    public void setAbsoluteTimeout(Duration absoluteTimeout) {
      this.absoluteTimeout = absoluteTimeout;
    }

    /** The most sessions the in-memory store keeps; unset: 100,000. */
    public Long getMaxSessions() {
      return maxSessions;
    }

    public void setMaxSessions(Long maxSessions) {
      this.maxSessions = maxSessions;
    }

    /** {@code base64url} (43 characters, the default) or {@code aspnet} (24, for a ported portal). */
    public SessionIdFormat getIdFormat() {
      return idFormat;
    }

    public void setIdFormat(SessionIdFormat idFormat) {
      this.idFormat = idFormat;
    }

    /**
     * New sessions without a login that one client address (an IPv6 /64) may start per window; past it the request is
     * served without a session. Unset: 60.
     */
    public Integer getAnonymousSessionsPerAddress() {
      return anonymousSessionsPerAddress;
    }

    public void setAnonymousSessionsPerAddress(Integer anonymousSessionsPerAddress) {
      this.anonymousSessionsPerAddress = anonymousSessionsPerAddress;
    }

    /** The window of {@code anonymous-sessions-per-address}; at least a second. Unset: 1 minute. */
    public Duration getAnonymousSessionWindow() {
      return anonymousSessionWindow;
    }

    public void setAnonymousSessionWindow(Duration anonymousSessionWindow) {
      this.anonymousSessionWindow = anonymousSessionWindow;
    }

    /** How many client addresses the anonymous-session limit remembers; unset: 100,000. */
    public Long getTrackedAddresses() {
      return trackedAddresses;
    }

    public void setTrackedAddresses(Long trackedAddresses) {
      this.trackedAddresses = trackedAddresses;
    }

    /**
     * At most this many concurrent sessions per user, enforced at every login; unset, no limit. Logins of one user
     * racing each other may overshoot it by as many as raced.
     */
    public Integer getMaxPerUser() {
      return maxPerUser;
    }

    public void setMaxPerUser(Integer maxPerUser) {
      this.maxPerUser = maxPerUser;
    }

    /** What a login past {@code max-per-user} does: {@code end-oldest} (the default) or {@code refuse-new}. */
    public SessionLimit getWhenExceeded() {
      return whenExceeded;
    }

    public void setWhenExceeded(SessionLimit whenExceeded) {
      this.whenExceeded = whenExceeded;
    }
  }

  /**
   * {@code transport}: HTTPS, the canonical host plain GETs are redirected to, trusted proxies and the forwarding
   * headers read from them ({@code forwarded-headers}), development mode, whether Jetty's own view of HTTPS is
   * believed ({@code container-decides-https}), and the HSTS policy ({@code hsts-max-age}, {@code
   * hsts-include-subdomains}).
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Transport {
    private boolean developmentMode;
    private String canonicalHost;
    private Boolean containerDecidesHttps;
    private ForwardedHeaders forwardedHeaders;
    private Boolean redirectPlainHttp;
    private Duration hstsMaxAge;
    private Boolean hstsIncludeSubdomains;

    @Min(1)
    @Max(65535)
    private Integer httpsPort;

    @NotNull
    private List<String> trustedProxies = new ArrayList<>();

    public boolean isDevelopmentMode() {
      return developmentMode;
    }

    public void setDevelopmentMode(boolean developmentMode) {
      this.developmentMode = developmentMode;
    }

    public String getCanonicalHost() {
      return canonicalHost;
    }

    public void setCanonicalHost(String canonicalHost) {
      this.canonicalHost = canonicalHost;
    }

    public Integer getHttpsPort() {
      return httpsPort;
    }

    /**
     * {@code true}: plain-HTTP {@code GET}s and {@code HEAD}s are redirected to {@code https://canonical-host}, which
     * is then required; {@code false}: every plain-HTTP request is refused with {@code 403}. Unset: {@code true}.
     * Development mode serves plain HTTP to loopback clients either way. See {@link
     * TransportConfig.Builder#redirectPlainHttp(boolean)}.
     */
    public Boolean getRedirectPlainHttp() {
      return redirectPlainHttp;
    }

    public void setRedirectPlainHttp(Boolean redirectPlainHttp) {
      this.redirectPlainHttp = redirectPlainHttp;
    }

    public void setHttpsPort(Integer httpsPort) {
      this.httpsPort = httpsPort;
    }

    public List<String> getTrustedProxies() {
      return trustedProxies;
    }

    /**
     * {@code true}: Jetty's {@code isSecure()} decides which requests arrived over HTTPS, as its forwarded-header
     * handling ({@code useForwardedHeaders: true} on an application connector) makes it; only when the application
     * connectors are reachable from the TLS-terminating proxy alone. {@code false}: the connection's own TLS decides
     * (or a trusted proxy). Unset: as {@code false}, and the bundle stops the start when an application connector has
     * {@code useForwardedHeaders: true}, as the choice then has to be made. See {@link
     * TransportConfig.Builder#containerDecidesHttps(boolean)}.
     */
    public Boolean getContainerDecidesHttps() {
      return containerDecidesHttps;
    }

    public void setContainerDecidesHttps(Boolean containerDecidesHttps) {
      this.containerDecidesHttps = containerDecidesHttps;
    }

    public void setTrustedProxies(List<String> trustedProxies) {
      this.trustedProxies = trustedProxies;
    }

    /**
     * Which forwarding headers the trusted proxies write, and so which are read from them: {@code x-forwarded}
     * ({@code X-Forwarded-For}/{@code -Proto} only), {@code forwarded} ({@code Forwarded} only) or {@code both} (either;
     * a request carrying both is believed only when they agree). Unset: {@code both}. See {@link
     * TransportConfig.Builder#forwardedHeaders(ForwardedHeaders)}.
     */
    public ForwardedHeaders getForwardedHeaders() {
      return forwardedHeaders;
    }

    public void setForwardedHeaders(ForwardedHeaders forwardedHeaders) {
      this.forwardedHeaders = forwardedHeaders;
    }

    /**
     * How long a browser keeps to HTTPS after it sees the {@code Strict-Transport-Security} header; {@code 0 seconds}
     * tells browsers to forget an earlier policy. Unset: one year. See {@link
     * TransportConfig.Builder#hstsMaxAge(java.time.Duration)}.
     */
    public Duration getHstsMaxAge() {
      return hstsMaxAge;
    }

    public void setHstsMaxAge(Duration hstsMaxAge) {
      this.hstsMaxAge = hstsMaxAge;
    }

    /**
     * Whether the HSTS policy also covers every subdomain of the portal's host ({@code includeSubDomains}). Unset:
     * {@code false}. See {@link TransportConfig.Builder#hstsIncludeSubDomains(boolean)}.
     */
    public Boolean getHstsIncludeSubdomains() {
      return hstsIncludeSubdomains;
    }

    public void setHstsIncludeSubdomains(Boolean hstsIncludeSubdomains) {
      this.hstsIncludeSubdomains = hstsIncludeSubdomains;
    }
  }

  /** {@code access}: public pages, pages for any logged-in user, and role rules in order. */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Access {
    @NotNull
    private List<@NotBlank String> publicPaths = new ArrayList<>();

    @NotNull
    private List<@NotBlank String> authenticatedPaths = new ArrayList<>();

    @Valid
    @NotNull
    private List<RoleRule> rules = new ArrayList<>();

    public List<String> getPublicPaths() {
      return publicPaths;
    }

    public void setPublicPaths(List<String> publicPaths) {
      this.publicPaths = publicPaths;
    }

    public List<String> getAuthenticatedPaths() {
      return authenticatedPaths;
    }

    public void setAuthenticatedPaths(List<String> authenticatedPaths) {
      this.authenticatedPaths = authenticatedPaths;
    }

    public List<RoleRule> getRules() {
      return rules;
    }

    public void setRules(List<RoleRule> rules) {
      this.rules = rules;
    }
  }

  /** One access rule: a path pattern and the roles, one of which a user needs. */
  public static class RoleRule {
    @NotBlank
    private String pattern;

    @NotEmpty
    private List<@NotBlank String> roles = new ArrayList<>();

    public String getPattern() {
      return pattern;
    }

    public void setPattern(String pattern) {
      this.pattern = pattern;
    }

    public List<String> getRoles() {
      return roles;
    }

    public void setRoles(List<String> roles) {
      this.roles = roles;
    }
  }

  /**
   * {@code audit}: where identified audit events go ({@code sink}, {@code file}), and their queue: {@code
   * queue-capacity} events may wait for delivery (1 to 1,048,576; unset: 8192), {@code when-full} says what
   * happens to one more ({@code block}, the default, or {@code drop}), and {@code close-timeout} is how long closing
   * the log at shutdown waits for the sink (10 milliseconds to 1 hour; unset: 30 seconds). {@code retry-interval} is
   * how often a failing sink is offered its kept events again (10 milliseconds to 10 minutes; unset: 1 second); one
   * client address may have {@code anonymous-events-per-address} events of one type without a user written per {@code
   * anonymous-event-window} (1 to 1,000,000 per 1 second to 1 day; unset: 60 a minute). {@code actions} and {@code
   * search-endpoints} are the application's audited requests and search endpoints ({@code AuditRules}; a {@code
   * customize(...)} call of {@code auditRules} replaces them), {@code search-demand} where the anonymous search-demand
   * log goes and how it counts. Names, defaults and ranges are the Spring Boot starter's.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Audit {
    @NotNull
    @jakarta.validation.constraints.Pattern(regexp = "slf4j|json-lines|hash-chained")
    private String sink = "slf4j";

    private Path file;

    @Min(1)
    @Max(1 << 20)
    private Integer queueCapacity;

    private AuditLog.WhenFull whenFull;

    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    @MaxDuration(value = 1, unit = TimeUnit.HOURS)
    private Duration closeTimeout;

    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    @MaxDuration(value = 10, unit = TimeUnit.MINUTES)
    private Duration retryInterval;

    @Min(1)
    @Max(1_000_000)
    private Integer anonymousEventsPerAddress;

    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @MaxDuration(value = 1, unit = TimeUnit.DAYS)
    private Duration anonymousEventWindow;

    @Valid
    @NotNull
    private List<Action> actions = new ArrayList<>();

    @Valid
    @NotNull
    private List<SearchEndpoint> searchEndpoints = new ArrayList<>();

    @Valid
    @NotNull
    private SearchDemand searchDemand = new SearchDemand();

    /** The two logs are kept apart: a search-demand file is not the audit file. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.audit.search-demand.file is portcullis.audit.file: the anonymous search-demand log and the"
                + " audit log are kept in different files, so that no searches are written beside a user. Give"
                + " search-demand.file a file of its own")
    public boolean isSearchDemandFileApart() {
      return file == null
          || searchDemand.file == null
          || !file.toAbsolutePath()
              .normalize()
              .equals(searchDemand.file.toAbsolutePath().normalize());
    }

    /** A file sink needs {@code file}. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.audit.sink names a file sink (json-lines or hash-chained) but portcullis.audit.file is not set")
    public boolean isFileGivenForAFileSink() {
      return "slf4j".equals(sink) || file != null;
    }

    public String getSink() {
      return sink;
    }

    public void setSink(String sink) {
      this.sink = sink;
    }

    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    /** How many events may wait for delivery; 1 to 1,048,576. Unset: 8192. */
    public Integer getQueueCapacity() {
      return queueCapacity;
    }

    public void setQueueCapacity(Integer queueCapacity) {
      this.queueCapacity = queueCapacity;
    }

    /**
     * What happens to an event when the queue is full: {@code block} (the default) makes the request wait for room, so
     * nothing is lost; {@code drop} drops it, counts it and logs an error, so a stuck sink never holds requests up.
     */
    public AuditLog.WhenFull getWhenFull() {
      return whenFull;
    }

    public void setWhenFull(AuditLog.WhenFull whenFull) {
      this.whenFull = whenFull;
    }

    /**
     * How long closing the audit log at shutdown waits for the sink to write what is queued; past it a sink that has
     * not returned no longer holds the shutdown up, and one ERROR line says how many events are not written. 10
     * milliseconds to 1 hour; unset: 30 seconds.
     */
    public Duration getCloseTimeout() {
      return closeTimeout;
    }

    public void setCloseTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
    }

    /** Whether the settings the audit log takes through {@code Portcullis.Builder.audit} are all unset. */
    boolean isLogSettingsUnset() {
      return retryInterval == null
          && anonymousEventsPerAddress == null
          && anonymousEventWindow == null
          && searchDemand.bucket == null
          && searchDemand.maxTerms == null
          && searchDemand.minimumCount == null;
    }

    /**
     * How often a failing audit sink (a full disk, a lost volume) is offered the events kept for it again. 10
     * milliseconds to 10 minutes; unset: 1 second.
     */
    public Duration getRetryInterval() {
      return retryInterval;
    }

    public void setRetryInterval(Duration retryInterval) {
      this.retryInterval = retryInterval;
    }

    /**
     * At most this many events of one type with a client address and no user (a refused CSRF token, a login for an
     * unknown name) one address may have written per {@code anonymous-event-window}; past it they are withheld,
     * counted and summarised in an {@code audit_withheld} event. 1 to 1,000,000; unset: 60.
     */
    public Integer getAnonymousEventsPerAddress() {
      return anonymousEventsPerAddress;
    }

    public void setAnonymousEventsPerAddress(Integer anonymousEventsPerAddress) {
      this.anonymousEventsPerAddress = anonymousEventsPerAddress;
    }

    /** The window of {@code anonymous-events-per-address}. 1 second to 1 day; unset: 1 minute. */
    public Duration getAnonymousEventWindow() {
      return anonymousEventWindow;
    }

    public void setAnonymousEventWindow(Duration anonymousEventWindow) {
      this.anonymousEventWindow = anonymousEventWindow;
    }

    /**
     * Application requests recorded with the user and the outcome, such as {@code /reports/{id}} as {@code
     * report_view}; none unless set.
     */
    public List<Action> getActions() {
      return actions;
    }

    public void setActions(List<Action> actions) {
      this.actions = actions;
    }

    /** Search endpoints counted in the anonymous search-demand log only; none unless set. */
    public List<SearchEndpoint> getSearchEndpoints() {
      return searchEndpoints;
    }

    public void setSearchEndpoints(List<SearchEndpoint> searchEndpoints) {
      this.searchEndpoints = searchEndpoints;
    }

    /** Where the anonymous search-demand log goes. */
    public SearchDemand getSearchDemand() {
      return searchDemand;
    }

    public void setSearchDemand(SearchDemand searchDemand) {
      this.searchDemand = searchDemand;
    }
  }

  /**
   * One entry of {@code audit.actions}: requests to {@code pattern} (lower-case literal segments, <code>{name}</code>
   * placeholders, an optional trailing {@code /**}) are audited as {@code action} (lower_snake_case, such as {@code
   * report_view}), the placeholder's value as the resource.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Action {
    @NotBlank
    private String pattern;

    @NotBlank
    private String action;

    public String getPattern() {
      return pattern;
    }

    public void setPattern(String pattern) {
      this.pattern = pattern;
    }

    public String getAction() {
      return action;
    }

    public void setAction(String action) {
      this.action = action;
    }
  }

  /**
   * One entry of {@code audit.search-endpoints}: {@code GET} and {@code POST} requests to {@code path} (normalised,
   * lower case) count the query parameter {@code parameter} in the search-demand log, without the visitor.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class SearchEndpoint {
    @NotBlank
    private String path;

    @NotBlank
    private String parameter;

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public String getParameter() {
      return parameter;
    }

    public void setParameter(String parameter) {
      this.parameter = parameter;
    }
  }

  /**
   * {@code audit.search-demand}: where the anonymous search-demand log goes, {@code sink} {@code slf4j} (the default,
   * the logger {@code portcullis.search-demand}) or {@code json-lines}, which writes to {@code file}, a file apart from
   * {@code audit.file}; and how it counts: {@code bucket}, the time bucket of the counts (whole seconds from 1 minute
   * to 1 day, dividing a day; unset: 1 hour), {@code max-terms}, the most distinct terms counted at once (1 to
   * 1,000,000; unset: 10,000), and {@code minimum-count}, below which a term appears only within {@code [other]} (1 to
   * 1000; unset: 1).
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class SearchDemand {
    @NotNull
    @jakarta.validation.constraints.Pattern(regexp = "slf4j|json-lines")
    private String sink = "slf4j";

    private Path file;

    private Duration bucket;

    @Min(1)
    @Max(1_000_000)
    private Integer maxTerms;

    @Min(1)
    @Max(1000)
    private Integer minimumCount;

    /** The core decides which buckets it takes: the same check as its builder's, at validation. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.audit.search-demand.bucket must be whole seconds from 1 minute to 1 day and divide a day"
                + " evenly (such as 15 minutes, 1 hour or 1 day)")
    public boolean isBucketADivisorOfADay() {
      if (bucket == null) {
        return true;
      }
      try {
        AuditLog.builder().demandBucket(bucket.toJavaDuration());
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }

    /** The json-lines sink needs {@code file}. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.audit.search-demand.sink is json-lines but portcullis.audit.search-demand.file is not set")
    public boolean isFileGivenForTheFileSink() {
      return !"json-lines".equals(sink) || file != null;
    }

    /** {@code slf4j} (the default) or {@code json-lines}. */
    public String getSink() {
      return sink;
    }

    public void setSink(String sink) {
      this.sink = sink;
    }

    /** The file of the {@code json-lines} sink. */
    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    /**
     * The time bucket of the search counts: searches are written as totals once their bucket is over. Whole seconds
     * from 1 minute to 1 day, dividing a day; unset: 1 hour.
     */
    public Duration getBucket() {
      return bucket;
    }

    public void setBucket(Duration bucket) {
      this.bucket = bucket;
    }

    /**
     * The most distinct search terms counted at once; searches for further terms count as {@code [other]}. 1 to
     * 1,000,000; unset: 10,000.
     */
    public Integer getMaxTerms() {
      return maxTerms;
    }

    public void setMaxTerms(Integer maxTerms) {
      this.maxTerms = maxTerms;
    }

    /**
     * Terms searched fewer times than this in a bucket are written only within {@code [other]}. 1 to 1000; unset: 1.
     */
    public Integer getMinimumCount() {
      return minimumCount;
    }

    public void setMinimumCount(Integer minimumCount) {
      this.minimumCount = minimumCount;
    }
  }

  /**
   * {@code redis}: the Redis that the nodes of the portal share (needs {@code dev.portcullis:portcullis-redis} on the
   * class path). With it, the bundle connects at start-up and keeps sessions, revocations and the login limit there,
   * and offers the replay guard and account links to single sign-on ({@link PortcullisBundle#redisStores()}); a Redis
   * that does not answer stops the start. The settings and their checks are the Spring Boot starter's {@code
   * portcullis.redis.*}: either {@code uri} or {@code cluster-nodes}, not both; {@code command-timeout} above zero and
   * at most 30 s; {@code clock-skew} at most 10 minutes; {@code key-prefix} 1 to 64 printable characters (on a cluster
   * without <code>{</code> or <code>}</code>); {@code trusted-certificates} only with {@code rediss://}; {@code
   * max-pending-commands} 2 to 65536. Unset values are the core's defaults.
   *
   * <p><b>Security.</b> The URIs may hold a password: no message or log of the bundle repeats them, only the scheme,
   * host and port. Keep the password out of the file (Dropwizard's environment variable substitution, for one).
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Redis {
    private String uri;

    @NotNull
    private List<@NotBlank String> clusterNodes = new ArrayList<>();

    private String keyPrefix;
    private Duration commandTimeout;
    private Duration clockSkew;
    private Path trustedCertificates;

    @Min(2)
    @Max(65_536)
    private Integer maxPendingCommands;

    /**
     * At most this many commands of this node on their way to Redis or waiting for its answer at once; past it a
     * store call fails closed at once instead of queuing work a slow Redis would run late. 2 to 65536. Unset: 1024.
     */
    public Integer getMaxPendingCommands() {
      return maxPendingCommands;
    }

    public void setMaxPendingCommands(Integer maxPendingCommands) {
      this.maxPendingCommands = maxPendingCommands;
    }

    /**
     * One server ({@code rediss://:password@redis.internal:6379/0}) or a master watched by Sentinel ({@code
     * redis-sentinel://...}). Not together with {@code cluster-nodes}.
     */
    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = uri;
    }

    /**
     * Seed nodes of a Redis Cluster ({@code redis://} or {@code rediss://} URIs of one host and port each, all with
     * TLS or none); any one that answers is enough. Not together with {@code uri}.
     */
    public List<String> getClusterNodes() {
      return clusterNodes;
    }

    public void setClusterNodes(List<String> clusterNodes) {
      this.clusterNodes = clusterNodes;
    }

    /** Put before every key, so that several portals can share one Redis; unset: {@code portcullis:}. */
    public String getKeyPrefix() {
      return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
    }

    /** The longest a store call waits for Redis before failing closed; unset: 500 ms. */
    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }

    /** The largest clock difference expected between the nodes; unset: 30 s. */
    public Duration getClockSkew() {
      return clockSkew;
    }

    public void setClockSkew(Duration clockSkew) {
      this.clockSkew = clockSkew;
    }

    /**
     * A PEM file of the CA certificates that sign Redis's TLS certificate, trusted for the Redis connection only.
     * Needs {@code rediss://}. Unset: the JVM's trust store.
     */
    public Path getTrustedCertificates() {
      return trustedCertificates;
    }

    public void setTrustedCertificates(Path trustedCertificates) {
      this.trustedCertificates = trustedCertificates;
    }
  }

  /**
   * {@code jdbc}: the PostgreSQL database that the nodes of the portal share (needs {@code
   * dev.portcullis:portcullis-jdbc} on the class path, and the application's {@code DataSource}, given to {@link
   * PortcullisBundle#dataSource}). With it, the bundle keeps sessions, revocations and the login limit there, and,
   * with an {@code sso} block, the account links and redeemed upgrade tokens. The settings are the Spring Boot
   * starter's {@code portcullis.jdbc.*} (the block stands for its {@code enabled}), with the same checks and defaults:
   * {@code query-timeout} above zero (core default 1 s), {@code network-timeout} (core default the query timeout plus
   * 1 s), {@code clock-skew} (30 s), {@code clean-up-every} (5 minutes: how often each node deletes expired rows),
   * {@code clean-up-batch-size} (core default 1000). {@code apply-schema: true} creates the missing tables at start-up;
   * leave it off when a migration tool applies {@code classpath:dev/portcullis/jdbc}. Not together with {@code redis}.
   *
   * <p><b>Security.</b> The block holds no address or password: the connection is the application's {@code
   * DataSource}. A database that does not answer makes requests fail closed until it does.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Jdbc {
    private boolean applySchema;
    private Duration queryTimeout;
    private Duration networkTimeout;
    private Duration clockSkew = Duration.seconds(30);

    @NotNull
    private Duration cleanUpEvery = Duration.minutes(5);

    private Integer cleanUpBatchSize;

    /** Whether to create the missing tables at start-up; off by default, as when a migration tool applies them. */
    public boolean isApplySchema() {
      return applySchema;
    }

    public void setApplySchema(boolean applySchema) {
      this.applySchema = applySchema;
    }

    /** The longest one statement runs before it is cancelled and the request fails closed; unset: 1 s. */
    public Duration getQueryTimeout() {
      return queryTimeout;
    }

    public void setQueryTimeout(Duration queryTimeout) {
      this.queryTimeout = queryTimeout;
    }

    /** The longest a call waits for any answer on its connection; unset: the query timeout plus 1 s. */
    public Duration getNetworkTimeout() {
      return networkTimeout;
    }

    public void setNetworkTimeout(Duration networkTimeout) {
      this.networkTimeout = networkTimeout;
    }

    /** The largest clock difference expected between the nodes; 30 s unless set. */
    public Duration getClockSkew() {
      return clockSkew;
    }

    public void setClockSkew(Duration clockSkew) {
      this.clockSkew = clockSkew;
    }

    /** How often this node deletes expired rows (a bounded batch per table); 5 minutes unless set. */
    public Duration getCleanUpEvery() {
      return cleanUpEvery;
    }

    public void setCleanUpEvery(Duration cleanUpEvery) {
      this.cleanUpEvery = cleanUpEvery;
    }

    /** The most rows one clean-up deletes per table; unset: 1000. */
    public Integer getCleanUpBatchSize() {
      return cleanUpBatchSize;
    }

    public void setCleanUpBatchSize(Integer cleanUpBatchSize) {
      this.cleanUpBatchSize = cleanUpBatchSize;
    }
  }

  /**
   * {@code sso}: single sign-on through an OpenID provider (Keycloak, Entra ID, ...), with the settings, checks and
   * defaults of the Spring Boot starter's {@code portcullis.sso.*}. The block turns it on ({@code enabled: false} keeps
   * the block and turns it off); {@code issuer}, {@code client-id}, {@code client-secret} and {@code redirect-uri} are
   * then required. Needs {@code com.nimbusds:oauth2-oidc-sdk} on the class path. Account links and redeemed upgrade
   * tokens are kept in this node's memory, or in Redis with a {@code portcullis.redis} block, so that every node sees
   * the same. Unset values are the core's defaults ({@code SsoConfig.Builder}).
   *
   * <p><b>Security.</b> The client secret has no getter and no default: it is not in {@link #toString()}, in Jackson's
   * view of the configuration or in any message of the bundle. Give it from the environment through Dropwizard's
   * substitution ({@code client-secret: ${PORTCULLIS_SSO_CLIENT_SECRET}}, with an {@code
   * EnvironmentVariableSubstitutor} in {@code initialize}); an expression left unreplaced stops the start. The issuer and the redirect URI are https
   * (plain http only on loopback); the redirect URI is configuration, never taken from a request.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public static class Sso {
    private boolean enabled = true;
    private URI issuer;
    private String clientId;
    private String clientSecret;
    private URI redirectUri;
    private List<@NotBlank String> scopes;
    private String cookieName;
    private Duration tokenLifetime;
    private String upgradePath;
    private String callbackPath;
    private String loginPath;
    private String linkPath;
    private String unlinkPath;
    private Duration pendingLinkLifetime;
    private Boolean keepLinksOnLogoutEverywhere;
    private List<@NotBlank String> trustedAudiences;
    private Duration linkReauthentication;
    private Duration maxLoginAge;
    private Duration providerTimeout;
    private Integer maxConcurrentProviderCalls;

    /** Whether the block's single sign-on is on; {@code true} unless set to {@code false}. */
    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Required when on. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.sso.issuer is not set: single sign-on needs the OpenID provider's issuer, such as"
                + " https://login.example/realms/portal (or set portcullis.sso.enabled: false)")
    public boolean isIssuerGivenWhenOn() {
      return !enabled || issuer != null;
    }

    /** Required when on. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.sso.client-id is not set: single sign-on needs this portal's client id at the"
                + " OpenID provider (or set portcullis.sso.enabled: false)")
    public boolean isClientIdGivenWhenOn() {
      return !enabled || clientId != null && !clientId.isBlank();
    }

    /** Required when on; never a default. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.sso.client-secret is not set: single sign-on needs this portal's client secret at the"
                + " OpenID provider. Give it from the environment: client-secret:"
                // Escaped: the validator reads ${...} and {...} in a message as expressions.
                + " \\$\\{PORTCULLIS_SSO_CLIENT_SECRET\\},"
                + " with Dropwizard's EnvironmentVariableSubstitutor in initialize (or set portcullis.sso.enabled:"
                + " false)")
    public boolean isClientSecretGivenWhenOn() {
      return !enabled || clientSecret != null && !clientSecret.isBlank();
    }

    /**
     * A {@code ${NAME}} expression that reaches the configuration unreplaced would be sent to the provider as the
     * secret, and every login would fail there; the start stops instead.
     */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.sso.client-secret is an environment variable expression that was not replaced:"
                + " add Dropwizard's substitution in initialize,"
                + " bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider("
                + "bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(true))),"
                + " and set the variable")
    public boolean isClientSecretSubstituted() {
      return !enabled || clientSecret == null || !clientSecret.strip().startsWith("${");
    }

    /** Required when on. */
    @JsonIgnore
    @ValidationMethod(
        message =
            "portcullis.sso.redirect-uri is not set: single sign-on needs this portal's callback URL as"
                + " registered at the OpenID provider, such as https://portal.example/sso/callback (or set"
                + " portcullis.sso.enabled: false)")
    public boolean isRedirectUriGivenWhenOn() {
      return !enabled || redirectUri != null;
    }

    /**
     * The OpenID provider's issuer identifier, such as {@code https://login.example/realms/portal}; its metadata is
     * discovered from it. https (plain http only on loopback).
     */
    public URI getIssuer() {
      return issuer;
    }

    public void setIssuer(URI issuer) {
      this.issuer = issuer;
    }

    /** This portal's client id at the provider. */
    public String getClientId() {
      return clientId;
    }

    public void setClientId(String clientId) {
      this.clientId = clientId;
    }

    /**
     * This portal's client secret at the provider. Write-only: there is deliberately no getter, so that no report or
     * serializer can show it.
     */
    public void setClientSecret(String clientSecret) {
      this.clientSecret = clientSecret;
    }

    /** The secret, for building {@code SsoConfig} only. */
    String clientSecretForConfig() {
      return clientSecret;
    }

    /**
     * This portal's callback URL as registered at the provider, such as {@code https://portal.example/sso/callback}.
     */
    public URI getRedirectUri() {
      return redirectUri;
    }

    public void setRedirectUri(URI redirectUri) {
      this.redirectUri = redirectUri;
    }

    /** The scopes to ask for; must include {@code openid}. Unset: {@code [openid]}. */
    public List<String> getScopes() {
      return scopes;
    }

    public void setScopes(List<String> scopes) {
      this.scopes = scopes;
    }

    /**
     * The upgrade cookie's name. Unset: {@code __Host-portcullis-sso}, or {@code __Host-<prefix>-sso} with
     * {@code cookies.name-prefix}.
     */
    public String getCookieName() {
      return cookieName;
    }

    public void setCookieName(String cookieName) {
      this.cookieName = cookieName;
    }

    /** How long an upgrade token may be redeemed; above zero, at most 10 minutes. Unset: 5 minutes. */
    public Duration getTokenLifetime() {
      return tokenLifetime;
    }

    public void setTokenLifetime(Duration tokenLifetime) {
      this.tokenLifetime = tokenLifetime;
    }

    /** Where a logged-in browser POSTs to link its account. Unset: {@code /sso/upgrade}. */
    public String getUpgradePath() {
      return upgradePath;
    }

    public void setUpgradePath(String upgradePath) {
      this.upgradePath = upgradePath;
    }

    /**
     * The callback path relative to the application's context path. Unset: the redirect URI's path; when set, that
     * path must end with it.
     */
    public String getCallbackPath() {
      return callbackPath;
    }

    public void setCallbackPath(String callbackPath) {
      this.callbackPath = callbackPath;
    }

    /** Where a browser POSTs, with the CSRF token, to log in through the provider. Unset: {@code /sso/login}. */
    public String getLoginPath() {
      return loginPath;
    }

    public void setLoginPath(String loginPath) {
      this.loginPath = loginPath;
    }

    /** The account link's confirmation page. Unset: {@code /sso/link}. */
    public String getLinkPath() {
      return linkPath;
    }

    public void setLinkPath(String linkPath) {
      this.linkPath = linkPath;
    }

    /** Where a logged-in user POSTs to unlink one of their identities. Unset: {@code /sso/unlink}. */
    public String getUnlinkPath() {
      return unlinkPath;
    }

    public void setUnlinkPath(String unlinkPath) {
      this.unlinkPath = unlinkPath;
    }

    /** How long an unconfirmed account link waits; 1 to 10 minutes. Unset: 5 minutes. */
    public Duration getPendingLinkLifetime() {
      return pendingLinkLifetime;
    }

    public void setPendingLinkLifetime(Duration pendingLinkLifetime) {
      this.pendingLinkLifetime = pendingLinkLifetime;
    }

    /** Keep the user's linked identities through "log out everywhere". Unset: {@code false} (they are removed). */
    public Boolean getKeepLinksOnLogoutEverywhere() {
      return keepLinksOnLogoutEverywhere;
    }

    public void setKeepLinksOnLogoutEverywhere(Boolean keepLinksOnLogoutEverywhere) {
      this.keepLinksOnLogoutEverywhere = keepLinksOnLogoutEverywhere;
    }

    /**
     * Audiences besides the client id that an ID token may also name. Unset: none, so a token issued to this client
     * together with any other party is refused.
     */
    public List<String> getTrustedAudiences() {
      return trustedAudiences;
    }

    public void setTrustedAudiences(List<String> trustedAudiences) {
      this.trustedAudiences = trustedAudiences;
    }

    /**
     * How recently the user must have signed in at the provider to link an account (sent as {@code max_age} with
     * {@code prompt=login}); 1 minute to 1 hour. Unset: 5 minutes.
     */
    public Duration getLinkReauthentication() {
      return linkReauthentication;
    }

    public void setLinkReauthentication(Duration linkReauthentication) {
      this.linkReauthentication = linkReauthentication;
    }

    /**
     * How recently the user must have logged in to the portal to start or confirm an account link, or to unlink an
     * identity; 1 minute to 1 hour. Unset: 10 minutes.
     */
    public Duration getMaxLoginAge() {
      return maxLoginAge;
    }

    public void setMaxLoginAge(Duration maxLoginAge) {
      this.maxLoginAge = maxLoginAge;
    }

    /**
     * The longest one exchange with the provider (discovery, token request, JWK set) may take as a whole; above zero,
     * at most 60 seconds. Unset: 5 seconds.
     */
    public Duration getProviderTimeout() {
      return providerTimeout;
    }

    public void setProviderTimeout(Duration providerTimeout) {
      this.providerTimeout = providerTimeout;
    }

    /**
     * How many requests of this node may wait on the provider at once (callbacks exchanging their code, login starts
     * waiting for its discovery); one more is answered 503 at once without asking it. 1 to 1024, well below the
     * server's request threads. Unset: 16.
     */
    public Integer getMaxConcurrentProviderCalls() {
      return maxConcurrentProviderCalls;
    }

    public void setMaxConcurrentProviderCalls(Integer maxConcurrentProviderCalls) {
      this.maxConcurrentProviderCalls = maxConcurrentProviderCalls;
    }

    /** The settings, without the client secret. */
    @Override
    public String toString() {
      return "Sso[enabled=" + enabled + ", issuer=" + issuer + ", client-id=" + clientId
          + ", redirect-uri=" + redirectUri + ", scopes=" + scopes + "]";
    }
  }
}
