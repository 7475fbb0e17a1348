package dev.portcullis.servlet;

import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.user.PortalUser;
import java.security.Principal;
import java.util.Objects;

/**
 * The logged-in user as the application sees it through {@code request.getUserPrincipal()}. {@link #getName()} is
 * the opaque user handle, never the username or email; the display name and the rest are on {@link #user()}.
 */
public final class PortalPrincipal implements Principal {
  private final PortalUser user;
  private final AuthTicket ticket;
  private final AuthTicket presented;

  PortalPrincipal(PortalUser user, AuthTicket ticket) {
    this(user, ticket, ticket);
  }

  /** @param presented the ticket the request's cookie carried, when {@code ticket} is its renewal */
  PortalPrincipal(PortalUser user, AuthTicket ticket, AuthTicket presented) {
    this.user = Objects.requireNonNull(user, "user");
    this.ticket = Objects.requireNonNull(ticket, "ticket");
    this.presented = Objects.requireNonNull(presented, "presented");
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

  @Override
  public String toString() {
    return "PortalPrincipal[" + user.handle() + "]";
  }
}
