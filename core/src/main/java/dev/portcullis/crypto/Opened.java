package dev.portcullis.crypto;

import java.util.Objects;
import java.util.function.Function;

/**
 * The result of {@link Sealer#open}: the plaintext, or why the value was refused. Bad input is a normal result, not
 * an exception. Clients must be told only "not valid"; {@link Failed#reason()} is for the audit log.
 */
public sealed interface Opened permits Opened.Ok, Opened.Failed {

  /** The value was sealed by this ring, for this purpose and context, and nothing in it changed. */
  final class Ok implements Opened {
    private final byte[] plaintext;
    private final KeyInfo key;

    Ok(byte[] plaintext, KeyInfo key) {
      this.plaintext = plaintext;
      this.key = key;
    }

    /** A copy of the opened bytes. */
    public byte[] plaintext() {
      return plaintext.clone();
    }

    /**
     * What {@code decoder} makes of the opened bytes, handed to it without the copy {@link #plaintext()} makes: for a
     * decoder that reads them once, as a cookie is read on every request. The decoder must not change the array; it
     * may keep it (the auth ticket keeps its id and binding there), as nothing else changes it.
     */
    public <T> T decode(Function<byte[], T> decoder) {
      return decoder.apply(plaintext);
    }

    /** The key that sealed the value; not {@link KeyStatus#ACTIVE} when the value predates a rotation. */
    public KeyInfo key() {
      return key;
    }

    @Override
    public String toString() {
      return "Opened.Ok[" + plaintext.length + " bytes, key " + key.idHex() + "]";
    }
  }

  /** The value was refused. */
  record Failed(Reason reason) implements Opened {
    public Failed {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Why a value did not open; detail for the audit log only. */
  enum Reason {
    /** Longer than {@link Sealer#MAX_SEALED_LENGTH} characters: refused before decoding. */
    OVERSIZED,
    /** Not canonical unpadded base64url, or too short to hold a header and tag. */
    MALFORMED,
    /** A format version this code does not read. */
    UNSUPPORTED_VERSION,
    /** Names a key id that is not in the ring. */
    UNKNOWN_KEY,
    /** Names a revoked key. */
    REVOKED_KEY,
    /** The tag did not verify: changed bytes, another purpose or context, or another ring's key with the same id. */
    AUTHENTICATION_FAILED
  }
}
