package dev.portcullis.spring.portal;

import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.PortalPrincipal;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.io.IOException;

/** A WebSocket endpoint (Jakarta WebSocket API) closed when the login it was opened with ends. */
public class FeedEndpoint extends Endpoint {
  private OpenConnections.Watch watch;

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    // The upgrade request's principal: the filter's, as the servlet filter ran before the upgrade.
    if (!(session.getUserPrincipal() instanceof PortalPrincipal principal)) {
      close(session, CloseReason.CloseCodes.VIOLATED_POLICY, "not logged in");
      return;
    }
    watch = principal.closeWhenLoginEnds((code, reason) ->
        session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason)));
    session.getAsyncRemote().sendText("hello " + principal.getName());
  }

  @Override
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
