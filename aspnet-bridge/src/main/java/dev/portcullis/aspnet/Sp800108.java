package dev.portcullis.aspnet;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * NIST SP 800-108 key derivation in counter mode with HMAC-SHA512, as .NET 4.5 uses it: each block is
 * HMAC(key, counter ‖ label ‖ 0x00 ‖ context ‖ output length in bits), counter and length as 32-bit big-endian.
 */
final class Sp800108 {
  private Sp800108() {}

  /** Derives as many bytes as the key has, which is what .NET 4.5 does for each machineKey key. */
  static byte[] deriveSameLength(byte[] key, String label) {
    return derive(key, label.getBytes(StandardCharsets.UTF_8), new byte[0], key.length);
  }

  static byte[] derive(byte[] key, byte[] label, byte[] context, int outputLength) {
    try {
      Mac mac = Mac.getInstance("HmacSHA512");
      mac.init(new SecretKeySpec(key, "HmacSHA512"));
      byte[] fixed = ByteBuffer.allocate(label.length + 1 + context.length + 4)
          .put(label)
          .put((byte) 0)
          .put(context)
          .putInt(Math.multiplyExact(outputLength, 8))
          .array();
      byte[] out = new byte[outputLength];
      int done = 0;
      for (int counter = 1; done < outputLength; counter++) {
        mac.update(ByteBuffer.allocate(4).putInt(counter).array());
        mac.update(fixed);
        byte[] block = mac.doFinal();
        int n = Math.min(block.length, outputLength - done);
        System.arraycopy(block, 0, out, done, n);
        Arrays.fill(block, (byte) 0);
        done += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot compute HMAC-SHA512", e);
    }
  }
}
