package dev.portcullis.examples.portal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Requests written byte for byte onto a socket, for what {@code java.net.http} refuses to send: a forged {@code Host},
 * a path Jetty calls ambiguous, a malformed request, a chosen SNI name or cipher suite. Each request should ask for
 * {@code Connection: close}; the response is read until the server closes.
 */
final class RawHttp {
  private RawHttp() {}

  /** A response: status, headers by lower-case name (repeated ones joined with ", "), and the decoded body. */
  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  static Response plain(int port, String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getByName(Portal.HOST), port)) {
      return exchange(socket, request);
    }
  }

  /**
   * Over TLS to the portal's HTTPS port, trusting {@code tls}; {@code sniName} is sent as the server name (none when
   * null), and only {@code cipherSuites} are offered when given.
   */
  static Response tls(
      SSLContext tls, int port, String sniName, List<String> cipherSuites, String request)
      throws IOException {
    try (SSLSocket socket = handshake(tls, port, sniName, cipherSuites)) {
      return exchange(socket, request);
    }
  }

  /** A finished TLS handshake with the portal, or the exception that ended it. */
  static SSLSocket handshake(SSLContext tls, int port, String sniName, List<String> cipherSuites)
      throws IOException {
    SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getByName(Portal.HOST), port);
    try {
      socket.setSoTimeout(10_000);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(sniName == null ? List.of() : List.of(new SNIHostName(sniName)));
      if (cipherSuites != null) {
        parameters.setCipherSuites(cipherSuites.toArray(String[]::new));
        parameters.setProtocols(
            cipherSuites.stream()
                    .anyMatch(s -> s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_"))
                ? new String[] {"TLSv1.3"}
                : new String[] {"TLSv1.2"});
      }
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static Response exchange(Socket socket, String request) throws IOException {
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return parse(readAll(socket.getInputStream()));
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        got.write(buffer, 0, n);
      }
    } catch (javax.net.ssl.SSLException e) {
      // A TLS peer that closes without close_notify: what arrived is the response.
    }
    return got.toByteArray();
  }

  private static Response parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new AssertionError("no complete response head: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.merge(
          lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).strip(),
          (a, b) -> a + ", " + b);
    }
    String body = text.substring(end + 4);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = unchunk(body);
    }
    return new Response(
        status,
        headers,
        new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
  }

  private static String unchunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (at < chunked.length()) {
      int lineEnd = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].strip(), 16);
      if (size == 0) {
        break;
      }
      out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
    return out.toString();
  }
}
