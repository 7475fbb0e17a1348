package dev.portcullis.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/** HKDF-SHA256 (RFC 5869) through Bouncy Castle: the one key derivation Portcullis uses. */
final class Hkdf {
  /** RFC 5869: at most 255 blocks of output. */
  static final int MAX_OUTPUT = 255 * 32;

  private Hkdf() {}

  /**
   * @param salt null or empty means the RFC's default (a block of zeros)
   * @throws IllegalArgumentException when {@code length} is not in 1..{@value #MAX_OUTPUT}
   */
  static byte[] sha256(byte[] ikm, byte[] salt, byte[] info, int length) {
    if (length < 1 || length > MAX_OUTPUT) {
      throw new IllegalArgumentException("HKDF-SHA256 output must be 1.." + MAX_OUTPUT + " bytes");
    }
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(ikm, salt == null || salt.length == 0 ? null : salt, info));
    byte[] out = new byte[length];
    hkdf.generateBytes(out, 0, length);
    return out;
  }
}
