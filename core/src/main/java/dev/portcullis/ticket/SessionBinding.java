package dev.portcullis.ticket;

import dev.portcullis.internal.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

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
    MessageDigest sha = Sha256.newDigest();
    sha.update(LABEL);
    sha.update(sessionId.getBytes(StandardCharsets.US_ASCII));
    return Arrays.copyOf(sha.digest(), AuthTicket.BINDING_LENGTH);
  }
}
