package dev.portcullis.login;

import dev.portcullis.ticket.AuthTicket;
import java.util.Objects;

/**
 * An auth ticket just issued, and its sealed value for the auth cookie. {@link #toString()} leaves the value out.
 *
 * @param ticket what the ticket says
 * @param cookieValue the auth cookie's value
 */
public record IssuedTicket(AuthTicket ticket, String cookieValue) {
  public IssuedTicket {
    Objects.requireNonNull(ticket, "ticket");
    Objects.requireNonNull(cookieValue, "cookieValue");
  }

  @Override
  public String toString() {
    return "IssuedTicket[" + ticket + "]";
  }
}
