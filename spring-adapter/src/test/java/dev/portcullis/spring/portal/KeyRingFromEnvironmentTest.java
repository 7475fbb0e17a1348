package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.spring.child.ChildPortal;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The key ring from a real environment variable of the application's process, as an operator sets it: the
 * application starts and protects its pages; the old variable name stops start-up with a message naming the new one.
 */
class KeyRingFromEnvironmentTest {
  private static final String[] ARGS = {
    "--server.port=0",
    "--server.address=127.0.0.1",
    "--portcullis.login.terms-version=2026-01",
    "--portcullis.transport.development-mode=true"
  };

  private static String ringText() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return "key 0a1b2c3d ACTIVE 2026-01-01T00:00:00Z "
        + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  @Test
  void keyRingVariable_startsTheApplication_whichProtectsItsPages() throws Exception {
    assertThat(KeyRingSources.ENV_VARIABLE).isEqualTo("PORTCULLIS_KEY_RING");
    try (ChildJvm app =
        ChildJvm.start(ChildPortal.class, Map.of("PORTCULLIS_KEY_RING", ringText()), ARGS)) {
      Browser browser = new Browser("http://127.0.0.1:" + app.awaitPort());
      HttpResponse<String> anonymous = browser.get("/secret");
      assertThat(anonymous.statusCode()).as(app.output()).isEqualTo(303);
      assertThat(anonymous.headers().firstValue("Location")).hasValue("/login?returnTo=%2Fsecret");
      assertThat(browser.login("alice", "alice-pw").statusCode())
          .as(app.output())
          .isEqualTo(303);
      HttpResponse<String> secret = browser.get("/secret");
      assertThat(secret.statusCode()).isEqualTo(200);
      assertThat(secret.body()).isEqualTo("secret for u-alice");
    }
  }

  @Test
  void oldVariableName_failsStartUp_namingTheNewOne() throws Exception {
    try (ChildJvm app =
        ChildJvm.start(ChildPortal.class, Map.of("PORTCULLIS_KEYS", ringText()), ARGS)) {
      assertThat(app.awaitExit()).as(app.output()).isNotZero();
      String output = app.output();
      assertThat(output)
          .contains("APPLICATION FAILED TO START")
          .contains("Rename the environment variable PORTCULLIS_KEYS to PORTCULLIS_KEY_RING")
          .doesNotContain("0a1b2c3d ACTIVE");
    }
  }
}
