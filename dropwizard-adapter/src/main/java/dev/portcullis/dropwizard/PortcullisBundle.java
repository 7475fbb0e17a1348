package dev.portcullis.dropwizard;

import dev.portcullis.crypto.ReloadingKeyRing;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.user.UserDirectory;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.ConfiguredBundle;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.lifecycle.Managed;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;

/**
 * Puts Portcullis in front of a Dropwizard application: builds it from the configuration's {@link PortcullisFactory}
 * and the application's user directory, registers the filter for every path ahead of Jersey, turns on
 * {@code @RolesAllowed} in resources (their {@code SecurityContext} is the Portcullis login), adds the health check
 * {@value #HEALTH_CHECK} and closes the audit log and stores when the application stops.
 *
 * <pre>{@code
 * bootstrap.addBundle(new PortcullisBundle<MyConfiguration>(
 *     MyConfiguration::getPortcullis, (configuration, environment) -> users));
 * }</pre>
 *
 * <p><b>Security.</b> The filter sees every request before Jersey and the application's servlets; a configuration
 * mistake stops the application at start-up. So does an application connector with {@code useForwardedHeaders: true}:
 * Jetty's forwarded-header handling then takes the client's address and scheme from {@code X-Forwarded-*} and
 * {@code Forwarded} headers that any client can send, and Portcullis would take that address for the connection's own
 * (trusted proxies, the login limit's address budgets, development mode's loopback exception, the audit log's client
 * address). Behind a TLS-terminating proxy, leave it off and list the proxy in {@code
 * portcullis.transport.trusted-proxies}. The health check names no key material, only key ids and ages. Dropwizard's
 * admin servlets are not behind the filter.
 */
public final class PortcullisBundle<C extends Configuration> implements ConfiguredBundle<C> {
  /** The name of the health check the bundle registers. */
  public static final String HEALTH_CHECK = "portcullis";

  private final Function<? super C, PortcullisFactory> factory;
  private final BiFunction<? super C, ? super Environment, ? extends UserDirectory> users;
  private BiConsumer<? super C, Portcullis.Builder> settings = (c, b) -> {};
  private InstantSource clock;
  private Portcullis portcullis;

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
   * Settings the YAML block does not hold (audit sinks, a Redis session store, single sign-on), applied to the
   * {@link Portcullis.Builder} after the block's; replaces an earlier call. A session store shared between nodes
   * comes with the login limit's store ({@link Portcullis.Builder#loginAttemptStore}): without it the application
   * stops at start-up, as {@link Portcullis.Builder#build()} refuses a limit per node behind shared sessions.
   */
  public PortcullisBundle<C> customize(BiConsumer<? super C, Portcullis.Builder> settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
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

  @Override
  public void run(C configuration, Environment environment) {
    refuseForwardedHeaders(configuration.getServerFactory());
    PortcullisFactory config = factory.apply(configuration);
    InstantSource time = clock != null ? clock : systemClock();
    UserDirectory accounts = users.apply(configuration, environment);
    ReloadingKeyRing ring = config.keyRing();
    Portcullis built;
    try {
      Portcullis.Builder builder = config.toBuilder(ring).clock(time).users(accounts);
      settings.accept(configuration, builder);
      built = builder.build();
    } catch (RuntimeException e) {
      ring.close();
      throw e;
    }
    try {
      FilterRegistration.Dynamic registration =
          environment.servlets().addFilter(Portcullis.FILTER_NAME, built.filter());
      registration.setAsyncSupported(true);
      registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
      environment.jersey().register(RolesAllowedDynamicFeature.class);
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
                  time));
      environment.lifecycle().manage(new Managed() {
        @Override
        public void stop() {
          built.close(); // also closed when Jetty takes the filter out of service; idempotent
          ring.close();
        }
      });
    } catch (RuntimeException e) {
      built.close();
      ring.close();
      throw e;
    }
    portcullis = built;
  }

  /**
   * Stops the start when an application connector lets Jetty rewrite the client's address and scheme from forwarding
   * headers, which Portcullis cannot tell apart from a client's own.
   */
  private static void refuseForwardedHeaders(ServerFactory server) {
    List<ConnectorFactory> connectors;
    String where;
    if (server instanceof DefaultServerFactory d) {
      connectors = d.getApplicationConnectors();
      where = "server.applicationConnectors";
    } else if (server instanceof SimpleServerFactory s) {
      connectors = s.getConnector() == null ? List.of() : List.of(s.getConnector());
      where = "server.connector";
    } else {
      return;
    }
    for (int i = 0; i < connectors.size(); i++) {
      if (connectors.get(i) instanceof HttpConnectorFactory http && http.isUseForwardedHeaders()) {
        String name = server instanceof SimpleServerFactory ? where : where + "[" + i + "]";
        throw new IllegalStateException(
            name
                + ".useForwardedHeaders is true: Jetty then takes the client's address and HTTPS from X-Forwarded-For,"
                + " X-Forwarded-Proto and Forwarded headers, which any client can send and Portcullis cannot tell apart"
                + " from a proxy's. Set it to false, and behind a TLS-terminating proxy list the proxy's addresses in"
                + " portcullis.transport.trusted-proxies: Portcullis then believes those headers from the proxy only.");
      }
    }
  }

  @SuppressForbidden(reason = "the bundle's default clock; clock(...) replaces it")
  private static InstantSource systemClock() {
    return InstantSource.system();
  }
}
