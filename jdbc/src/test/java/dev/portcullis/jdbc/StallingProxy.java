package dev.portcullis.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a free loopback port in front of a local server. {@link #stall()} makes it stop forwarding, in both
 * directions and for good, while every connection stays open: as with a database host that hangs or a network that
 * drops packets, nothing answers, and a connection opened afterwards (such as PostgreSQL's cancel request) is accepted
 * and gets no answer either. Unlike {@link PostgresServer#pause()}, the server itself goes on serving everyone else.
 * {@link #close()} closes every connection, which ends any read still waiting on one.
 */
final class StallingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean stalled;
  private volatile boolean closed;

  StallingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon("stalling-proxy-accept", this::accept);
  }

  int port() {
    return listener.getLocalPort();
  }

  /** From now on nothing is forwarded; what was read and not yet written is held back too. */
  void stall() {
    stalled = true;
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      sockets.add(client);
      try {
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(server);
        daemon("stalling-proxy-up", () -> pump(client, server));
        daemon("stalling-proxy-down", () -> pump(server, client));
      } catch (IOException e) {
        quietlyClose(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[8192];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        while (stalled) {
          if (closed) {
            return;
          }
          Thread.sleep(20);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // closed
    } finally {
      if (!stalled) {
        // One side hung up while forwarding: pass it on, as a real connection would.
        quietlyClose(from);
        quietlyClose(to);
      }
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }

  private static void quietlyClose(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    quietlyClose(listener);
    sockets.forEach(StallingProxy::quietlyClose);
  }
}
