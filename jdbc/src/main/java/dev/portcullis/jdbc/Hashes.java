package dev.portcullis.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The stored form of identifiers: every column that would hold an identifier (ticket id, token id, user handle, SSO
 * identity) holds its SHA-256 instead, with a purpose label in front so that equal strings of different kinds give
 * different hashes. A table dump shows how many records of each kind exist, not whose they are. The labels are those
 * of the Redis stores.
 */
final class Hashes {
  private Hashes() {}

  static byte[] ticket(String ticketId) {
    return hash("ticket", ticketId);
  }

  static byte[] user(String userHandle) {
    return hash("user", userHandle);
  }

  static byte[] token(String tokenId) {
    return hash("token", tokenId);
  }

  static byte[] identity(String issuer, String subject) {
    // The issuer's length in front keeps ("ab", "c") and ("a", "bc") apart.
    return hash("identity", issuer.length() + ":" + issuer + subject);
  }

  static byte[] hash(String purpose, String value) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
    sha256.update(purpose.getBytes(StandardCharsets.UTF_8));
    sha256.update((byte) 0);
    return sha256.digest(value.getBytes(StandardCharsets.UTF_8));
  }
}
