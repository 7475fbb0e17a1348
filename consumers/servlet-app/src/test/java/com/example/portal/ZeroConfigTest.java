package com.example.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.autoconfig.PortcullisInitializer;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zero-config set-up as the README's "WAR / any servlet container" section describes it, with the published
 * artifacts only: the container runs {@link PortcullisInitializer}, the settings come from the file named by
 * {@code -Dportcullis.config}, and the application's listener provides the user directory.
 */
class ZeroConfigTest {
  @TempDir Path dir;

  /** The application's listener: its user directory, in the context attribute Portcullis reads. */
  public static final class Users implements ServletContextListener {
    @Override
    public void contextInitialized(ServletContextEvent event) {
      event.getServletContext().setAttribute(PortcullisInitializer.USER_DIRECTORY_ATTRIBUTE,
          new InMemoryUserDirectory(PasswordHasher.standard(new SecureRandom())));
    }
  }

  static final class Page extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.getWriter().print("the protected page");
    }
  }

  @Test
  void protectedPage_sendsAnAnonymousVisitorToLogin_andStoppingFreesTheAuditFile() throws Exception {
    Path keys = dir.resolve("keys.txt");
    KeyRingSources.createFile(KeyRing.builder().add(0x0a1b2c3d, KeyStatus.ACTIVE,
        Instant.parse("2026-11-01T00:00:00Z"), KeyMaterial.generate(new SecureRandom())).build(), keys);
    Path audit = dir.resolve("audit.jsonl");
    Path settings = dir.resolve("portcullis.properties");
    Files.writeString(settings, String.join("\n",
        "portcullis.keys.file=" + keys.toString().replace('\\', '/'),
        "portcullis.login.terms-version=2026-01",
        "portcullis.transport.development-mode=true",
        "portcullis.audit.sink=json-lines",
        "portcullis.audit.file=" + audit.toString().replace('\\', '/'), ""));
    System.setProperty("portcullis.config", settings.toString());
    Server server = new Server();
    try {
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      context.addServletContainerInitializer(new PortcullisInitializer());
      context.addEventListener(new Users());
      context.addServlet(new ServletHolder(new Page()), "/*");
      server.setHandler(context);
      server.start();
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/reports/42")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(303, response.statusCode());
      assertEquals("/login?returnTo=%2Freports%2F42", response.headers().firstValue("Location").orElse(""));
      assertFalse(response.body().contains("the protected page"));

      context.stop();
      // Stopped: the audit file is free for the next deployment.
      dev.portcullis.audit.AuditSink.jsonLines(audit).close();
      assertTrue(Files.exists(audit));
    } finally {
      System.clearProperty("portcullis.config");
      server.stop();
    }
  }
}
