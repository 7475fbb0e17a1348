package dev.portcullis.aspnet;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys and algorithms of a .NET Framework {@code <machineKey>} element, as far as Forms Authentication uses them.
 * Immutable; made by {@link #builder()} or read from a web.config with {@link WebConfig#read(InputStream)}.
 *
 * <p><b>Security.</b> The keys stay inside: there is no accessor, {@code toString} names the algorithms only, and
 * equality is identity. {@link #builder()} refuses malformed hex, key lengths the algorithm cannot use, and
 * {@code AutoGenerate} (a machine-local key that Java can never know). Nothing here makes a weak configuration
 * strong: DES, 3DES, MD5 and SHA1 are accepted only so that cookies issued by the old .NET portal can be read during
 * a cut-over. New cookies should be written with {@link CompatibilityMode#FRAMEWORK45}, {@link Validation#HMACSHA256}
 * (or stronger) and {@link Decryption#AES}.
 *
 * <p>{@link Builder#build()} also refuses a key that has been disclosed publicly: Microsoft Threat Intelligence's
 * list of 3,713 {@code <machineKey>} pairs copied from samples and web answers, which attackers use to forge
 * cookies, ships in this jar as SHA-256 hashes. The error names the key (validation or decryption) and its entry on
 * the list, never the key. With such a key anyone could log in as anyone through the legacy upgrade, so the only way
 * past the check is {@link Builder#allowPubliclyDisclosedKeysForTestsOnly()}, which logs a WARN each time a key or a
 * {@link FormsAuthentication} is built with it.
 */
public final class MachineKey {

  /** The {@code validation} attribute: the algorithm that authenticates a cookie. */
  public enum Validation {
    /**
     * {@code MD5}. In the legacy modes a plain MD5 over data followed by the key (not an HMAC); in Framework45
     * HMAC-MD5. Read-only legacy.
     */
    MD5("MD5", "HmacMD5", 16),
    /** {@code SHA1}, which .NET implements as HMAC-SHA1. Read-only legacy. */
    SHA1("SHA1", "HmacSHA1", 20),
    /** {@code HMACSHA256}, the .NET 4 default. */
    HMACSHA256("HMACSHA256", "HmacSHA256", 32),
    /** {@code HMACSHA384}. */
    HMACSHA384("HMACSHA384", "HmacSHA384", 48),
    /** {@code HMACSHA512}. */
    HMACSHA512("HMACSHA512", "HmacSHA512", 64);

    private final String configValue;
    private final String jcaMac;
    private final int tagLength;

    Validation(String configValue, String jcaMac, int tagLength) {
      this.configValue = configValue;
      this.jcaMac = jcaMac;
      this.tagLength = tagLength;
    }

    /**
     * The value for a web.config spelling ({@code SHA1}, {@code HMACSHA256}, ...), case-insensitive. {@code 3DES} and
     * {@code AES}, which .NET 2.0 allowed here, mean SHA1 for Forms Authentication.
     *
     * @throws IllegalArgumentException for a custom ({@code alg:...}) or unknown algorithm
     */
    public static Validation fromConfigValue(String value) {
      String v = Objects.requireNonNull(value, "validation").trim().toUpperCase(Locale.ROOT);
      if (v.equals("3DES") || v.equals("AES")) {
        return SHA1;
      }
      for (Validation candidate : values()) {
        if (candidate.configValue.equals(v)) {
          return candidate;
        }
      }
      throw new IllegalArgumentException("machineKey validation \"" + value
          + "\" is not supported; use SHA1, MD5, HMACSHA256, HMACSHA384 or HMACSHA512");
    }

    String jcaMac() {
      return jcaMac;
    }

    int tagLength() {
      return tagLength;
    }
  }

  /** The {@code decryption} attribute: the block cipher, always in CBC mode with PKCS#7 padding. */
  public enum Decryption {
    /**
     * {@code AES}: 128, 192 or 256-bit keys. Also {@code Auto}, except that the legacy modes take {@code Auto} with an
     * 8-byte key as DES ({@link WebConfig} applies that rule).
     */
    AES("AES", "AES", 16),
    /** {@code 3DES}: a 192-bit key. Read-only legacy. */
    TRIPLE_DES("3DES", "DESede", 8),
    /** {@code DES}: a 64-bit key. Read-only legacy; broken by brute force. */
    DES("DES", "DES", 8);

    private final String configValue;
    private final String jcaCipher;
    private final int blockLength;

    Decryption(String configValue, String jcaCipher, int blockLength) {
      this.configValue = configValue;
      this.jcaCipher = jcaCipher;
      this.blockLength = blockLength;
    }

    /**
     * The value for a web.config spelling ({@code AES}, {@code Auto}, {@code 3DES}, {@code DES}), case-insensitive.
     *
     * @throws IllegalArgumentException for a custom ({@code alg:...}) or unknown algorithm
     */
    public static Decryption fromConfigValue(String value) {
      String v = Objects.requireNonNull(value, "decryption").trim().toUpperCase(Locale.ROOT);
      if (v.equals("AUTO")) {
        return AES;
      }
      for (Decryption candidate : values()) {
        if (candidate.configValue.equals(v)) {
          return candidate;
        }
      }
      throw new IllegalArgumentException(
          "machineKey decryption \"" + value + "\" is not supported; use AES, Auto, 3DES or DES");
    }

    String jcaCipher() {
      return jcaCipher;
    }

    int blockLength() {
      return blockLength;
    }
  }

  /** The {@code compatibilityMode} attribute: which of .NET's two cookie formats is in use. */
  public enum CompatibilityMode {
    /** {@code Framework20SP1}, the .NET default: encrypt-then-sign with the configured keys as they are. */
    FRAMEWORK20SP1("Framework20SP1"),
    /** {@code Framework20SP2}: for Forms Authentication the same format as {@link #FRAMEWORK20SP1}. */
    FRAMEWORK20SP2("Framework20SP2"),
    /**
     * {@code Framework45} (also implied by {@code <httpRuntime targetFramework="4.5"/>} or later): keys derived per
     * purpose, random IV, MAC over IV and ciphertext.
     */
    FRAMEWORK45("Framework45");

    private final String configValue;

    CompatibilityMode(String configValue) {
      this.configValue = configValue;
    }

    /**
     * The value for a web.config spelling, case-insensitive.
     *
     * @throws IllegalArgumentException for an unknown mode
     */
    public static CompatibilityMode fromConfigValue(String value) {
      String v = Objects.requireNonNull(value, "compatibilityMode").trim();
      for (CompatibilityMode candidate : values()) {
        if (candidate.configValue.equalsIgnoreCase(v)) {
          return candidate;
        }
      }
      throw new IllegalArgumentException("machineKey compatibilityMode \"" + value
          + "\" is not supported; use Framework20SP1, Framework20SP2 or Framework45");
    }

    boolean isLegacy() {
      return this != FRAMEWORK45;
    }
  }

  /** .NET refuses validation keys under 40 hex digits. */
  static final int MIN_VALIDATION_KEY_BYTES = 20;

  /** Far above any real machineKey; only bounds what a configuration can ask of the KDF. */
  static final int MAX_VALIDATION_KEY_BYTES = 256;

  private final byte[] validationKey;
  private final byte[] decryptionKey;
  private final Validation validation;
  private final Decryption decryption;
  private final CompatibilityMode compatibilityMode;
  private final boolean disclosedKeysAllowed;

  private MachineKey(Builder b) {
    this.validationKey = b.validationKey.clone();
    this.decryptionKey = b.decryptionKey.clone();
    this.validation = b.validation;
    this.decryption = b.decryption;
    this.compatibilityMode = b.compatibilityMode;
    this.disclosedKeysAllowed = b.disclosedKeysAllowed;
  }

  /** Starts a machine key; every property must be set. */
  public static Builder builder() {
    return new Builder();
  }

  public Validation validation() {
    return validation;
  }

  public Decryption decryption() {
    return decryption;
  }

  public CompatibilityMode compatibilityMode() {
    return compatibilityMode;
  }

  /** Whether this key was built with {@link Builder#allowPubliclyDisclosedKeysForTestsOnly()}. */
  boolean disclosedKeysAllowed() {
    return disclosedKeysAllowed;
  }

  /** A copy of the validation key bytes as configured. */
  byte[] validationKeyBytes() {
    return validationKey.clone();
  }

  /**
   * A copy of the decryption key bytes the cipher uses. For legacy DES a 24-byte key is cut to its first 8 bytes, as
   * .NET did.
   */
  byte[] decryptionKeyBytes() {
    if (decryption == Decryption.DES) {
      return Arrays.copyOf(decryptionKey, 8);
    }
    return decryptionKey.clone();
  }

  /** Names the algorithms and mode; never the keys. */
  @Override
  public String toString() {
    return "MachineKey[validation=" + validation + ", decryption=" + decryption
        + ", compatibilityMode=" + compatibilityMode + "]";
  }

  /** Collects the attributes of a {@code <machineKey>}; {@link #build()} checks them together. */
  public static final class Builder {
    private static final Logger LOG = LoggerFactory.getLogger(MachineKey.class);

    private byte[] validationKey;
    private byte[] decryptionKey;
    private Validation validation;
    private Decryption decryption;
    private CompatibilityMode compatibilityMode;
    private boolean disclosedKeysAllowed;

    private Builder() {}

    /**
     * The {@code validationKey} attribute, as hex.
     *
     * @throws IllegalArgumentException for {@code AutoGenerate} or anything but an even number of hex digits
     */
    public Builder validationKey(String hex) {
      this.validationKey = parseKey("validationKey", hex);
      return this;
    }

    /**
     * The {@code decryptionKey} attribute, as hex.
     *
     * @throws IllegalArgumentException for {@code AutoGenerate} or anything but an even number of hex digits
     */
    public Builder decryptionKey(String hex) {
      this.decryptionKey = parseKey("decryptionKey", hex);
      return this;
    }

    public Builder validation(Validation validation) {
      this.validation = Objects.requireNonNull(validation, "validation");
      return this;
    }

    public Builder decryption(Decryption decryption) {
      this.decryption = Objects.requireNonNull(decryption, "decryption");
      return this;
    }

    public Builder compatibilityMode(CompatibilityMode compatibilityMode) {
      this.compatibilityMode = Objects.requireNonNull(compatibilityMode, "compatibilityMode");
      return this;
    }

    /**
     * Lets {@link #build()} accept a key from the list of publicly disclosed machine keys, for tests that must read
     * cookies made under a published sample key. Every {@link #build()} with this set, and every {@link
     * FormsAuthentication} built from the key, logs a WARN on {@code dev.portcullis.aspnet.MachineKey}. Never in
     * production: whoever knows such a key can forge a cookie for any user.
     */
    public Builder allowPubliclyDisclosedKeysForTestsOnly() {
      this.disclosedKeysAllowed = true;
      return this;
    }

    /**
     * Checks that everything is set, that the key lengths suit the algorithms, and that neither key is on the list
     * of publicly disclosed machine keys.
     *
     * @throws IllegalStateException if a property is missing, a key length does not fit, or a key is publicly
     *     disclosed (the message names which key and its entry on the list, never the key)
     */
    public MachineKey build() {
      return build(LOG);
    }

    MachineKey build(Logger log) {
      require(validationKey != null, "machineKey validationKey is not set");
      require(decryptionKey != null, "machineKey decryptionKey is not set");
      require(
          validation != null,
          "machineKey validation is not set (the .NET 4 default is HMACSHA256)");
      require(
          decryption != null, "machineKey decryption is not set (the .NET default, Auto, is AES)");
      require(
          compatibilityMode != null,
          "machineKey compatibilityMode is not set (the .NET default is Framework20SP1;"
              + " <httpRuntime targetFramework=\"4.5\"/> or later implies Framework45)");
      require(
          validationKey.length >= MIN_VALIDATION_KEY_BYTES
              && validationKey.length <= MAX_VALIDATION_KEY_BYTES,
          "machineKey validationKey must have between " + (2 * MIN_VALIDATION_KEY_BYTES) + " and "
              + (2 * MAX_VALIDATION_KEY_BYTES) + " hex digits, not " + (2 * validationKey.length));
      int n = decryptionKey.length;
      switch (decryption) {
        case AES ->
          require(
              n == 16 || n == 24 || n == 32,
              "machineKey decryptionKey for AES must have 32, 48 or 64 hex digits, not " + (2 * n));
        case TRIPLE_DES ->
          require(
              n == 24, "machineKey decryptionKey for 3DES must have 48 hex digits, not " + (2 * n));
        case DES -> {
          if (compatibilityMode.isLegacy()) {
            require(
                n == 8 || n == 24,
                "machineKey decryptionKey for DES must have 16 (or, legacy, 48) hex digits, not "
                    + (2 * n));
          } else {
            // Framework45 derives a key as long as the configured one, and DES takes only 8 bytes.
            require(
                n == 8,
                "machineKey decryptionKey for DES in Framework45 must have 16 hex digits, not "
                    + (2 * n));
          }
        }
        default -> throw new AssertionError(decryption);
      }
      refuseDisclosed(log);
      return new MachineKey(this);
    }

    private void refuseDisclosed(Logger log) {
      DisclosedMachineKeys list = DisclosedMachineKeys.shipped();
      List<String> listed = new ArrayList<>(2);
      list.find(validationKey).ifPresent(l -> listed.add("validationKey is " + l.describe()));
      list.find(decryptionKey).ifPresent(l -> listed.add("decryptionKey is " + l.describe()));
      String where = String.join(" and its ", listed) + " " + DisclosedMachineKeys.SOURCE;
      if (disclosedKeysAllowed) {
        log.warn(
            "TESTS ONLY: allowPubliclyDisclosedKeysForTestsOnly() turns off the refusal of"
                + " publicly disclosed machine keys ({}). Anyone can forge cookies for any user"
                + " under a disclosed key: never use this setting in production.",
            listed.isEmpty() ? "neither key is listed" : "its " + where);
        return;
      }
      if (!listed.isEmpty()) {
        throw new IllegalStateException("machineKey is publicly disclosed: its " + where
            + ". Attackers use these keys to forge cookies for any user, so cookies made under"
            + " it prove nothing. Give the old portal freshly generated keys, wait for the old"
            + " cookies to expire, and configure the new keys here.");
      }
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalStateException(message);
      }
    }

    private static byte[] parseKey(String attribute, String hex) {
      Objects.requireNonNull(hex, attribute);
      String v = hex.trim();
      if (v.toUpperCase(Locale.ROOT).startsWith("AUTOGENERATE")) {
        throw new IllegalArgumentException(
            "machineKey " + attribute + " is AutoGenerate: that key exists only inside"
                + " the Windows server that made it, so Java cannot read its cookies. Set an explicit "
                + attribute
                + " on the .NET side first and wait for the old cookies to expire.");
      }
      if (v.isEmpty() || v.length() % 2 != 0) {
        throw new IllegalArgumentException("machineKey " + attribute
            + " must be an even number of hex digits (" + v.length() + " given)");
      }
      try {
        return HexFormat.of().parseHex(v);
      } catch (IllegalArgumentException e) {
        // The message of the hex parser would quote the key.
        throw new IllegalArgumentException(
            "machineKey " + attribute + " must contain only hex digits", null);
      }
    }
  }
}
