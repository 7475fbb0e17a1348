package dev.portcullis.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.assertj.core.api.SoftAssertions;

/**
 * Sends bytes no HTTP client would send (a malformed request line, an encoded slash, a header too large) to a server
 * on loopback over one new connection, and reads what comes back until the server closes it: for the tests of what a
 * server answers before any filter runs. Every request carries {@code Connection: close} where it has headers, so the
 * server ends the exchange.
 */
public final class RawHttp {
  private RawHttp() {}

  /** One response: the status line, the header lines, and the body as text (ISO-8859-1, chunks joined). */
  public record Response(String statusLine, List<String> headerLines, String body) {
    /** The status code; -1 when nothing came back. */
    public int status() {
      String[] parts = statusLine.split(" ", 3);
      return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
    }

    /** The values of every header of that name (case-insensitive), in order. */
    public List<String> headers(String name) {
      List<String> values = new ArrayList<>();
      for (String line : headerLines) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          values.add(line.substring(colon + 1).trim());
        }
      }
      return values;
    }

    /** The first header of that name, or null. */
    public String header(String name) {
      List<String> values = headers(name);
      return values.isEmpty() ? null : values.get(0);
    }

    /** The whole response as received, for failure messages. */
    @Override
    public String toString() {
      return statusLine + "\n" + String.join("\n", headerLines) + "\n\n" + body;
    }
  }

  /**
   * The body of a server's own error response once Portcullis has made it plain: the status and its reason phrase.
   * The filter's own refusals ({@code Bad request.}) are its plain pages.
   */
  public static final String CONTAINER_BODY = "\\d{3} [A-Za-z ]+\n";

  /** The bodies a refused request may get: the server's plain one, or the filter's own refusal. */
  public static final String PLAIN_BODY = CONTAINER_BODY + "|Bad request\\.\n";

  /** What every request in {@link #refusedRequests} carries, in one case or another, for the echo check. */
  public static final String MARKER = "qz";

  /**
   * Requests that servers refuse before any filter runs, by what is wrong with them, each naming {@link #MARKER}
   * somewhere a server's error page might repeat it: a malformed request line, an HTTP version no server speaks, an
   * encoded slash and an encoded dot segment in the path, a header section too large, an illegal {@code Host}, and an
   * unknown {@code Transfer-Encoding}.
   */
  public static Map<String, String> refusedRequests(int port) {
    String host = "Host: 127.0.0.1:" + port + "\r\nConnection: close\r\n";
    Map<String, String> requests = new LinkedHashMap<>();
    requests.put("malformed request line", "QZ<script>garbage\r\n\r\n");
    requests.put("unknown HTTP version", "GET /qz-version HTTP/7.1\r\n" + host + "\r\n");
    requests.put("encoded slash", "GET /qz%2Fslash HTTP/1.1\r\n" + host + "\r\n");
    requests.put("encoded dot segment", "GET /%2e%2e/qz-dots HTTP/1.1\r\n" + host + "\r\n");
    requests.put(
        "header too large",
        "GET /qz-large HTTP/1.1\r\n" + host + "X-Qz: " + "q".repeat(70_000) + "\r\n\r\n");
    requests.put(
        "illegal Host", "GET /qz-host HTTP/1.1\r\nHost: qz<b>host\r\nConnection: close\r\n\r\n");
    requests.put(
        "unknown Transfer-Encoding",
        "POST /qz-te HTTP/1.1\r\n" + host + "Transfer-Encoding: qzip\r\n\r\n");
    return requests;
  }

  /**
   * What is wrong with {@code response} as a server's own error response: a status under 400, a missing security
   * header ({@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options: DENY}, the CSP {@code frame-ancestors
   * 'none'}, {@code Referrer-Policy: strict-origin-when-cross-origin}; and {@code Cache-Control: no-store} on a
   * {@link #CONTAINER_BODY}), a {@code Server} or {@code X-Powered-By} header, or a body that names the server or
   * repeats {@link #MARKER}; empty when nothing is.
   */
  public static List<String> errorPageProblems(Response response) {
    List<String> problems = new ArrayList<>();
    if (response.status() < 400) {
      problems.add("status " + response.status() + " is not an error");
    }
    expect(problems, response, "X-Content-Type-Options", "nosniff");
    expect(problems, response, "X-Frame-Options", "DENY");
    expect(problems, response, "Referrer-Policy", "strict-origin-when-cross-origin");
    if (response.headers("Content-Security-Policy").stream()
        .noneMatch(v -> v.contains("frame-ancestors 'none'"))) {
      problems.add("no Content-Security-Policy frame-ancestors 'none'");
    }
    String cache = response.header("Cache-Control");
    if (response.body().matches(CONTAINER_BODY) && (cache == null || !cache.contains("no-store"))) {
      problems.add("Cache-Control " + cache + " lacks no-store");
    }
    for (String name : List.of("Server", "X-Powered-By")) {
      if (response.header(name) != null) {
        problems.add(name + ": " + response.header(name));
      }
    }
    String body = response.body().toLowerCase(Locale.ROOT);
    for (String word : List.of(MARKER, "jetty", "tomcat", "javalin", "dropwizard", "exception")) {
      if (body.contains(word)) {
        problems.add("the body names " + word);
      }
    }
    return problems;
  }

  /**
   * Sends each of {@link #refusedRequests} to {@code port}, each over a new connection, and fails unless every answer
   * is a plain error response: no {@link #errorPageProblems} and a {@link #PLAIN_BODY}. The failure names every
   * request that was answered otherwise, with the answer.
   */
  public static void assertEachRefusedRequestGetsThePlainErrorResponse(int port)
      throws IOException {
    SoftAssertions softly = new SoftAssertions();
    for (Map.Entry<String, String> refused : refusedRequests(port).entrySet()) {
      Response response = send(port, refused.getValue());
      softly
          .assertThat(errorPageProblems(response))
          .as("%s, answered:%n%s", refused.getKey(), response)
          .isEmpty();
      softly.assertThat(response.body()).as(refused.getKey()).matches(PLAIN_BODY);
    }
    softly.assertAll();
  }

  private static void expect(List<String> problems, Response response, String name, String value) {
    if (!value.equals(response.header(name))) {
      problems.add(name + ": " + response.header(name) + ", expected " + value);
    }
  }

  /** Sends {@code request} as ISO-8859-1 bytes to {@code port} on loopback and reads the response. */
  public static Response send(int port, String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return exchange(socket, request);
    }
  }

  /** Sends {@code request} over TLS, trusting what {@code tls} trusts, to {@code port} on loopback. */
  public static Response sendTls(SSLContext tls, int port, String request) throws IOException {
    try (SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      socket.startHandshake();
      return exchange(socket, request);
    }
  }

  /**
   * Sends {@code request} over TLS, trusting what {@code tls} trusts, to {@code port} on loopback, naming {@code
   * serverName} in the handshake's SNI extension (none when null), whatever Host header the request carries. The
   * client does not check the certificate's names, so a name the certificate does not carry still reaches the
   * server's own check.
   */
  public static Response sendTls(SSLContext tls, int port, String serverName, String request)
      throws IOException {
    try (SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(
          serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return exchange(socket, request);
    }
  }

  private static Response exchange(Socket socket, String request) throws IOException {
    {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (SocketException e) {
        // The server may answer and close before it has read a request it refuses; read that
        // answer.
      }
      return parse(readResponse(socket.getInputStream()));
    }
  }

  /**
   * Reads one response: the head, then as much body as {@code Content-Length} says, or chunks up to the last one, or
   * (with neither) everything until the server closes the connection.
   */
  private static byte[] readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        all.write(buffer, 0, n);
        if (complete(all.toByteArray())) {
          break;
        }
      }
    } catch (SocketException e) {
      // A reset after the response (the server closed with unread request bytes): keep what came.
    }
    return all.toByteArray();
  }

  private static boolean complete(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    String head = text.substring(0, end).toLowerCase(Locale.ROOT);
    String body = text.substring(end + 4);
    for (String line : head.split("\r\n")) {
      if (line.startsWith("content-length:")) {
        return body.length() >= Integer.parseInt(line.substring(15).trim());
      }
      if (line.startsWith("transfer-encoding:") && line.contains("chunked")) {
        return body.startsWith("0\r\n\r\n") || body.contains("\r\n0\r\n\r\n");
      }
    }
    return false;
  }

  static Response parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    String head = end < 0 ? text : text.substring(0, end);
    String body = end < 0 ? "" : text.substring(end + 4);
    List<String> lines = new ArrayList<>(List.of(head.split("\r\n", -1)));
    String statusLine = lines.isEmpty() ? "" : lines.remove(0);
    Response raw = new Response(statusLine, lines, body);
    String encoding = raw.header("Transfer-Encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      return new Response(statusLine, lines, dechunk(body));
    }
    return raw;
  }

  private static String dechunk(String body) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (at < body.length()) {
      int eol = body.indexOf("\r\n", at);
      if (eol < 0) {
        break;
      }
      String sizeField = body.substring(at, eol).split(";", 2)[0].trim();
      int size = sizeField.isEmpty() ? 0 : Integer.parseInt(sizeField, 16);
      if (size == 0) {
        break;
      }
      int start = eol + 2;
      out.append(body, start, Math.min(body.length(), start + size));
      at = start + size + 2;
    }
    return out.toString();
  }
}
