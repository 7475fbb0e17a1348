package dev.portcullis.servlet;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Jetty set up as the README tells Portcullis users to: loopback only, case-sensitive header cache. */
final class TestJetty {
  private TestJetty() {}

  static ServerConnector loopbackConnector(Server server) {
    HttpConfiguration config = new HttpConfiguration();
    // Jetty's per-connection header cache matches values case-insensitively by default, which would hand a
    // cookie that differs only in case to the application as an earlier value (see JettyHeaderCacheTest).
    config.setHeaderCacheCaseSensitive(true);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    // Room for a burst of connections (tests that fire hundreds of concurrent requests): a full listen queue makes
    // the kernel drop connection attempts, which the client then retries only after a second or more.
    connector.setAcceptQueueSize(1024);
    return connector;
  }
}
