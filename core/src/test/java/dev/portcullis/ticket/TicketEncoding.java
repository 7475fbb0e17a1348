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
}
