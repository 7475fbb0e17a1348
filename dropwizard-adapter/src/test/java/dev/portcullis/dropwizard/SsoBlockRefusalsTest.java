package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.cookie.CookieSpec;
import io.dropwizard.core.Application;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A {@code portcullis.sso} block that is incomplete or that the core refuses stops the start, each refusal naming the
 * block's setting in the YAML's words and none repeating the client secret.
 */
class SsoBlockRefusalsTest {
  private static final String SECRET = "client-secret-that-no-message-repeats-42";

  /** The environment {@code portcullis-sso.yml} is read with: a complete, valid block. */
  private static Map<String, String> environment() {
    Map<String, String> environment = new HashMap<>();
    environment.put("PORTAL_PORT", "0");
    environment.put("PORTAL_KEYS", PortcullisBundleTest.KEYS.toString());
    environment.put("OIDC_ISSUER", "https://login.example/realms/portal");
    environment.put("PORTCULLIS_SSO_CLIENT_SECRET", SECRET);
    return environment;
  }

  /** The application with {@code portcullis-sso.yml}, read with {@code environment}, and the overrides. */
  private static DropwizardTestSupport<PortalApp.Config> ssoApp(
      Map<String, String> variables, ConfigOverride... overrides) {
    return new DropwizardTestSupport<>(
        PortalApp.class, ResourceHelpers.resourceFilePath("portcullis-sso.yml"), overrides) {
      @Override
      public Application<PortalApp.Config> newApplication() {
        return new SubstitutingPortalApp(variables);
      }
    };
  }

  /** The start's failure, with its causes. */
  private static Throwable startFailure(DropwizardTestSupport<PortalApp.Config> support) {
    return PortalStarts.refused(support);
  }

  private static Throwable startFailure(ConfigOverride... overrides) {
    return startFailure(ssoApp(environment(), overrides));
  }

  /** The failure as it would be printed, causes and all: the secret must not be anywhere in it. */
  private static String printed(Throwable failure) {
    StringWriter out = new StringWriter();
    failure.printStackTrace(new PrintWriter(out));
    assertThat(out.toString()).doesNotContain(SECRET);
    return out.toString();
  }

  @Test
  void anIncompleteBlock_stopsTheStart_namingEachMissingSetting() {
    Throwable failure = startFailure(new DropwizardTestSupport<>(
        PortalApp.class,
        ResourceHelpers.resourceFilePath("portcullis-sso-incomplete.yml"),
        ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString())));

    assertThat(failure.getMessage())
        .contains("portcullis.sso.issuer is not set")
        .contains("portcullis.sso.client-secret is not set")
        .contains("client-secret: ${PORTCULLIS_SSO_CLIENT_SECRET}")
        .contains("portcullis.sso.redirect-uri is not set")
        .doesNotContain("portcullis.sso.client-id is not set");
  }

  @Test
  void anIncompleteBlock_turnedOff_startsWithoutSingleSignOn() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = new DropwizardTestSupport<>(
        PortalApp.class,
        ResourceHelpers.resourceFilePath("portcullis-sso-incomplete.yml"),
        ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()),
        ConfigOverride.config("portcullis.sso.enabled", "false"));
    try {
      support.before();
      assertThat(((PortalApp) support.getApplication())
              .bundle
              .portcullis()
              .filter()
              .cookies())
          .extracting(CookieSpec::name)
          .doesNotContain("__Host-portcullis-sso");
    } finally {
      support.after();
    }
  }

  @Test
  void anEmptySecretFromTheEnvironment_stopsTheStart_namingTheSetting() {
    Map<String, String> environment = environment();
    environment.put("PORTCULLIS_SSO_CLIENT_SECRET", "");

    Throwable failure = startFailure(ssoApp(environment));

    assertThat(failure.getMessage()).contains("portcullis.sso.client-secret is not set");
  }

  @Test
  void aSecretExpressionLeftUnreplaced_stopsTheStart() {
    Throwable failure = startFailure(
        ConfigOverride.config("portcullis.sso.client-secret", "${PORTCULLIS_SSO_CLIENT_SECRET}"));

    assertThat(failure.getMessage())
        .contains(
            "portcullis.sso.client-secret is an environment variable expression that was not replaced")
        .contains("EnvironmentVariableSubstitutor");
  }

  @Test
  void aPlainHttpIssuerOffLoopback_isRefused_namingTheIssuer() {
    Throwable failure = startFailure(
        ConfigOverride.config("portcullis.sso.issuer", "http://login.example/realms/portal"));

    assertThat(failure.getMessage())
        .contains("portcullis.sso was refused: the issuer must be an https URL")
        .contains(
            "In the YAML: portcullis.sso.issuer is an https URL (plain http only on loopback)");
    printed(failure);
  }

  @Test
  void aPlainHttpRedirectUriOffLoopback_isRefused_namingTheRedirectUri() {
    Throwable failure = startFailure(
        ConfigOverride.config("portcullis.sso.redirect-uri", "http://portal.example/sso/callback"));

    assertThat(failure.getMessage())
        .contains("portcullis.sso was refused: the redirect URI must be an absolute https URL")
        .contains("In the YAML: portcullis.sso.redirect-uri is this portal's callback URL");
    printed(failure);
  }

  @Test
  void scopesWithoutOpenid_areRefused_namingTheScopes() {
    Throwable failure = startFailure(ConfigOverride.config("portcullis.sso.scopes", "profile"));

    assertThat(failure.getMessage())
        .contains("the scopes must include openid")
        .contains("In the YAML: portcullis.sso.scopes");
  }

  @Test
  void durationsOutOfBounds_areRefused_eachNamingItsSetting() {
    assertThat(startFailure(ConfigOverride.config("portcullis.sso.token-lifetime", "11 minutes"))
            .getMessage())
        .contains("the upgrade token lifetime must be above zero and at most 10 minutes")
        .contains("In the YAML: portcullis.sso.token-lifetime");
    assertThat(startFailure(ConfigOverride.config("portcullis.sso.provider-timeout", "61s"))
            .getMessage())
        .contains("the OpenID provider timeout must be above zero and at most 60 seconds")
        .contains("In the YAML: portcullis.sso.provider-timeout");
    assertThat(
            startFailure(ConfigOverride.config("portcullis.sso.link-reauthentication", "2 hours"))
                .getMessage())
        .contains("In the YAML: portcullis.sso.link-reauthentication is 1 minute to 1 hour");
    assertThat(startFailure(ConfigOverride.config("portcullis.sso.max-login-age", "30s"))
            .getMessage())
        .contains("In the YAML: portcullis.sso.max-login-age is 1 minute to 1 hour");
    assertThat(startFailure(ConfigOverride.config("portcullis.sso.pending-link-lifetime", "11m"))
            .getMessage())
        .contains("In the YAML: portcullis.sso.pending-link-lifetime is 1 to 10 minutes");
  }

  @Test
  void maxConcurrentProviderCallsOutOfRange_isRefused_namingTheSetting() {
    for (String calls : new String[] {"0", "-1", "1025"}) {
      assertThat(startFailure(
                  ConfigOverride.config("portcullis.sso.max-concurrent-provider-calls", calls))
              .getMessage())
          .as(calls)
          .contains("the number of requests that may wait on the OpenID provider at once must be"
              + " between 1 and 1024")
          .contains("In the YAML: portcullis.sso.max-concurrent-provider-calls is 1 to 1024");
    }
  }

  @Test
  void pathsThatCollide_areRefused_namingThePathSettings() {
    Throwable failure =
        startFailure(ConfigOverride.config("portcullis.sso.login-path", "/sso/upgrade"));

    assertThat(failure.getMessage())
        .contains("the upgrade, callback, SSO login, link and unlink paths must differ")
        .contains("portcullis.sso.upgrade-path, login-path, link-path, unlink-path");
  }

  @Test
  void aCookieNameThatIsNoToken_isRefused_namingTheCookieName() {
    Throwable failure =
        startFailure(ConfigOverride.config("portcullis.sso.cookie-name", "two words"));

    assertThat(failure.getMessage())
        .startsWith("portcullis.sso was refused: ")
        .contains("portcullis.sso.cookie-name");
    printed(failure);
  }

  @Test
  void anUpgradeCookieNamedAsTheSessionCookie_isRefused_namingTheCookieName() {
    Throwable failure =
        startFailure(ConfigOverride.config("portcullis.sso.cookie-name", "__Host-portcullis-sid"));

    assertThat(failure.getMessage())
        .contains("two Portcullis cookies have the same name")
        .contains("portcullis.sso.cookie-name");
  }

  @Test
  void withoutTheOidcLibrary_theStartStops_namingTheArtifact() {
    assertThatThrownBy(() -> SsoBlock.requireLibrary(
            "com.nimbusds.NotThere", SsoBlockRefusalsTest.class.getClassLoader()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "portcullis.sso is set but com.nimbusds:oauth2-oidc-sdk, which single sign-on needs, is not on the"
                + " class path")
        .hasMessageContaining("Add the dependency com.nimbusds:oauth2-oidc-sdk");
    SsoBlock.requireLibrary(SsoBlock.LIBRARY_CLASS, SsoBlockRefusalsTest.class.getClassLoader());
  }

  @Test
  void theSecret_isNotInToStringNorInJacksonsViewOfTheBlock() throws Exception {
    PortcullisFactory factory = new PortcullisFactory();
    PortcullisFactory.Sso sso = new PortcullisFactory.Sso();
    sso.setIssuer(URI.create("https://login.example/realms/portal"));
    sso.setClientId("portal");
    sso.setClientSecret(SECRET);
    factory.setSso(sso);

    assertThat(sso.toString()).contains("client-id=portal").doesNotContain(SECRET);
    assertThat(factory.toString()).contains("client-id=portal").doesNotContain(SECRET);
    String json = Jackson.newObjectMapper().writeValueAsString(factory);
    assertThat(json).contains("\"client-id\":\"portal\"").doesNotContain(SECRET);
  }
}
