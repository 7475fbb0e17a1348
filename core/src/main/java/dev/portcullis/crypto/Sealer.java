package dev.portcullis.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals bytes into cookie-safe text and opens them again, for one {@link Purpose}, with the keys of a {@link KeyRing}.
 *
 * <p>Format: base64url without padding of {@code version(1) | keyId(4) | nonce(12) | ciphertext | tag(16)}, AES-256-GCM
 * under a per-purpose subkey (HKDF-SHA256 of the master key). The associated data binds the format version, the
 * purpose and the caller's context (the cookie name), so a value cannot be replayed as another purpose or under
 * another cookie name.
 *
 * <p>Thread-safe. Subkeys, key specs and ciphers are prepared once; a call allocates only its buffers.
 *
 * <p><b>Security.</b> Confidentiality and integrity of the plaintext, bound to purpose and context; values sealed
 * under a decrypt-only key still open, under a revoked or unknown key never. Not guaranteed: freshness or single
 * use (callers put an expiry inside the plaintext and keep replay stores), hiding the plaintext length, or secrecy
 * after 2<sup>32</sup> seals under one key (random nonces): rotate keys well before that.
 */
public final class Sealer {
  /** The longest text {@link #open} reads; longer input is refused before decoding. */
  public static final int MAX_SEALED_LENGTH = 4096;

  static final byte VERSION = 1;
  private static final int KEY_ID_LEN = 4;
  private static final int NONCE_LEN = 12;
  private static final int TAG_LEN = 16;
  private static final int HEADER_LEN = 1 + KEY_ID_LEN + NONCE_LEN;
  private static final int MIN_SEALED_BYTES = HEADER_LEN + TAG_LEN;

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final Purpose purpose;
  private final SecureRandom random;
  private final KeyRingSource source;
  // The keys of the ring last seen, derived for this purpose; replaced as a whole when the source
  // hands out another ring, so a call never mixes two rings.
  private volatile Keys keys;
  // One pool per direction: a Cipher kept in one mode is re-initialised more cheaply than one
  // switching modes.
  private final CipherPool sealing = new CipherPool();
  private final CipherPool opening = new CipherPool();

  private record Subkey(KeyInfo info, SecretKeySpec spec) {}

  /** The associated data of the last context used; a sealer usually serves one cookie name. */
  private record Aad(String context, byte[] bytes) {}

  private volatile Aad lastAad = new Aad("", null);

  /** One ring's keys for one purpose. */
  private static final class Keys {
    final KeyRing ring;
    final Subkey active;
    final Subkey[] openable;
    final int[] revoked;

    Keys(KeyRing ring, Purpose purpose) {
      this.ring = ring;
      List<Subkey> open = new ArrayList<>();
      List<Integer> gone = new ArrayList<>();
      Subkey activeKey = null;
      for (KeyInfo info : ring.keys()) {
        if (info.status() == KeyStatus.REVOKED) {
          gone.add(info.id()); // a revoked key's subkey is never derived, so nothing opens under it
          continue;
        }
        Subkey k = new Subkey(info, derive(ring.entry(info.id()).material(), purpose));
        open.add(k);
        if (info.id() == ring.activeKey().id()) {
          activeKey = k;
        }
      }
      this.active = activeKey;
      this.openable = open.toArray(new Subkey[0]);
      this.revoked = new int[gone.size()];
      for (int i = 0; i < revoked.length; i++) {
        revoked[i] = gone.get(i);
      }
    }
  }

  private Sealer(KeyRingSource source, Purpose purpose, SecureRandom random) {
    this.purpose = purpose;
    this.random = random;
    this.source = source;
    this.keys = new Keys(Objects.requireNonNull(source.current(), "source.current()"), purpose);
  }

  /** The keys of the source's current ring, derived again only when the ring changed. */
  private Keys keys() {
    Keys k = keys;
    KeyRing ring = source.current();
    if (ring != k.ring && ring != null) {
      k = new Keys(ring, purpose);
      keys = k;
    }
    return k;
  }

  /**
   * A sealer for {@code purpose} over the keys of {@code keys} (a {@link KeyRing}, or a source that reloads one);
   * nonces come from {@code random}. Each call uses the ring the source holds at that moment.
   */
  public static Sealer create(KeyRingSource keys, Purpose purpose, SecureRandom random) {
    return new Sealer(
        Objects.requireNonNull(keys, "keys"),
        Objects.requireNonNull(purpose, "purpose"),
        Objects.requireNonNull(random, "random"));
  }

  public Purpose purpose() {
    return purpose;
  }

  /** Seals {@code plaintext} under the active key, bound to {@code context} (for cookies: the cookie name). */
  public String seal(byte[] plaintext, String context) {
    Objects.requireNonNull(plaintext, "plaintext");
    byte[] aad = associatedData(context);
    Subkey active = keys().active;
    byte[] out = new byte[HEADER_LEN + plaintext.length + TAG_LEN];
    out[0] = VERSION;
    ByteBuffer.wrap(out, 1, KEY_ID_LEN).putInt(active.info().id());
    byte[] nonce = new byte[NONCE_LEN];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, 1 + KEY_ID_LEN, NONCE_LEN);
    Cipher cipher = sealing.borrow();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, active.spec(), new GCMParameterSpec(TAG_LEN * 8, nonce));
      cipher.updateAAD(aad);
      cipher.doFinal(plaintext, 0, plaintext.length, out, HEADER_LEN);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "AES-GCM sealing failed", e); // the cipher is not returned to the pool
    }
    sealing.release(cipher);
    return ENCODER.encodeToString(out);
  }

  /** Opens a value sealed by {@link #seal} for the same purpose and context. Never throws on bad input. */
  public Opened open(CharSequence sealed, String context) {
    byte[] aad = associatedData(context);
    if (sealed == null) {
      return new Opened.Failed(Opened.Reason.MALFORMED);
    }
    if (sealed.length() > MAX_SEALED_LENGTH) {
      return new Opened.Failed(Opened.Reason.OVERSIZED);
    }
    byte[] raw = decodeCanonical(sealed);
    if (raw == null || raw.length < MIN_SEALED_BYTES) {
      return new Opened.Failed(Opened.Reason.MALFORMED);
    }
    if (raw[0] != VERSION) {
      return new Opened.Failed(Opened.Reason.UNSUPPORTED_VERSION);
    }
    int keyId = ((raw[1] & 0xFF) << 24)
        | ((raw[2] & 0xFF) << 16)
        | ((raw[3] & 0xFF) << 8)
        | (raw[4] & 0xFF);
    Keys ring = keys();
    Subkey key = find(ring.openable, keyId);
    if (key == null) {
      for (int r : ring.revoked) {
        if (r == keyId) {
          return new Opened.Failed(Opened.Reason.REVOKED_KEY);
        }
      }
      return new Opened.Failed(Opened.Reason.UNKNOWN_KEY);
    }
    Cipher cipher = opening.borrow();
    try {
      cipher.init(
          Cipher.DECRYPT_MODE,
          key.spec(),
          new GCMParameterSpec(TAG_LEN * 8, raw, 1 + KEY_ID_LEN, NONCE_LEN));
      cipher.updateAAD(aad);
      byte[] plaintext = cipher.doFinal(raw, HEADER_LEN, raw.length - HEADER_LEN);
      return new Opened.Ok(plaintext, key.info());
    } catch (AEADBadTagException e) {
      return new Opened.Failed(Opened.Reason.AUTHENTICATION_FAILED);
    } catch (GeneralSecurityException e) {
      // A cipher in a bad state must not go back to the pool.
      cipher = null;
      return new Opened.Failed(Opened.Reason.AUTHENTICATION_FAILED);
    } finally {
      if (cipher != null) {
        opening.release(cipher);
      }
    }
  }

  private byte[] associatedData(String context) {
    Objects.requireNonNull(context, "context");
    Aad cached = lastAad;
    if (cached.context().equals(context) && cached.bytes() != null) {
      return cached.bytes(); // Cipher.updateAAD only reads it
    }
    byte[] aad = buildAssociatedData(context);
    lastAad = new Aad(context, aad);
    return aad;
  }

  private byte[] buildAssociatedData(String context) {
    byte[] p = purpose.name().getBytes(StandardCharsets.US_ASCII);
    byte[] c = context.getBytes(StandardCharsets.UTF_8);
    if (c.length > 0xFFFF) {
      throw new IllegalArgumentException("context too long");
    }
    ByteBuffer b = ByteBuffer.allocate(1 + 2 + p.length + 2 + c.length);
    b.put(VERSION).putShort((short) p.length).put(p).putShort((short) c.length).put(c);
    return b.array();
  }

  /**
   * Decodes unpadded base64url, refusing any text that would not re-encode to itself: a character outside the URL
   * alphabet (padding included), a dangling sixth bit group, or unused low bits that are not zero (otherwise two texts
   * would carry the same bytes). The JDK's decoder does the decoding (on current x86 and ARM JVMs an intrinsic, several
   * times faster than a loop over the characters); it accepts padding and ignores unused bits, so the length of its
   * output and the last character are checked here.
   */
  static byte[] decodeCanonical(CharSequence text) {
    int n = text.length();
    int rem = n % 4;
    if (n == 0 || rem == 1) {
      return null;
    }
    int last = value(text.charAt(n - 1));
    if (last < 0 || rem == 2 && (last & 0x0F) != 0 || rem == 3 && (last & 0x03) != 0) {
      return null;
    }
    // A character beyond Latin-1 becomes '?', which is not in the alphabet.
    byte[] chars = text.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] raw = new byte[n / 4 * 3 + (rem == 0 ? 0 : rem - 1)];
    try {
      // Padding decodes to fewer bytes than the unpadded length promises.
      return DECODER.decode(chars, raw) == raw.length ? raw : null;
    } catch (IllegalArgumentException e) {
      return null; // a character outside the alphabet, or misplaced padding
    }
  }

  /** The value of base64url character {@code c}, or -1. */
  private static int value(char c) {
    return c < DECODE_TABLE.length ? DECODE_TABLE[c] : -1;
  }

  /** The value of each base64url character; -1 for every other character. */
  private static final int[] DECODE_TABLE = new int[128];

  static {
    java.util.Arrays.fill(DECODE_TABLE, -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      DECODE_TABLE[alphabet.charAt(i)] = i;
    }
  }

  private static SecretKeySpec derive(KeyMaterial master, Purpose purpose) {
    byte[] subkey = Hkdf.sha256(master.bytes(), null, purpose.hkdfInfo(), 32);
    SecretKeySpec spec = new SecretKeySpec(subkey, "AES");
    java.util.Arrays.fill(subkey, (byte) 0);
    return spec;
  }

  /** A ring holds a handful of keys: a scan beats boxing the id for a map lookup. */
  private static Subkey find(Subkey[] openable, int keyId) {
    for (Subkey k : openable) {
      if (k.info().id() == keyId) {
        return k;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "Sealer[" + purpose.name() + ", active key " + keys.active.info().idHex() + "]";
  }
}
