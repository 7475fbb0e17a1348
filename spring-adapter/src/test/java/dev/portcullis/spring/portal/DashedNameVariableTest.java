package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.spring.child.ChildPortal;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A property whose name has a dash, set in an environment variable with the dash as an underscore ({@code
 * PORTCULLIS_COOKIES_NAME_PREFIX}), in a real Spring Boot start-up of its own JVM: Spring Boot binds it, and the
 * starter starts with it. Regression: the starter's check for misspelt variables read it as {@code
 * portcullis.cookies.name.prefix}, refused the start and suggested the very name given, so the README's {@code
 * PORTCULLIS_SSO_CLIENT_SECRET} stopped every start.
 */
class DashedNameVariableTest {
  @Test
  void aVariableWithTheDashesAsUnderscores_isBound_andTheApplicationStarts() throws Exception {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    Map<String, String> env = new HashMap<>();
    env.put(
        "PORTCULLIS_KEY_RING",
        "key 0a1b2c3d ACTIVE 2026-01-01T00:00:00Z "
            + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    env.put("PORTCULLIS_COOKIES_NAME_PREFIX", "staff");
    env.put("PORTCULLIS_SESSION_ABSOLUTE_TIMEOUT", "4h");
    env.put("PORTCULLIS_AUDIT_SEARCH_ENDPOINTS_0_PATH", "/search");
    env.put("PORTCULLIS_AUDIT_SEARCH_ENDPOINTS_0_PARAMETER", "q");
    try (ChildJvm app = ChildJvm.start(
        ChildPortal.class,
        env,
        "--server.port=0",
        "--server.address=127.0.0.1",
        "--portcullis.login.terms-version=2026-01",
        "--portcullis.transport.development-mode=true",
        "--portcullis.access.public-paths=/login,/terms")) {
      Integer port = app.awaitPortOrExit();

      assertThat(port).as("the application did not start:\n%s", app.output()).isNotNull();
      Browser browser = new Browser("http://127.0.0.1:" + port);
      assertThat(browser.get("/login").statusCode()).isEqualTo(200);
      assertThat(browser.cookies().keySet())
          .isNotEmpty()
          .allMatch(name -> name.contains("staff-"), "named with the prefix from the variable");
    }
  }
}
