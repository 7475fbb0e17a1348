package dev.portcullis.spring.portal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** One HTTP/1.1 connection, kept open across requests, so that a test knows every request used the same one. */
final class KeepAliveConnection implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final int port;

  KeepAliveConnection(int port) throws IOException {
    this.port = port;
    this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(10_000);
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** A response: status line, headers (raw) and body. */
  record Response(String statusLine, String headers, String body) {
    int status() {
      return Integer.parseInt(statusLine.split(" ")[1]);
    }

    /** The first header of that name (case-insensitive), or null. */
    String header(String name) {
      for (String line : headers.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  Response get(String path, String cookieHeader) throws IOException {
    return get(path, List.of("Host: 127.0.0.1:" + port, "Cookie: " + cookieHeader));
  }

  /** A GET with exactly these header lines ({@code Name: value}), the Host header among them. */
  Response get(String path, List<String> headerLines) throws IOException {
    StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n");
    headerLines.forEach(line -> request.append(line).append("\r\n"));
    request.append("\r\n");
    out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    String head = readHead();
    int eol = head.indexOf("\r\n");
    String statusLine = head.substring(0, eol);
    String headers = head.substring(eol + 2);
    String lower = headers.toLowerCase(Locale.ROOT);
    byte[] body;
    if (lower.contains("transfer-encoding: chunked")) {
      body = readChunked();
    } else {
      int at = lower.indexOf("content-length:");
      int length = at < 0
          ? 0
          : Integer.parseInt(
              headers.substring(at + 15, headers.indexOf("\r\n", at)).trim());
      body = in.readNBytes(length);
    }
    if (lower.contains("connection: close")) {
      throw new IOException("the server closed the connection: " + statusLine);
    }
    return new Response(statusLine, headers, new String(body, StandardCharsets.UTF_8));
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed");
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2))
              || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1
          : 0;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("connection closed");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  private byte[] readChunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int size = Integer.parseInt(readLine().split(";")[0].trim(), 16);
      if (size == 0) {
        readLine();
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      readLine();
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
