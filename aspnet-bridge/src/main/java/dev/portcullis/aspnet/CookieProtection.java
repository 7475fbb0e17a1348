package dev.portcullis.aspnet;

import dev.portcullis.aspnet.TicketResult.NotValid.Reason;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The cryptographic envelope around a ticket's bytes, in one of .NET's two formats. Opening always checks the MAC over
 * the whole ciphertext, in constant time, before it decrypts anything: a wrong padding is only ever seen on a cookie
 * that a key holder made, so it cannot serve as a padding oracle.
 */
abstract sealed class CookieProtection {

  /** Either the ticket bytes or the reason there are none. */
  record Opened(byte[] plaintext, Reason failure) {
    static Opened failed(Reason reason) {
      return new Opened(null, reason);
    }
  }

  static CookieProtection of(MachineKey key, SecureRandom random) {
    return key.compatibilityMode().isLegacy()
        ? new Legacy(key, random)
        : new Framework45(key, random);
  }

  abstract byte[] protect(byte[] plaintext);

  abstract Opened unprotect(byte[] data);

  /**
   * .NET 4.5: both keys derived with SP 800-108 for the purpose {@code FormsAuthentication.Ticket}; the cookie is
   * {@code IV ‖ CBC(ticket) ‖ MAC(IV ‖ CBC(ticket))} with a random IV.
   */
  static final class Framework45 extends CookieProtection {
    static final String PURPOSE = "FormsAuthentication.Ticket";

    private final Tagger tagger;
    private final BlockCipher cipher;
    private final SecureRandom random;

    Framework45(MachineKey key, SecureRandom random) {
      byte[] validationKey = Sp800108.deriveSameLength(key.validationKeyBytes(), PURPOSE);
      byte[] decryptionKey = Sp800108.deriveSameLength(key.decryptionKeyBytes(), PURPOSE);
      this.tagger = Tagger.hmac(key.validation().jcaMac(), validationKey).checked();
      this.cipher = new BlockCipher(key.decryption(), decryptionKey);
      this.random = random;
      Arrays.fill(validationKey, (byte) 0);
      Arrays.fill(decryptionKey, (byte) 0);
    }

    @Override
    byte[] protect(byte[] plaintext) {
      byte[] iv = new byte[cipher.blockLength()];
      random.nextBytes(iv);
      byte[] ciphertext = cipher.encrypt(iv, plaintext);
      byte[] out = new byte[iv.length + ciphertext.length + tagger.length()];
      System.arraycopy(iv, 0, out, 0, iv.length);
      System.arraycopy(ciphertext, 0, out, iv.length, ciphertext.length);
      byte[] tag = tagger.tag(out, 0, iv.length + ciphertext.length);
      System.arraycopy(tag, 0, out, iv.length + ciphertext.length, tag.length);
      return out;
    }

    @Override
    Opened unprotect(byte[] data) {
      int block = cipher.blockLength();
      int tagStart = data.length - tagger.length();
      if (tagStart < 2 * block || (tagStart - block) % block != 0) {
        return Opened.failed(Reason.WRONG_LENGTH);
      }
      if (!tagger.verify(data, 0, tagStart, tagStart)) {
        return Opened.failed(Reason.MAC_MISMATCH);
      }
      byte[] plaintext = cipher.decrypt(Arrays.copyOf(data, block), data, block, tagStart - block);
      return plaintext == null
          ? Opened.failed(Reason.DECRYPTION_FAILED)
          : new Opened(plaintext, null);
    }
  }

  /**
   * .NET 2.0 SP1 and later in the legacy modes (the fix for MS10-070): the configured keys as they are;
   * {@code C = CBC_zeroIV(random prefix as long as the key ‖ ticket ‖ MAC(ticket))}, cookie {@code C ‖ MAC(C)}.
   */
  static final class Legacy extends CookieProtection {
    private final Tagger tagger;
    private final BlockCipher cipher;
    private final int prefixLength;
    private final SecureRandom random;

    Legacy(MachineKey key, SecureRandom random) {
      byte[] validationKey = key.validationKeyBytes();
      byte[] decryptionKey = key.decryptionKeyBytes();
      this.tagger = key.validation() == MachineKey.Validation.MD5
          ? Tagger.md5WithKeySuffix(validationKey).checked()
          : Tagger.hmac(key.validation().jcaMac(), validationKey).checked();
      this.cipher = new BlockCipher(key.decryption(), decryptionKey);
      this.prefixLength = decryptionKey.length;
      this.random = random;
      Arrays.fill(validationKey, (byte) 0);
      Arrays.fill(decryptionKey, (byte) 0);
    }

    @Override
    byte[] protect(byte[] ticket) {
      byte[] inner = new byte[prefixLength + ticket.length + tagger.length()];
      byte[] prefix = new byte[prefixLength];
      random.nextBytes(prefix);
      System.arraycopy(prefix, 0, inner, 0, prefixLength);
      System.arraycopy(ticket, 0, inner, prefixLength, ticket.length);
      byte[] innerTag = tagger.tag(ticket, 0, ticket.length);
      System.arraycopy(innerTag, 0, inner, prefixLength + ticket.length, innerTag.length);
      byte[] ciphertext = cipher.encrypt(new byte[cipher.blockLength()], inner);
      Arrays.fill(inner, (byte) 0);
      byte[] out = Arrays.copyOf(ciphertext, ciphertext.length + tagger.length());
      byte[] tag = tagger.tag(ciphertext, 0, ciphertext.length);
      System.arraycopy(tag, 0, out, ciphertext.length, tag.length);
      return out;
    }

    @Override
    Opened unprotect(byte[] data) {
      int block = cipher.blockLength();
      int tagStart = data.length - tagger.length();
      if (tagStart < block || tagStart % block != 0) {
        return Opened.failed(Reason.WRONG_LENGTH);
      }
      if (!tagger.verify(data, 0, tagStart, tagStart)) {
        return Opened.failed(Reason.MAC_MISMATCH);
      }
      byte[] inner = cipher.decrypt(new byte[block], data, 0, tagStart);
      if (inner == null || inner.length < prefixLength + tagger.length()) {
        return Opened.failed(Reason.DECRYPTION_FAILED);
      }
      int innerTagStart = inner.length - tagger.length();
      if (!tagger.verify(inner, prefixLength, innerTagStart - prefixLength, innerTagStart)) {
        return Opened.failed(Reason.INNER_MAC_MISMATCH);
      }
      return new Opened(Arrays.copyOfRange(inner, prefixLength, innerTagStart), null);
    }
  }
}
