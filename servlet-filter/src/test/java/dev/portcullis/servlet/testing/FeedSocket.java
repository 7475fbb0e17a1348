package dev.portcullis.servlet.testing;

import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.PortalPrincipal;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServlet;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServletFactory;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A test application's WebSocket endpoint (Jetty's WebSocket API): greets the user, echoes text, and has its connection
 * closed when the login behind it ends, in one line. Public, as Jetty calls its methods through a public lookup.
 */
public final class FeedSocket implements Session.Listener.AutoDemanding {
  private final PortalPrincipal principal;
  private volatile Session session;
  private volatile OpenConnections.Watch watch;

  FeedSocket(PortalPrincipal principal) {
    this.principal = principal;
  }

  /**
   * The application's WebSocket servlet: a {@link FeedSocket} for each upgrade, watched through the upgrade request's
   * principal. The context needs Jetty's WebSocket initializer ({@code JettyWebSocketServletContainerInitializer}).
   */
  public static final class Servlet extends JettyWebSocketServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void configure(JettyWebSocketServletFactory factory) {
      factory.setCreator(
          (request, response) -> new FeedSocket((PortalPrincipal) request.getUserPrincipal()));
    }
  }

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
    watch =
        principal.closeWhenLoginEnds((code, reason) -> session.close(code, reason, Callback.NOOP));
    session.sendText("hello " + principal.getName(), Callback.NOOP);
  }

  @Override
  public void onWebSocketText(String text) {
    session.sendText("echo " + text, Callback.NOOP);
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    if (watch != null) {
      watch.close();
    }
  }
}
