package dev.portcullis.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Fresh SHA-256 digests for per-request hashing, copied from one prototype rather than looked up among the security
 * providers on every call ({@code MessageDigest.getInstance} is several times the cost of hashing a session id).
 * Unsupported: for Portcullis' own modules.
 */
public final class Sha256 {
  private static final MessageDigest PROTOTYPE = lookUp();
  private static final boolean CLONEABLE = isCloneable();

  private Sha256() {}

  /** A new, reset SHA-256 digest, for one thread's use. */
  public static MessageDigest newDigest() {
    if (CLONEABLE) {
      try {
        return (MessageDigest) PROTOTYPE.clone();
      } catch (CloneNotSupportedException e) {
        // Not reached: checked once below.
      }
    }
    return lookUp();
  }

  private static MessageDigest lookUp() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static boolean isCloneable() {
    try {
      return PROTOTYPE.clone() != null;
    } catch (CloneNotSupportedException e) {
      return false;
    }
  }
}
