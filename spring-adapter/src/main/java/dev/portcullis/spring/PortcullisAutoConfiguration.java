package dev.portcullis.spring;

import static dev.portcullis.spring.PortcullisConfigurationException.building;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.KeyRingAudit;
import dev.portcullis.audit.SearchDemandSink;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.cookie.CookieNames;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyInfo;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.ReloadingKeyRing;
import dev.portcullis.internal.KeyAgeText;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.LoginLimitCheck;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.login.SessionLimit;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.transport.ContainerForwarding;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.UserDirectory;
import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * Installs Portcullis in a Spring Boot servlet application: the {@link PortcullisFilter}, built from the core objects,
 * each made from the {@code portcullis.*} properties ({@link PortcullisProperties}) and registered at {@link
 * #FILTER_ORDER}, ahead of Spring Security.
 *
 * <p>Every core object and SPI is a bean that the application can replace by declaring its own: {@link KeyRingSource} (a {@link KeyRing} or one that reloads),
 * {@link InstantSource}, {@link SecureRandom}, {@link SessionConfig}, {@code SessionStore}, {@link RevocationStore},
 * {@code ReplayStore}, {@code AccountLinkStore}, {@link AuditSink}, {@link SearchDemandSink}, {@link AuditLog},
 * {@link AuditRules}, {@link SessionRegistry}, {@link PortalLogin}, {@link SsoConfig} (with {@code
 * portcullis.sso.enabled=true}) and {@link PortcullisFilter}. The one bean the
 * application must declare is its {@link UserDirectory}. Setting {@code portcullis.redis.uri} (with {@code
 * portcullis-redis} on the class path) puts the stores in Redis; {@code portcullis.jdbc.enabled=true} (with {@code
 * portcullis-jdbc} and the application's {@code DataSource}) puts them, and the login limit's budgets, in
 * PostgreSQL. A {@link PortcullisCustomizer} bean gets the filter's
 * builder last. Every {@link AuditSink} bean receives every audit event; the audit log closes them at shutdown.
 *
 * <p>The filter is registered for the REQUEST, ASYNC and ERROR dispatches. On an error dispatch of a request it has
 * already wrapped it passes the request on untouched (the container dispatches the unwrapped request, so the error
 * page sees no Portcullis principal; the Spring Security bridge still finds the authentication there).
 *
 * <p><b>Security.</b> Start-up fails, with a message saying what to change, when there is no key (there is no default
 * key), a key is short, a cookie declaration contradicts itself, the timeouts contradict each other, there is no
 * {@link UserDirectory}, single sign-on is enabled without its provider settings or without the OpenID Connect SDK, {@code
 * server.forward-headers-strategy} is {@code native} or {@code framework} (or {@code
 * server.tomcat.remoteip.remote-ip-header} or {@code protocol-header} turns Tomcat's {@code RemoteIpValve} on) while
 * {@code portcullis.transport.container-decides-https} is unset, the application's own {@code SessionStore} bean is shared
 * between nodes while the login limit stays in each node's memory (unless {@code
 * portcullis.login.per-node-login-limit=true} accepts it, with a warning), or
 * any other core builder refuses its settings (the whole configuration is checked by the core, once). Keys come from
 * the process environment (not from application properties), a key file or a PKCS12 store; neither keys, passwords
 * nor the SSO client secret are logged. Access: {@code portcullis.access.*} when set; otherwise a Spring Security
 * {@code SecurityFilterChain} decides (the starter's default chain, when the application declares none, needs a login
 * everywhere but the Portcullis endpoints and the health probes). With neither a policy nor a chain, start-up fails:
 * nothing would protect the application's pages. (A {@link PortcullisCustomizer} may set the access itself; until it
 * does, the filter's own default needs a login everywhere but the login and terms pages.)
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(PortcullisFilter.class)
@ConditionalOnProperty(
    prefix = "portcullis",
    name = "enabled",
    havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(PortcullisProperties.class)
@Import({
  PortcullisStores.JdbcMissing.class,
  PortcullisStores.Jdbc.class,
  PortcullisStores.Redis.class,
  PortcullisStores.InMemory.class
})
public final class PortcullisAutoConfiguration {
  /** The filter's default order: before Spring Security's filter chain, which Spring Boot puts at -100. */
  public static final int FILTER_ORDER = -110;

  /**
   * Spring Security classes whose presence, with a {@code SecurityFilterChain} bean (the last of them), means Spring
   * Security's filter chain decides access (the bridge puts the Portcullis user in its context).
   */
  private static final String[] SPRING_SECURITY_CLASSES = {
    "org.springframework.security.core.context.SecurityContextHolder",
    "org.springframework.security.web.context.RequestAttributeSecurityContextRepository",
    "org.springframework.security.web.SecurityFilterChain"
  };

  /** What to change when the core refuses the configuration as a whole (its message says which mistake). */
  private static final String FILTER_ACTION =
      "Give portcullis.cookies.session.name, portcullis.cookies.auth.name"
          + " and portcullis.cookies.cookie-check.name three different values, and portcullis.sso.cookie-name a fourth"
          + " when single sign-on is on; single sign-on needs the dependency com.nimbusds:oauth2-oidc-sdk (or set"
          + " portcullis.sso.enabled=false); the login and terms pages and portcullis.access.public-paths must be public"
          + " under portcullis.access.*; portcullis.csrf.trusted-origins lists origins such as"
          + " https://forms.example or https://forms.example:8443, no path or wildcard;"
          + " portcullis.login.max-form-reads-per-address is at least 1;"
          + " portcullis.login.max-anonymous-form-reads is at least 1;"
          + " portcullis.login.cookie-check-by-session-cookie=true needs a Secure session cookie"
          + " (portcullis.cookies.session.secure unset or true). Check what the PortcullisCustomizer beans"
          + " set.";

  /** Spring Boot's property for the container's own handling of forwarding headers. */
  static final String FORWARD_HEADERS_STRATEGY = "server.forward-headers-strategy";

  /**
   * Spring Boot's properties that turn Tomcat's {@code RemoteIpValve} on by themselves, whatever {@link
   * #FORWARD_HEADERS_STRATEGY} says (even {@code none}).
   */
  static final List<String> TOMCAT_REMOTE_IP_PROPERTIES =
      List.of("server.tomcat.remoteip.remote-ip-header", "server.tomcat.remoteip.protocol-header");

  private static final String FORWARD_HEADERS_ACTION =
      "Behind a TLS-terminating proxy, set server.forward-headers-strategy=none (and leave"
          + " server.tomcat.remoteip.remote-ip-header and server.tomcat.remoteip.protocol-header unset, which turn"
          + " Tomcat's RemoteIpValve on by themselves) and list the proxy's addresses in"
          + " portcullis.transport.trusted-proxies (Portcullis then believes its X-Forwarded-Proto, X-Forwarded-For"
          + " and Forwarded headers from those addresses only). Or, only when the plain-HTTP port is reachable from"
          + " the proxy alone, keep the strategy and set portcullis.transport.container-decides-https=true; or set it"
          + " to false to keep the strategy for other reasons and have HTTPS come from the connection alone.";

  private static final String SSO_ACTION =
      "Fix portcullis.sso.*: issuer, client-id, client-secret and redirect-uri"
          + " are required when enabled; issuer and redirect-uri are https URLs (http only on loopback) without query or"
          + " fragment, and the redirect URI is the callback URL registered at the provider; scopes include openid;"
          + " token-lifetime is above zero and at most 10 minutes; link-reauthentication and"
          + " max-login-age are 1 minute to 1 hour; provider-timeout is above zero and at most 60 seconds;"
          + " max-concurrent-provider-calls is 1 to 1024; the upgrade, callback and login paths are distinct"
          + " lower-case paths. Or set portcullis.sso.enabled=false.";

  private static final String NO_ACCESS_ACTION =
      "Say who may see what: either set portcullis.access.public-paths"
          + " (at least the login and terms pages, e.g. /login,/terms) with portcullis.access.authenticated-paths=/**"
          + " and, for role-only pages, portcullis.access.rules[0].pattern and .roles; or add"
          + " spring-boot-starter-security, whose chain then decides (the starter's default chain needs a login everywhere"
          + " but the Portcullis endpoints, or declare your own SecurityFilterChain bean).";

  /** The prefix of the login limit's properties. */
  static final String LOGIN_LIMIT = "portcullis.login.limit";

  /** The bound of the login limit kept in this node's memory. */
  static final String MAX_TRACKED = LOGIN_LIMIT + ".max-tracked";

  /** The property that accepts a login limit per node beside a session store that nodes share. */
  static final String PER_NODE_LOGIN_LIMIT = "portcullis.login.per-node-login-limit";

  private static final String SHARED_LOGIN_LIMIT_ACTION =
      "Keep the login limit in a store the nodes share: declare a LoginThrottle bean over it,"
          + " LoginThrottle.builder(clock).random(random).store(redis.loginAttemptStore()).hashKeyFrom(keyRing).build()"
          + " (jdbc.loginAttemptStore() for PostgreSQL; a PortalLogin bean of your own takes it in"
          + " PortalLogin.builder().throttle(...)), or let the starter make the stores and the limit with"
          + " portcullis.redis.uri, portcullis.redis.cluster-nodes or portcullis.jdbc.enabled=true. To accept one"
          + " limit per node instead, set " + PER_NODE_LOGIN_LIMIT + "=true.";

  private static final Logger log = LoggerFactory.getLogger(PortcullisAutoConfiguration.class);

  /**
   * Makes a misspelt {@code portcullis.*} setting in an environment variable or a system property stop start-up, as
   * one in a file does: Spring Boot's own check leaves those sources out.
   */
  @Bean
  static ConfigurationPropertiesBindHandlerAdvisor portcullisProcessEnvironmentSettings() {
    return new ProcessEnvironmentSettings();
  }

  /**
   * Refuses, before any bean reads them, a property a {@code .properties} file gives twice (Spring Boot would keep the
   * last without a word) and a duration property written without a unit (Spring Boot would read it as milliseconds).
   */
  PortcullisAutoConfiguration(Environment environment) {
    RepeatedProperties.refuseIn(environment);
    DurationsWithoutUnit.refuseIn(environment);
  }

  @Bean
  @ConditionalOnMissingBean
  @SuppressForbidden(
      reason = "the one place the starter takes the system clock; everything else gets this bean")
  InstantSource portcullisClock() {
    return InstantSource.system();
  }

  @Bean
  @ConditionalOnMissingBean
  SecureRandom portcullisSecureRandom() {
    return new SecureRandom();
  }

  @Bean
  @ConditionalOnMissingBean
  KeyRingSource portcullisKeyRing(
      PortcullisProperties properties, Environment environment, InstantSource clock) {
    PortcullisProperties.Keys keys = properties.getKeys();
    KeyRingSource source = loadKeyRing(keys, environment);
    KeyRing ring = source.current();
    List<KeyInfo> old = ring.keysOlderThan(keys.getMaxAge(), clock.instant());
    if (!old.isEmpty()) {
      log.warn(
          "Portcullis keys {} are older than {}: add a new key, roll it out to every node, then promote it",
          old.stream().map(KeyInfo::idHex).collect(Collectors.joining(", ")),
          KeyAgeText.of(keys.getMaxAge()));
    }
    return source;
  }

  /**
   * The configured key ring: a key file or PKCS12 store watched for changes every {@code
   * portcullis.keys.reload-interval} (closed with the context), or the environment variable's ring, which cannot
   * change.
   */
  static KeyRingSource loadKeyRing(PortcullisProperties.Keys keys, Environment environment) {
    Path file = keys.getFile();
    Path store = keys.getPkcs12().getPath();
    if (file != null && store != null) {
      throw new PortcullisConfigurationException(
          "both portcullis.keys.file and portcullis.keys.pkcs12.path are set",
          "Configure one key source: a key file or a PKCS12 key store.");
    }
    if (file != null) {
      return KeyRingSources.watchFile(file, keys.getReloadInterval());
    }
    if (store != null) {
      String password = keys.getPkcs12().getPassword();
      if (password == null) {
        throw new PortcullisConfigurationException(
            "portcullis.keys.pkcs12.path is set without a password",
            "Set portcullis.keys.pkcs12.password, preferably from the environment"
                + " (PORTCULLIS_KEYS_PKCS12_PASSWORD).");
      }
      char[] chars = password.toCharArray();
      try {
        return KeyRingSources.watchPkcs12(store, chars, keys.getReloadInterval());
      } finally {
        Arrays.fill(chars, '\0');
      }
    }
    String variable = keys.getEnvironmentVariable();
    return KeyRingSources.fromEnvironment(processEnvironment(environment, variable), variable);
  }

  /**
   * The variable from the operating-system environment only: a key ring written in application properties or passed
   * as a system property is not picked up by accident.
   */
  private static Map<String, String> processEnvironment(Environment environment, String variable) {
    if (!(environment instanceof ConfigurableEnvironment configurable)) {
      String value = System.getenv(variable);
      return value == null ? Map.of() : Map.of(variable, value);
    }
    PropertySource<?> source = configurable
        .getPropertySources()
        .get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    Object value = source == null ? null : source.getProperty(variable);
    return value == null ? Map.of() : Map.of(variable, value.toString());
  }

  @Bean
  @ConditionalOnMissingBean
  SessionConfig portcullisSessionConfig(PortcullisProperties properties) {
    CookieSpec cookie = cookie(
        "portcullis.cookies.session",
        properties.getCookies().getSession(),
        SessionConfig.defaultCookie(cookieNames(properties).session()));
    PortcullisProperties.Session session = properties.getSession();
    return building(
        "portcullis.session",
        "Fix portcullis.session.*: the idle timeout must be above zero and shorter"
            + " than the absolute timeout, max-sessions at least 1, and the anonymous-session limit, its window and"
            + " tracked-addresses above zero.",
        () -> {
          SessionConfig.Builder builder = SessionConfig.builder().cookie(cookie);
          PropertyMapper map = PropertyMapper.get();
          map.from(session::getIdleTimeout).to(builder::idleTimeout);
          map.from(session::getAbsoluteTimeout).to(builder::absoluteTimeout);
          map.from(session::getMaxSessions).to(builder::maxSessions);
          map.from(session::getIdFormat).to(builder::idFormat);
          map.from(session::getAnonymousSessionsPerAddress)
              .to(builder::anonymousSessionsPerAddress);
          map.from(session::getAnonymousSessionWindow).to(builder::anonymousSessionWindow);
          map.from(session::getTrackedAddresses).to(builder::trackedAddresses);
          return builder.build();
        });
  }

  /** The default cookie names, from {@code portcullis.cookies.name-prefix} when it is set. */
  static CookieNames cookieNames(PortcullisProperties properties) {
    String prefix = properties.getCookies().getNamePrefix();
    return prefix == null
        ? CookieNames.defaults()
        : building(
            "portcullis.cookies.name-prefix",
            "Use 1 to 64 ASCII letters, digits, '-' or '_', starting with a letter or digit, such as the"
                + " application's name.",
            () -> CookieNames.withPrefix(prefix));
  }

  /** The declaration {@code defaults} with the properties' changes, checked by {@link CookieSpec.Builder#build()}. */
  static CookieSpec cookie(
      String prefix, PortcullisProperties.Cookie properties, CookieSpec defaults) {
    return building(
        prefix,
        "Fix " + prefix + ".*: a __Host- name needs secure=true, path=/ and no domain; a"
            + " __Secure- name needs secure=true; same-site=none needs secure=true; names are RFC 6265 tokens.",
        () -> {
          CookieSpec.Builder builder = defaults.toBuilder();
          PropertyMapper map = PropertyMapper.get();
          map.from(properties::getName).to(builder::name);
          map.from(properties::getSecure).to(builder::secure);
          map.from(properties::getHttpOnly).to(builder::httpOnly);
          map.from(properties::getSameSite).to(builder::sameSite);
          map.from(properties::getPath).to(builder::path);
          map.from(properties::getDomain).to(builder::domain);
          return builder.build();
        });
  }

  @Bean(destroyMethod = "") // the audit log closes its sinks, after delivering what is queued
  @ConditionalOnMissingBean
  AuditSink portcullisAuditSink(PortcullisProperties properties, KeyRingSource keyRing) {
    PortcullisProperties.Audit audit = properties.getAudit();
    switch (audit.getSink()) {
      case JSON_LINES:
        return open("portcullis.audit.file", audit.getFile(), AuditSink::jsonLines);
      case HASH_CHAINED:
        // Checkpoints under the portal's key ring: a rewrite by someone who can write the file is
        // found.
        return open(
            "portcullis.audit.file", audit.getFile(), f -> AuditSink.hashChained(f, keyRing));
      default:
        return AuditSink.slf4j();
    }
  }

  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  SearchDemandSink portcullisSearchDemandSink(PortcullisProperties properties) {
    PortcullisProperties.SearchDemand demand = properties.getAudit().getSearchDemand();
    if (demand.getSink() == PortcullisProperties.DemandSinkType.JSON_LINES) {
      return open(
          "portcullis.audit.search-demand.file", demand.getFile(), SearchDemandSink::jsonLines);
    }
    return SearchDemandSink.slf4j();
  }

  private interface FileSink<T> {
    T open(Path file) throws IOException;
  }

  private static <T> T open(String property, Path file, FileSink<T> sink) {
    if (file == null) {
      throw new PortcullisConfigurationException(
          property + " is not set, and the chosen sink writes to a file",
          "Set " + property + " to a file in a writable directory.");
    }
    try {
      return sink.open(file);
    } catch (IOException e) {
      throw new PortcullisConfigurationException(
          "cannot open " + property + " " + file + ": " + e.getMessage(),
          "Check " + property
              + ": its directory must exist and be writable, no other process may hold the file,"
              + " and it must hold records of this kind only; a hash-chained file whose chain is not intact is"
              + " refused: move it aside and start a new log.",
          e);
    }
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  AuditLog portcullisAuditLog(
      PortcullisProperties properties,
      InstantSource clock,
      SecureRandom random,
      List<AuditSink> auditSinks,
      List<SearchDemandSink> demandSinks,
      ObjectProvider<AuditSinkWrapper> wrapper,
      ObjectProvider<AuditSinkContribution> contributions) {
    PortcullisProperties.Audit audit = properties.getAudit();
    List<AuditSink> sinks = new ArrayList<>(auditSinks);
    List<SearchDemandSink> demand = new ArrayList<>(demandSinks);
    wrapper.ifAvailable(w -> {
      // One wrapped sink per kind: each event is counted once however many sinks there are.
      sinks.set(0, w.wrap(sinks.get(0)));
      demand.set(0, w.wrap(demand.get(0)));
    });
    return building(
        "portcullis.audit",
        "Fix portcullis.audit.*: queue-capacity is 1 to 1048576, the"
            + " search-demand bucket divides a day, max-terms is 1 to 1000000, minimum-count is 1 to 1000,"
            + " retry-interval is 10ms to 10m, close-timeout is 10ms to 1h,"
            + " anonymous-events-per-address is 1 to 1000000,"
            + " anonymous-event-window is 1s to 1d, and each sink is a separate object.",
        () -> {
          AuditLog.Builder builder = AuditLog.builder().clock(clock).random(random);
          sinks.forEach(builder::auditSink);
          contributions.orderedStream().forEach(c -> builder.auditSink(c.sink()));
          demand.forEach(builder::demandSink);
          PropertyMapper map = PropertyMapper.get();
          map.from(audit::getQueueCapacity).to(builder::queueCapacity);
          map.from(audit::getWhenFull).to(builder::whenFull);
          map.from(audit.getSearchDemand()::getBucket).to(builder::demandBucket);
          map.from(audit.getSearchDemand()::getMaxTerms).to(builder::demandMaxTerms);
          map.from(audit.getSearchDemand()::getMinimumCount).to(builder::demandMinimumCount);
          map.from(audit::getRetryInterval)
              .as(d -> PropertyRange.of(
                  "portcullis.audit.retry-interval",
                  d,
                  Duration.ofMillis(10),
                  Duration.ofMinutes(10),
                  "10ms to 10m",
                  "1s, how often a failing audit sink is offered its kept events again"))
              .to(builder::retryInterval);
          map.from(audit::getCloseTimeout)
              .as(d -> PropertyRange.of(
                  "portcullis.audit.close-timeout",
                  d,
                  Duration.ofMillis(10),
                  Duration.ofHours(1),
                  "10ms to 1h",
                  "30s, how long closing the audit log at shutdown waits for its sinks"))
              .to(builder::closeTimeout);
          map.from(audit::getAnonymousEventsPerAddress)
              .as(n -> PropertyRange.of(
                  "portcullis.audit.anonymous-events-per-address",
                  n,
                  1,
                  1_000_000,
                  "1 to 1000000",
                  "60, the events of one type without a user that one client address may have written"
                      + " per portcullis.audit.anonymous-event-window"))
              .to(builder::anonymousEventsPerAddress);
          map.from(audit::getAnonymousEventWindow)
              .as(d -> PropertyRange.of(
                  "portcullis.audit.anonymous-event-window",
                  d,
                  Duration.ofSeconds(1),
                  Duration.ofDays(1),
                  "1s to 1d",
                  "1m, the window of portcullis.audit.anonymous-events-per-address"))
              .to(builder::anonymousEventWindow);
          return builder.build();
        });
  }

  @Bean
  @ConditionalOnMissingBean
  AuditRules portcullisAuditRules(PortcullisProperties properties) {
    PortcullisProperties.Audit audit = properties.getAudit();
    return building(
        "portcullis.audit.actions / portcullis.audit.search-endpoints",
        "Use path patterns of lower-case"
            + " literal segments and {name} placeholders (optionally ending in /**), actions named in lower_snake_case,"
            + " and search endpoints as normalised lower-case paths with their query parameter.",
        () -> {
          AuditRules.Builder builder = AuditRules.builder();
          for (PortcullisProperties.Action a : audit.getActions()) {
            builder.action(a.getPattern(), a.getAction());
          }
          for (PortcullisProperties.SearchEndpoint s : audit.getSearchEndpoints()) {
            builder.searchEndpoint(s.getPath(), s.getParameter());
          }
          return builder.build();
        });
  }

  @Bean
  @ConditionalOnMissingBean
  SessionRegistry portcullisSessionRegistry(
      SessionConfig config,
      SessionStore store,
      SecureRandom random,
      InstantSource clock,
      AuditLog audit,
      ObjectProvider<StoreWrapper> storeMetrics,
      ObjectProvider<ObservationRegistry> observations) {
    return SessionRegistry.create(
        config,
        ObservedStores.sessions(store, storeMetrics, observations),
        random,
        clock,
        new SessionAudit(audit));
  }

  /** Audits each reload of a watched key file or PKCS12 store, and each changed file it refused. */
  @Bean
  KeyRingAudit portcullisKeyRingAudit(KeyRingSource keyRing, AuditLog audit) {
    KeyRingAudit listener = new KeyRingAudit(audit);
    if (keyRing instanceof ReloadingKeyRing reloading) {
      reloading.addListener(listener);
    }
    return listener;
  }

  @Bean
  @ConditionalOnMissingBean
  PortalLogin portcullisLogin(
      PortcullisProperties properties,
      KeyRingSource keyRing,
      ObjectProvider<UserDirectory> users,
      RevocationStore revocations,
      InstantSource clock,
      SecureRandom random,
      ObjectProvider<LoginThrottle> throttle,
      ObjectProvider<StoreWrapper> storeMetrics,
      ObjectProvider<ObservationRegistry> observations) {
    UserDirectory directory = users.getIfAvailable();
    if (directory == null) {
      throw new PortcullisConfigurationException(
          "there is no UserDirectory bean, so nobody could log in",
          "Declare a @Bean of type dev.portcullis.user.UserDirectory: an adapter over your user store, or an"
              + " InMemoryUserDirectory for a small portal. Portcullis has no built-in accounts.");
    }
    PortcullisProperties.Login login = properties.getLogin();
    PortcullisProperties.Cookies cookies = properties.getCookies();
    PortalLogin.Builder builder = PortalLogin.builder()
        .keyRing(keyRing)
        .users(directory)
        .revocations(ObservedStores.revocations(revocations, storeMetrics, observations))
        .clock(clock)
        .random(random);
    builder.throttle(throttle.getIfAvailable(
        () -> loginThrottle(login.getLimit(), null, keyRing, clock, random)));
    PropertyMapper map = PropertyMapper.get();
    map.from(login::getTermsVersion).to(builder::termsVersion);
    map.from(login::getTicketLifetime).to(builder::ticketLifetime);
    map.from(login::getPath).to(builder::loginPath);
    map.from(login::getLogoutPath).to(builder::logoutPath);
    map.from(login::getLogoutEverywherePath).to(builder::logoutEverywherePath);
    map.from(login::getTermsPath).to(builder::termsPath);
    map.from(login::getAfterLoginPath).to(builder::afterLoginPath);
    map.from(login::getMaxConcurrentPasswordChecks).to(builder::maxConcurrentPasswordChecks);
    map.from(login::getMaxPendingLogouts).to(builder::maxPendingLogouts);
    map.from(login::getConnectionRecheckInterval)
        .to(interval -> builder.connectionRecheckInterval(connectionRecheckInterval(interval)));
    PortcullisProperties.Session session = properties.getSession();
    if (session.getMaxPerUser() != null) {
      builder.maxSessionsPerUser(
          session.getMaxPerUser(),
          session.getWhenExceeded() != null ? session.getWhenExceeded() : SessionLimit.END_OLDEST);
    } else if (session.getWhenExceeded() != null) {
      throw new PortcullisConfigurationException(
          "portcullis.session.when-exceeded is set without portcullis.session.max-per-user",
          "Set portcullis.session.max-per-user to the most concurrent sessions a user may have, or remove"
              + " portcullis.session.when-exceeded.");
    }
    // The core's own cookie declarations (with their cookie-notice text) are the base the
    // properties change.
    builder.authCookie(cookie(
        "portcullis.cookies.auth",
        cookies.getAuth(),
        LoginCookies.defaultAuthCookie(cookieNames(properties).auth())));
    if (login.isCookieCheckBySessionCookie()) {
      if (declared(cookies.getCookieCheck())) {
        throw new PortcullisConfigurationException(
            "portcullis.login.cookie-check-by-session-cookie=true, but portcullis.cookies.cookie-check.* declares a"
                + " cookie-check cookie",
            "The session cookie does the blocked-cookie check, so there is no cookie-check cookie to declare:"
                + " remove portcullis.cookies.cookie-check.*, or remove"
                + " portcullis.login.cookie-check-by-session-cookie to keep the cookie-check cookie.");
      }
      builder.cookieCheckBySessionCookie();
    } else {
      builder.cookieCheckCookie(cookie(
          "portcullis.cookies.cookie-check",
          cookies.getCookieCheck(),
          LoginCookies.defaultCookieCheckCookie(cookieNames(properties).cookieCheck())));
    }
    return building(
        "portcullis.login",
        "Fix portcullis.login.*: terms-version is required; ticket-lifetime is at"
            + " most 1 day; the endpoint paths are distinct relative paths such as /login;"
            + " max-concurrent-password-checks is at least 1; max-pending-logouts is from 1 to"
            + " 1000000. Give"
            + " portcullis.cookies.auth.name and portcullis.cookies.cookie-check.name two different values.",
        builder::build);
  }

  /** Whether any of a cookie's properties is set. */
  private static boolean declared(PortcullisProperties.Cookie cookie) {
    return cookie.getName() != null
        || cookie.getSecure() != null
        || cookie.getHttpOnly() != null
        || cookie.getSameSite() != null
        || cookie.getPath() != null
        || cookie.getDomain() != null;
  }

  /**
   * The login limit of {@code portcullis.login.limit.*}, its budgets and known addresses kept in {@code store}, which
   * the nodes share (hashed under a key derived from the key ring's active key, the same on every node), or in this
   * node's memory when {@code store} is null. A budget outside the core's range stops start-up naming its property.
   */
  static LoginThrottle loginThrottle(
      PortcullisProperties.LoginLimit limit,
      LoginAttemptStore store,
      KeyRingSource keyRing,
      InstantSource clock,
      SecureRandom random) {
    LoginThrottle.Builder builder = LoginThrottle.builder(clock).random(random);
    PropertyMapper map = PropertyMapper.get();
    map.from(limit::getMaxFailuresPerAccount)
        .as(n -> PropertyRange.of(
            LOGIN_LIMIT + ".max-failures-per-account",
            n,
            1,
            100,
            "1 to 100",
            "100 password checks per account in the window (ASVS 2.2.1 allows no more)"))
        .to(builder::maxFailuresPerAccount);
    map.from(limit::getMaxFailuresPerAddress)
        .as(n -> PropertyRange.of(
            LOGIN_LIMIT + ".max-failures-per-address",
            n,
            1,
            Integer.MAX_VALUE,
            "at least 1",
            "1000 password checks per client address in the window"))
        .to(builder::maxFailuresPerAddress);
    map.from(limit::getWindow)
        .as(d -> PropertyRange.of(
            LOGIN_LIMIT + ".window",
            d,
            Duration.ofNanos(1),
            null,
            "a duration above zero",
            "1h, the sliding window of both budgets"))
        .to(builder::window);
    map.from(limit::getKnownAddressFor)
        .as(d -> PropertyRange.of(
            LOGIN_LIMIT + ".known-address-for",
            d,
            Duration.ZERO,
            Duration.ofDays(400),
            "0s to 400d",
            "30d, how long an address the owner logged in from keeps a budget of its own"))
        .to(builder::knownAddressFor);
    if (store != null) {
      refuseMaxTrackedBesideSharedStore(limit, "a store the nodes share");
      builder.store(store).hashKeyFrom(keyRing);
    }
    map.from(limit::getMaxTracked)
        .as(n -> PropertyRange.of(
            MAX_TRACKED,
            n.longValue(),
            1_000,
            10_000_000,
            "1000 to 10000000",
            LoginThrottle.DEFAULT_MAX_TRACKED
                + " budgets, and as many known addresses, in this node's memory"))
        .to(builder::maxTracked);
    return building(
        LOGIN_LIMIT,
        "Fix portcullis.login.limit.*: max-failures-per-account is 1 to 100, max-failures-per-address at least 1,"
            + " window above zero, known-address-for 0s to 400d, max-tracked 1000 to 10000000.",
        builder::build);
  }

  /**
   * Stops start-up when {@code portcullis.login.limit.max-tracked} is set beside {@code store}, a store the nodes share:
   * the setting bounds the limit kept in one node's memory, and would otherwise be silently ignored. Called before the
   * store connects, so that the mistake is reported even when the store cannot be reached.
   */
  static void refuseMaxTrackedBesideSharedStore(
      PortcullisProperties.LoginLimit limit, String store) {
    if (limit.getMaxTracked() != null) {
      throw new PortcullisConfigurationException(
          MAX_TRACKED + " is set, but the login limit is kept in " + store,
          "Remove " + MAX_TRACKED
              + ": it bounds the login limit kept in one node's memory, and the budgets are"
              + " kept in " + store + ", which the nodes share.");
    }
  }

  /**
   * {@code interval}, unless it is outside the bounds the core accepts; then start-up stops naming the property rather
   * than the builder's method.
   */
  private static Duration connectionRecheckInterval(Duration interval) {
    if (!OpenConnections.allowsInterval(interval)) {
      throw new PortcullisConfigurationException(
          "portcullis.login.connection-recheck-interval is outside 1s to 1h",
          "Set portcullis.login.connection-recheck-interval from 1s to 1h, or remove it for the default of 30s:"
              + " how often the login behind an open WebSocket is checked again.");
    }
    return interval;
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(prefix = "portcullis.sso", name = "enabled", havingValue = "true")
  SsoConfig portcullisSsoConfig(
      PortcullisProperties properties, AccountLinkStore links, ReplayStore replay) {
    PortcullisProperties.Sso sso = properties.getSso();
    List<String> missing = new ArrayList<>();
    if (sso.getIssuer() == null) {
      missing.add("portcullis.sso.issuer");
    }
    if (sso.getClientId() == null || sso.getClientId().isBlank()) {
      missing.add("portcullis.sso.client-id");
    }
    if (sso.clientSecretForConfig() == null || sso.clientSecretForConfig().isBlank()) {
      missing.add("portcullis.sso.client-secret");
    }
    if (sso.getRedirectUri() == null) {
      missing.add("portcullis.sso.redirect-uri");
    }
    if (!missing.isEmpty()) {
      throw new PortcullisConfigurationException(
          "single sign-on is enabled but " + String.join(", ", missing)
              + (missing.size() == 1 ? " is" : " are") + " not set",
          SSO_ACTION);
    }
    SsoConfig.Builder builder = SsoConfig.builder()
        .links(links)
        .replay(replay)
        .provider(sso.getIssuer(), sso.getClientId(), sso.clientSecretForConfig());
    PropertyMapper map = PropertyMapper.get();
    map.from(sso::getRedirectUri).to(builder::redirectUri);
    map.from(sso::getScopes).to(builder::scopes);
    map.from(sso::getTokenLifetime).to(builder::tokenLifetime);
    map.from(sso::getUpgradePath).to(builder::upgradePath);
    map.from(sso::getCallbackPath).to(builder::callbackPath);
    map.from(sso::getLoginPath).to(builder::loginPath);
    map.from(sso::getLinkPath).to(builder::linkPath);
    map.from(sso::getUnlinkPath).to(builder::unlinkPath);
    map.from(sso::getPendingLinkLifetime).to(builder::pendingLinkLifetime);
    map.from(sso::getKeepLinksOnLogoutEverywhere).to(builder::keepLinksOnLogoutEverywhere);
    map.from(sso::getTrustedAudiences)
        .to(audiences -> builder.trustedAudiences(audiences.toArray(String[]::new)));
    map.from(sso::getLinkReauthentication).to(builder::linkReauthentication);
    map.from(sso::getMaxLoginAge).to(builder::maxLoginAge);
    map.from(sso::getProviderTimeout).to(builder::providerTimeout);
    map.from(sso::getMaxConcurrentProviderCalls).to(builder::maxConcurrentProviderCalls);
    if (sso.getCookieName() != null) {
      // The core's own cookie declaration (with its cookie-notice text), renamed.
      builder.cookie(building(
          "portcullis.sso.cookie-name",
          "Use an RFC 6265 token as the cookie name.",
          () -> SsoConfig.defaultCookie(sso.getCookieName())));
    } else if (properties.getCookies().getNamePrefix() != null) {
      builder.cookie(SsoConfig.defaultCookie(cookieNames(properties).sso()));
    }
    return building("portcullis.sso", SSO_ACTION, builder::build);
  }

  @Bean
  @ConditionalOnMissingBean
  PortcullisFilter portcullisFilter(
      SessionRegistry sessions,
      PortalLogin login,
      SecureRandom random,
      AuditLog audit,
      AuditRules rules,
      PortcullisProperties properties,
      ObjectProvider<PortcullisCustomizer> customizers,
      ObjectProvider<SsoConfig> ssoConfig,
      ObjectProvider<ObservationRegistry> observations,
      ObjectProvider<TracerTraceIds> tracerTraceIds,
      ObjectProvider<SessionStore> sessionStores,
      KeyRingSource keyRing,
      InstantSource clock,
      ResourceLoader resources,
      ListableBeanFactory beans,
      Environment environment) {
    SsoConfig sso = ssoConfig.getIfAvailable();
    SessionStore store = sessionStores.getIfUnique();
    PortcullisFilter.Builder builder = PortcullisFilter.builder()
        .sessions(sessions)
        .login(login, random)
        .audit(audit, rules)
        .onLoginLimitCheck(answer -> sayLoginLimit(answer, store));
    if (properties.getLogin().isPerNodeLoginLimit()) {
      builder.perNodeLoginLimit();
    }
    builder.trustedOrigins(properties.getCsrf().getTrustedOrigins().toArray(String[]::new));
    PropertyMapper.get()
        .from(properties.getLogin()::getMaxFormReadsPerAddress)
        .to(builder::maxFormReadsPerAddress);
    PropertyMapper.get()
        .from(properties.getLogin()::getMaxAnonymousFormReads)
        .to(builder::maxAnonymousFormReads);
    if (sso != null) {
      builder.sso(sso, keyRing, clock);
    }
    observations.ifUnique(registry -> {
      builder.observationRegistry(registry);
      // With Micrometer Tracing, the audit trace id is the request span's, also for a new trace.
      tracerTraceIds.ifUnique(ids -> {
        Supplier<String> currentTraceId = ids.currentTraceId();
        if (currentTraceId != null) {
          builder.currentTraceId(currentTraceId);
        }
      });
    });
    PortcullisProperties.Transport t = properties.getTransport();
    boolean containerDecidesHttps = containerDecidesHttps(t, environment);
    builder.transport(building(
        "TransportConfig",
        "Check the portcullis.transport.* properties: plain-HTTP"
            + " redirects need portcullis.transport.canonical-host (the portal's host name, as in its certificate), or"
            + " set portcullis.transport.redirect-plain-http=false to refuse plain HTTP; on a developer's own machine"
            + " only, portcullis.transport.development-mode=true serves plain HTTP to loopback clients.",
        () -> {
          TransportConfig.Builder tb = TransportConfig.builder()
              .developmentMode(t.isDevelopmentMode())
              .trustedProxies(t.getTrustedProxies());
          PropertyMapper map = PropertyMapper.get();
          map.from(t::getForwardedHeaders).to(tb::forwardedHeaders);
          map.from(t::getHstsMaxAge).to(tb::hstsMaxAge);
          map.from(t::getHstsIncludeSubdomains).to(tb::hstsIncludeSubDomains);
          map.from(t::getHttpsPort).to(tb::httpsPort);
          map.from(t::getCanonicalHost).to(tb::canonicalHost);
          map.from(t::getRedirectPlainHttp).to(tb::redirectPlainHttp);
          tb.containerDecidesHttps(containerDecidesHttps);
          return tb.build();
        }));
    boolean chainDeclared = securityFilterChainDeclared(beans, resources.getClassLoader());
    if (chainDeclared) {
      // An open WebSocket is checked again against the chain's rules too, as its upgrade request
      // was.
      builder.connectionAccess(SecurityChainConnectionAccess.of(beans));
    }
    PortcullisProperties.Access a = properties.getAccess();
    if (a.isConfigured()) {
      builder.access(
          building("AccessPolicy", "Check the portcullis.access.* properties.", () -> {
            AccessPolicy.Builder ab =
                AccessPolicy.builder().permitAll(a.getPublicPaths().toArray(String[]::new));
            for (PortcullisProperties.RoleRule r : a.getRules()) {
              ab.requireAnyRole(r.getPattern(), r.getRoles().toArray(String[]::new));
            }
            return ab.authenticated(a.getAuthenticatedPaths().toArray(String[]::new))
                .build();
          }),
          login.endpoints().loginPath());
    } else if (chainDeclared) {
      builder.accessDecidedByApplication();
    } else if (customizers.orderedStream().findAny().isEmpty()) {
      throw new PortcullisConfigurationException(
          "nothing decides who may see which page: portcullis.access.* is not"
              + " set and there is no Spring Security SecurityFilterChain bean",
          NO_ACCESS_ACTION);
    }
    // With a customizer and neither a policy nor a chain, the filter's own default needs a login
    // everywhere but the login and terms pages, unless the customizer sets the access itself.
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return building("PortcullisFilter", FILTER_ACTION, builder::build);
  }

  /**
   * Refuses a session store that nodes share ({@link SessionStore#sharedBetweenNodes()}) beside a login limit kept in
   * this node's memory, as {@code Portcullis.builder()} does: behind a load balancer, N nodes would give a password
   * guesser N budgets. The starter's own Redis and PostgreSQL stores come with a shared limit; the application's own
   * {@code SessionStore} bean needs a {@link LoginThrottle} bean over a shared store (or its {@link PortalLogin} bean
   * one), or {@value #PER_NODE_LOGIN_LIMIT}, which is logged. That property beside a shared limit is a contradiction.
   * The decision, and the one check, are the core's ({@link PortalLogin#loginLimitCheck}, made when the filter is
   * built); this says its answer in the starter's property names.
   */
  static void sayLoginLimit(LoginLimitCheck answer, SessionStore store) {
    switch (answer) {
      case FINE -> {}
      case PER_NODE_ACCEPTED ->
        log.warn(
            "The login limit is kept in this node's memory ({}=true): behind a load balancer, each node gives a"
                + " password guesser a budget of its own. Declare a LoginThrottle bean over a store the nodes"
                + " share to make it one limit.",
            PER_NODE_LOGIN_LIMIT);
      case CONTRADICTION ->
        throw new PortcullisConfigurationException(
            PER_NODE_LOGIN_LIMIT + "=true, but the login limit is kept in a store the nodes share",
            "Remove " + PER_NODE_LOGIN_LIMIT
                + ": the nodes already count logins against one limit.");
      case REFUSED ->
        throw new PortcullisConfigurationException(
            "the session store ("
                + (store != null ? store.getClass().getName() : SessionStore.class.getName())
                + ") is shared between nodes, but the login limit"
                + " is kept in this node's memory: behind a load balancer, N nodes would give a password guesser"
                + " N budgets",
            SHARED_LOGIN_LIMIT_ACTION);
    }
  }

  /**
   * {@code portcullis.transport.container-decides-https}, checked against Spring Boot's {@code
   * server.forward-headers-strategy}. With {@code native} or {@code framework} the container (Tomcat's {@code
   * RemoteIpValve}, Jetty's {@code ForwardedRequestCustomizer}, Spring's {@code ForwardedHeaderFilter}) makes a request
   * secure from forwarding headers and rewrites its client address, so Portcullis' own trusted proxies no longer see
   * the proxy: start-up fails unless the property says, either way, whether the container's word is believed. {@code
   * server.tomcat.remoteip.remote-ip-header} or {@code protocol-header} set to a header name count as {@code native}
   * whatever the strategy says, as Spring Boot adds Tomcat's {@code RemoteIpValve} for either of them. When
   * the strategy is unset and Spring Boot applies {@code native} by itself on a detected cloud platform, a warning says
   * the same. Either way, start-up fails beside {@code portcullis.transport.trusted-proxies} or development mode: the
   * client's address is then one taken from {@code X-Forwarded-For} (Jetty and the filter take the left-most value,
   * which the client writes), so a client could pass for a trusted proxy or for loopback.
   */
  static boolean containerDecidesHttps(PortcullisProperties.Transport t, Environment environment) {
    Boolean chosen = t.getContainerDecidesHttps();
    String strategy = Binder.get(environment)
        .bind(FORWARD_HEADERS_STRATEGY, String.class)
        .map(s -> s.strip().toLowerCase(Locale.ROOT))
        .orElse(null);
    boolean strategyForwards = "native".equals(strategy) || "framework".equals(strategy);
    String remoteIpValve = tomcatRemoteIpValve(environment);
    boolean containerForwards = strategyForwards || remoteIpValve != null;
    CloudPlatform platform = strategy == null ? CloudPlatform.getActive(environment) : null;
    boolean forwardsOnThisPlatform = platform != null && platform.isUsingForwardHeaders();
    if (!containerForwards && !forwardsOnThisPlatform) {
      return Boolean.TRUE.equals(chosen);
    }
    // The container (or Spring's ForwardedHeaderFilter) replaces the client's address with one
    // taken
    // from X-Forwarded-For or Forwarded before Portcullis sees the request.
    String setting;
    if (strategyForwards) {
      setting = FORWARD_HEADERS_STRATEGY + "=" + strategy;
    } else if (remoteIpValve != null) {
      setting = remoteIpValve + " (Tomcat's RemoteIpValve, which that property turns on whatever "
          + FORWARD_HEADERS_STRATEGY + " says)";
    } else {
      setting = FORWARD_HEADERS_STRATEGY + "=native (Spring Boot's default on " + platform + ")";
    }
    switch (ContainerForwarding.of(
        chosen != null,
        Boolean.TRUE.equals(chosen),
        !t.getTrustedProxies().isEmpty(),
        t.isDevelopmentMode())) {
      case REFUSED_BESIDE_TRUSTED_PROXIES ->
        throw forwardingBeside(
            setting,
            "portcullis.transport.trusted-proxies would be matched against an address the client can choose");
      case REFUSED_IN_DEVELOPMENT_MODE ->
        throw forwardingBeside(
            setting,
            "portcullis.transport.development-mode would accept plain HTTP from any client that claims to be"
                + " loopback");
      case UNDECIDED -> {
        if (containerForwards) {
          throw new PortcullisConfigurationException(
              setting
                  + " makes the container decide from forwarding headers whether a request used HTTPS, which"
                  + " Portcullis cannot tell apart from a client's own claim, and hides the proxy's address from"
                  + " portcullis.transport.trusted-proxies",
              FORWARD_HEADERS_ACTION);
        }
        log.warn(
            "Spring Boot applies {}=native on {} (its default there): Portcullis does not believe the container's"
                + " forwarded scheme, so requests through a TLS-terminating proxy count as plain HTTP (redirected or"
                + " refused). Behind such a proxy set {}=none and list the proxy in"
                + " portcullis.transport.trusted-proxies; or, only when the plain-HTTP port is reachable from the proxy"
                + " alone, set portcullis.transport.container-decides-https=true.",
            FORWARD_HEADERS_STRATEGY,
            platform,
            FORWARD_HEADERS_STRATEGY);
      }
      case BELIEVED -> {
        if (containerForwards) {
          log.info(
              "{} with portcullis.transport.container-decides-https=true: the container's forwarded-header handling"
                  + " decides which requests are HTTPS. Keep the plain-HTTP port reachable from the TLS-terminating"
                  + " proxy alone.",
              setting);
        }
      }
      case IGNORED -> {
        if (containerForwards) {
          log.warn(
              "{} with portcullis.transport.container-decides-https=false: Portcullis ignores the container's"
                  + " forwarded scheme, so requests through a TLS-terminating proxy count as plain HTTP (redirected or"
                  + " refused). Unless TLS ends at this server, set {}=none and list the proxy in"
                  + " portcullis.transport.trusted-proxies.",
              setting,
              FORWARD_HEADERS_STRATEGY);
        }
      }
    }
    return Boolean.TRUE.equals(chosen);
  }

  /**
   * The first of {@link #TOMCAT_REMOTE_IP_PROPERTIES} that is set to text, as {@code name=value}, or null: Spring
   * Boot then adds Tomcat's {@code RemoteIpValve}, which takes the client's address from that header (the right-most
   * value not in its own internal-proxy ranges, which cover the private, loopback and link-local ones) and the scheme
   * from {@code X-Forwarded-Proto}, even with {@code server.forward-headers-strategy=none}.
   */
  static String tomcatRemoteIpValve(Environment environment) {
    Binder binder = Binder.get(environment);
    for (String property : TOMCAT_REMOTE_IP_PROPERTIES) {
      String value = binder.bind(property, String.class).map(String::strip).orElse("");
      if (!value.isEmpty()) {
        return property + "=" + value;
      }
    }
    return null;
  }

  /**
   * The container's forwarded-header handling beside a setting whose check would read the client's own {@code
   * X-Forwarded-For} as the connection's address.
   */
  private static PortcullisConfigurationException forwardingBeside(
      String setting, String consequence) {
    return new PortcullisConfigurationException(
        setting
            + " rewrites each request's client address from forwarding headers before Portcullis sees it, so "
            + consequence,
        "Set " + FORWARD_HEADERS_STRATEGY
            + "=none, and leave server.tomcat.remoteip.remote-ip-header and server.tomcat.remoteip.protocol-header"
            + " unset: Portcullis then reads the forwarding headers itself, from"
            + " the addresses in portcullis.transport.trusted-proxies only. Or, to keep the container's handling,"
            + " remove portcullis.transport.trusted-proxies and portcullis.transport.development-mode, and set"
            + " portcullis.transport.container-decides-https.");
  }

  /**
   * Whether Spring Security is on the class path and the context declares a {@code SecurityFilterChain} (the
   * application's or the starter's default one), checked without creating any bean.
   */
  static boolean securityFilterChainDeclared(ListableBeanFactory beans, ClassLoader loader) {
    if (!Arrays.stream(SPRING_SECURITY_CLASSES)
        .allMatch(name -> ClassUtils.isPresent(name, loader))) {
      return false;
    }
    Class<?> chain = ClassUtils.resolveClassName(SPRING_SECURITY_CLASSES[2], loader);
    return beans.getBeanNamesForType(chain, true, false).length > 0;
  }

  /** With Micrometer Tracing on the class path: the audit events' trace id from the application's tracer. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.tracing.Tracer")
  static class Tracing {
    @Bean
    TracerTraceIds portcullisTracerTraceIds(ObjectProvider<io.micrometer.tracing.Tracer> tracers) {
      return new TracerTraceIds(tracers);
    }
  }

  /**
   * On Spring Boot's embedded Jetty: every connector's header cache case-sensitive, so that each request's cookies
   * reach the filter exactly as sent ({@link JettyCookieHeaders}), and Jetty's own error responses plain, with the
   * filter's security headers ({@link JettyErrorResponses}). The customizers apply to Jetty's web server factories
   * only; on Tomcat, or without Jetty on the class path, nothing here is loaded.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.eclipse.jetty.server.Server",
        "org.springframework.boot.jetty.ConfigurableJettyWebServerFactory"
      })
  static class Jetty {
    @Bean
    JettyCookieHeaders portcullisJettyCookieHeaders() {
      return new JettyCookieHeaders();
    }

    @Bean
    JettyErrorResponses portcullisJettyErrorResponses(ObjectProvider<PortcullisFilter> filter) {
      return new JettyErrorResponses(filter);
    }
  }

  /**
   * On Spring Boot's embedded Tomcat: Tomcat's own error responses, for requests it refuses before the filter runs,
   * plain and with the filter's security headers ({@link TomcatErrorReports}), and its own redirects relative, never
   * built from the {@code Host} header ({@link TomcatRelativeRedirects}). Without Tomcat on the class path, nothing
   * here is loaded.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.apache.catalina.valves.ErrorReportValve",
        "org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory"
      })
  static class Tomcat {
    @Bean
    TomcatErrorReports portcullisTomcatErrorReports(ObjectProvider<PortcullisFilter> filter) {
      return new TomcatErrorReports(filter);
    }

    @Bean
    TomcatRelativeRedirects portcullisTomcatRelativeRedirects() {
      return new TomcatRelativeRedirects();
    }
  }

  @Bean
  @ConditionalOnMissingBean(name = "portcullisFilterRegistration")
  FilterRegistrationBean<PortcullisFilter> portcullisFilterRegistration(
      PortcullisFilter filter, PortcullisProperties properties) {
    FilterRegistrationBean<PortcullisFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("portcullisFilter");
    registration.setOrder(properties.getFilter().getOrder());
    registration.setDispatcherTypes(
        DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
    return registration;
  }
}
