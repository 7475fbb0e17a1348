package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletConnection;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link TransportStage#connectionSecure}: the connection's own encryption as the container reports it, and what it
 * falls back to for a request (a mock, a wrapper written for an older servlet API) that reports no connection. The
 * whole stage on a real Jetty: {@link TransportStageTest}.
 */
class ConnectionSecureTest {
  @Test
  void connectionSecure_asksTheConnection_andWithoutOneTheTlsAttribute_thenIsSecure() {
    ServletConnection tls = connection(true);
    ServletConnection plain = connection(false);
    Supplier<ServletConnection> unsupported = () -> {
      throw new UnsupportedOperationException();
    };

    assertThat(TransportStage.connectionSecure(request(() -> tls, null, false))).isTrue();
    assertThat(TransportStage.connectionSecure(request(() -> plain, null, true)))
        .as("the connection, not the request's isSecure()")
        .isFalse();
    assertThat(
            TransportStage.connectionSecure(request(() -> null, "TLS_AES_128_GCM_SHA256", false)))
        .isTrue();
    assertThat(
            TransportStage.connectionSecure(request(unsupported, "TLS_AES_128_GCM_SHA256", false)))
        .isTrue();
    assertThat(TransportStage.connectionSecure(request(unsupported, null, true)))
        .isTrue();
    assertThat(TransportStage.connectionSecure(request(() -> null, null, false)))
        .isFalse();
  }

  /** A request that knows only its connection, the TLS attribute and {@code isSecure()}. */
  private static HttpServletRequest request(
      Supplier<ServletConnection> connection, String cipherSuite, boolean secure) {
    return (HttpServletRequest) Proxy.newProxyInstance(
        TransportStageTest.class.getClassLoader(),
        new Class<?>[] {HttpServletRequest.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getServletConnection" -> connection.get();
          case "getAttribute" ->
            "jakarta.servlet.request.cipher_suite".equals(args[0]) ? cipherSuite : null;
          case "isSecure" -> secure;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  private static ServletConnection connection(boolean secure) {
    return InMemoryHttp.connection(secure);
  }
}
