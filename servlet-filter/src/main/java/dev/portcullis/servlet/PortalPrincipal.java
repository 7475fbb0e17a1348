package dev.portcullis.servlet;

import dev.portcullis.login.OpenConnections;
import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.user.PortalUser;
import java.security.Principal;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The logged-in user as the application sees it through {@code request.getUserPrincipal()}. {@link #getName()} is
 * the opaque user handle, never the username or email; the display name and the rest are on {@link #user()}.
 */
public final class PortalPrincipal implements Principal {
  private final PortalUser user;
  private final AuthTicket ticket;
  private final AuthTicket presented;
  /** What a WebSocket upgrade request presented, for its connection to be watched; null for other requests. */
  private final OpenConnections.Opening opening;

  PortalPrincipal(PortalUser user, AuthTicket ticket) {
    this(user, ticket, ticket);
  }

  /** @param presented the ticket the request's cookie carried, when {@code ticket} is its renewal */
  PortalPrincipal(PortalUser user, AuthTicket ticket, AuthTicket presented) {
    this(user, ticket, presented, null);
  }

  PortalPrincipal(
      PortalUser user, AuthTicket ticket, AuthTicket presented, OpenConnections.Opening opening) {
    this.user = Objects.requireNonNull(user, "user");
    this.ticket = Objects.requireNonNull(ticket, "ticket");
    this.presented = Objects.requireNonNull(presented, "presented");
    this.opening = opening;
  }

  @Override
  public String getName() {
    return user.handle();
  }

  public PortalUser user() {
    return user;
  }

  /** The auth ticket this request was authenticated with (or the renewed one issued during it). */
  public AuthTicket ticket() {
    return ticket;
  }

  /** The ticket the request's auth cookie carried (a copy of the cookie carries it too): the one logout revokes. */
  AuthTicket presentedTicket() {
    return presented;
  }

  /**
   * Has the connection this request opened (a WebSocket: the principal of its upgrade request) closed when the login
   * behind it ends: at once on a logout or "log out everywhere" through this node, and otherwise at the filter's next
   * re-check ({@code PortalLogin.Builder.connectionRecheckInterval}), which refuses it as it would refuse a request
   * (ticket revoked on any node or expired, session ended, account disabled or removed, terms not accepted, the path
   * no longer allowed to the user, a store that does not answer). {@code closer} closes it with the code
   * {@link OpenConnections#POLICY_VIOLATION} (1008) and a generic reason; the audit log records why
   * ({@code connection_closed}). Call it from the endpoint's open callback, and close the returned watch from its
   * close callback so that the connection is forgotten. With the Jetty WebSocket API:
   *
   * <pre>{@code
   * watch = principal.closeWhenLoginEnds((code, reason) -> session.close(code, reason, Callback.NOOP));
   * }</pre>
   *
   * <p><b>Security.</b> The principal of an upgrade request holds that request's cookie values until the connection
   * is forgotten; they are never logged or shown.
   *
   * @throws IllegalStateException when this is not the principal of a WebSocket upgrade request (a {@code GET} with
   *     {@code Upgrade: websocket}) that Portcullis authenticated
   */
  public OpenConnections.Watch closeWhenLoginEnds(OpenConnections.Closer closer) {
    return closeWhenLoginEnds(closer, user -> true);
  }

  /**
   * As {@link #closeWhenLoginEnds(OpenConnections.Closer)}, the connection also closed at a re-check when
   * {@code alsoAllowed} refuses the account as it is then: a rule of the adapter's own for the connection, such as the
   * roles of the route it was opened on.
   */
  public OpenConnections.Watch closeWhenLoginEnds(
      OpenConnections.Closer closer, Predicate<PortalUser> alsoAllowed) {
    Objects.requireNonNull(closer, "closer");
    Objects.requireNonNull(alsoAllowed, "alsoAllowed");
    if (opening == null) {
      throw new IllegalStateException(
          "only the principal of a WebSocket upgrade request can watch its connection");
    }
    return opening.watch(closer, alsoAllowed);
  }

  @Override
  public String toString() {
    return "PortalPrincipal[" + user.handle() + "]";
  }
}
