package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.aspnet.MachineKey.CompatibilityMode;
import dev.portcullis.aspnet.MachineKey.Decryption;
import dev.portcullis.aspnet.MachineKey.Validation;
import dev.portcullis.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the {@code <machineKey>} and friends from a web.config, safely. */
class WebConfigTest {
  private static final String VALIDATION_KEY = Configurations.randomHex(64);
  private static final String DECRYPTION_KEY = Configurations.randomHex(32);

  private static WebConfig read(String xml) {
    return WebConfig.read(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static String machineKey(String extraAttributes) {
    return "<machineKey validationKey=\"" + VALIDATION_KEY + "\" decryptionKey=\"" + DECRYPTION_KEY
        + "\" " + extraAttributes + "/>";
  }

  private static String webConfig(String systemWeb) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <system.web>\n    "
        + systemWeb + "\n  </system.web>\n</configuration>\n";
  }

  @Test
  void explicitMachineKey_isReadWithAllAttributes() {
    WebConfig config = read(webConfig(machineKey(
            "validation=\"HMACSHA512\" decryption=\"AES\" compatibilityMode=\"Framework20SP2\"")
        + "<authentication mode=\"Forms\"><forms name=\"PORTALAUTH\" loginUrl=\"~/login\" protection=\"All\"/>"
        + "</authentication>"));

    assertThat(config.machineKey().validation()).isEqualTo(Validation.HMACSHA512);
    assertThat(config.machineKey().decryption()).isEqualTo(Decryption.AES);
    assertThat(config.machineKey().compatibilityMode()).isEqualTo(CompatibilityMode.FRAMEWORK20SP2);
    assertThat(config.formsCookieName()).isEqualTo("PORTALAUTH");
    assertThat(config.legacyTicketCompatibility()).isFalse();
    assertThat(config.toString()).doesNotContain(VALIDATION_KEY).doesNotContain(DECRYPTION_KEY);
  }

  @Test
  void missingAttributes_takeTheDotNet4Defaults() {
    WebConfig config = read(webConfig(machineKey("")));

    assertThat(config.machineKey().validation()).isEqualTo(Validation.HMACSHA256);
    assertThat(config.machineKey().decryption()).isEqualTo(Decryption.AES);
    assertThat(config.machineKey().compatibilityMode()).isEqualTo(CompatibilityMode.FRAMEWORK20SP1);
    assertThat(config.formsCookieName()).isEqualTo(".ASPXAUTH");
  }

  @Test
  void formsCookie_carriesTheNamePathAndDomainOfForms_andDefaultsToTheWholeHost() {
    WebConfig config = read(webConfig(machineKey("")
        + "<authentication mode=\"Forms\"><forms name=\"PORTALAUTH\" path=\"/portal\""
        + " domain=\".example.org\"/></authentication>"));

    assertThat(config.formsCookie().name()).isEqualTo("PORTALAUTH");
    assertThat(config.formsCookie().path()).isEqualTo("/portal");
    assertThat(config.formsCookie().domain()).hasValue(".example.org");
    assertThat(config.formsCookie().secure()).isTrue();
    assertThat(config.formsCookie().httpOnly()).isTrue();

    WebConfig plain = read(webConfig(machineKey("")));
    assertThat(plain.formsCookie().name()).isEqualTo(".ASPXAUTH");
    assertThat(plain.formsCookie().path()).isEqualTo("/");
    assertThat(plain.formsCookie().domain()).isEmpty();
  }

  @Test
  void formsCookieThatCannotBeDeclared_isRefusedNamingForms() {
    assertThatThrownBy(() -> read(webConfig(machineKey("")
            + "<authentication mode=\"Forms\"><forms path=\"portal\"/></authentication>")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<forms> names a cookie this bridge cannot declare")
        .hasMessageContaining("path must start with '/'");
  }

  @Test
  void httpRuntimeTargeting45OrLater_impliesFramework45_unlessTheModeIsExplicit() {
    assertThat(read(webConfig("<httpRuntime targetFramework=\"4.7.2\"/>" + machineKey("")))
            .machineKey()
            .compatibilityMode())
        .isEqualTo(CompatibilityMode.FRAMEWORK45);
    assertThat(read(webConfig("<httpRuntime targetFramework=\"4.0\"/>" + machineKey("")))
            .machineKey()
            .compatibilityMode())
        .isEqualTo(CompatibilityMode.FRAMEWORK20SP1);
    assertThat(read(webConfig("<httpRuntime targetFramework=\"4.8\"/>"
                + machineKey("compatibilityMode=\"Framework20SP1\"")))
            .machineKey()
            .compatibilityMode())
        .isEqualTo(CompatibilityMode.FRAMEWORK20SP1);
    assertThatThrownBy(
            () -> read(webConfig("<httpRuntime targetFramework=\"four\"/>" + machineKey(""))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void autoDecryptionWithAnEightByteKey_isDesInTheLegacyModes_only() {
    String desKey = Configurations.randomHex(8);
    String legacy = webConfig("<machineKey validationKey=\"" + VALIDATION_KEY
        + "\" decryptionKey=\"" + desKey + "\" decryption=\"Auto\"/>");
    String fx45 = legacy.replace(
        "decryption=\"Auto\"", "decryption=\"Auto\" compatibilityMode=\"Framework45\"");

    assertThat(read(legacy).machineKey().decryption()).isEqualTo(Decryption.DES);
    assertThatThrownBy(() -> read(fx45))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("for AES must have 32, 48 or 64 hex digits");
    assertThat(read(webConfig(machineKey(""))).machineKey().decryption()).isEqualTo(Decryption.AES);
  }

  @Test
  void legacyTicketAppSetting_isRead() {
    String xml = "<configuration><appSettings>"
        + "<add key=\"aspnet:UseLegacyFormsAuthenticationTicketCompatibility\" value=\"true\"/>"
        + "</appSettings><system.web>" + machineKey("") + "</system.web></configuration>";

    assertThat(read(xml).legacyTicketCompatibility()).isTrue();
  }

  @Test
  void namespacedConfiguration_isRead() {
    String xml =
        "<configuration xmlns=\"http://schemas.microsoft.com/.NetConfiguration/v2.0\"><system.web>"
            + machineKey("validation=\"SHA1\"") + "</system.web></configuration>";

    assertThat(read(xml).machineKey().validation()).isEqualTo(Validation.SHA1);
  }

  @Test
  void readKey_opensCookiesSealedWithTheSameAttributes() {
    MachineKey fromConfig =
        read(webConfig(machineKey("compatibilityMode=\"Framework45\""))).machineKey();
    MachineKey fromBuilder = MachineKey.builder()
        .validationKey(VALIDATION_KEY)
        .decryptionKey(DECRYPTION_KEY)
        .validation(Validation.HMACSHA256)
        .decryption(Decryption.AES)
        .compatibilityMode(CompatibilityMode.FRAMEWORK45)
        .build();
    MutableClock clock = new MutableClock(Configurations.NOW);
    String cookie = FormsAuthentication.builder(fromBuilder)
        .clock(clock)
        .random(new SecureRandom())
        .build()
        .seal(Configurations.ticket());

    assertThat(FormsAuthentication.builder(fromConfig)
            .clock(clock)
            .random(new SecureRandom())
            .build()
            .open(cookie))
        .isInstanceOf(TicketResult.Valid.class);
  }

  @Test
  void externalEntity_isRefused_andTheFileIsNeverRead(@TempDir Path dir) throws IOException {
    Path secret = dir.resolve("secret.txt");
    Files.writeString(secret, "TOP-SECRET-CONTENT");
    String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE configuration [\n"
        + "  <!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">\n]>\n"
        + "<configuration><system.web><machineKey validationKey=\"&xxe;\" decryptionKey=\""
        + DECRYPTION_KEY
        + "\"/></system.web></configuration>";

    assertThatThrownBy(() -> read(xml))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DOCTYPE")
        .hasMessageNotContaining("TOP-SECRET");
  }

  @Test
  void externalParameterEntityAndDtd_areRefused() {
    String xml =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE configuration SYSTEM \"http://127.0.0.1:1/evil.dtd\">\n"
            + "<configuration/>";

    assertThatThrownBy(() -> read(xml))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DOCTYPE");
  }

  @Test
  void entityExpansionBomb_isRefused() {
    String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        + "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n<configuration>&lol2;</configuration>";

    assertThatThrownBy(() -> read(xml)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void malformedXml_isRefused() {
    assertThatThrownBy(() -> read("<configuration><system.web>"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("well-formed");
  }

  @Test
  void missingOrRepeatedMachineKey_isRefused() {
    assertThatThrownBy(() -> read(webConfig("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("found 0");
    assertThatThrownBy(() -> read(webConfig(machineKey("") + machineKey(""))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("found 2");
  }

  @Test
  void autoGenerateOrAbsentKeys_areRefused() {
    assertThatThrownBy(() ->
            read(webConfig("<machineKey validationKey=\"AutoGenerate,IsolateApps\" decryptionKey=\""
                + DECRYPTION_KEY + "\"/>")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AutoGenerate");
    assertThatThrownBy(
            () -> read(webConfig("<machineKey decryptionKey=\"" + DECRYPTION_KEY + "\"/>")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no validationKey");
  }

  @Test
  void formsProtectionOtherThanAll_isRefused() {
    assertThatThrownBy(
            () -> read(
                webConfig(
                    machineKey("")
                        + "<authentication mode=\"Forms\"><forms protection=\"Validation\"/></authentication>")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("protection");
  }

  @Test
  void aSectionTheBridgeReadsKeptInAnotherFile_isRefused_naming_theSection() {
    for (String section : List.of(
        "<httpRuntime configSource=\"runtime.config\"/>",
        "<sessionState configSource=\"session.config\"/>",
        "<httpCookies configSource=\"cookies.config\"/>",
        "<authentication configSource=\"auth.config\"/>")) {
      assertThatThrownBy(() -> read(webConfig(machineKey("") + section)))
          .as(section)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(section.substring(0, section.indexOf('"') - 1))
          .hasMessageContaining("another file")
          .hasMessageNotContaining(section.split("\"")[1]);
    }
    String appSettings =
        "<?xml version=\"1.0\"?>\n<configuration>\n  <appSettings file=\"local.config\"/>"
            + "\n  <system.web>" + machineKey("") + "</system.web>\n</configuration>\n";
    assertThatThrownBy(() -> read(appSettings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<appSettings file=");
    assertThat(read(webConfig(machineKey("") + "<httpRuntime targetFramework=\"4.8\"/>"))
            .machineKey()
            .compatibilityMode())
        .as("the same sections, in the file")
        .isEqualTo(MachineKey.CompatibilityMode.FRAMEWORK45);
  }

  @Test
  void configSource_isRefusedWithAPointer() {
    assertThatThrownBy(() -> read(webConfig("<machineKey configSource=\"machineKey.config\"/>")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("configSource");
  }
}
