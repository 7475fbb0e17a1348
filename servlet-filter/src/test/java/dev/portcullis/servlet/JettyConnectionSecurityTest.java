package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.servlet.testing.TestJetty;
import jakarta.servlet.ServletConnection;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pins what Jetty 12 (ee10) tells a servlet about a request's security, which the transport stage depends on: {@code
 * isSecure()} and {@code getScheme()} follow the scheme of the request's URI, which for an absolute-form request target
 * ({@code GET https://host/path HTTP/1.1}) comes from the request line, even on a plain connector; {@link
 * ServletConnection#isSecure()} follows the network connection only. Jetty's {@link ForwardedRequestCustomizer} (what
 * Spring Boot's {@code server.forward-headers-strategy=native} installs on Jetty) makes {@code isSecure()} true from a
 * header any client can send, and leaves the connection's answer alone.
 *
 * <p>If this starts failing, Jetty changed what it reports: revisit {@code TransportStage.connectionSecure}.
 */
class JettyConnectionSecurityTest {
  private TestJetty jetty;

  @AfterEach
  void stop() throws Exception {
    if (jetty != null) {
      jetty.close();
    }
  }

  /** Answers with what the container says about the request, unfiltered. */
  static final class Facts extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      ServletConnection connection = req.getServletConnection();
      resp.setContentType("text/plain;charset=utf-8");
      resp.getWriter()
          .write("isSecure=" + req.isSecure()
              + " scheme=" + req.getScheme()
              + " connection=" + (connection == null ? "none" : connection.isSecure())
              + " cipher=" + (req.getAttribute("jakarta.servlet.request.cipher_suite") != null));
    }
  }

  private TestJetty start(boolean https) throws Exception {
    TestJetty.Builder builder = TestJetty.builder();
    if (https) {
      builder.https();
    }
    jetty = builder.open();
    jetty.context("/").servlet(new Facts());
    return jetty.start();
  }

  private static String body(String response) {
    assertThat(response).startsWith("HTTP/1.1 200 ");
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  private static String send(Socket socket, String request) throws IOException {
    try (socket) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private String plain(String target, String... headers) throws IOException {
    StringBuilder head = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n");
    head.append("Host: localhost\r\n");
    for (String h : headers) {
      head.append(h).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    return body(send(new Socket(InetAddress.getLoopbackAddress(), jetty.port()), head.toString()));
  }

  @Test
  void plainConnector_originForm_isNotSecure() throws Exception {
    start(false);

    assertThat(plain("/login"))
        .isEqualTo("isSecure=false scheme=http connection=false cipher=false");
  }

  @Test
  void plainConnector_absoluteFormHttpsTarget_makesIsSecureTrue_butNotTheConnection()
      throws Exception {
    start(false);

    assertThat(plain("https://localhost/login"))
        .as("the request line's scheme decides isSecure() and getScheme()")
        .isEqualTo("isSecure=true scheme=https connection=false cipher=false");
  }

  @Test
  void tlsConnector_isSecureEveryWay_withAnAbsoluteFormHttpTargetOnlyTheSchemeSaysHttp()
      throws Exception {
    start(true);
    String originForm = "GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    String absoluteHttp =
        "GET http://localhost/login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    String tls = body(send(tlsSocket(), originForm));
    String downgraded = body(send(tlsSocket(), absoluteHttp));

    assertThat(tls).isEqualTo("isSecure=true scheme=https connection=true cipher=true");
    assertThat(downgraded)
        .as("the SecureRequestCustomizer keeps isSecure() true; the scheme is the request line's")
        .isEqualTo("isSecure=true scheme=http connection=true cipher=true");
  }

  @Test
  void forwardedRequestCustomizer_makesIsSecureTrueFromAnyClientsHeader_butNotTheConnection()
      throws Exception {
    start(false);
    jetty
        .server()
        .getConnectors()[0]
        .getConnectionFactory(HttpConnectionFactory.class)
        .getHttpConfiguration()
        .addCustomizer(new ForwardedRequestCustomizer());

    assertThat(plain("/login", "X-Forwarded-Proto: https"))
        .isEqualTo("isSecure=true scheme=https connection=false cipher=false");
  }

  private SSLSocket tlsSocket() throws IOException {
    SSLSocket socket = (SSLSocket) jetty
        .clientTls()
        .getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), jetty.httpsPort());
    socket.startHandshake();
    return socket;
  }
}
