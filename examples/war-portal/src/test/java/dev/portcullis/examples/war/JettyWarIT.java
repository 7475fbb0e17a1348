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
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

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
    Path temp = Files.createDirectories(workDir.resolve("jetty"));
    ContextHandlerCollection contexts = new ContextHandlerCollection();
    server.setHandler(contexts);
    WebAppContext[] webapp = {webapp(war, temp)};
    contexts.addHandler(webapp[0]);
    server.start();
    return new DeployedWar() {
      @Override
      public URI uri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
      }

      @Override
      public void redeploy() throws Exception {
        // As Jetty's deployer redeploys a WAR: the old context is stopped and removed, a new one is
        // deployed.
        contexts.removeHandler(webapp[0]);
        webapp[0].stop();
        webapp[0] = webapp(war, temp);
        contexts.addHandler(webapp[0]);
        webapp[0].start();
      }

      @Override
      public void stopContext() throws Exception {
        webapp[0].stop();
      }

      @Override
      public boolean running() {
        return webapp[0].isAvailable() && webapp[0].isStarted();
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }
    };
  }

  private static WebAppContext webapp(Path war, Path temp) {
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/");
    webapp.setWar(war.toString());
    webapp.setTempDirectory(temp.toFile());
    webapp.setThrowUnavailableOnStartupException(true);
    webapp.addConfiguration(new AnnotationConfiguration());
    return webapp;
  }
}
