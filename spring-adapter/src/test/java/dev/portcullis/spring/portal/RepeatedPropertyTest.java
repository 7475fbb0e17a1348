package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.spring.child.ChildPortal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code portcullis.*} property written twice in one {@code application.properties}, in a real Spring Boot start-up
 * of its own JVM: the start fails, naming the property, the file and the lines, since Spring Boot would keep the last
 * value without a word. The same property given again in a profile-specific file, a profile's document of the file or
 * the environment is an override, and the application starts with it.
 */
class RepeatedPropertyTest {
  private static Map<String, String> keyRing() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return Map.of(
        "PORTCULLIS_KEY_RING",
        "key 0a1b2c3d ACTIVE 2026-01-01T00:00:00Z "
            + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
  }

  /**
   * Regression: the application started, a second {@code public-paths} line further down the file having replaced the
   * reviewed one without a word.
   */
  @Test
  void aPropertyGivenTwiceInOneFile_failsStartUp_namingItTheFileAndTheLines(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("application.properties"), """
        portcullis.login.terms-version=2026-01
        portcullis.access.public-paths=/login,/terms

        # added later, further down
        portcullis.access.public-paths=/login,/terms,/secret
        """);
    try (ChildJvm app = ChildJvm.start(
        ChildPortal.class,
        keyRing(),
        "--server.port=0",
        "--server.address=127.0.0.1",
        "--spring.config.additional-location=file:" + dir + "/",
        "--portcullis.transport.development-mode=true")) {
      Integer port = app.awaitPortOrExit();
      assertThat(port).as("the application started:\n%s", app.output()).isNull();
      assertThat(app.awaitExit()).as(app.output()).isNotZero();
      assertThat(app.output())
          .contains("APPLICATION FAILED TO START")
          .contains("a property given more than once in one file: portcullis.access.public-paths (")
          .contains(dir.resolve("application.properties") + "], lines 2, 5)")
          .contains("Give each portcullis.* property once in each .properties file");
    }
  }

  @Test
  void overridesInAProfileFileAProfileDocumentAndTheEnvironment_start(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("application.properties"), """
        portcullis.login.terms-version=2026-01
        portcullis.access.public-paths=/login,/terms
        portcullis.access.authenticated-paths=/**
        portcullis.cookies.name-prefix=base
        portcullis.session.idle-timeout=20m
        portcullis.session.absolute-timeout=8h
        #---
        spring.config.activate.on-profile=prod
        portcullis.cookies.name-prefix=document
        portcullis.session.idle-timeout=10m
        """);
    Files.writeString(
        dir.resolve("application-prod.properties"), "portcullis.cookies.name-prefix=prodfile\n");
    Map<String, String> env = new HashMap<>(keyRing());
    env.put("PORTCULLIS_SESSION_ABSOLUTETIMEOUT", "4h");
    try (ChildJvm app = ChildJvm.start(
        ChildPortal.class,
        env,
        "--server.port=0",
        "--server.address=127.0.0.1",
        "--spring.config.additional-location=file:" + dir + "/",
        "--spring.profiles.active=prod",
        "--portcullis.transport.development-mode=true",
        "--portcullis.session.idle-timeout=15m")) {
      Integer port = app.awaitPortOrExit();

      assertThat(port).as("the application did not start:\n%s", app.output()).isNotNull();
      Browser browser = new Browser("http://127.0.0.1:" + port);
      assertThat(browser.get("/login").statusCode()).isEqualTo(200);
      assertThat(browser.cookies().keySet())
          .as(
              "the cookie names of application-prod.properties, which overrides application.properties")
          .isNotEmpty()
          .allMatch(name -> name.contains("prodfile-"), "named with the prefix prodfile");
    }
  }
}
