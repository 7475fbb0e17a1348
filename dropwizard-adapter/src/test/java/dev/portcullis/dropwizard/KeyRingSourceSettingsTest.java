package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Where the {@code portcullis.keys} block takes the key ring from besides a key file, read by real Dropwizard starts
 * on a configuration without one: a PKCS12 key store ({@code pkcs12.path}, {@code pkcs12.password}) or a variable of
 * the process environment ({@code environment-variable}; the build gives the tests' JVM {@value #VARIABLE}). Each
 * accepted source is one start that the tests share ({@link SharedStarts}); a refused one stops its start, naming the
 * setting and never the store's password.
 */
class KeyRingSourceSettingsTest {
  /** The variable the build sets for the tests: a ring whose active key, {@code 0a1b2c3d}, is a day old at the start. */
  private static final String VARIABLE = "PORTCULLIS_DROPWIZARD_TEST_KEY_RING";

  private static final String PASSWORD = "riverside-store-pw-5c1d";

  private static final Path STORE = pkcs12Store();

  private static final SharedStarts STARTS =
      SharedStarts.withoutKeyFile("portcullis-keys-elsewhere.yml");

  @AfterAll
  static void stopTheApplications() {
    STARTS.close();
  }

  /** A PKCS12 store of one active AES key, {@code 0e0f1011}, under {@link #PASSWORD}. */
  private static Path pkcs12Store() {
    try {
      Path file =
          Files.createTempDirectory(Path.of("target"), "dropwizard-p12").resolve("keys.p12");
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, PASSWORD.toCharArray());
      store.setEntry(
          "0e0f1011.active",
          new KeyStore.SecretKeyEntry(new SecretKeySpec(secret, "AES")),
          new KeyStore.PasswordProtection(PASSWORD.toCharArray()));
      try (OutputStream out = Files.newOutputStream(file)) {
        store.store(out, PASSWORD.toCharArray());
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static DropwizardTestSupport<PortalApp.Config> fromTheStore() throws Exception {
    return STARTS.app(
        PortalApp.class,
        "portcullis.keys.pkcs12.path",
        STORE.toString(),
        "portcullis.keys.pkcs12.password",
        PASSWORD);
  }

  private static DropwizardTestSupport<PortalApp.Config> fromTheVariable() throws Exception {
    return STARTS.app(PortalApp.class, "portcullis.keys.environment-variable", VARIABLE);
  }

  private static DropwizardTestSupport<PortalApp.Config> refusing(ConfigOverride... overrides) {
    return new DropwizardTestSupport<>(
        PortalApp.class,
        ResourceHelpers.resourceFilePath("portcullis-keys-elsewhere.yml"),
        overrides);
  }

  private static String printed(Throwable failure) {
    StringWriter out = new StringWriter();
    failure.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /**
   * The running application's active key is {@code keyId} (as its health check names it), and it keys a login and
   * the page behind it.
   */
  private static void keysThePortal(DropwizardTestSupport<PortalApp.Config> support, String keyId)
      throws Exception {
    assertThat(support
            .getEnvironment()
            .healthChecks()
            .runHealthCheck(PortcullisBundle.HEALTH_CHECK)
            .getMessage())
        .contains("active key " + keyId);
    TestBrowser alice = SessionAndCookieSettingsTest.browser(support);
    assertThat(SessionAndCookieSettingsTest.login(alice, "alice", "alice-pw").statusCode())
        .isEqualTo(303);
    assertThat(alice.get("/reports").statusCode()).isEqualTo(200);
  }

  @Test
  void pkcs12Store_fromTheYamlBlock_keysThePortal() throws Exception {
    keysThePortal(fromTheStore(), "0e0f1011");
  }

  @Test
  void pkcs12Password_isInNoViewOfTheConfiguration() throws Exception {
    PortcullisFactory block = fromTheStore().getConfiguration().getPortcullis();
    assertThat(block.getKeys().getPkcs12().getPath()).isEqualTo(STORE);
    assertThat(block.toString()).doesNotContain(PASSWORD);
    assertThat(block.getKeys().getPkcs12().toString()).doesNotContain(PASSWORD);
    assertThat(new ObjectMapper().findAndRegisterModules().writeValueAsString(block))
        .contains("keys.p12")
        .doesNotContain(PASSWORD);
  }

  @Test
  void environmentVariable_fromTheYamlBlock_keysThePortal() throws Exception {
    keysThePortal(fromTheVariable(), "0a1b2c3d");
  }

  @Test
  void anEnvironmentVariableThatIsNotSet_stopsTheStart_namingItAndTheSetting() {
    Throwable failure = PortalStarts.refused(refusing(ConfigOverride.config(
        "portcullis.keys.environment-variable", "PORTCULLIS_DROPWIZARD_TEST_NO_RING")));
    assertThat(failure.getMessage())
        .contains("environment variable PORTCULLIS_DROPWIZARD_TEST_NO_RING is not set")
        .contains("portcullis.keys.environment-variable");
  }

  @Test
  void aBlankEnvironmentVariableName_stopsTheStart_namingTheSetting() {
    Throwable failure = PortalStarts.refused(
        refusing(ConfigOverride.config("portcullis.keys.environment-variable", " ")));
    assertThat(failure.getMessage()).contains("portcullis.keys.environmentVariable");
  }

  @Test
  void aKeyFileAndAPkcs12Store_stopTheStart_namingBoth() {
    Throwable failure = PortalStarts.refused(refusing(
        ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()),
        ConfigOverride.config("portcullis.keys.pkcs12.path", STORE.toString()),
        ConfigOverride.config("portcullis.keys.pkcs12.password", PASSWORD)));
    assertThat(failure.getMessage())
        .contains("portcullis.keys.file and portcullis.keys.pkcs12.path are both set");
    assertThat(printed(failure)).doesNotContain(PASSWORD);
  }

  @Test
  void aPkcs12StoreWithoutItsPassword_stopsTheStart_namingThePasswordSetting() {
    Throwable failure = PortalStarts.refused(
        refusing(ConfigOverride.config("portcullis.keys.pkcs12.path", STORE.toString())));
    assertThat(failure.getMessage())
        .contains("portcullis.keys.pkcs12.path is set without portcullis.keys.pkcs12.password")
        .contains("${PORTCULLIS_KEYS_PKCS12_PASSWORD}");
  }

  @Test
  void anUnreplacedPasswordExpression_stopsTheStart_namingTheSetting() {
    Throwable failure = PortalStarts.refused(refusing(
        ConfigOverride.config("portcullis.keys.pkcs12.path", STORE.toString()),
        ConfigOverride.config(
            "portcullis.keys.pkcs12.password", "${PORTCULLIS_KEYS_PKCS12_PASSWORD}")));
    assertThat(failure.getMessage())
        .contains("portcullis.keys.pkcs12.password is an environment variable expression");
  }

  @Test
  void aWrongPkcs12Password_stopsTheStart_namingTheSettings_andNoPassword() {
    String wrong = "not-the-" + PASSWORD;
    Throwable failure = PortalStarts.refused(refusing(
        ConfigOverride.config("portcullis.keys.pkcs12.path", STORE.toString()),
        ConfigOverride.config("portcullis.keys.pkcs12.password", wrong)));
    assertThat(failure.getMessage())
        .contains("cannot open PKCS12 key store")
        .contains("portcullis.keys.pkcs12.password");
    assertThat(printed(failure)).doesNotContain(wrong).doesNotContain(PASSWORD);
  }
}
