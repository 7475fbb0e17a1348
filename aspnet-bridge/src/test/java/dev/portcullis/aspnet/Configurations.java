package dev.portcullis.aspnet;

import dev.portcullis.aspnet.MachineKey.CompatibilityMode;
import dev.portcullis.aspnet.MachineKey.Decryption;
import dev.portcullis.aspnet.MachineKey.Validation;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Every machine key configuration .NET can use for Forms Authentication, with fresh random keys. */
final class Configurations {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Configurations() {}

  /** One configuration: algorithms, key length and ticket layout. */
  record Config(
      CompatibilityMode mode,
      Validation validation,
      Decryption decryption,
      int decryptionKeyBytes,
      boolean legacyTicketLayout) {

    MachineKey machineKey() {
      return MachineKey.builder()
          .validationKey(randomHex(64))
          .decryptionKey(randomHex(decryptionKeyBytes))
          .validation(validation)
          .decryption(decryption)
          .compatibilityMode(mode)
          .build();
    }

    FormsAuthentication forms(InstantSource clock) {
      return FormsAuthentication.builder(machineKey())
          .clock(clock)
          .random(RANDOM)
          .legacyTicketCompatibility(legacyTicketLayout)
          .build();
    }

    @Override
    public String toString() {
      return mode + " " + validation + " " + decryption + "-" + (8 * decryptionKeyBytes)
          + (legacyTicketLayout ? " legacy-ticket" : "");
    }
  }

  static List<Config> all() {
    List<Config> all = new ArrayList<>();
    for (CompatibilityMode mode : CompatibilityMode.values()) {
      for (Validation validation : Validation.values()) {
        for (boolean legacyLayout : new boolean[] {false, true}) {
          for (int aes : new int[] {16, 24, 32}) {
            all.add(new Config(mode, validation, Decryption.AES, aes, legacyLayout));
          }
          all.add(new Config(mode, validation, Decryption.TRIPLE_DES, 24, legacyLayout));
          all.add(new Config(mode, validation, Decryption.DES, 8, legacyLayout));
          if (mode != CompatibilityMode.FRAMEWORK45) {
            all.add(new Config(mode, validation, Decryption.DES, 24, legacyLayout));
          }
        }
      }
    }
    return all;
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().withUpperCase().formatHex(b);
  }

  static FormsAuthenticationTicket ticket() {
    return FormsAuthenticationTicket.builder(
            "alice@example.org", NOW.minusSeconds(600), NOW.plusSeconds(3600))
        .version(2)
        .persistent(true)
        .userData("roles=reader;org=42")
        .cookiePath("/portal")
        .build();
  }
}
