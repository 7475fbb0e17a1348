package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import org.junit.jupiter.api.Test;

/**
 * A {@code portcullis:} block that the core refuses stops the start with a message that names the block's own
 * settings, not only the Java builder's methods the core speaks of.
 */
class RefusedBlockMessagesTest {
  private static String startFailure(ConfigOverride... overrides) {
    return PortalStarts.refused(overrides).getMessage();
  }

  /** Regression: the message said {@code add permitAll("/login") to the policy}, a method the YAML does not have. */
  @Test
  void publicPathsWithoutTheLoginPage_nameTheYamlSetting() {
    assertThat(startFailure(ConfigOverride.config("portcullis.access.public-paths", "/privacy")))
        .contains("login page '/login' needs a login")
        .contains("rule that covers it. In the YAML: ")
        .contains("portcullis.access.public-paths");
  }

  @Test
  void aRulePatternTheCoreRefuses_namesTheYamlSetting() {
    assertThat(startFailure(ConfigOverride.config("portcullis.access.rules[0].pattern", "/admin/")))
        .contains("must not end in a slash")
        .contains("portcullis.access.rules");
  }

  /**
   * Regression: the block's public paths come before its role rules, so a rule under a public subtree (here {@code
   * /status/**}) was never reached and its pages were public.
   */
  @Test
  void aRoleRuleUnderAPublicPath_stopsTheStart_namingTheYamlSettings() {
    assertThat(startFailure(
            ConfigOverride.config("portcullis.access.rules[0].pattern", "/status/admin/**")))
        .contains("'/status/admin/**' of requireAnyRole(...) is never reached")
        .contains("'/status/**'")
        .contains("portcullis.access.public-paths")
        .contains("portcullis.access.rules");
  }

  /**
   * Regression: {@code trusted-proxies: [0.0.0.0/0]} made every client a trusted proxy, whose own {@code
   * X-Forwarded-Proto: https} made plain HTTP count as HTTPS.
   */
  @Test
  void everyAddressAsATrustedProxy_stopsTheStart_namingTheYamlSetting() {
    Throwable failure = PortalStarts.refused(PortalStarts.app(
        PortalApp.class,
        "portcullis-proxied.yml",
        ConfigOverride.config("portcullis.transport.development-mode", "false"),
        ConfigOverride.config("portcullis.transport.canonical-host", "portal.example"),
        ConfigOverride.config("portcullis.transport.trusted-proxies", "10.0.0.0/8,::/0")));
    assertThat(failure.getMessage())
        .contains("portcullis.transport was refused")
        .contains("trusted proxy '::/0' is every address");
  }

  /**
   * Regression: only every address was refused, so a {@code /8} of public space beside the private network made
   * every client there a trusted proxy, whose own forwarding headers chose its address and claimed HTTPS.
   */
  @Test
  void trustedProxiesHoldingMuchPublicSpace_stopTheStart_namingTheWidestEntry() {
    assertThat(startFailure(
            ConfigOverride.config("portcullis.transport.trusted-proxies", "10.0.0.0/8,11.0.0.0/8")))
        .contains("portcullis.transport was refused")
        .contains("trusted proxies hold more public IPv4 space than a /11")
        .contains("the widest entry is '11.0.0.0/8'");
  }

  @Test
  void aCookieNamePrefixTheCoreRefuses_namesTheYamlSetting() {
    assertThat(startFailure(ConfigOverride.config("portcullis.cookies.name-prefix", "two words")))
        .contains("portcullis.cookies.name-prefix");
  }
}
