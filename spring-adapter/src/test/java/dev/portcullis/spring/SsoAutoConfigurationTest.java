package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.context.properties.ConfigurationPropertiesReportEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.env.EnvironmentEndpointAutoConfiguration;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** {@code portcullis.sso.*}: off by default, mapped onto {@code SsoConfig}, refused clearly, secret never shown. */
class SsoAutoConfigurationTest {
  private static final String SECRET = "s3cret-client-value-0123456789";

  @TempDir
  Path dir;

  private WebApplicationContextRunner runner() throws Exception {
    return new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class))
        .withInitializer(PortcullisAutoConfigurationTest.processEnvironment(Map.of()))
        .withUserConfiguration(TestUsers.class)
        .withPropertyValues(TestUsers.ACCESS)
        .withPropertyValues(
            "portcullis.login.terms-version=" + TestUsers.TERMS,
            "portcullis.keys.file=" + TestKeys.file(dir),
            "portcullis.transport.canonical-host=portal.example");
  }

  private WebApplicationContextRunner enabled() throws Exception {
    return runner()
        .withPropertyValues(
            "portcullis.sso.enabled=true",
            "portcullis.sso.issuer=https://login.example/realms/portal",
            "portcullis.sso.client-id=portal",
            "portcullis.sso.client-secret=" + SECRET,
            "portcullis.sso.redirect-uri=https://portal.example/sso/callback");
  }

  /** Start-up failed, and neither the analysis nor any message in the failure's chain shows the secret. */
  private static ContextConsumer<AssertableWebApplicationContext> failsWith(
      String description, String action) {
    return context -> {
      assertThat(context).hasFailed();
      FailureAnalysis analysis =
          PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
      assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
      assertThat(analysis.getDescription()).contains(description).doesNotContain(SECRET);
      assertThat(analysis.getAction()).contains(action).doesNotContain(SECRET);
      for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
      }
    };
  }

  @Test
  void offByDefault_noSsoConfig_andNoUpgradeCookieDeclared() throws Exception {
    runner().withPropertyValues("portcullis.sso.issuer=https://login.example").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(SsoConfig.class);
      assertThat(context.getBean(PortcullisFilter.class).cookies())
          .extracting(CookieSpec::name)
          .doesNotContain(SsoConfig.DEFAULT_COOKIE);
    });
  }

  @Test
  void enabled_mapsEveryPropertyOntoSsoConfig_withTheConfiguredStores() throws Exception {
    enabled()
        .withPropertyValues(
            "portcullis.sso.scopes=openid,profile",
            "portcullis.sso.cookie-name=portal_sso",
            "portcullis.sso.token-lifetime=3m",
            "portcullis.sso.upgrade-path=/account/sso-upgrade",
            "portcullis.sso.login-path=/account/sso-login",
            "portcullis.sso.link-path=/account/sso-link",
            "portcullis.sso.unlink-path=/account/sso-unlink",
            "portcullis.sso.pending-link-lifetime=2m",
            "portcullis.sso.keep-links-on-logout-everywhere=true",
            "portcullis.sso.trusted-audiences=reports-api,case-api",
            "portcullis.sso.link-reauthentication=2m",
            "portcullis.sso.max-login-age=3m",
            "portcullis.sso.provider-timeout=2s",
            "portcullis.sso.max-concurrent-provider-calls=4")
        .run(context -> {
          assertThat(context).hasNotFailed();
          SsoConfig sso = context.getBean(SsoConfig.class);
          assertThat(sso.issuer()).isEqualTo(URI.create("https://login.example/realms/portal"));
          assertThat(sso.clientId()).isEqualTo("portal");
          assertThat(sso.clientSecretForTokenRequest()).isEqualTo(SECRET);
          assertThat(sso.redirectUri())
              .isEqualTo(URI.create("https://portal.example/sso/callback"));
          assertThat(sso.callbackPath()).isEqualTo("/sso/callback");
          assertThat(sso.scopes()).containsExactly("openid", "profile");
          assertThat(sso.tokenLifetime()).isEqualTo(Duration.ofMinutes(3));
          assertThat(sso.upgradePath()).isEqualTo("/account/sso-upgrade");
          assertThat(sso.loginPath()).isEqualTo("/account/sso-login");
          assertThat(sso.linkPath()).isEqualTo("/account/sso-link");
          assertThat(sso.unlinkPath()).isEqualTo("/account/sso-unlink");
          assertThat(sso.pendingLinkLifetime()).isEqualTo(Duration.ofMinutes(2));
          assertThat(sso.keepLinksOnLogoutEverywhere()).isTrue();
          assertThat(sso.trustedAudiences()).containsExactlyInAnyOrder("reports-api", "case-api");
          assertThat(sso.linkReauthentication()).isEqualTo(Duration.ofMinutes(2));
          assertThat(sso.maxLoginAge()).isEqualTo(Duration.ofMinutes(3));
          assertThat(sso.providerTimeout()).isEqualTo(Duration.ofSeconds(2));
          assertThat(sso.maxConcurrentProviderCalls()).isEqualTo(4);
          assertThat(sso.cookie().name()).isEqualTo("portal_sso");
          assertThat(sso.cookie().sessionScoped()).isTrue();
          assertThat(sso.cookie().purpose()).as("the core's cookie-notice text").isNotBlank();
          assertThat(sso.links()).isSameAs(context.getBean(AccountLinkStore.class));
          assertThat(sso.replay()).isSameAs(context.getBean(ReplayStore.class));
          assertThat(context.getBean(PortcullisFilter.class).cookies())
              .extracting(CookieSpec::name)
              .contains("portal_sso");
        });
  }

  @Test
  void enabled_withDefaults_isTheCoreDefaults() throws Exception {
    enabled().run(context -> {
      SsoConfig sso = context.getBean(SsoConfig.class);
      assertThat(sso.cookie().name()).isEqualTo(SsoConfig.DEFAULT_COOKIE);
      assertThat(sso.scopes()).containsExactly("openid");
      assertThat(sso.tokenLifetime()).isEqualTo(Duration.ofMinutes(5));
      assertThat(sso.upgradePath()).isEqualTo("/sso/upgrade");
      assertThat(sso.loginPath()).isEqualTo("/sso/login");
      assertThat(sso.linkPath()).isEqualTo("/sso/link");
      assertThat(sso.unlinkPath()).isEqualTo("/sso/unlink");
      assertThat(sso.pendingLinkLifetime()).isEqualTo(Duration.ofMinutes(5));
      assertThat(sso.keepLinksOnLogoutEverywhere()).isFalse();
      assertThat(sso.trustedAudiences()).isEmpty();
      assertThat(sso.linkReauthentication()).isEqualTo(Duration.ofMinutes(5));
      assertThat(sso.maxLoginAge()).isEqualTo(Duration.ofMinutes(10));
      assertThat(sso.providerTimeout()).isEqualTo(Duration.ofSeconds(5));
      assertThat(sso.maxConcurrentProviderCalls()).isEqualTo(16);
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnLinkStore {
    @Bean
    AccountLinkStore myLinks() {
      return AccountLinkStore.inMemory();
    }
  }

  @Test
  void applicationsOwnLinkStore_isTheOneSsoUses() throws Exception {
    enabled()
        .withUserConfiguration(OwnLinkStore.class)
        .run(context -> assertThat(context.getBean(SsoConfig.class).links())
            .isSameAs(context.getBean("myLinks")));
  }

  @Test
  void enabledWithoutProviderSettings_failsNamingEveryMissingProperty() throws Exception {
    runner()
        .withPropertyValues("portcullis.sso.enabled=true", "portcullis.sso.client-id=portal")
        .run(failsWith(
            "portcullis.sso.issuer, portcullis.sso.client-secret, portcullis.sso.redirect-uri are not set",
            "portcullis.sso.enabled=false"));
    enabled()
        .withPropertyValues("portcullis.sso.client-secret=")
        .run(failsWith("portcullis.sso.client-secret is not set", "client-secret"));
  }

  @Test
  void invalidSettings_failStartUp_withTheCoreReason() throws Exception {
    enabled()
        .withPropertyValues("portcullis.sso.redirect-uri=http://portal.example/sso/callback")
        .run(failsWith("redirect URI must be an absolute https URL", "redirect-uri"));
    enabled()
        .withPropertyValues("portcullis.sso.scopes=profile,email")
        .run(failsWith("scopes must include openid", "scopes include openid"));
    enabled()
        .withPropertyValues("portcullis.sso.token-lifetime=11m")
        .run(failsWith("at most 10 minutes", "token-lifetime"));
    enabled()
        .withPropertyValues("portcullis.sso.link-reauthentication=2h")
        .run(failsWith(
            "between 1 minute and 1 hour",
            "link-reauthentication and max-login-age are 1 minute to 1 hour"));
    enabled()
        .withPropertyValues("portcullis.sso.max-login-age=30s")
        .run(failsWith(
            "login age for linking and unlinking must be between 1 minute and 1 hour",
            "max-login-age are 1 minute to 1 hour"));
    enabled()
        .withPropertyValues("portcullis.sso.provider-timeout=61s")
        .run(failsWith(
            "OpenID provider timeout must be above zero and at most 60 seconds",
            "provider-timeout is above zero and at most 60 seconds"));
    enabled()
        .withPropertyValues("portcullis.sso.provider-timeout=0s")
        .run(failsWith(
            "OpenID provider timeout must be above zero and at most 60 seconds",
            "provider-timeout"));
    for (String calls : new String[] {"0", "-1", "1025"}) {
      enabled()
          .withPropertyValues("portcullis.sso.max-concurrent-provider-calls=" + calls)
          .run(failsWith(
              "may wait on the OpenID provider at once must be between 1 and 1024",
              "max-concurrent-provider-calls is 1 to 1024"));
    }
    enabled()
        .withPropertyValues("portcullis.sso.issuer=http://login.example")
        .run(failsWith("issuer must be an https URL", "issuer"));
    enabled()
        .withPropertyValues("portcullis.sso.callback-path=/oidc/return")
        .run(failsWith("callback path /oidc/return", "redirect-uri"));
    enabled()
        .withPropertyValues("portcullis.sso.cookie-name=bad name")
        .run(failsWith("portcullis.sso.cookie-name", "cookie name"));
    enabled()
        .withPropertyValues("portcullis.sso.cookie-name=" + "__Host-portcullis-sid")
        .run(failsWith("two Portcullis cookies have the same name", "portcullis.sso.cookie-name"));
  }

  @Test
  void enabledWithoutTheOidcSdk_failsSayingWhichDependencyToAdd() throws Exception {
    enabled()
        .withClassLoader(new FilteredClassLoader("com.nimbusds.openid"))
        .run(failsWith("OpenID Connect SDK", "com.nimbusds:oauth2-oidc-sdk"));
  }

  @Test
  void clientSecret_isNotInToString_norInTheActuatorsEnvOrConfigprops_evenWithValuesShown()
      throws Exception {
    enabled()
        .withConfiguration(AutoConfigurations.of(
            PortcullisActuatorAutoConfiguration.class,
            EndpointAutoConfiguration.class,
            EnvironmentEndpointAutoConfiguration.class,
            ConfigurationPropertiesReportEndpointAutoConfiguration.class))
        .withPropertyValues(
            "management.endpoints.web.exposure.include=env,configprops",
            "management.endpoint.env.show-values=always",
            "management.endpoint.configprops.show-values=always")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(SsoConfig.class).toString())
              .doesNotContain(SECRET)
              .contains("portal");
          assertThat(context.getBean(PortcullisProperties.class).toString()).doesNotContain(SECRET);
          JsonMapper json = JsonMapper.builder().findAndAddModules().build();
          String env =
              json.writeValueAsString(context.getBean(EnvironmentEndpoint.class).environment(null));
          assertThat(env)
              .as("values are shown")
              .contains("https://portal.example/sso/callback")
              .contains("portcullis.sso.client-secret")
              .doesNotContain(SECRET);
          assertThat(json.writeValueAsString(context
                  .getBean(EnvironmentEndpoint.class)
                  .environmentEntry("portcullis.sso.client-secret")))
              .doesNotContain(SECRET);
          String configprops = json.writeValueAsString(context
              .getBean(ConfigurationPropertiesReportEndpoint.class)
              .configurationProperties());
          assertThat(configprops)
              .as("values are shown")
              .contains("https://portal.example/sso/callback")
              .doesNotContain(SECRET);
        });
  }

  @Test
  void secretSanitizer_matchesEveryFormOfTheKey_andNothingElse() {
    for (String key : new String[] {
      "portcullis.sso.client-secret",
      "portcullis.sso.clientSecret",
      "PORTCULLIS_SSO_CLIENT_SECRET",
      "PORTCULLIS_SSO_CLIENTSECRET",
      "portcullis.keys.pkcs12.password",
      "PORTCULLIS_KEYS_PKCS12_PASSWORD",
      "PORTCULLIS_KEY_RING",
      "portcullis_key_ring",
      "portcullis.redis.uri",
      "PORTCULLIS_REDIS_URI",
      "portcullis.redis.cluster-nodes",
      "portcullis.redis.clusterNodes",
      "portcullis.redis.cluster-nodes[0]",
      "portcullis.redis.cluster-nodes[12]",
      "PORTCULLIS_REDIS_CLUSTER_NODES",
      "PORTCULLIS_REDIS_CLUSTERNODES",
      "PORTCULLIS_REDIS_CLUSTERNODES_0_",
      "PORTCULLIS_REDIS_CLUSTERNODES_1"
    }) {
      assertThat(PortcullisActuatorAutoConfiguration.isSecret(key)).as(key).isTrue();
    }
    for (String key : new String[] {
      "portcullis.sso.client-id",
      "portcullis.sso.redirect-uri",
      "client-secret",
      "portcullis.keys.environment-variable",
      "PORTCULLIS_KEYS_ENVIRONMENT_VARIABLE",
      "portcullis.keys.file",
      "PORTCULLIS_KEY_RING_FILE",
      "portcullis.redis.key-prefix",
      "portcullis.redis.command-timeout",
      "PORTCULLIS_REDIS_CLOCK_SKEW",
      "PORTAL_KEYS",
      "PATH",
      null
    }) {
      assertThat(PortcullisActuatorAutoConfiguration.isSecret(key)).as(key).isFalse();
    }
  }

  @Test
  void keyRingVariablesAndRedisUris_areMaskedInTheActuatorsEnv_evenWithValuesShown()
      throws Exception {
    String ring = TestKeys.text(32);
    String ringKey = ring.substring(ring.lastIndexOf(' ') + 1);
    String otherRing = TestKeys.text(32);
    String otherRingKey = otherRing.substring(otherRing.lastIndexOf(' ') + 1);
    String redisPassword = "r3dis-pass-0123456789";
    WebApplicationContextRunner runner = new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(
            PortcullisAutoConfiguration.class,
            PortcullisActuatorAutoConfiguration.class,
            EndpointAutoConfiguration.class,
            EnvironmentEndpointAutoConfiguration.class,
            ConfigurationPropertiesReportEndpointAutoConfiguration.class))
        // No Redis client: the URIs are only shown, never connected to.
        .withClassLoader(new FilteredClassLoader(RedisStores.class))
        .withUserConfiguration(TestUsers.class)
        .withPropertyValues(TestUsers.ACCESS)
        .withPropertyValues(
            "portcullis.login.terms-version=" + TestUsers.TERMS,
            "portcullis.transport.canonical-host=portal.example",
            "portcullis.redis.uri=rediss://:" + redisPassword + "@redis.internal:6379/0",
            "management.endpoints.web.exposure.include=env,configprops",
            "management.endpoint.env.show-values=always",
            "management.endpoint.configprops.show-values=always");
    JsonMapper json = JsonMapper.builder().findAndAddModules().build();
    // The default variable, and Redis Cluster seeds given in the environment as a list.
    runner
        .withInitializer(PortcullisAutoConfigurationTest.processEnvironment(Map.of(
            "PORTCULLIS_KEY_RING",
            ring,
            "PORTCULLIS_REDIS_CLUSTERNODES_0_",
            "rediss://:" + redisPassword + "@redis-a:6379",
            "PORTAL_GREETING",
            "shown-value-42")))
        .run(context -> {
          assertThat(context).hasNotFailed();
          EnvironmentEndpoint endpoint = context.getBean(EnvironmentEndpoint.class);
          String env = json.writeValueAsString(endpoint.environment(null));
          assertThat(env)
              .as("values are shown")
              .contains("shown-value-42")
              .contains("PORTCULLIS_KEY_RING")
              .contains("PORTCULLIS_REDIS_CLUSTERNODES_0_")
              .contains("portcullis.redis.uri")
              .doesNotContain(ringKey)
              .doesNotContain(redisPassword);
          for (String key : new String[] {
            "PORTCULLIS_KEY_RING", "portcullis.redis.uri", "portcullis.redis.cluster-nodes[0]"
          }) {
            assertThat(json.writeValueAsString(endpoint.environmentEntry(key)))
                .as(key)
                .doesNotContain(ringKey)
                .doesNotContain(redisPassword);
          }
          String configprops = json.writeValueAsString(context
              .getBean(ConfigurationPropertiesReportEndpoint.class)
              .configurationProperties());
          assertThat(configprops)
              .as("values are shown")
              .contains("portal.example")
              .doesNotContain(redisPassword);
        });
    // A variable named by portcullis.keys.environment-variable, and the default one beside it.
    runner
        .withInitializer(PortcullisAutoConfigurationTest.processEnvironment(Map.of(
            "PORTAL_KEYS",
            ring,
            "PORTCULLIS_KEY_RING",
            otherRing,
            "PORTAL_KEYS_NOTE",
            "shown-note-7")))
        .withPropertyValues("portcullis.keys.environment-variable=PORTAL_KEYS")
        .run(context -> {
          assertThat(context).hasNotFailed();
          EnvironmentEndpoint endpoint = context.getBean(EnvironmentEndpoint.class);
          String env = json.writeValueAsString(endpoint.environment(null));
          assertThat(env)
              .as("values are shown")
              .contains("shown-note-7")
              .contains("PORTAL_KEYS")
              .contains("PORTCULLIS_KEY_RING")
              .doesNotContain(ringKey)
              .doesNotContain(otherRingKey)
              .doesNotContain(redisPassword);
          assertThat(json.writeValueAsString(endpoint.environmentEntry("PORTAL_KEYS")))
              .doesNotContain(ringKey);
        });
  }
}
