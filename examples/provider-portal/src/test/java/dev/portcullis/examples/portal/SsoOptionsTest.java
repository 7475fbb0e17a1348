package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SsoOptionsTest {
  private static final String SECRET = "s3cret-value-from-the-environment";

  private static SsoOptions parse(Map<String, String> env, String... args) {
    return PortalOptions.parse(args, env).sso();
  }

  @Test
  void noOption_meansSingleSignOnOff() {
    assertThat(parse(Map.of())).isEqualTo(SsoOptions.OFF);
    assertThat(PortalOptions.parse(new String[0], Map.of()).sso().enabled()).isFalse();
  }

  @Test
  void ssoDev_byArgumentOrEnvironment_startsTheDevelopmentProvider() {
    assertThat(parse(Map.of(), "--sso", "dev")).isEqualTo(SsoOptions.DEV);
    assertThat(parse(Map.of(), "--sso=dev")).isEqualTo(SsoOptions.DEV);
    assertThat(parse(Map.of("PORTAL_SSO", "dev"))).isEqualTo(SsoOptions.DEV);
    assertThat(parse(Map.of("PORTAL_SSO", "dev"), "--sso", "off")).isEqualTo(SsoOptions.OFF);
  }

  @Test
  void aRealProvider_takesIssuerAndClientId_andTheSecretFromTheEnvironmentOnly() {
    SsoOptions sso = parse(
        Map.of("PORTAL_SSO_CLIENT_SECRET", SECRET),
        "--sso-issuer",
        "https://login.example/realms/portal",
        "--sso-client-id",
        "provider-portal");
    assertThat(sso.mode()).isEqualTo(SsoOptions.Mode.PROVIDER);
    assertThat(sso.issuer()).isEqualTo(URI.create("https://login.example/realms/portal"));
    assertThat(sso.clientId()).isEqualTo("provider-portal");
    assertThat(sso.clientSecret()).isEqualTo(SECRET);
    assertThat(sso.toString()).doesNotContain(SECRET).contains("login.example");
    assertThat(parse(Map.of(
            "PORTAL_SSO_ISSUER", "https://login.example/r",
            "PORTAL_SSO_CLIENT_ID", "c",
            "PORTAL_SSO_CLIENT_SECRET", SECRET)))
        .isEqualTo(new SsoOptions(
            SsoOptions.Mode.PROVIDER, URI.create("https://login.example/r"), "c", SECRET));
  }

  @Test
  void aProviderWithoutClientIdOrSecret_isRefused_withoutEchoingTheSecret() {
    assertThatThrownBy(() -> parse(
            Map.of("PORTAL_SSO_CLIENT_SECRET", SECRET), "--sso-issuer", "https://login.example/r"))
        .hasMessageContaining("--sso-client-id")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() ->
            parse(Map.of(), "--sso-issuer", "https://login.example/r", "--sso-client-id", "c"))
        .hasMessageContaining("PORTAL_SSO_CLIENT_SECRET");
    assertThatThrownBy(() -> parse(Map.of(), "--sso", "provider"))
        .hasMessageContaining("--sso-issuer");
  }

  @Test
  void clientSecretOnTheCommandLine_isNotAnOption() {
    assertThatThrownBy(() -> parse(Map.of(), "--sso-client-secret", SECRET))
        .hasMessageContaining("unknown option --sso-client-secret")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void malformedValues_areRefused() {
    assertThatThrownBy(() -> parse(Map.of(), "--sso", "yes"))
        .hasMessageContaining("off, dev or provider");
    assertThatThrownBy(() -> parse(
            Map.of("PORTAL_SSO_CLIENT_SECRET", SECRET),
            "--sso-issuer",
            "login.example",
            "--sso-client-id",
            "c"))
        .hasMessageContaining("https URL");
    assertThatThrownBy(() -> parse(Map.of(), "--sso", "dev", "--sso-issuer", "https://x.example"))
        .hasMessageContaining("leave out --sso-issuer");
  }
}
