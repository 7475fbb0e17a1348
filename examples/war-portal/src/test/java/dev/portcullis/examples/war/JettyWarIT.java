package dev.portcullis.examples.war;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The example WAR on embedded Jetty 12 (ee10 WebAppContext). Jetty runs a jar's ServletContainerInitializer only with
 * its annotation support ({@code jetty-ee10-annotations}), as a Jetty distribution's {@code ee10-annotations} module.
 */
class JettyWarIT extends WarPortalScenario {
  @Override
  DeployedWar deploy(Path war, Path workDir) throws Exception {
    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    http.setHeaderCacheCaseSensitive(true); // see the README's container note
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/");
    webapp.setWar(war.toString());
    Path temp = Files.createDirectories(workDir.resolve("jetty"));
    webapp.setTempDirectory(temp.toFile());
    webapp.setThrowUnavailableOnStartupException(true);
    webapp.addConfiguration(new AnnotationConfiguration());
    server.setHandler(webapp);
    server.start();
    return new DeployedWar() {
      @Override
      public URI uri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
      }

      @Override
      public void redeploy() throws Exception {
        webapp.stop();
        webapp.start();
      }

      @Override
      public void stopContext() throws Exception {
        webapp.stop();
      }

      @Override
      public boolean running() {
        return webapp.isAvailable() && webapp.isStarted();
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }
    };
  }
}
