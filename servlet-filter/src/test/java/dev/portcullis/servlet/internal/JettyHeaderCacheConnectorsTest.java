package dev.portcullis.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** Which connectors {@link JettyHeaderCache} reaches; what it prevents is the adapters' tests over HTTP. */
class JettyHeaderCacheConnectorsTest {
  @Test
  void everyConnector_theServerHoldsOrIsGivenLater_getsACaseSensitiveHeaderCache() {
    Server server = new Server();
    ServerConnector first = connector(server);
    server.addConnector(first);
    assertThat(caseSensitive(first)).as("Jetty's default").isFalse();
    JettyHeaderCache.exactCookieHeaders(server);
    assertThat(caseSensitive(first)).isTrue();

    ServerConnector added = connector(server);
    assertThat(caseSensitive(added)).as("Jetty's default").isFalse();
    server.addConnector(added);
    assertThat(caseSensitive(added)).isTrue();

    ServerConnector replacing = connector(server);
    server.setConnectors(new ServerConnector[] {replacing});
    assertThat(caseSensitive(replacing)).isTrue();
  }

  @Test
  void anHttpConnectionFactory_heldByAWrappingFactory_isReachedToo() {
    Server server = new Server();
    HttpConnectionFactory http = new HttpConnectionFactory(new HttpConfiguration());
    ServerConnector connector = new ServerConnector(server, new Wrapping(http));
    server.addConnector(connector);
    JettyHeaderCache.exactCookieHeaders(server);
    assertThat(http.getHttpConfiguration().isHeaderCacheCaseSensitive()).isTrue();
  }

  /** A factory that holds the HTTP one as a bean, as Dropwizard's connection timing does. */
  private static final class Wrapping extends AbstractConnectionFactory {
    private final HttpConnectionFactory inner;

    Wrapping(HttpConnectionFactory inner) {
      super(inner.getProtocol());
      this.inner = inner;
      addBean(inner);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
      return inner.newConnection(connector, endPoint);
    }
  }

  private static ServerConnector connector(Server server) {
    return new ServerConnector(server, new HttpConnectionFactory(new HttpConfiguration()));
  }

  private static boolean caseSensitive(ServerConnector connector) {
    return connector
        .getConnectionFactory(HttpConnectionFactory.class)
        .getHttpConfiguration()
        .isHeaderCacheCaseSensitive();
  }
}
