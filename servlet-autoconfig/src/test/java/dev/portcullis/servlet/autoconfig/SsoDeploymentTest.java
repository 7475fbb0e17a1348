package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.testing.CapturedStderr;
import dev.portcullis.testing.TestBrowser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single sign-on of a WAR from {@code portcullis.sso.*} alone, on a real Jetty against a real OpenID provider on
 * loopback: a local login, the upgrade offered, the link confirmed, and a later login through the provider as the
 * linked user; settings that are wrong or missing fail the deployment, one message each naming the setting, and the
 * client secret is in no message and no log line.
 */
class SsoDeploymentTest {
  private static WarSso sso;

  @TempDir
  Path dir;

  @BeforeAll
  static void startProvider() throws Exception {
    sso = new WarSso();
  }

  @AfterAll
  static void stopProvider() {
    if (sso != null) {
      sso.close();
    }
  }

  @Test
  void
      localLogin_linkConfirmed_thenLoginThroughTheProvider_isTheLinkedUser_andTheSecretIsNeverLogged()
          throws Exception {
    String logged = CapturedStderr.during(() -> {
      try (WarNode node = sso.start(dir, Map.of(), Map.of())) {
        sso.assertLinkThenSsoLogin(node, node, "sub-alice");
      }
    });

    assertThat(logged)
        .as("the audit log (slf4j) records the link, without the secret")
        .contains("sso_link")
        .doesNotContain(WarSso.SECRET);
  }

  private Map<String, String> ssoSettings(Map<String, String> changes) throws Exception {
    Map<String, String> settings = new HashMap<>(sso.settings(8080));
    settings.putAll(changes);
    settings.values().removeIf(String::isEmpty);
    return WarNode.environment(dir, settings);
  }

  @Test
  void wrongAndMissingSettings_failTheDeployment_oneMessageEach_namingTheSetting()
      throws Exception {
    Map<String, String> environment = ssoSettings(Map.of(
        "PORTCULLIS_SSO_ISSUER", "http://idp.internal.example/realm",
        "PORTCULLIS_SSO_CLIENT_ID", "",
        "PORTCULLIS_SSO_SCOPES", "profile",
        "PORTCULLIS_SSO_TOKEN_LIFETIME", "45m",
        "PORTCULLIS_SSO_PROVIDER_TIMEOUT", "soon"));

    Throwable failure = catchThrowable(() -> WarNode.start(environment));

    assertThat(failure)
        .hasMessageContaining("(5 mistakes)")
        .hasMessageContaining(
            "portcullis.sso.issuer (environment variable PORTCULLIS_SSO_ISSUER) is not valid")
        .hasMessageContaining("portcullis.sso.client-id is not set")
        .hasMessageContaining(
            "portcullis.sso.scopes (environment variable PORTCULLIS_SSO_SCOPES) is not valid")
        .hasMessageContaining(
            "portcullis.sso.token-lifetime (environment variable"
                + " PORTCULLIS_SSO_TOKEN_LIFETIME) is not valid: expected a duration above zero and at most 10m")
        .hasMessageContaining("portcullis.sso.provider-timeout (environment variable"
            + " PORTCULLIS_SSO_PROVIDER_TIMEOUT) is not valid")
        .hasMessageNotContaining("idp.internal.example")
        .hasMessageNotContaining("45m")
        .hasMessageNotContaining(WarSso.SECRET);
  }

  @Test
  void pathsThatMeet_failTheDeployment_namingThePathSettings() throws Exception {
    Throwable failure = catchThrowable(
        () -> WarNode.start(ssoSettings(Map.of("PORTCULLIS_SSO_LOGIN_PATH", "/sso/callback"))));

    assertThat(failure)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining(
            "portcullis.sso.upgrade-path, login-path, link-path, unlink-path and the callback"
                + " path (portcullis.sso.callback-path, or the path of portcullis.sso.redirect-uri) must differ")
        .hasMessageNotContaining(WarSso.SECRET);
  }

  @Test
  void theClientSecretInAFile_failsTheDeployment_withoutQuotingIt() throws Exception {
    Path file = dir.resolve("portcullis.properties");
    Files.writeString(file, "portcullis.sso.client-secret=" + WarSso.SECRET + "\n");
    Map<String, String> environment = ssoSettings(
        Map.of("PORTCULLIS_SSO_CLIENT_SECRET", "", "PORTCULLIS_CONFIG", file.toString()));

    Throwable failure = catchThrowable(() -> WarNode.start(environment));

    assertThat(failure)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining("portcullis.sso.client-secret is set in " + file)
        .hasMessageContaining(
            "read from the environment variable PORTCULLIS_SSO_CLIENT_SECRET only")
        .hasMessageNotContaining(WarSso.SECRET);
  }

  @Test
  void ssoSettingsWithoutTheOidcLibrary_failTheDeployment_namingTheArtifact() throws Exception {
    ClassLoader withoutLibrary = new ClassLoader(getClass().getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("com.nimbusds.")) {
          throw new ClassNotFoundException(name);
        }
        return super.loadClass(name, resolve);
      }
    };

    Throwable failure = catchThrowable(() -> WarNode.start(ssoSettings(Map.of()), withoutLibrary));

    assertThat(failure)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining(
            "com.nimbusds:oauth2-oidc-sdk (which single sign-on needs) is not on the class path")
        .hasMessageContaining("portcullis.sso.enabled=false")
        .hasMessageNotContaining(WarSso.SECRET);
  }

  @Test
  void theUpgradeCookie_followsTheCookieNamePrefix() throws Exception {
    Map<String, String> staff = ssoSettings(Map.of("PORTCULLIS_COOKIES_NAME_PREFIX", "staff"));
    try (WarNode node = WarNode.start(staff)) {
      TestBrowser browser = new TestBrowser(node.base());
      assertThat(WarNode.logIn(browser).statusCode()).isEqualTo(303);
      assertThat(browser.cookies())
          .containsKeys("__Host-staff-sid", "__Host-staff-sso")
          .doesNotContainKey("__Host-portcullis-sso");
    }
  }

  @Test
  void enabledFalse_keepsSingleSignOnOff() throws Exception {
    try (WarNode node = WarNode.start(ssoSettings(Map.of("PORTCULLIS_SSO_ENABLED", "false")))) {
      dev.portcullis.testing.TestBrowser browser =
          new dev.portcullis.testing.TestBrowser(node.base());
      WarNode.logIn(browser);
      assertThat(WarNode.whoami(browser)).isEqualTo("u-alice");
      assertThat(browser.cookies()).doesNotContainKey("__Host-portcullis-sso");
    }
  }
}
