package dev.portcullis.servlet.internal;

import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.Container;
import org.eclipse.jetty.util.component.ContainerLifeCycle;

/**
 * Makes the header cache of an embedded Jetty's connectors match values letter case included
 * ({@link HttpConfiguration#setHeaderCacheCaseSensitive}), for the adapters that start Jetty themselves (Javalin,
 * Dropwizard, Spring Boot's embedded Jetty). By default, on one keep-alive connection, a {@code Cookie} header that
 * differs from an earlier one only in letter case reaches the filter as the earlier one, and cookie values are
 * case-sensitive: a request carrying another browser's cookies with their letters' case changed would be taken for
 * that browser's.
 *
 * <p>Jetty is not a dependency of this module: only a caller that runs on Jetty loads this class.
 */
public final class JettyHeaderCache {
  private JettyHeaderCache() {}

  /**
   * Sets every connector {@code server} holds now and, as it is added, every connector it is given later (Spring Boot
   * takes the connectors off the server while the application starts and puts them back when it is ready; a later
   * customizer may add or replace one).
   */
  public static void exactCookieHeaders(Server server) {
    eachHttpConfiguration(server, http -> http.setHeaderCacheCaseSensitive(true));
  }

  /**
   * Applies {@code setting} to the HTTP configuration of every connector {@code server} holds now and of every
   * connector it is given later, also to one held by a wrapping connection factory as a bean.
   */
  static void eachHttpConfiguration(Server server, Consumer<HttpConfiguration> setting) {
    for (Connector connector : server.getConnectors()) {
      each(connector, setting);
    }
    server.addEventListener(new AddedConnectors(setting));
  }

  private static void each(Connector connector, Consumer<HttpConfiguration> setting) {
    for (ConnectionFactory factory : connector.getConnectionFactories()) {
      // A wrapping factory (Dropwizard's, which times connections) holds the HTTP one as a bean.
      Collection<HttpConfiguration.ConnectionFactory> http =
          factory instanceof HttpConfiguration.ConnectionFactory h
              ? List.of(h)
              : factory instanceof ContainerLifeCycle c
                  ? c.getContainedBeans(HttpConfiguration.ConnectionFactory.class)
                  : List.of();
      http.forEach(h -> setting.accept(h.getHttpConfiguration()));
    }
  }

  private static final class AddedConnectors implements Container.Listener {
    private final Consumer<HttpConfiguration> setting;

    AddedConnectors(Consumer<HttpConfiguration> setting) {
      this.setting = setting;
    }

    @Override
    public void beanAdded(Container parent, Object child) {
      if (child instanceof Connector connector) {
        each(connector, setting);
      }
    }

    @Override
    public void beanRemoved(Container parent, Object child) {
      // nothing to undo
    }
  }
}
