package com.example.portal;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SearchDemandSink;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.Principal;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A small portal on embedded Jetty 12 behind Portcullis, wired as the Portcullis README's quick start shows: the
 * filter built with {@code PortcullisFilter.builder()}, registered for every path, and the audit log closed when the
 * portal stops. It listens on 127.0.0.1 behind a TLS-terminating proxy on the same host (it trusts that proxy's
 * {@code X-Forwarded-Proto}).
 */
public final class PortalApp implements AutoCloseable {
  private final Server server;
  private final AuditLog audit;

  private PortalApp(Server server, AuditLog audit) {
    this.server = server;
    this.audit = audit;
  }

  /**
   * Starts the portal on {@code port} (0 for a free one).
   *
   * @param keyFile a Portcullis key file (KeyTool create)
   * @param logDir where audit.jsonl and search-demand.jsonl go
   * @param users the application's user directory
   */
  public static PortalApp start(int port, Path keyFile, Path logDir, UserDirectory users) throws Exception {
    SecureRandom random = new SecureRandom();
    InstantSource clock = InstantSource.system();                       // the composition root picks the clock
    AuditLog audit = AuditLog.builder().clock(clock).random(random)
        .auditSink(AuditSink.hashChained(logDir.resolve("audit.jsonl")))
        .demandSink(SearchDemandSink.jsonLines(logDir.resolve("search-demand.jsonl"))).build();
    try {
      SessionConfig sessions = SessionConfig.defaults();                // __Host-portcullis-sid, 20 min idle, 8 h
      SessionRegistry registry = SessionRegistry.create(sessions,
          CaffeineSessionStore.builder(sessions, clock).listener(new SessionAudit(audit)).build(),
          random, clock, new SessionAudit(audit));
      PortalLogin login = PortalLogin.builder()
          .keyRing(KeyRingSources.fromFile(keyFile))
          .users(users).revocations(RevocationStore.inMemory(clock))
          .clock(clock).random(random).termsVersion("2026-01").build();
      PortcullisFilter filter = PortcullisFilter.builder()
          .transport(TransportConfig.builder().trustedProxies("127.0.0.1").canonicalHost("portal.example").build())
          .sessions(registry).login(login, random)
          .access(AccessPolicy.builder()
              .permitAll("/login", "/terms", "/privacy", "/assets/**")
              .requireAnyRole("/council/**", "COUNCIL_OFFICER")
              .build(), "/login")                                     // anything not listed needs a login
          .requirePublic("/privacy")
          .audit(audit, AuditRules.builder().action("/reports/{id}", "report_view").searchEndpoint("/search", "q")
              .build())
          .build();

      Server server = new Server();
      HttpConfiguration http = new HttpConfiguration();
      http.setHeaderCacheCaseSensitive(true);                          // see the README's container note
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
      connector.setHost("127.0.0.1");
      connector.setPort(port);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
      context.addServlet(new ServletHolder(new Page()), "/*");
      server.setHandler(context);
      server.start();
      return new PortalApp(server, audit);
    } catch (Exception | Error e) {
      audit.close();
      throw e;
    }
  }

  /** Where the portal listens, e.g. {@code http://127.0.0.1:40123/}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/");
  }

  /** Stops Jetty, then delivers what the audit log still holds and closes its files. */
  @Override
  public void close() throws Exception {
    try {
      server.stop();
    } finally {
      audit.close();
    }
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
