package dev.portcullis.aspnet;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Computes and checks the authentication tag of a cookie layer. Checks are constant-time in the tag's content. */
abstract class Tagger {

  static Tagger hmac(String jcaName, byte[] key) {
    return new Hmac(jcaName, key);
  }

  /** .NET's legacy "MD5" validation: MD5(data ‖ key), which is not an HMAC. */
  static Tagger md5WithKeySuffix(byte[] key) {
    return new Md5Suffix(key);
  }

  abstract int length();

  abstract byte[] tag(byte[] data, int offset, int length);

  /** Whether {@code data[offset, offset+length)} carries the tag found at {@code data[tagOffset, tagOffset+length())}. */
  final boolean verify(byte[] data, int offset, int length, int tagOffset) {
    byte[] expected = tag(data, offset, length);
    byte[] actual = Arrays.copyOfRange(data, tagOffset, tagOffset + length());
    return MessageDigest.isEqual(expected, actual);
  }

  /** Fails now, at configuration time, if this JDK lacks the algorithm. */
  final Tagger checked() {
    tag(new byte[0], 0, 0);
    return this;
  }

  private static final class Hmac extends Tagger {
    private final String jcaName;
    private final SecretKeySpec key;
    private final int length;

    Hmac(String jcaName, byte[] key) {
      this.jcaName = jcaName;
      this.key = new SecretKeySpec(key, jcaName);
      this.length = newMac().getMacLength();
    }

    private Mac newMac() {
      try {
        Mac mac = Mac.getInstance(jcaName);
        mac.init(key);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK cannot compute " + jcaName, e);
      }
    }

    @Override
    int length() {
      return length;
    }

    @Override
    byte[] tag(byte[] data, int offset, int len) {
      Mac mac = newMac();
      mac.update(data, offset, len);
      return mac.doFinal();
    }
  }

  private static final class Md5Suffix extends Tagger {
    private final byte[] key;

    Md5Suffix(byte[] key) {
      this.key = key.clone();
    }

    @Override
    int length() {
      return 16;
    }

    @Override
    byte[] tag(byte[] data, int offset, int len) {
      try {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(data, offset, len);
        md5.update(key);
        return md5.digest();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK cannot compute MD5", e);
      }
    }
  }
}
