package dev.portcullis.servlet.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The browser's side of a WebSocket in tests: the JDK's client with the headers a browser would send (its cookies,
 * its {@code Origin}), recording every text message the server sends, in order, and how the server closed the
 * connection. Each wait is bounded by the wait given to the constructor and fails the test when it runs out.
 */
public final class BrowserSocket implements WebSocket.Listener {
  private final Duration wait;
  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final CompletableFuture<String> first = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket socket;

  public BrowserSocket(Duration wait) {
    this.wait = wait;
  }

  /**
   * Opens a socket to {@code uri} with {@code headers} ({@code Cookie}, {@code Origin}, ...).
   *
   * @throws ExecutionException with a {@link java.net.http.WebSocketHandshakeException} cause when the server refuses
   *     the upgrade; its response is the server's answer
   */
  public WebSocket connect(URI uri, Map<String, String> headers)
      throws ExecutionException, InterruptedException, TimeoutException {
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
    headers.forEach(builder::header);
    socket = builder.buildAsync(uri, this).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    return socket;
  }

  /**
   * Opens a socket as {@link #connect} does and waits for the server's first message, which a test server sends once
   * it has the connection watched: only then may a test change the login behind it. The client's side opens before
   * the server's open callback has run.
   */
  public static BrowserSocket openGreeted(URI uri, Map<String, String> headers, Duration wait)
      throws Exception {
    BrowserSocket client = new BrowserSocket(wait);
    client.connect(uri, headers);
    client.firstMessage();
    return client;
  }

  /** The socket, once {@link #connect} has opened it. */
  public WebSocket socket() {
    return socket;
  }

  /** The server's first message, waited for; it stays in the order {@link #nextMessage} returns. */
  public String firstMessage() throws InterruptedException, ExecutionException {
    try {
      return first.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no greeting within " + wait.toSeconds() + " s");
    }
  }

  /** The next message not returned yet, waited for. */
  public String nextMessage() throws InterruptedException {
    String m = messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    if (m == null) {
      throw new AssertionError("no message within " + wait.toSeconds() + " s");
    }
    return m;
  }

  /** The close code and reason the server sent ({@code "1008 Login ended"}), waited for. */
  public String awaitClose() throws Exception {
    return closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String message = partial.toString();
      partial.setLength(0);
      messages.add(message);
      first.complete(message);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode + " " + reason);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
    first.completeExceptionally(error);
  }
}
