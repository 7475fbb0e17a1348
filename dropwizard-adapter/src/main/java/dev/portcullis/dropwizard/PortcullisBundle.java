package dev.portcullis.dropwizard;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.ReloadingKeyRing;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.jdbc.JdbcStores;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.servlet.internal.JettyErrorPages;
import dev.portcullis.servlet.internal.JettyHeaderCache;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.UserDirectory;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.ConfiguredBundle;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.lifecycle.Managed;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import javax.sql.DataSource;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts Portcullis in front of a Dropwizard application: builds it from the configuration's {@link PortcullisFactory}
 * (with single sign-on when it has an {@code sso} block) and the application's user directory, registers the filter
 * for every path ahead of Jersey, turns on {@code @RolesAllowed} in resources (their {@code SecurityContext} is the
 * Portcullis login; the answers Jersey makes itself that list a resource's methods, its automatic {@code OPTIONS} and
 * its {@code 405}, are given only to a caller who may call one of them; every {@code 401} and {@code 403} Jersey answers says {@code Cache-Control: no-store}), adds the
 * health check {@value #HEALTH_CHECK} and closes the audit log and stores when the application stops. With a
 * {@code jdbc} block, the stores are in the PostgreSQL database the application gives {@link #dataSource}.
 *
 * <pre>{@code
 * bootstrap.addBundle(new PortcullisBundle<MyConfiguration>(
 *     MyConfiguration::getPortcullis, (configuration, environment) -> users));
 * }</pre>
 *
 * <p><b>Security.</b> The filter sees every request before Jersey and the application's servlets; a configuration
 * mistake stops the application at start-up. An application connector with {@code useForwardedHeaders: true} (off by
 * default in Dropwizard 5) makes Jetty take the client's address and scheme from {@code X-Forwarded-*} and {@code
 * Forwarded} headers that any client can send: the start stops unless {@code
 * portcullis.transport.container-decides-https} says, either way, whether Jetty's view of HTTPS is believed, and it
 * stops whatever that says when {@code portcullis.transport.trusted-proxies} are listed or development mode is on,
 * since a client could then pass for a listed proxy or for loopback. The rule is the Spring Boot starter's for {@code
 * server.forward-headers-strategy}. Behind a TLS-terminating proxy, leave {@code useForwardedHeaders} off and list the
 * proxy in {@code portcullis.transport.trusted-proxies}. The health check names no key material, only key ids and
 * ages. Dropwizard's admin servlets are not behind the filter: the bundle logs a warning at start-up when an admin
 * connector listens on every network interface (no {@code bindHost}, Dropwizard's default) or the simple server
 * serves the admin context on the application's connector. As the server starts, the bundle makes the header
 * cache of every connector case-sensitive ({@link HttpConfiguration#setHeaderCacheCaseSensitive}), so that each
 * request's cookies reach the filter exactly as sent, and replaces Jetty's error handler, so that the responses Jetty
 * writes itself, for requests it refuses before any filter runs, carry the filter's security headers and a plain
 * body, with no {@code Server} header on any connector ({@link JettyErrorPages}). A resource's relative {@code
 * Location} stays relative: Jersey would make it absolute from the request's {@code Host} header and scheme. Dropwizard's request log, on by
 * default with each client's address and time, is given each request without its query string and its {@code
 * Referer} without one, so that it keeps no search terms (which the anonymous search-demand log alone counts), single
 * sign-on codes or {@code returnTo} pages.
 */
public final class PortcullisBundle<C extends Configuration> implements ConfiguredBundle<C> {
  /** The name of the health check the bundle registers. */
  public static final String HEALTH_CHECK = "portcullis";

  private static final Logger log = LoggerFactory.getLogger(PortcullisBundle.class);

  /** What to change when an application connector forwards headers and the transport does not fit it. */
  private static final String FORWARDED_HEADERS_ACTION =
      "Behind a TLS-terminating proxy, set useForwardedHeaders to false and list the proxy's addresses in"
          + " portcullis.transport.trusted-proxies (Portcullis then believes its X-Forwarded-Proto, X-Forwarded-For"
          + " and Forwarded headers from those addresses only). Or, only when the application connectors are"
          + " reachable from the proxy alone, keep it and set portcullis.transport.container-decides-https: true;"
          + " or set it to false to keep it for other reasons and have HTTPS come from the connection alone.";

  private final Function<? super C, PortcullisFactory> factory;
  private final BiFunction<? super C, ? super Environment, ? extends UserDirectory> users;
  private BiConsumer<? super C, Portcullis.Builder> settings = (c, b) -> {};
  private BiFunction<? super C, ? super Environment, ? extends DataSource> dataSource =
      (c, e) -> null;
  private InstantSource clock;
  private Portcullis portcullis;
  private RedisStores redis;
  private JdbcStores jdbc;
  private boolean running;
  private DuplicateKeyCheck duplicateKeys;
  private ObjectMapper mapper;

  /**
   * @param factory the configuration's {@code portcullis:} block
   * @param users the application's accounts, asked for once when the application starts
   */
  public PortcullisBundle(
      Function<? super C, PortcullisFactory> factory,
      BiFunction<? super C, ? super Environment, ? extends UserDirectory> users) {
    this.factory = Objects.requireNonNull(factory, "factory");
    this.users = Objects.requireNonNull(users, "users");
  }

  /**
   * Settings the YAML block does not hold (audit sinks, stores of the application's own), applied to the {@link
   * Portcullis.Builder} after the block's; replaces an earlier call. With a {@code portcullis.redis} block the builder
   * already has the Redis session, revocation and login-attempt stores, and {@link #redisStores()} the others; with a
   * {@code portcullis.jdbc} block, the same stores in PostgreSQL, and {@link #jdbcStores()} the others. With a
   * {@code portcullis.sso} block it already has single sign-on; a {@link Portcullis.Builder#sso} here replaces it (for
   * account links kept elsewhere, say). A session store shared between nodes
   * comes with the login limit's store ({@link Portcullis.Builder#loginAttemptStore}): without it the application
   * stops at start-up, as {@link Portcullis.Builder#build()} refuses a limit per node behind shared sessions.
   */
  public PortcullisBundle<C> customize(BiConsumer<? super C, Portcullis.Builder> settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /**
   * The PostgreSQL database of the {@code portcullis.jdbc} block, asked for once when the application starts and only
   * with the block; replaces an earlier call. The application owns it (a pool such as HikariCP, or Dropwizard's own):
   * the bundle never closes it, and stops its clean-up of expired rows when the application stops. Without this call,
   * or when it gives {@code null}, a {@code portcullis.jdbc} block stops the start.
   */
  public PortcullisBundle<C> dataSource(
      BiFunction<? super C, ? super Environment, ? extends DataSource> dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    return this;
  }

  /** The clock of Portcullis and its health check; the system clock unless set. */
  public PortcullisBundle<C> clock(InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * The running Portcullis (its filter and audit log).
   *
   * @throws IllegalStateException before the application has run the bundle
   */
  public Portcullis portcullis() {
    if (portcullis == null) {
      throw new IllegalStateException("Portcullis is built when the application runs");
    }
    return portcullis;
  }

  /**
   * The stores of the {@code portcullis.redis} block, from {@link #customize} on. The {@code portcullis.sso} block
   * takes its account links and replay guard from them; single sign-on configured in code does the same ({@code
   * SsoConfig.builder().links(redis.accountLinkStore()).replay(redis.replayStore())}), so that every node sees the
   * same; beside the block's shared session store, the build refuses them in memory. Empty without the block. The
   * bundle closes them when the application stops.
   *
   * @throws IllegalStateException before the application has run the bundle
   */
  public Optional<RedisStores> redisStores() {
    if (!running) {
      throw new IllegalStateException("the Redis stores are connected when the application runs");
    }
    return Optional.ofNullable(redis);
  }

  /**
   * The stores of the {@code portcullis.jdbc} block, from {@link #customize} on. The {@code portcullis.sso} block
   * takes its account links and replay guard from them; single sign-on configured in code does the same ({@code
   * SsoConfig.builder().links(jdbc.accountLinkStore()).replay(jdbc.replayStore())}), so that every node sees the
   * same; beside the block's shared session store, the build refuses them in memory. Empty without the block. The
   * bundle stops their clean-up of expired rows when the application stops; the {@link #dataSource} stays the
   * application's.
   *
   * @throws IllegalStateException before the application has run the bundle
   */
  public Optional<JdbcStores> jdbcStores() {
    if (!running) {
      throw new IllegalStateException("the PostgreSQL stores are made when the application runs");
    }
    return Optional.ofNullable(jdbc);
  }

  /**
   * Reads the application's configuration source through a check of the names given twice in one mapping, which
   * {@link #run} refuses in the {@code portcullis:} block: Dropwizard would keep the last of them without a word. The
   * rest of the configuration is read as before. An application that sets its own configuration source after adding
   * the bundle wraps this one, or, should it replace it, goes without the check (and a warning says so).
   */
  @Override
  public void initialize(Bootstrap<?> bootstrap) {
    duplicateKeys = new DuplicateKeyCheck(bootstrap.getConfigurationSourceProvider());
    bootstrap.setConfigurationSourceProvider(duplicateKeys);
    mapper = bootstrap.getObjectMapper();
  }

  @Override
  public void run(C configuration, Environment environment) {
    List<String> forwarding = forwardingConnectors(configuration.getServerFactory());
    warnAboutOpenAdmin(configuration.getServerFactory());
    refuseDuplicateNames(configuration);
    PortcullisFactory config = factory.apply(configuration);
    InstantSource time = clock != null ? clock : systemClock();
    UserDirectory accounts = users.apply(configuration, environment);
    KeyRingSource ring = config.keySource();
    Portcullis built;
    try {
      Portcullis.Builder builder = config.toBuilder(ring).clock(time).users(accounts);
      if (config.getRedis() != null && config.getJdbc() != null) {
        throw new IllegalStateException(PortcullisFactory.BOTH_STORES + ".");
      }
      if (config.getRedis() != null) {
        RedisBlock.requireModule(RedisBlock.MODULE_CLASS, PortcullisBundle.class.getClassLoader());
        redis = RedisBlock.connect(RedisBlock.config(config.getRedis()), time);
        // Shared sessions come with a shared login limit, its hash key derived from the key ring.
        builder
            .sessionStore(redis.sessionStore(config.sessionConfig()))
            .revocations(redis.revocationStore())
            .loginAttemptStore(redis.loginAttemptStore());
      }
      if (config.getJdbc() != null) {
        JdbcBlock.requireModule(JdbcBlock.MODULE_CLASS, PortcullisBundle.class.getClassLoader());
        jdbc =
            JdbcBlock.stores(config.getJdbc(), dataSource.apply(configuration, environment), time);
        builder
            .sessionStore(jdbc.sessionStore(config.sessionConfig()))
            .revocations(jdbc.revocationStore())
            .loginAttemptStore(jdbc.loginAttemptStore());
      }
      PortcullisFactory.Sso sso = config.getSso();
      if (sso != null && sso.isEnabled()) {
        SsoBlock.requireLibrary(SsoBlock.LIBRARY_CLASS, PortcullisBundle.class.getClassLoader());
        // With the redis or the jdbc block, every node sees the same account links and redeemed
        // tokens.
        AccountLinkStore links;
        ReplayStore replay;
        if (redis != null) {
          links = redis.accountLinkStore();
          replay = redis.replayStore();
        } else if (jdbc != null) {
          links = jdbc.accountLinkStore();
          replay = jdbc.replayStore();
        } else {
          links = AccountLinkStore.inMemory();
          replay = ReplayStore.inMemory(time);
        }
        builder.sso(SsoBlock.config(sso, links, replay));
      }
      running = true;
      settings.accept(configuration, builder);
      try {
        built = builder.build();
      } catch (IllegalArgumentException | IllegalStateException e) {
        // The core checks the whole configuration here, in its builders' words.
        throw new IllegalStateException(PortcullisFactory.inYamlTerms(e.getMessage()), e);
      }
    } catch (RuntimeException e) {
      closeSharedStores();
      closeKeyRing(ring);
      throw e;
    }
    try {
      checkForwardedHeaders(forwarding, built.filter().transport());
      FilterRegistration.Dynamic registration =
          environment.servlets().addFilter(Portcullis.FILTER_NAME, built.filter());
      registration.setAsyncSupported(true);
      registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
      environment.jersey().register(RolesAllowedDynamicFeature.class);
      environment.jersey().register(new AutomaticAnswerRoles());
      environment.jersey().register(new RefusalsNotStored());
      // Jersey makes a resource's relative Location (Response.seeOther(URI.create("/reports")))
      // absolute from the request's Host header and scheme; left relative, a forged Host cannot
      // send the browser elsewhere, nor behind a TLS-terminating proxy to plain HTTP.
      environment
          .jersey()
          .property(ServerProperties.LOCATION_HEADER_RELATIVE_URI_RESOLUTION_DISABLED, true);
      environment.lifecycle().addEventListener(new LifeCycle.Listener() {
        @Override
        public void lifeCycleStarting(LifeCycle event) {
          if (event instanceof Server server) {
            JettyHeaderCache.exactCookieHeaders(server);
            JettyErrorPages.install(server, built.filter().transport());
            RequestLogWithoutQueries.install(server);
          }
        }
      });
      environment
          .healthChecks()
          .register(
              HEALTH_CHECK,
              new PortcullisHealthCheck(
                  ring,
                  config.getKeys().getMaxAge().toJavaDuration(),
                  built.audit(),
                  built.sessionStore(),
                  built.revocations(),
                  time,
                  built.filter()::pendingLogouts));
      environment.lifecycle().manage(new Managed() {
        @Override
        public void stop() {
          built.close(); // also closed when Jetty takes the filter out of service; idempotent
          closeSharedStores();
          closeKeyRing(ring);
        }
      });
    } catch (RuntimeException e) {
      built.close();
      closeSharedStores();
      closeKeyRing(ring);
      throw e;
    }
    portcullis = built;
  }

  /** Stops reading a key file or PKCS12 store again; an environment variable's ring has nothing to close. */
  private static void closeKeyRing(KeyRingSource ring) {
    if (ring instanceof ReloadingKeyRing reloading) {
      reloading.close();
    }
  }

  /**
   * Closes the Redis connection, or stops the PostgreSQL stores' clean-up, if a block made them; again does nothing.
   */
  private void closeSharedStores() {
    if (redis != null) {
      redis.close();
    }
    if (jdbc != null) {
      jdbc.close();
    }
  }

  /**
   * The application connectors that let Jetty rewrite the client's address and scheme from forwarding headers
   * ({@code useForwardedHeaders: true}), named as in the YAML. Empty for a server factory other than Dropwizard's own
   * two, whose connectors the bundle cannot read.
   */
  static List<String> forwardingConnectors(ServerFactory server) {
    List<ConnectorFactory> connectors;
    String where;
    if (server instanceof DefaultServerFactory d) {
      connectors = d.getApplicationConnectors();
      where = "server.applicationConnectors";
    } else if (server instanceof SimpleServerFactory s) {
      connectors = s.getConnector() == null ? List.of() : List.of(s.getConnector());
      where = "server.connector";
    } else {
      return List.of();
    }
    List<String> forwarding = new ArrayList<>();
    for (int i = 0; i < connectors.size(); i++) {
      if (connectors.get(i) instanceof HttpConnectorFactory http && http.isUseForwardedHeaders()) {
        forwarding.add(server instanceof SimpleServerFactory ? where : where + "[" + i + "]");
      }
    }
    return List.copyOf(forwarding);
  }

  /**
   * Warns, once per connector, when Dropwizard's admin context can be reached from every network interface: an admin
   * connector without a {@code bindHost} (Dropwizard's default) or bound to a wildcard address, or the simple server,
   * which serves the admin context on the application's own connector. The admin context has no login and the
   * filter does not guard it; the start goes on, as a firewall may keep the port private.
   */
  static void warnAboutOpenAdmin(ServerFactory server) {
    String advice =
        " Dropwizard's admin context (health checks, metrics, thread dumps, tasks such as POST"
            + " /tasks/log-level) has no login and is not behind Portcullis.";
    if (server instanceof DefaultServerFactory d) {
      List<ConnectorFactory> admin = d.getAdminConnectors();
      for (int i = 0; i < admin.size(); i++) {
        if (admin.get(i) instanceof HttpConnectorFactory http && anyInterface(http.getBindHost())) {
          log.warn(
              "server.adminConnectors[{}] listens on every network interface.{} Keep it on a private interface:"
                  + " bindHost: 127.0.0.1 (or the address of an interface only operators reach).",
              i,
              advice);
        }
      }
    } else if (server instanceof SimpleServerFactory s) {
      log.warn(
          "server.type is simple: the admin context is served on the application's connector under {}, to"
              + " whoever reaches that port.{} Use the default server with an admin connector on a private"
              + " interface (bindHost: 127.0.0.1).",
          s.getAdminContextPath(),
          advice);
    }
  }

  private static boolean anyInterface(String bindHost) {
    return bindHost == null
        || bindHost.isBlank()
        || bindHost.equals("0.0.0.0")
        || bindHost.equals("::")
        || bindHost.equals("[::]");
  }

  /**
   * With Jetty's forwarded-header handling on, the start stops unless the transport says whether Jetty's view of HTTPS
   * is believed, as the Spring Boot starter does for {@code server.forward-headers-strategy}; and it stops whatever
   * it says beside trusted proxies or development mode, whose checks would then read the client's own {@code
   * X-Forwarded-For} as the connection's address.
   */
  static void checkForwardedHeaders(List<String> forwarding, TransportConfig transport) {
    if (forwarding.isEmpty()) {
      return;
    }
    String setting = forwarding.get(0) + ".useForwardedHeaders";
    switch (transport.containerForwarding()) {
      case REFUSED_BESIDE_TRUSTED_PROXIES ->
        throw new IllegalStateException(setting
            + " is true beside portcullis.transport.trusted-proxies: Jetty replaces the proxy's address with the first"
            + " X-Forwarded-For value, which any client sends as it likes, so a client could pass for a listed proxy"
            + " and have its X-Forwarded-Proto believed. Set useForwardedHeaders to false and keep the trusted proxies"
            + " (recommended), or leave portcullis.transport.trusted-proxies empty.");
      case REFUSED_IN_DEVELOPMENT_MODE ->
        throw new IllegalStateException(setting
            + " is true in development mode: Jetty takes the client's address from X-Forwarded-For, so any client"
            + " could pass for loopback and be served over plain HTTP. Set useForwardedHeaders to false on a"
            + " developer's machine.");
      case UNDECIDED ->
        throw new IllegalStateException(setting
            + " is true: Jetty then decides from X-Forwarded-Proto and Forwarded headers whether a request used HTTPS,"
            + " which Portcullis cannot tell apart from a client's own claim, and takes the client's address from"
            + " X-Forwarded-For, which hides the proxy's address from portcullis.transport.trusted-proxies. "
            + FORWARDED_HEADERS_ACTION);
      case BELIEVED ->
        log.info(
            "{} is true with portcullis.transport.container-decides-https: true: Jetty's forwarded-header handling"
                + " decides which requests are HTTPS and what each client's address is. Keep the application"
                + " connectors reachable from the TLS-terminating proxy alone.",
            setting);
      case IGNORED ->
        log.warn(
            "{} is true with portcullis.transport.container-decides-https: false: Portcullis ignores the scheme"
                + " Jetty takes from forwarding headers, so requests through a TLS-terminating proxy count as plain"
                + " HTTP (redirected or refused). Jetty still takes the client's address from X-Forwarded-For, which"
                + " any client reaching the connector can send: the audit log's client addresses and the login"
                + " limit's address budgets follow it. Unless TLS ends at this server, set useForwardedHeaders to false"
                + " and list the proxy in portcullis.transport.trusted-proxies.",
            setting);
    }
  }

  @SuppressForbidden(reason = "the bundle's default clock; clock(...) replaces it")
  private static InstantSource systemClock() {
    return InstantSource.system();
  }

  /**
   * Refuses a name given twice in one mapping of the configuration's Portcullis block: the property of the
   * configuration class that holds a {@link PortcullisFactory} ({@code portcullis} when none is found).
   */
  private void refuseDuplicateNames(C configuration) {
    List<List<String>> duplicates = duplicateKeys == null ? null : duplicateKeys.duplicates();
    if (duplicates == null) {
      log.warn(
          "The configuration was not read through the Portcullis bundle's source, so a setting given"
              + " twice in the portcullis block is not refused: set the application's configuration source"
              + " before adding the bundle, or wrap the one the bootstrap has");
      return;
    }
    Set<String> blocks = new LinkedHashSet<>();
    if (mapper != null) {
      BeanDescription bean = mapper
          .getDeserializationConfig()
          .introspect(mapper.constructType(configuration.getClass()));
      for (BeanPropertyDefinition property : bean.findProperties()) {
        if (PortcullisFactory.class.isAssignableFrom(property.getRawPrimaryType())) {
          blocks.add(property.getName());
        }
      }
    }
    if (blocks.isEmpty()) {
      blocks.add("portcullis");
    }
    for (List<String> path : duplicates) {
      if (blocks.contains(path.get(0))) {
        throw new IllegalStateException("the configuration gives " + String.join(".", path)
            + " more than once: each Portcullis setting is given once, so that a later line cannot"
            + " override a reviewed one unseen. Remove all but one");
      }
    }
  }
}
