package dev.portcullis.ticket;

import java.util.Optional;

/**
 * The auth ticket's plaintext encoding, for benchmarks and tests outside this package that compare Portcullis's own
 * sealing with other ciphers over the same bytes. Shared through the core test-jar; the codec itself is not public.
 */
public final class TicketEncoding {
  private TicketEncoding() {}

  /** The ticket's one encoding, padded, as sealed into the auth cookie. */
  public static byte[] encode(AuthTicket ticket) {
    return TicketCodec.encode(ticket);
  }

  /** The ticket these bytes encode, or empty when they are not exactly one ticket's encoding. */
  public static Optional<AuthTicket> decode(byte[] bytes) {
    return TicketCodec.decode(bytes);
  }

  /**
   * What an issuer of version-2 tickets sealed for {@code ticket} bound to {@code sessionId}: the same fields, the
   * {@linkplain SessionBinding#labelled labelled} binding, version byte 2. For tests of tickets issued before the
   * current format.
   */
  public static byte[] asVersion2(AuthTicket ticket, String sessionId) {
    byte[] idAndBinding = new byte[AuthTicket.ID_LENGTH + AuthTicket.BINDING_LENGTH];
    ticket.putTicketId(idAndBinding, 0);
    System.arraycopy(
        SessionBinding.labelled(sessionId),
        0,
        idAndBinding,
        AuthTicket.ID_LENGTH,
        AuthTicket.BINDING_LENGTH);
    return TicketCodec.encode(new AuthTicket(
        idAndBinding,
        0,
        ticket.userHandle(),
        ticket.organisationHandleRaw(),
        -1,
        ticket.issuedAtMillis(),
        ticket.expiresAtMillis(),
        ticket.authTimeMillis(),
        AuthTicket.ID_LENGTH,
        true));
  }
}
