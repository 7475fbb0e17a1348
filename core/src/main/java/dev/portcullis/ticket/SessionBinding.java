package dev.portcullis.ticket;

import dev.portcullis.internal.Sha256;
import java.nio.charset.StandardCharsets;

/**
 * The value that ties an auth ticket to one session: the first 16 bytes of SHA-256 over a domain label and the
 * session id. It sits inside the sealed ticket, so it is never visible to the client; a ticket presented with another
 * session's cookie does not match.
 */
public final class SessionBinding {
  private static final byte[] LABEL =
      "portcullis session binding\0".getBytes(StandardCharsets.US_ASCII);

  private SessionBinding() {}

  public static byte[] of(String sessionId) {
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
