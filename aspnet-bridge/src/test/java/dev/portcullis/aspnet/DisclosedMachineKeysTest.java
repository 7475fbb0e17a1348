package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.aspnet.MachineKey.CompatibilityMode;
import dev.portcullis.aspnet.MachineKey.Decryption;
import dev.portcullis.aspnet.MachineKey.Validation;
import dev.portcullis.testing.CapturingLogger;
import java.io.IOException;
import java.io.StringReader;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * The shipped list of publicly disclosed machine keys, without the original CSV: its format, its lookup, and that a
 * fresh key passes {@link MachineKey.Builder#build()}. The refusal of listed keys is {@link
 * DisclosedMachineKeysVectorsTest}, which reads keys from the CSV.
 */
class DisclosedMachineKeysTest {

  private static MachineKey.Builder fresh() {
    return MachineKey.builder()
        .validationKey(Configurations.randomHex(32))
        .decryptionKey(Configurations.randomHex(32))
        .validation(Validation.HMACSHA256)
        .decryption(Decryption.AES)
        .compatibilityMode(CompatibilityMode.FRAMEWORK45);
  }

  @Test
  void shippedList_holdsEveryEntryOfTheOriginal() {
    assertThat(DisclosedMachineKeys.shipped().entries()).isEqualTo(3713);
  }

  @Test
  void freshRandomKey_isNotListed_andBuilds_withoutAWarning() {
    CapturingLogger log = new CapturingLogger("dev.portcullis.aspnet.MachineKey");
    byte[] key = HexFormat.of().parseHex(Configurations.randomHex(32));

    assertThat(DisclosedMachineKeys.shipped().find(key)).isEmpty();
    assertThat(fresh().build(log)).isNotNull();
    assertThat(log.events()).isEmpty();
  }

  @Test
  void hash_isOfTheLowerCaseHex_whateverCaseTheKeyWasGivenIn() {
    String upper = "00FF" + Configurations.randomHex(30);
    byte[] key = HexFormat.of().parseHex(upper);

    // SHA-256("00") as a fixed point of the normalisation: the list hashes "00", never "00"
    // upper-cased or raw bytes.
    assertThat(DisclosedMachineKeys.hash(new byte[1]))
        .isEqualTo("f1534392279bddbf9d43dde8701cb5be14b82f76ec6607bf8d6ad557f60f304e");
    assertThat(DisclosedMachineKeys.hash(key))
        .isEqualTo(DisclosedMachineKeys.hash(
            HexFormat.of().parseHex(upper.toLowerCase(java.util.Locale.ROOT))));
  }

  @Test
  void aListedKey_isFoundInEitherColumn_withItsEntry() throws IOException {
    byte[] first = HexFormat.of().parseHex(Configurations.randomHex(32));
    byte[] second = HexFormat.of().parseHex(Configurations.randomHex(32));
    byte[] other = HexFormat.of().parseHex(Configurations.randomHex(32));
    String list = "# comment\n" + DisclosedMachineKeys.hash(other) + " "
        + DisclosedMachineKeys.hash(other) + "\n" + DisclosedMachineKeys.hash(first) + " "
        + DisclosedMachineKeys.hash(second) + "\n";

    DisclosedMachineKeys keys = DisclosedMachineKeys.read(new StringReader(list));

    assertThat(keys.entries()).isEqualTo(2);
    assertThat(keys.find(first)).contains(new DisclosedMachineKeys.Listing(2, "validationKey"));
    assertThat(keys.find(second)).contains(new DisclosedMachineKeys.Listing(2, "decryptionKey"));
    assertThat(keys.find(other)).contains(new DisclosedMachineKeys.Listing(1, "validationKey"));
    assertThat(keys.find(second).orElseThrow().describe())
        .isEqualTo("the decryptionKey of entry 2 (line 3)");
    byte[] changed = first.clone();
    changed[0] ^= 1;
    assertThat(keys.find(changed)).isEmpty();
  }

  @Test
  void damagedOrEmptyList_failsClosed() {
    String hash = DisclosedMachineKeys.hash(new byte[20]);
    assertThatThrownBy(() -> DisclosedMachineKeys.read(new StringReader(hash + "\n")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("line 1");
    assertThatThrownBy(() -> DisclosedMachineKeys.read(new StringReader(
            "# header\n" + hash.toUpperCase(java.util.Locale.ROOT) + " " + hash + "\n")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("line 2");
    assertThatThrownBy(() -> DisclosedMachineKeys.read(new StringReader("# only a header\n")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void override_withAFreshKey_stillWarnsThatTheCheckIsOff() {
    CapturingLogger log = new CapturingLogger("dev.portcullis.aspnet.MachineKey");

    MachineKey key = fresh().allowPubliclyDisclosedKeysForTestsOnly().build(log);
    FormsAuthentication.builder(key)
        .clock(() -> Configurations.NOW)
        .random(new java.security.SecureRandom())
        .build(log);

    assertThat(log.events()).hasSize(2).allMatch(e -> e.level() == Level.WARN);
    assertThat(log.output())
        .contains("TESTS ONLY")
        .contains("neither key is listed")
        .contains("never use this setting in production");
  }

  @Test
  void withoutTheOverride_formsAuthenticationDoesNotWarn() {
    CapturingLogger log = new CapturingLogger("dev.portcullis.aspnet.MachineKey");

    FormsAuthentication.builder(fresh().build(log))
        .clock(() -> Configurations.NOW)
        .random(new java.security.SecureRandom())
        .build(log);

    assertThat(log.events()).isEmpty();
  }
}
