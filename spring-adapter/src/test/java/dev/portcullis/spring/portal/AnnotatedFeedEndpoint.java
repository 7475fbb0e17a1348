package dev.portcullis.spring.portal;

import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.PortalPrincipal;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;

/**
 * {@link FeedEndpoint} as an annotated endpoint ({@code @ServerEndpoint}), the form Spring's {@code
 * ServerEndpointExporter} registers: greets the portal's principal and is closed when its login ends.
 */
@ServerEndpoint(AnnotatedFeedEndpoint.PATH)
public class AnnotatedFeedEndpoint {
  static final String PATH = "/council/feed";

  private OpenConnections.Watch watch;

  @OnOpen
  public void onOpen(Session session) {
    if (!(session.getUserPrincipal() instanceof PortalPrincipal principal)) {
      close(session, CloseReason.CloseCodes.VIOLATED_POLICY, "not logged in");
      return;
    }
    watch = principal.closeWhenLoginEnds((code, reason) ->
        session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason)));
    session.getAsyncRemote().sendText("hello " + principal.getName());
  }

  @OnClose
  public void onClose(Session session, CloseReason closeReason) {
    if (watch != null) {
      watch.close();
    }
  }

  private static void close(Session session, CloseReason.CloseCode code, String reason) {
    try {
      session.close(new CloseReason(code, reason));
    } catch (IOException e) {
      // The connection is gone already.
    }
  }
}
