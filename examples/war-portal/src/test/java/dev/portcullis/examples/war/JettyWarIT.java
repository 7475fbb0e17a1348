package dev.portcullis.examples.war;

import dev.portcullis.testing.TestTls;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The example WAR on embedded Jetty 12 (ee10 WebAppContext). Jetty runs a jar's ServletContainerInitializer only with
 * its annotation support ({@code jetty-ee10-annotations}), as a Jetty distribution's {@code ee10-annotations} module.
 */
class JettyWarIT extends WarPortalScenario {
  @Override
  DeployedWar deploy(Path war, Path workDir) throws Exception {
    return deploy(war, workDir, null);
  }

  /**
   * With an HTTPS connector as Jetty's {@code ssl} module makes one (its SNI host check on, as by default), and the
   * server's error handler replaced by a plain one, as the README's container note on Jetty's own error pages says:
   * Jetty's own page quotes the request's URI, the host it named included.
   */
  @Override
  DeployedWar deployOverTls(Path war, Path workDir, TestTls tls) throws Exception {
    return deploy(war, workDir, tls);
  }

  private DeployedWar deploy(Path war, Path workDir, TestTls tls) throws Exception {
    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    http.setHeaderCacheCaseSensitive(true); // see the README's container note
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServerConnector https = null;
    if (tls != null) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStorePath(tls.keyStore().toString());
      ssl.setKeyStoreType("PKCS12");
      ssl.setKeyStorePassword(TestTls.PASSWORD);
      HttpConfiguration secure = new HttpConfiguration(http);
      secure.addCustomizer(new SecureRequestCustomizer());
      https = new ServerConnector(
          server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(secure));
      https.setHost("127.0.0.1");
      https.setPort(0);
      server.addConnector(https);
    }
    ServerConnector encrypted = https;
    if (tls != null) {
      server.setErrorHandler(new PlainServerErrors());
    }
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
      public int httpsPort() {
        return encrypted == null ? -1 : encrypted.getLocalPort();
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

  /** The status and its reason phrase as plain text, whatever the request said. */
  private static final class PlainServerErrors extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException http) {
        response.setStatus(http.getCode());
      }
      int status = response.getStatus();
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      response.write(
          true,
          ByteBuffer.wrap((status + " " + HttpStatus.getMessage(status) + "\n")
              .getBytes(StandardCharsets.US_ASCII)),
          callback);
      return true;
    }
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
