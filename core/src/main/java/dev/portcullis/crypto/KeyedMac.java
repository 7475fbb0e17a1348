package dev.portcullis.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tags bytes with HMAC-SHA256 for one {@link Purpose}, under the keys of a {@link KeyRing}, and checks such tags.
 *
 * <p>Each purpose tags under its own subkey, derived from the master key with HKDF-SHA256 ({@code info} =
 * {@code "portcullis/mac/" + name}), so a MAC key is never also a sealing key and a tag made for one purpose never
 * verifies for another. A tag is the 32-byte HMAC in base64url without padding (43 characters) and does not name its
 * key: {@link #tag} uses the active key, {@link #verify} accepts a tag under any key that is not revoked (a ring
 * holds a handful), so tags made before a rotation keep verifying until their key is revoked.
 *
 * <p>Thread-safe; a call makes its own {@link Mac} from the prepared key specs.
 *
 * <p><b>Security.</b> Integrity and authenticity of the tagged bytes, bound to the purpose; tags are compared in
 * constant time, and a malformed or oversized tag is refused before any MAC is computed. Not guaranteed: freshness,
 * single use or secrecy of the tagged bytes (a tag hides nothing about what it tags from someone who can guess it;
 * tag only values that are themselves unguessable when that matters).
 */
public final class KeyedMac {
  /** The length of a tag's text. */
  public static final int TAG_LENGTH = 43;

  private static final String ALGORITHM = "HmacSHA256";
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private final Purpose purpose;
  private final KeyRingSource source;
  // The keys of the ring last seen, derived for this purpose; replaced as a whole on a new ring.
  private volatile Keys keys;

  /** One ring's MAC keys for one purpose. */
  private static final class Keys {
    final KeyRing ring;
    final SecretKeySpec active;
    final SecretKeySpec[] verifying;

    Keys(KeyRing ring, Purpose purpose) {
      this.ring = ring;
      List<SecretKeySpec> specs = new ArrayList<>();
      SecretKeySpec activeSpec = null;
      for (KeyInfo info : ring.keys()) {
        if (info.status() == KeyStatus.REVOKED) {
          continue; // a revoked key's subkey is never derived, so nothing verifies under it
        }
        SecretKeySpec spec = derive(ring.entry(info.id()).material(), purpose);
        specs.add(spec);
        if (info.id() == ring.activeKey().id()) {
          activeSpec = spec;
        }
      }
      this.active = activeSpec;
      this.verifying = specs.toArray(new SecretKeySpec[0]);
    }
  }

  private KeyedMac(KeyRingSource source, Purpose purpose) {
    this.purpose = purpose;
    this.source = source;
    this.keys = new Keys(Objects.requireNonNull(source.current(), "source.current()"), purpose);
  }

  /**
   * A MAC for {@code purpose} over the keys of {@code keys} (a {@link KeyRing}, or a source that reloads one). Each
   * call uses the ring the source holds at that moment.
   */
  public static KeyedMac create(KeyRingSource keys, Purpose purpose) {
    return new KeyedMac(
        Objects.requireNonNull(keys, "keys"), Objects.requireNonNull(purpose, "purpose"));
  }

  private Keys keys() {
    Keys k = keys;
    KeyRing ring = source.current();
    if (ring != k.ring && ring != null) {
      k = new Keys(ring, purpose);
      keys = k;
    }
    return k;
  }

  public Purpose purpose() {
    return purpose;
  }

  /** The tag of {@code data} under the active key: {@value #TAG_LENGTH} characters of base64url. */
  public String tag(byte[] data) {
    Objects.requireNonNull(data, "data");
    return ENCODER.encodeToString(mac(keys().active, data));
  }

  /** Whether {@code tag} is the tag of {@code data} under a key of the ring that is not revoked; never throws. */
  public boolean verify(byte[] data, CharSequence tag) {
    Objects.requireNonNull(data, "data");
    if (tag == null || tag.length() != TAG_LENGTH) {
      return false;
    }
    // Canonical base64url only: the JDK's decoder ignores the last character's unused bits, so four
    // spellings of one tag would verify.
    byte[] presented = Sealer.decodeCanonical(tag);
    if (presented == null) {
      return false;
    }
    boolean ok = false;
    for (SecretKeySpec key : keys().verifying) {
      // Every key is tried, so the time taken does not say which one matched.
      ok |= MessageDigest.isEqual(mac(key, data), presented);
    }
    return ok;
  }

  private static byte[] mac(SecretKeySpec key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  private static SecretKeySpec derive(KeyMaterial master, Purpose purpose) {
    byte[] info = ("portcullis/mac/" + purpose.name()).getBytes(StandardCharsets.US_ASCII);
    byte[] subkey = Hkdf.sha256(master.bytes(), null, info, 32);
    SecretKeySpec spec = new SecretKeySpec(subkey, ALGORITHM);
    java.util.Arrays.fill(subkey, (byte) 0);
    return spec;
  }

  @Override
  public String toString() {
    return "KeyedMac[" + purpose.name() + "]";
  }
}
