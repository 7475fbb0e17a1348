package dev.portcullis.crypto;

/**
 * A key ring or key source that cannot be used: a start-up error. The message names the problem (a duplicate id, a
 * short key, a malformed line) and never contains key bytes.
 */
public final class InvalidKeyRingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidKeyRingException(String message) {
    super(message);
  }

  public InvalidKeyRingException(String message, Throwable cause) {
    super(message, cause);
  }
}
