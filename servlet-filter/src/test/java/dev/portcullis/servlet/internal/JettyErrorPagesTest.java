package dev.portcullis.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.transport.TransportConfig;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * Jetty's own error responses once {@link JettyErrorPages} is installed, on a real Jetty with plain HTTP and HTTPS:
 * the security headers with the transport configuration's values, {@code Strict-Transport-Security} over the
 * encrypted connection only, a plain body, no version; and an error handler the application set keeps its body.
 */
class JettyErrorPagesTest {
  private static final String ENCODED_DOTS =
      "GET /%2e%2e/qz-dots HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

  private static TestJetty jetty() throws Exception {
    TestJetty jetty = TestJetty.builder().https().open();
    jetty.context("/").servlet(new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.getWriter().write("page");
      }
    });
    return jetty;
  }

  @Test
  void overHttps_theErrorResponseCarriesTheConfiguredHsts_andOverPlainHttpNone() throws Exception {
    try (TestJetty jetty = jetty()) {
      JettyErrorPages.install(
          jetty.server(),
          TransportConfig.builder()
              .hstsMaxAge(Duration.ofDays(2))
              .hstsIncludeSubDomains(true)
              .canonicalHost("portal.example")
              .build());
      jetty.start();
      RawHttp.Response https = RawHttp.sendTls(jetty.clientTls(), jetty.httpsPort(), ENCODED_DOTS);
      assertThat(RawHttp.errorPageProblems(https)).as("%s", https).isEmpty();
      assertThat(https.header("Strict-Transport-Security"))
          .isEqualTo("max-age=172800; includeSubDomains");
      assertThat(https.body()).isEqualTo("400 Bad Request\n");

      RawHttp.Response plain = RawHttp.send(jetty.port(), ENCODED_DOTS);
      assertThat(RawHttp.errorPageProblems(plain)).as("%s", plain).isEmpty();
      assertThat(plain.header("Strict-Transport-Security")).isNull();
    }
  }

  @Test
  void anErrorHandlerTheApplicationSet_writesTheBody_underTheSecurityHeaders() throws Exception {
    try (TestJetty jetty = jetty()) {
      jetty.server().setErrorHandler((Request request, Response response, Callback callback) -> {
        if (request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer status) {
          response.setStatus(status);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html;charset=utf-8");
        response.write(
            true,
            ByteBuffer.wrap("<p>Our own page</p>".getBytes(StandardCharsets.UTF_8)),
            callback);
        return true;
      });
      JettyErrorPages.install(
          jetty.server(), TransportConfig.builder().developmentMode(true).build());
      jetty.start();
      RawHttp.Response refused = RawHttp.send(jetty.port(), ENCODED_DOTS);
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.body()).isEqualTo("<p>Our own page</p>");
      assertThat(RawHttp.errorPageProblems(refused)).as("%s", refused).isEmpty();
    }
  }
}
