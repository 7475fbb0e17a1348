package dev.portcullis.crypto;

/** What a key in a {@link KeyRing} may do. */
public enum KeyStatus {
  /** Seals new values and opens old ones. Exactly one key of a ring has this status. */
  ACTIVE,
  /** Opens values but never seals: the first phase of a rotation, and the state of a retired key. */
  DECRYPT_ONLY,
  /** Opens nothing. Values sealed under it are rejected. */
  REVOKED
}
