package dev.portcullis.servlet.testing;

import dev.portcullis.servlet.PortalPrincipal;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.security.Principal;

/**
 * A Jakarta WebSocket endpoint for tests that greets with what its handshake request told of the user, read where an
 * application reads it: in a {@link ServerEndpointConfig.Configurator}'s {@code modifyHandshake}. The greeting is
 * {@code "hello <name> portal=<PortalPrincipal?> council=<isUserInRole(COUNCIL_OFFICER)> session=<portal|container|none>"}.
 */
public final class HandshakeUser {
  private HandshakeUser() {}

  /** The endpoint's configuration at {@code path}. */
  public static ServerEndpointConfig endpoint(String path) {
    return ServerEndpointConfig.Builder.create(Greets.class, path)
        .configurator(new ReadsTheUser())
        .build();
  }

  /** Reads the user from the handshake request. Public, as the container may instantiate it. */
  public static final class ReadsTheUser extends ServerEndpointConfig.Configurator {
    @Override
    public void modifyHandshake(
        ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
      Principal principal = request.getUserPrincipal();
      Object session = request.getHttpSession();
      String sessionKind = session == null
          ? "none"
          : session.getClass().getName().startsWith("dev.portcullis.") ? "portal" : "container";
      config
          .getUserProperties()
          .put(
              "user",
              (principal == null ? "anonymous" : principal.getName())
                  + " portal=" + (principal instanceof PortalPrincipal)
                  + " council=" + request.isUserInRole("COUNCIL_OFFICER")
                  + " session=" + sessionKind);
    }
  }

  /** Greets with what the configurator read. Public, as the container instantiates it. */
  public static final class Greets extends Endpoint {
    @Override
    public void onOpen(Session session, EndpointConfig config) {
      session.getAsyncRemote().sendText("hello " + config.getUserProperties().get("user"));
    }
  }
}
