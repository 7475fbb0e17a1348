package dev.portcullis.spring.portal;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * {@link FeedEndpoint} as an annotated endpoint ({@code @ServerEndpoint}), the form Spring's {@code
 * ServerEndpointExporter} registers: greets the portal's principal and is closed when its login ends. Each connection
 * gets an instance of its own, and with it a {@link FeedEndpoint} that does the work.
 */
@ServerEndpoint(AnnotatedFeedEndpoint.PATH)
public class AnnotatedFeedEndpoint {
  static final String PATH = "/council/feed";

  private final FeedEndpoint feed = new FeedEndpoint();

  @OnOpen
  public void onOpen(Session session) {
    feed.onOpen(session, null);
  }

  @OnClose
  public void onClose(Session session, CloseReason closeReason) {
    feed.onClose(session, closeReason);
  }
}
