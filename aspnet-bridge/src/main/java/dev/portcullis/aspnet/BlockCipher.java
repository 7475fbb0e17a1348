package dev.portcullis.aspnet;

import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** A block cipher in CBC mode with PKCS#7 padding, through the JCA. */
final class BlockCipher {
  private final String transformation;
  private final SecretKeySpec key;
  private final int blockLength;

  BlockCipher(MachineKey.Decryption decryption, byte[] key) {
    this.transformation = decryption.jcaCipher() + "/CBC/PKCS5Padding";
    this.key = new SecretKeySpec(key, decryption.jcaCipher());
    this.blockLength = decryption.blockLength();
    // Fails at configuration time, not on the first request, if this JDK lacks the cipher or
    // refuses the key.
    init(Cipher.ENCRYPT_MODE, new byte[blockLength]);
  }

  int blockLength() {
    return blockLength;
  }

  byte[] encrypt(byte[] iv, byte[] plaintext) {
    try {
      return init(Cipher.ENCRYPT_MODE, iv).doFinal(plaintext);
    } catch (IllegalBlockSizeException | BadPaddingException e) {
      throw new IllegalStateException("CBC encryption with padding failed", e);
    }
  }

  /** The plaintext, or {@code null} if the padding is wrong. Call only after the MAC has been checked. */
  byte[] decrypt(byte[] iv, byte[] ciphertext, int offset, int length) {
    try {
      return init(Cipher.DECRYPT_MODE, iv).doFinal(ciphertext, offset, length);
    } catch (IllegalBlockSizeException | BadPaddingException e) {
      return null;
    }
  }

  private Cipher init(int mode, byte[] iv) {
    try {
      Cipher cipher = Cipher.getInstance(transformation);
      cipher.init(mode, key, new IvParameterSpec(iv));
      return cipher;
    } catch (NoSuchAlgorithmException
        | NoSuchPaddingException
        | InvalidKeyException
        | InvalidAlgorithmParameterException e) {
      throw new IllegalStateException("this JDK cannot run " + transformation, e);
    }
  }
}
