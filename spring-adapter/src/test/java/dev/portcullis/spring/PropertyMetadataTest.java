package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.login.PendingLogouts;
import dev.portcullis.redis.RedisStoreConfig;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.transport.TransportConfig;
import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration metadata the build generates (what IDEs show): every {@code portcullis.*} property states its
 * default, except those that have none by design.
 */
class PropertyMetadataTest {
  /**
   * Properties without a default: key material, the application's own values, settings unset by default, and those
   * whose default depends on the machine (the processors).
   */
  private static final Set<String> WITHOUT_DEFAULT = Set.of(
      "portcullis.keys.file",
      "portcullis.keys.pkcs12.path",
      "portcullis.keys.pkcs12.password",
      "portcullis.login.terms-version",
      "portcullis.transport.canonical-host",
      "portcullis.audit.file",
      "portcullis.audit.search-demand.file",
      "portcullis.redis.uri",
      "portcullis.redis.trusted-certificates",
      "portcullis.cookies.session.domain",
      "portcullis.cookies.auth.domain",
      "portcullis.cookies.cookie-check.domain",
      "portcullis.sso.issuer",
      "portcullis.sso.client-id",
      "portcullis.sso.client-secret",
      "portcullis.sso.redirect-uri",
      "portcullis.sso.callback-path",
      "portcullis.session.max-per-user",
      "portcullis.login.max-concurrent-password-checks");

  private static Map<String, JsonNode> properties() throws Exception {
    Map<String, JsonNode> properties = new LinkedHashMap<>();
    try (InputStream in = PropertyMetadataTest.class.getResourceAsStream(
        "/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated metadata on the class path").isNotNull();
      for (JsonNode p : JsonMapper.builder().build().readTree(in).get("properties")) {
        properties.put(p.get("name").asString(), p);
      }
    }
    return properties;
  }

  @Test
  void everyProperty_hasADefault_unlessItHasNoneByDesign() throws Exception {
    Map<String, JsonNode> properties = properties();
    assertThat(properties).hasSizeGreaterThan(60);
    Set<String> missing = new TreeSet<>();
    properties.forEach((name, p) -> {
      if (!p.has("defaultValue") && !WITHOUT_DEFAULT.contains(name)) {
        missing.add(name);
      }
    });
    assertThat(missing).as("properties without a default in the metadata").isEmpty();
    assertThat(properties.keySet())
        .as("the without-default list names real properties")
        .containsAll(WITHOUT_DEFAULT);
    assertThat(WITHOUT_DEFAULT)
        .allSatisfy(name -> assertThat(properties.get(name).has("defaultValue")).isFalse());
  }

  @Test
  void statedDefaults_areTheCoreDefaults() throws Exception {
    Map<String, JsonNode> properties = properties();
    assertThat(properties
            .get("portcullis.keys.environment-variable")
            .get("defaultValue")
            .asString())
        .isEqualTo("PORTCULLIS_KEY_RING");
    assertThat(properties
            .get("portcullis.cookies.session.name")
            .get("defaultValue")
            .asString())
        .isEqualTo(SessionConfig.DEFAULT_COOKIE_NAME);
    assertThat(
            properties.get("portcullis.cookies.auth.name").get("defaultValue").asString())
        .isEqualTo(LoginCookies.DEFAULT_AUTH_COOKIE);
    assertThat(properties
            .get("portcullis.cookies.cookie-check.name")
            .get("defaultValue")
            .asString())
        .isEqualTo(LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE);
    assertThat(properties
            .get("portcullis.transport.forwarded-headers")
            .get("defaultValue")
            .asString())
        .isEqualTo(TransportConfig.defaults().forwardedHeaders().settingValue());
    assertThat(duration(properties, "portcullis.transport.hsts-max-age"))
        .isEqualTo(TransportConfig.DEFAULT_HSTS_MAX_AGE);
    SessionConfig sessions = SessionConfig.builder().build();
    assertThat(duration(properties, "portcullis.session.idle-timeout"))
        .isEqualTo(sessions.idleTimeout());
    assertThat(duration(properties, "portcullis.session.absolute-timeout"))
        .isEqualTo(sessions.absoluteTimeout());
    assertThat(properties
            .get("portcullis.session.max-sessions")
            .get("defaultValue")
            .asLong())
        .isEqualTo(sessions.maxSessions());
    assertThat(duration(properties, "portcullis.login.connection-recheck-interval"))
        .isEqualTo(OpenConnections.DEFAULT_INTERVAL);
    assertThat(properties
            .get("portcullis.login.max-pending-logouts")
            .get("defaultValue")
            .asInt())
        .isEqualTo(PendingLogouts.DEFAULT_CAPACITY);
    assertThat(properties
            .get("portcullis.login.max-form-reads-per-address")
            .get("defaultValue")
            .asInt())
        .as(
            "the filter's default, which PortcullisAutoConfigurationTest reads from a started filter")
        .isEqualTo(16);
    assertThat(properties
            .get("portcullis.login.max-anonymous-form-reads")
            .get("defaultValue")
            .asInt())
        .as(
            "the filter's default, which PortcullisAutoConfigurationTest reads from a started filter")
        .isEqualTo(32);
    assertThat(properties
            .get("portcullis.login.limit.max-tracked")
            .get("defaultValue")
            .asLong())
        .isEqualTo(LoginThrottle.DEFAULT_MAX_TRACKED);
    assertThat(properties
            .get("portcullis.redis.max-pending-commands")
            .get("defaultValue")
            .asInt())
        .isEqualTo(RedisStoreConfig.DEFAULT_MAX_PENDING_COMMANDS);
    assertThat(properties
            .get("portcullis.security.public-health-probes")
            .get("defaultValue")
            .asBoolean())
        .isTrue();
  }

  private static Duration duration(Map<String, JsonNode> properties, String name) {
    return DurationStyle.detectAndParse(properties.get(name).get("defaultValue").asString());
  }
}
