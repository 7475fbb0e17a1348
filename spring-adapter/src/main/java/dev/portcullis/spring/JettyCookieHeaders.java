package dev.portcullis.spring;

import java.util.Collection;
import java.util.List;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.Container;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * On Spring Boot's embedded Jetty, makes the header cache of every connector match values letter case included
 * ({@link HttpConfiguration#setHeaderCacheCaseSensitive}). By default, on one keep-alive connection, a {@code Cookie}
 * header that differs from an earlier one only in letter case reaches the filter as the earlier one, and cookie values
 * are case-sensitive: a request carrying another browser's cookies with their letters' case changed would be taken
 * for that browser's.
 *
 * <p>Connectors the server holds when this runs are set at once; connectors it is given later (Spring Boot takes them
 * off the server while the application starts and puts them back when it is ready, and a later customizer may add or
 * replace one) are set as they are added.
 */
final class JettyCookieHeaders
    implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> {
  @Override
  public void customize(ConfigurableJettyWebServerFactory factory) {
    factory.addServerCustomizers(JettyCookieHeaders::exactCookieHeaders);
  }

  /** Sets the connectors the server holds now and, as they are added, those it is given later. */
  static void exactCookieHeaders(Server server) {
    for (Connector connector : server.getConnectors()) {
      exact(connector);
    }
    server.addEventListener(new AddedConnectors());
  }

  /** Sets every HTTP connection factory of the connector, also one held by a wrapping factory. */
  static void exact(Connector connector) {
    for (ConnectionFactory factory : connector.getConnectionFactories()) {
      Collection<HttpConfiguration.ConnectionFactory> http =
          factory instanceof HttpConfiguration.ConnectionFactory h
              ? List.of(h)
              : factory instanceof ContainerLifeCycle c
                  ? c.getContainedBeans(HttpConfiguration.ConnectionFactory.class)
                  : List.of();
      http.forEach(h -> h.getHttpConfiguration().setHeaderCacheCaseSensitive(true));
    }
  }

  private static final class AddedConnectors implements Container.Listener {
    @Override
    public void beanAdded(Container parent, Object child) {
      if (child instanceof Connector connector) {
        exact(connector);
      }
    }

    @Override
    public void beanRemoved(Container parent, Object child) {
      // nothing to undo
    }
  }
}
