package dev.portcullis.servlet;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server on loopback that answers every request at once with one status and one JSON body, and keeps each request
 * it was sent: a provider's endpoint that answers promptly, or a server a provider's redirect points at.
 */
final class JsonAnswerServer implements AutoCloseable {
  /** A request as the server read it: the path and query, the {@code Authorization} header (or null), the body. */
  record Request(String method, String uri, String authorization, String body) {}

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  JsonAnswerServer(int status, String body) throws IOException {
    byte[] answer = body.getBytes(StandardCharsets.UTF_8);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.add(new Request(
          exchange.getRequestMethod(),
          exchange.getRequestURI().toString(),
          exchange.getRequestHeaders().getFirst("Authorization"),
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
      exchange.sendResponseHeaders(status, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    });
    server.start();
  }

  /** The URI of {@code path} on this server, by the loopback name the portal accepts over plain HTTP. */
  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  /** This server's port, for a test that checks it is named nowhere. */
  int port() {
    return server.getAddress().getPort();
  }

  /** The requests so far, in the order they came. */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
