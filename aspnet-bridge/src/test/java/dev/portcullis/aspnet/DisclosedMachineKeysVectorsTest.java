package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.aspnet.MachineKey.CompatibilityMode;
import dev.portcullis.aspnet.MachineKey.Decryption;
import dev.portcullis.aspnet.MachineKey.Validation;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.testing.CapturingLogger;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestVectors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * Keys from Microsoft Threat Intelligence's {@code MachineKeys.csv} (the shared vectors, {@code
 * aspnet/public-machinekeys.csv}) are refused wherever a machine key enters, the message naming the key and its entry
 * but never the key; the override lets them through with a WARN; and the shipped hash list is exactly what {@code
 * build/GenerateDisclosedMachineKeys.java} makes from the CSV.
 */
class DisclosedMachineKeysVectorsTest {
  private static final String CSV = "aspnet/public-machinekeys.csv";

  /** One row of the CSV: its 1-based entry number and its two keys as published. */
  private record Row(int entry, String validationKey, String decryptionKey) {}

  private static List<Row> rows() throws IOException {
    List<String> lines = Files.readAllLines(TestVectors.file(CSV), StandardCharsets.UTF_8);
    assertThat(lines.get(0)).isEqualTo("validationKey, decryptionKey");
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] fields = lines.get(i).split(",");
      rows.add(new Row(i, fields[0].strip(), fields[1].strip()));
    }
    assertThat(rows).hasSize(3713);
    return rows;
  }

  private static MachineKey.Builder key(String validationKey, String decryptionKey) {
    return MachineKey.builder()
        .validationKey(validationKey)
        .decryptionKey(decryptionKey)
        .validation(Validation.HMACSHA256)
        .decryption(Decryption.AES)
        .compatibilityMode(CompatibilityMode.FRAMEWORK45);
  }

  private static String webConfig(String validationKey, String decryptionKey) {
    return "<configuration><system.web><machineKey validationKey=\"" + validationKey
        + "\" decryptionKey=\"" + decryptionKey + "\" validation=\"HMACSHA256\" decryption=\"AES\""
        + " compatibilityMode=\"Framework45\"/></system.web></configuration>";
  }

  private static ByteArrayInputStream stream(String xml) {
    return new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void listedValidationKey_isRefused_namingTheKeyAndItsEntry_neverTheKey() throws IOException {
    Row row = rows().get(41);
    String fresh = Configurations.randomHex(32);

    assertThatThrownBy(() -> key(row.validationKey(), fresh).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("publicly disclosed")
        .hasMessageContaining("validationKey is the validationKey of entry 42 (line 43)")
        .hasMessageContaining("MachineKeys.csv")
        .hasMessageNotContaining("decryptionKey is")
        .satisfies(e -> assertNoKeyIn(e.getMessage(), row));
  }

  @Test
  void listedDecryptionKey_isRefused_inEitherCase() throws IOException {
    Row row = rows().get(3712);
    String fresh = Configurations.randomHex(32);

    for (String spelling : List.of(
        row.decryptionKey().toUpperCase(Locale.ROOT),
        row.decryptionKey().toLowerCase(Locale.ROOT))) {
      assertThatThrownBy(() -> key(fresh, spelling).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("decryptionKey is the decryptionKey of entry 3713 (line 3714)")
          .hasMessageNotContaining("validationKey is")
          .satisfies(e -> assertNoKeyIn(e.getMessage(), row));
    }
  }

  @Test
  void keyPublishedInTheOtherColumn_isRefusedToo() throws IOException {
    List<Row> rows = rows();
    Set<String> validationKeys = new HashSet<>();
    rows.forEach(r -> validationKeys.add(r.validationKey().toLowerCase(Locale.ROOT)));
    Row row = rows.stream()
        .filter(r -> !validationKeys.contains(r.decryptionKey().toLowerCase(Locale.ROOT)))
        .findFirst()
        .orElseThrow();

    assertThatThrownBy(
            () -> key(row.decryptionKey(), Configurations.randomHex(32)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("validationKey is the decryptionKey of entry " + row.entry());
  }

  @Test
  void bothKeysListed_bothAreNamed() throws IOException {
    Row row = rows().get(0);

    assertThatThrownBy(() -> key(row.validationKey(), row.decryptionKey()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("validationKey is the validationKey of entry 1 (line 2)")
        .hasMessageContaining("decryptionKey is the decryptionKey of entry 1 (line 2)")
        .satisfies(e -> assertNoKeyIn(e.getMessage(), row));
  }

  @Test
  void everyKeyOfTheCsv_isRefused() throws IOException {
    int refused = 0;
    for (Row row : rows()) {
      for (String key : List.of(row.validationKey(), row.decryptionKey())) {
        try {
          key(key, Configurations.randomHex(32)).build();
        } catch (IllegalStateException e) {
          refused++;
        }
      }
    }
    assertThat(refused).isEqualTo(2 * 3713);
  }

  @Test
  void webConfig_withAListedKey_isRefused() throws IOException {
    Row row = rows().get(99);
    String xml = webConfig(Configurations.randomHex(32), row.decryptionKey());

    assertThatThrownBy(() -> WebConfig.read(stream(xml)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("decryptionKey is the decryptionKey of entry 100 (line 101)")
        .satisfies(e -> assertNoKeyIn(e.getMessage(), row));
    assertThat(
            WebConfig.readAllowingPubliclyDisclosedKeysForTestsOnly(stream(xml)).machineKey())
        .isNotNull();
  }

  @Test
  void override_letsAListedKeyOpenCookies_andWarnsAtEveryStart() throws IOException {
    Row row = rows().get(7);
    CapturingLogger log = new CapturingLogger("dev.portcullis.aspnet.MachineKey");
    MutableClock clock = new MutableClock(Configurations.NOW);

    MachineKey key = key(row.validationKey(), row.decryptionKey())
        .allowPubliclyDisclosedKeysForTestsOnly()
        .build(log);
    FormsAuthentication forms =
        FormsAuthentication.builder(key).clock(clock).random(new SecureRandom()).build(log);
    FormsAuthentication.builder(key).clock(clock).random(new SecureRandom()).build(log);
    LegacyLogin legacy = FormsAuthenticationLegacyLogin.builder(forms)
        .users(name -> Optional.empty())
        .sunset(Configurations.NOW.plus(Duration.ofDays(30)))
        .build();

    assertThat(legacy.open(forms.seal(Configurations.ticket())))
        .isInstanceOf(LegacyLogin.Result.Valid.class);
    assertThat(log.events()).hasSize(3).allMatch(e -> e.level() == Level.WARN);
    assertThat(log.events().get(0).message())
        .contains("TESTS ONLY")
        .contains("validationKey is the validationKey of entry 8 (line 9)")
        .contains("decryptionKey is the decryptionKey of entry 8 (line 9)");
    assertThat(log.output()).contains("allowPubliclyDisclosedKeysForTestsOnly");
    assertNoKeyIn(log.output(), row);
  }

  @Test
  void shippedList_isWhatTheGeneratorMakesFromTheCsv(@TempDir Path dir)
      throws IOException, InterruptedException {
    Path csv = TestVectors.file(CSV);
    Path root = Path.of(System.getProperty("portcullis.root.dir", "..")).toAbsolutePath();
    Path generator = root.resolve("build/GenerateDisclosedMachineKeys.java");
    Path shipped = root.resolve(
        "aspnet-bridge/src/main/resources/dev/portcullis/aspnet/" + DisclosedMachineKeys.RESOURCE);
    Path generated = dir.resolve("generated.sha256");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");

    Process process = new ProcessBuilder(
            java.toString(), generator.toString(), csv.toString(), generated.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("generator.log").toFile())
        .start();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("generator finished").isTrue();

    assertThat(process.exitValue())
        .as(Files.readString(dir.resolve("generator.log")))
        .isZero();
    assertThat(Files.readString(generated)).isEqualTo(Files.readString(shipped));
    try (var in = DisclosedMachineKeys.class.getResourceAsStream(DisclosedMachineKeys.RESOURCE)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .as("the resource on the class path")
          .isEqualTo(Files.readString(shipped));
    }
  }

  private static void assertNoKeyIn(String text, Row row) {
    String lower = text.toLowerCase(Locale.ROOT);
    assertThat(lower)
        .doesNotContain(row.validationKey().toLowerCase(Locale.ROOT).substring(0, 16))
        .doesNotContain(row.decryptionKey().toLowerCase(Locale.ROOT).substring(0, 16));
  }
}
