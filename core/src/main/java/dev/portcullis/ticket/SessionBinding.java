package dev.portcullis.ticket;

import dev.portcullis.internal.Sha256;
import java.nio.charset.StandardCharsets;

/**
 * The value that ties an auth ticket to one session. It sits inside the sealed ticket, so it is never visible to the
 * client; a ticket presented with another session's cookie does not match.
 *
 * <p>Tickets of the current format (version 3) carry {@link #of}: the first 16 bytes of the session's store key, the
 * SHA-256 of its id ({@link dev.portcullis.session.SessionKey}), so that a request hashes its session id once, for the
 * store lookup and the binding together. Version-2 tickets, still accepted, and SSO upgrade tokens carry
 * {@link #labelled}: SHA-256 over a domain label and the id.
 */
public final class SessionBinding {
  private static final byte[] LABEL =
      "portcullis session binding\0".getBytes(StandardCharsets.US_ASCII);

  private SessionBinding() {}

  /** The binding a new ticket for {@code sessionId} carries: the first 16 bytes of SHA-256 of the id. */
  public static byte[] of(String sessionId) {
    return Sha256.ofAscii(null, sessionId, (a, b, c, d) -> firstHalf(a, b));
  }

  /**
   * The first 16 bytes of SHA-256 over a domain label and {@code sessionId}: the binding of version-2 tickets and of
   * SSO upgrade tokens.
   */
  public static byte[] labelled(String sessionId) {
    return Sha256.ofAscii(LABEL, sessionId, (a, b, c, d) -> firstHalf(a, b));
  }

  /** The first {@value AuthTicket#BINDING_LENGTH} bytes of the digest. */
  private static byte[] firstHalf(long a, long b) {
    byte[] out = new byte[AuthTicket.BINDING_LENGTH];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (a >>> (56 - 8 * i));
      out[8 + i] = (byte) (b >>> (56 - 8 * i));
    }
    return out;
  }
}
