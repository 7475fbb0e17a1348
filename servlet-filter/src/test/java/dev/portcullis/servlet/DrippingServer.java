package dev.portcullis.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on loopback that answers every request with a whole, well-formed HTTP response, status line and headers
 * included, one byte at a time with a pause between bytes: each socket read gets its byte long before a per-read
 * timeout, while the whole answer takes far longer than one. A slow-drip provider, or anyone between the portal and
 * its provider.
 */
final class DrippingServer implements AutoCloseable {
  private final ServerSocket server;
  private final byte[] answer;
  private final Duration pause;
  private final List<Socket> connections = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();

  /**
   * @param body the JSON body of the answer
   * @param pause the pause after each byte
   */
  DrippingServer(String body, Duration pause) throws IOException {
    this.pause = pause;
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    this.answer = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + content.length + "\r\nCache-Control: no-store\r\n\r\n" + body)
        .getBytes(StandardCharsets.UTF_8);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "dripping-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The URI of {@code path} on this server, by the loopback name the portal accepts over plain HTTP. */
  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
  }

  /** How many requests have started to be answered. */
  int requests() {
    return requests.get();
  }

  /** How long the whole answer takes to drip. */
  Duration wholeAnswer() {
    return pause.multipliedBy(answer.length);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        connections.add(s);
        Thread t = new Thread(() -> drip(s), "dripping-server-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void drip(Socket s) {
    try (s) {
      skipRequestHead(s.getInputStream());
      requests.incrementAndGet();
      OutputStream out = s.getOutputStream();
      for (byte b : answer) {
        out.write(b);
        out.flush();
        Thread.sleep(pause.toMillis());
      }
    } catch (IOException | InterruptedException e) {
      // The client gave up, or the server closed.
    }
  }

  /** Reads up to the blank line after the request's headers; a body, if any, is left unread. */
  private static void skipRequestHead(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    int c;
    while (matched < end.length && (c = in.read()) >= 0) {
      matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : connections) {
      s.close();
    }
  }
}
