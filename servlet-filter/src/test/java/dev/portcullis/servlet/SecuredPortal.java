package dev.portcullis.servlet;

import dev.portcullis.servlet.testing.TestJetty;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLSocket;

/**
 * A real Jetty 12 on loopback for the transport and access tests: {@code /app/*} behind the filter under test,
 * {@code /raw/*} the same servlet without it (the control that shows what would leak without Portcullis). A plain
 * HTTP connector always; optionally a TLS connector with the test certificate ({@link TestJetty}). The filter is
 * built once the ports are known, so that it can redirect to the real HTTPS port.
 */
final class SecuredPortal implements AutoCloseable {
  /** The ports the connectors listen on; {@code https} is -1 without TLS. */
  record Ports(int http, int https) {}

  /** A response read off a raw socket. Header names are lower case; repeated headers are joined with ", ". */
  record RawResponse(int status, Map<String, String> headers, String body) {}

  /** How strictly Jetty itself reads request URIs before the filter sees them. */
  enum Uris {
    /** Jetty's defaults: ambiguous URIs get a 400 from Jetty before any filter runs. */
    JETTY_DEFAULT,
    /** Jetty lets everything through, so the filter is the only barrier. */
    UNSAFE
  }

  final Ports ports;
  private final TestJetty jetty;
  private final HttpClient.Builder clients;
  private final HttpClient client;

  SecuredPortal(Function<Ports, Filter> filter, HttpServlet servlet, boolean tls, Uris uris)
      throws Exception {
    TestJetty.Builder setup = TestJetty.builder();
    if (tls) {
      setup.https();
    }
    if (uris == Uris.UNSAFE) {
      setup.unsafeUris();
    }
    jetty = setup.open();
    ports = new Ports(jetty.port(), jetty.httpsPort());
    try {
      jetty.context("/app").filter(filter.apply(ports)).asyncServlet(servlet);
    } catch (RuntimeException e) {
      jetty.close();
      throw e;
    }
    jetty.context("/raw").servlet(servlet);
    jetty.start();

    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5));
    if (tls) {
      builder.sslContext(jetty.clientTls());
    }
    clients = builder;
    client = builder.build();
  }

  URI http(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + ports.http() + pathAndQuery);
  }

  URI https(String pathAndQuery) {
    return URI.create("https://127.0.0.1:" + ports.https() + pathAndQuery);
  }

  /**
   * Sends {@code request}; one with a body goes on a connection of its own. The filter refuses many such requests without
   * reading the body, and the server may then close the connection after the response. A client that has already
   * pooled that connection sends the next request on it and does not retry a method that is not idempotent: "HTTP/1.1
   * header parser received no bytes" (seen once in AccessStageTest).
   */
  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpRequest built = request.timeout(Duration.ofSeconds(20)).build();
    boolean hasBody = built.bodyPublisher().map(b -> b.contentLength() != 0).orElse(false);
    return (hasBody ? clients.build() : client).send(built, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(URI uri, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri);
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request);
  }

  /**
   * Sends {@code method target HTTP/1.1} exactly as given (no URI parsing on the way), with {@code extraHeaders}
   * (each "Name: value") and a Host header naming the plain port unless one of them is a Host header, and reads the
   * response until the server closes the connection.
   */
  RawResponse raw(String method, String target, String... extraHeaders) throws IOException {
    return exchange(
        new Socket(InetAddress.getLoopbackAddress(), ports.http()),
        head(method, target, ports.http(), extraHeaders));
  }

  /** As {@link #raw}, over TLS to the HTTPS port (with a Host header naming it unless one is given). */
  RawResponse rawTls(String method, String target, String... extraHeaders) throws IOException {
    SSLSocket socket = (SSLSocket) jetty
        .clientTls()
        .getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), ports.https());
    return exchange(socket, head(method, target, ports.https(), extraHeaders));
  }

  private static String head(String method, String target, int port, String... extraHeaders) {
    StringBuilder head =
        new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    if (Arrays.stream(extraHeaders).noneMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5))) {
      head.append("Host: 127.0.0.1:").append(port).append("\r\n");
    }
    for (String h : extraHeaders) {
      head.append(h).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    return head.toString();
  }

  private static RawResponse exchange(Socket connection, String head) throws IOException {
    try (Socket socket = connection) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return parse(socket.getInputStream().readAllBytes());
    }
  }

  /**
   * Sends {@code head} (a complete request head ending in an empty line) followed by {@code bodyPart}, then reads
   * the response without sending anything more. The socket times out after {@code timeout}.
   */
  RawResponse rawPartial(String head, byte[] bodyPart, Duration timeout) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ports.http())) {
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(bodyPart);
      out.flush();
      return parse(readResponse(socket.getInputStream()));
    }
  }

  /**
   * Reads a head and its body (by Content-Length, chunked, or up to the close), without waiting for the connection to
   * close when the body's end is known.
   */
  private static byte[] readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      got.write(b);
      if (got.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        break;
      }
    }
    Map<String, String> headers = parse(got.toByteArray()).headers();
    if (headers.containsKey("content-length")) {
      got.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (int size = Integer.parseInt(line(in).trim(), 16);
          size > 0;
          size = Integer.parseInt(line(in).trim(), 16)) {
        body.write(in.readNBytes(size));
        line(in);
      }
      return (new String(got.toByteArray(), StandardCharsets.ISO_8859_1)
              + new String(body.toByteArray(), StandardCharsets.ISO_8859_1))
          .getBytes(StandardCharsets.ISO_8859_1);
    } else {
      got.write(in.readAllBytes());
    }
    return got.toByteArray();
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      s.append((char) b);
    }
    return s.toString();
  }

  static RawResponse parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    String head = end < 0 ? text : text.substring(0, end);
    String body = end < 0 ? "" : text.substring(end + 4);
    String[] lines = head.split("\r\n");
    if (lines.length == 0 || !lines[0].startsWith("HTTP/1.1 ")) {
      return new RawResponse(-1, Map.of(), text);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
        headers.merge(name, lines[i].substring(colon + 1).trim(), (a, c) -> a + ", " + c);
      }
    }
    return new RawResponse(Integer.parseInt(lines[0].substring(9, 12)), headers, body);
  }

  @Override
  public void close() throws Exception {
    jetty.close();
  }
}
