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

  PortalPrincipal(PortalUser user, AuthTicket ticket) {
    this.user = Objects.requireNonNull(user, "user");
    this.ticket = Objects.requireNonNull(ticket, "ticket");
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

  @Override
  public String toString() {
    return "PortalPrincipal[" + user.handle() + "]";
  }
}
