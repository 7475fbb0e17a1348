package com.example.portal;

import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.Principal;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A small portal on embedded Jetty 12 behind Portcullis, wired as the Portcullis README's quick start shows:
 * {@link PortalSecurity#install} registers the filter on the servlet context before the server starts, and stopping
 * the server closes Portcullis (and its audit file). It listens on 127.0.0.1 behind a TLS-terminating proxy on the
 * same host (it trusts that proxy's {@code X-Forwarded-Proto}).
 */
public final class PortalApp implements AutoCloseable {
  private final Server server;

  private PortalApp(Server server) {
    this.server = server;
  }

  /**
   * Starts the portal on {@code port} (0 for a free one).
   *
   * @param dataDir holds the Portcullis key file {@code keys.txt} (KeyTool create); {@code audit.jsonl} goes there
   * @param users the application's user directory
   */
  public static PortalApp start(int port, Path dataDir, UserDirectory users) throws Exception {
    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    http.setHeaderCacheCaseSensitive(true);                          // see the README's container note
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    PortalSecurity.install(context.getServletContext(), users, dataDir);
    context.addServlet(new ServletHolder(new Page()), "/*");
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception | Error e) {
      server.stop();                                                 // takes the filter out of service: closes it
      throw e;
    }
    return new PortalApp(server);
  }

  /** Where the portal listens, e.g. {@code http://127.0.0.1:40123/}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/");
  }

  /** Stops Jetty, which takes the filter out of service: Portcullis delivers its audit events and closes the file. */
  @Override
  public void close() throws Exception {
    server.stop();
  }

  /** Every page: who is logged in, and the CSRF token a form on the page would post. */
  static final class Page extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.setContentType("text/plain;charset=utf-8");
      Principal user = request.getUserPrincipal();
      response.getWriter().println("user=" + (user == null ? "anonymous" : user.getName()));
      Object csrf = request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
      if (csrf != null) {
        response.getWriter().println("csrf=" + csrf);
      }
    }
  }
}
