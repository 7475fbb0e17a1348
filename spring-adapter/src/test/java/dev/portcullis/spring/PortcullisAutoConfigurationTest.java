package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SearchDemandSink;
import dev.portcullis.cookie.SameSite;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.ReloadingKeyRing;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.login.SessionLimit;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionIdFormat;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.transport.ForwardedHeaders;
import jakarta.servlet.DispatcherType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.support.SpringFactoriesLoader;

/** The auto-configuration in context runners: beans, backing off, property binding, refusals at start-up. */
class PortcullisAutoConfigurationTest {
  @TempDir
  Path dir;

  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class))
      .withInitializer(processEnvironment(Map.of()))
      .withUserConfiguration(TestUsers.class)
      .withPropertyValues(TestUsers.ACCESS)
      .withPropertyValues(
          "portcullis.login.terms-version=" + TestUsers.TERMS,
          "portcullis.transport.canonical-host=portal.example");

  /** Replaces the operating-system environment the context sees, so tests neither read nor need the real one. */
  static ApplicationContextInitializer<ConfigurableApplicationContext> processEnvironment(
      Map<String, Object> env) {
    return context -> context
        .getEnvironment()
        .getPropertySources()
        .replace(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
  }

  private WebApplicationContextRunner withKeyFile() throws Exception {
    return runner.withPropertyValues("portcullis.keys.file=" + TestKeys.file(dir));
  }

  /** The analysis the failure analyzer registered in spring.factories gives for the start-up failure. */
  static FailureAnalysis analysis(Throwable failure) {
    List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
        .load(
            FailureAnalyzer.class,
            (type, name, error) -> {}); // Boot's own analyzers need arguments
    return analyzers.stream()
        .filter(a -> a instanceof PortcullisFailureAnalyzer)
        .findFirst()
        .map(a -> a.analyze(failure))
        .orElseThrow(() -> new AssertionError("analyzer not registered"));
  }

  /** Start-up failed, and the failure analyzer's description and action contain what is given. */
  static ContextConsumer<AssertableWebApplicationContext> failsWith(
      String description, String action) {
    return context -> {
      assertThat(context).hasFailed();
      FailureAnalysis analysis = analysis(context.getStartupFailure());
      assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
      assertThat(analysis.getDescription()).contains(description);
      assertThat(analysis.getAction()).contains(action);
    };
  }

  @Test
  void applicationsObservationRegistry_observesTheFiltersRequests() throws Exception {
    List<String> observed = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.micrometer.observation.ObservationRegistry registry =
        io.micrometer.observation.ObservationRegistry.create();
    registry
        .observationConfig()
        .observationHandler(new io.micrometer.observation.ObservationHandler<>() {
          @Override
          public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
            return true;
          }

          @Override
          public void onStop(io.micrometer.observation.Observation.Context context) {
            observed.add(context.getName());
          }
        });
    withKeyFile()
        .withBean(io.micrometer.observation.ObservationRegistry.class, () -> registry)
        .run(context -> {
          plainGet(context, "portal.example");
          assertThat(observed).containsExactly("portcullis.request");
        });
  }

  /** Runs a plain-HTTP GET for {@code /reports} with the given Host header through the context's filter. */
  private static org.springframework.mock.web.MockHttpServletResponse plainGet(
      AssertableWebApplicationContext context, String host) throws Exception {
    var response = new org.springframework.mock.web.MockHttpServletResponse();
    var request = new org.springframework.mock.web.MockHttpServletRequest("GET", "/reports");
    request.setServerName(host);
    request.addHeader("Host", host);
    context
        .getBean(dev.portcullis.servlet.PortcullisFilter.class)
        .doFilter(request, response, new org.springframework.mock.web.MockFilterChain());
    return response;
  }

  @Test
  void
      plainHttp_isRedirectedToTheCanonicalHost_neverToTheRequestsHost_unlessDevelopmentModeAllowsLoopback()
          throws Exception {
    withKeyFile().withPropertyValues("portcullis.transport.https-port=8443").run(context -> {
      for (String host : List.of("portal.example", "evil.example")) {
        var response = plainGet(context, host);
        assertThat(response.getStatus()).isEqualTo(308);
        assertThat(response.getHeader("Location")).isEqualTo("https://portal.example:8443/reports");
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
      }
    });
    withKeyFile()
        .withPropertyValues("portcullis.transport.redirect-plain-http=false")
        .run(context -> {
          var response = plainGet(context, "portal.example");
          assertThat(response.getStatus()).isEqualTo(403);
          assertThat(response.getHeader("Location")).isNull();
        });
    withKeyFile()
        .withPropertyValues("portcullis.transport.development-mode=true")
        .run(context -> {
          var response = new org.springframework.mock.web.MockHttpServletResponse();
          var chain = new org.springframework.mock.web.MockFilterChain();
          context
              .getBean(dev.portcullis.servlet.PortcullisFilter.class)
              .doFilter(
                  new org.springframework.mock.web.MockHttpServletRequest("GET", "/login"),
                  response,
                  chain);
          assertThat(chain.getRequest()).as("passed on to the application").isNotNull();
        });
  }

  /** Runs {@code request} through the context's filter. */
  private static org.springframework.mock.web.MockHttpServletResponse send(
      AssertableWebApplicationContext context,
      org.springframework.mock.web.MockHttpServletRequest request)
      throws Exception {
    var response = new org.springframework.mock.web.MockHttpServletResponse();
    context
        .getBean(dev.portcullis.servlet.PortcullisFilter.class)
        .doFilter(request, response, new org.springframework.mock.web.MockFilterChain());
    return response;
  }

  /**
   * A GET of {@code /reports} that the container calls secure ({@code isSecure()}) on a plain connection: what Spring
   * Boot's forwarded-header handling, or Jetty for an absolute-form {@code https://} target, makes of a plain request.
   */
  private static org.springframework.mock.web.MockHttpServletRequest
      containerSecuredOnPlainConnection() {
    jakarta.servlet.ServletConnection plain =
        new org.springframework.mock.web.MockHttpServletRequest().getServletConnection();
    var request = new org.springframework.mock.web.MockHttpServletRequest("GET", "/reports") {
      @Override
      public jakarta.servlet.ServletConnection getServletConnection() {
        return plain;
      }
    };
    request.setSecure(true);
    request.setServerName("portal.example");
    return request;
  }

  /** A GET of {@code /reports} over TLS, as {@code MockMvc}'s {@code secure(true)} makes it. */
  private static org.springframework.mock.web.MockHttpServletRequest overTls() {
    var request = new org.springframework.mock.web.MockHttpServletRequest("GET", "/reports");
    request.setSecure(true);
    request.setServerName("portal.example");
    return request;
  }

  @Test
  void forwardedHeaders_mapOntoTheTransport_bothUnlessSet() throws Exception {
    Map<String, ForwardedHeaders> expected = Map.of(
        "x-forwarded", ForwardedHeaders.X_FORWARDED,
        "forwarded", ForwardedHeaders.FORWARDED,
        "both", ForwardedHeaders.BOTH);
    for (Map.Entry<String, ForwardedHeaders> e : expected.entrySet()) {
      withKeyFile()
          .withPropertyValues(
              "portcullis.transport.trusted-proxies=10.0.0.5",
              "portcullis.transport.forwarded-headers=" + e.getKey())
          .run(context -> assertThat(context
                  .getBean(dev.portcullis.servlet.PortcullisFilter.class)
                  .transport()
                  .forwardedHeaders())
              .as(e.getKey())
              .isEqualTo(e.getValue()));
    }
    withKeyFile()
        .run(context -> assertThat(context
                .getBean(dev.portcullis.servlet.PortcullisFilter.class)
                .transport()
                .forwardedHeaders())
            .isEqualTo(ForwardedHeaders.BOTH));
  }

  @Test
  void forwardedHeaders_ofAnotherValue_failsStartup_namingThePropertyAndTheValues()
      throws Exception {
    withKeyFile()
        .withPropertyValues("portcullis.transport.forwarded-headers=sideways")
        .run(context -> {
          assertThat(context).hasFailed();
          FailureAnalysis analysis = SpringFactoriesLoader.forDefaultResourceLocation()
              .load(FailureAnalyzer.class, (type, name, error) -> {})
              .stream()
              .map(a -> a.analyze(context.getStartupFailure()))
              .filter(java.util.Objects::nonNull)
              .findFirst()
              .orElseThrow(
                  () -> new AssertionError("no analysis of " + context.getStartupFailure()));
          assertThat(analysis.getDescription())
              .contains("portcullis.transport.forwarded-headers")
              .contains("sideways");
          assertThat(analysis.getAction()).contains("X_FORWARDED", "FORWARDED", "BOTH");
        });
  }

  @Test
  void containerForwardHeadersStrategy_withoutSayingWhoDecidesHttps_failsStartup()
      throws Exception {
    for (String strategy : List.of("native", "FRAMEWORK")) {
      withKeyFile()
          .withPropertyValues("server.forward-headers-strategy=" + strategy)
          .run(failsWith(
              "server.forward-headers-strategy",
              "portcullis.transport.container-decides-https=true"));
    }
    withKeyFile()
        .withPropertyValues("server.forward-headers-strategy=framework")
        .run(failsWith("server.forward-headers-strategy", "portcullis.transport.trusted-proxies"));
    withKeyFile()
        .withPropertyValues("server.forward-headers-strategy=none")
        .run(context -> assertThat(context).hasNotFailed());
  }

  /**
   * With the container's forwarded-header handling on, the request's client address is one taken from {@code
   * X-Forwarded-For}: Portcullis' trusted proxies and development mode would then trust what the client writes.
   */
  @Test
  void containerForwarding_besideTrustedProxiesOrDevelopmentMode_failsStartup() throws Exception {
    for (String strategy : List.of("native", "framework")) {
      for (String chosen : List.of("true", "false")) {
        withKeyFile()
            .withPropertyValues(
                "server.forward-headers-strategy=" + strategy,
                "portcullis.transport.container-decides-https=" + chosen,
                "portcullis.transport.trusted-proxies=10.0.0.5")
            .run(failsWith(
                "portcullis.transport.trusted-proxies would be matched against an address the client can"
                    + " choose",
                "server.forward-headers-strategy=none"));
      }
      withKeyFile()
          .withPropertyValues(
              "server.forward-headers-strategy=" + strategy,
              "portcullis.transport.container-decides-https=false",
              "portcullis.transport.development-mode=true")
          .run(failsWith(
              "development-mode would accept plain HTTP from any client that claims",
              "server.forward-headers-strategy=none"));
    }
    withKeyFile()
        .withInitializer(processEnvironment(
            Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "KUBERNETES_SERVICE_PORT", "443")))
        .withPropertyValues("portcullis.transport.trusted-proxies=10.0.0.5")
        .run(failsWith("Spring Boot's default on KUBERNETES", "trusted-proxies"));
    withKeyFile()
        .withPropertyValues(
            "server.forward-headers-strategy=none", "portcullis.transport.trusted-proxies=10.0.0.5")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void https_isTheConnections_unlessContainerDecidesHttpsBelievesTheContainer() throws Exception {
    withKeyFile().run(context -> {
      var plain = send(context, containerSecuredOnPlainConnection());
      assertThat(plain.getStatus()).as("fails closed by default").isEqualTo(308);
      assertThat(plain.getHeader("Strict-Transport-Security")).isNull();
      var tls = send(context, overTls());
      assertThat(tls.getStatus()).as("the mock's connection follows setSecure").isEqualTo(303);
      assertThat(tls.getHeader("Strict-Transport-Security")).isNotNull();
    });
    withKeyFile()
        .withPropertyValues(
            "server.forward-headers-strategy=native",
            "portcullis.transport.container-decides-https=true")
        .run(context -> {
          var believed = send(context, containerSecuredOnPlainConnection());
          assertThat(believed.getStatus()).isEqualTo(303);
          assertThat(believed.getHeader("Strict-Transport-Security")).isNotNull();
        });
    withKeyFile()
        .withPropertyValues(
            "server.forward-headers-strategy=native",
            "portcullis.transport.container-decides-https=false")
        .run(context -> assertThat(
                send(context, containerSecuredOnPlainConnection()).getStatus())
            .isEqualTo(308));
  }

  @Test
  void onACloudPlatform_whereSpringBootForwardsHeadersByItself_startsAndFailsClosed()
      throws Exception {
    withKeyFile()
        .withInitializer(processEnvironment(
            Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "KUBERNETES_SERVICE_PORT", "443")))
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(send(context, containerSecuredOnPlainConnection()).getStatus())
              .isEqualTo(308);
        });
  }

  @Test
  void redirectingPlainHttp_withoutACanonicalHost_failsStartup_sayingWhatToSet() throws Exception {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class))
        .withInitializer(processEnvironment(Map.of()))
        .withUserConfiguration(TestUsers.class)
        .withPropertyValues(TestUsers.ACCESS)
        .withPropertyValues(
            "portcullis.login.terms-version=" + TestUsers.TERMS,
            "portcullis.keys.file=" + TestKeys.file(dir))
        .run(failsWith("canonical host", "portcullis.transport.canonical-host"));
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class))
        .withInitializer(processEnvironment(Map.of()))
        .withUserConfiguration(TestUsers.class)
        .withPropertyValues(TestUsers.ACCESS)
        .withPropertyValues(
            "portcullis.login.terms-version=" + TestUsers.TERMS,
            "portcullis.keys.file=" + TestKeys.file(dir))
        .run(failsWith("canonical host", "portcullis.transport.development-mode=true"));
    withKeyFile()
        .withPropertyValues("portcullis.transport.canonical-host=portal.example:8443")
        .run(failsWith("canonical host", "portcullis.transport"));
  }

  @Test
  void accessRules_andTrustedProxies_areBound_andBadOnesFailStartup() throws Exception {
    withKeyFile()
        .withPropertyValues(
            "portcullis.transport.development-mode=true",
            "portcullis.access.public-paths=/login,/terms",
            "portcullis.access.rules[0].pattern=/council/**",
            "portcullis.access.rules[0].roles=COUNCIL_OFFICER")
        .run(context -> {
          var response = new org.springframework.mock.web.MockHttpServletResponse();
          context
              .getBean(dev.portcullis.servlet.PortcullisFilter.class)
              .doFilter(
                  new org.springframework.mock.web.MockHttpServletRequest("GET", "/council/x"),
                  response,
                  new org.springframework.mock.web.MockFilterChain());
          assertThat(response.getStatus()).as("anonymous: to the login page").isEqualTo(303);
          assertThat(response.getHeader("Location")).startsWith("/login?returnTo=");
        });
    withKeyFile()
        .withPropertyValues("portcullis.transport.trusted-proxies=proxy.internal")
        .run(failsWith("proxy.internal", "portcullis.transport"));
  }

  @Test
  void withKeysAndUsers_everySpiAndCoreObjectIsABean() throws Exception {
    withKeyFile().run(context -> {
      assertThat(context).hasNotFailed();
      for (Class<?> type : List.of(
          KeyRingSource.class,
          InstantSource.class,
          SecureRandom.class,
          SessionConfig.class,
          SessionStore.class,
          RevocationStore.class,
          ReplayStore.class,
          AccountLinkStore.class,
          AuditSink.class,
          SearchDemandSink.class,
          AuditLog.class,
          AuditRules.class,
          SessionRegistry.class,
          PortalLogin.class,
          PortcullisFilter.class)) {
        assertThat(context).as(type.getSimpleName()).hasSingleBean(type);
      }
      assertThat(context.getBean(SessionStore.class)).isInstanceOf(CaffeineSessionStore.class);
      assertThat(context.getBean(KeyRingSource.class).current().activeKey().idHex())
          .isEqualTo("0a1b2c3d");
    });
  }

  @Test
  void filter_isRegisteredBeforeSpringSecurity_forRequestAsyncAndErrorDispatches()
      throws Exception {
    withKeyFile().run(context -> {
      FilterRegistrationBean<?> registration =
          context.getBean("portcullisFilterRegistration", FilterRegistrationBean.class);
      assertThat(registration.getFilter()).isSameAs(context.getBean(PortcullisFilter.class));
      assertThat(registration.getOrder()).isEqualTo(-110).isLessThan(-100);
      assertThat(registration.determineDispatcherTypes())
          .containsExactlyInAnyOrder(
              DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
      assertThat(registration.getUrlPatterns()).isEmpty(); // Boot's default: every path
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnParts {
    static final MutableClock CLOCK = MutableClock.startingAt2026();
    static final RevocationStore REVOCATIONS = RevocationStore.inMemory(CLOCK);
    static final RecordingAuditSink SINK = new RecordingAuditSink();

    @Bean
    KeyRing ownKeyRing() {
      return TestKeys.ring();
    }

    @Bean
    InstantSource ownClock() {
      return CLOCK;
    }

    @Bean
    RevocationStore ownRevocations() {
      return REVOCATIONS;
    }

    @Bean
    AuditSink ownSink() {
      return SINK;
    }
  }

  @Test
  void applicationBeans_replaceTheDefaults_andNoKeySourceIsNeededForAnOwnKeyRing() {
    runner.withUserConfiguration(OwnParts.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(InstantSource.class)).isSameAs(OwnParts.CLOCK);
      assertThat(context.getBean(RevocationStore.class)).isSameAs(OwnParts.REVOCATIONS);
      assertThat(context.getBean(AuditSink.class)).isSameAs(OwnParts.SINK);
      assertThat(context)
          .doesNotHaveBean("portcullisKeyRing")
          .doesNotHaveBean("portcullisAuditSink")
          .doesNotHaveBean("portcullisClock");
      AuditLog log = context.getBean(AuditLog.class);
      log.emit(log.event(AuditEventType.of("key_rotated")).build());
      assertThat(log.flush(Duration.ofSeconds(5))).isTrue();
      OwnParts.SINK.assertOnce(
          AuditEventType.of("key_rotated"), e -> e.time().equals(OwnParts.CLOCK.instant()));
    });
  }

  @Test
  void withoutUserDirectory_startUpFails_askingForOne() throws Exception {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class))
        .withPropertyValues(
            "portcullis.login.terms-version=1", "portcullis.keys.file=" + TestKeys.file(dir))
        .run(failsWith(
            "there is no UserDirectory bean",
            "Declare a @Bean of type dev.portcullis.user.UserDirectory"));
  }

  @Test
  void withoutAnyKey_startUpFails_sayingThereIsNoDefaultKey() {
    runner.run(failsWith(
        "environment variable PORTCULLIS_KEY_RING is not set; Portcullis has no default key",
        "portcullis.keys.file"));
  }

  @Test
  void aKeyFile_isReadAgainWhenItChanges_withoutARestart() throws Exception {
    Path file = TestKeys.file(dir);
    runner
        .withPropertyValues("portcullis.keys.file=" + file, "portcullis.keys.reload-interval=50ms")
        .run(context -> {
          KeyRingSource keys = context.getBean(KeyRingSource.class);
          assertThat(keys).isInstanceOf(ReloadingKeyRing.class);
          KeyRing before = keys.current();
          KeyRingSources.writeFile(
              before.withNewKey(
                  0x0b0b0b0b, KeyMaterial.generate(new SecureRandom()), Instant.EPOCH),
              file);
          long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (keys.current().keys().size() != 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
          }
          assertThat(keys.current().keys()).hasSize(2);
          assertThat(keys.current().activeKey()).isEqualTo(before.activeKey());
        });
  }

  @Test
  void keysInApplicationProperties_areNotMistakenForTheEnvironmentVariable() {
    runner
        .withPropertyValues("PORTCULLIS_KEY_RING=" + TestKeys.text(32))
        .run(failsWith("PORTCULLIS_KEY_RING is not set", "KeyTool create"));
  }

  @Test
  void keysFromTheProcessEnvironment_areUsed_underTheConfiguredVariable() {
    runner
        .withInitializer(processEnvironment(Map.of("PORTAL_KEYS", TestKeys.text(32))))
        .withPropertyValues("portcullis.keys.environment-variable=PORTAL_KEYS")
        .run(context -> assertThat(
                context.getBean(KeyRingSource.class).current().activeKey().idHex())
            .isEqualTo("0a1b2c3d"));
  }

  @Test
  void shortKey_failsStartUp_withoutShowingTheKey() throws Exception {
    String text = TestKeys.text(16);
    String secret = text.substring(text.lastIndexOf(' ') + 1);
    runner
        .withPropertyValues("portcullis.keys.file=" + TestKeys.fileWithText(dir, text))
        .run(context -> {
          failsWith("has 16 bytes; keys need at least 32 bytes", "PORTCULLIS_KEY_RING")
              .accept(context);
          FailureAnalysis analysis = analysis(context.getStartupFailure());
          assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain(secret);
        });
  }

  @Test
  void pkcs12KeyStore_isRead_andNeedsItsPassword() throws Exception {
    Path store = TestKeys.pkcs12(dir, "store-pw".toCharArray());
    runner
        .withPropertyValues(
            "portcullis.keys.pkcs12.path=" + store, "portcullis.keys.pkcs12.password=store-pw")
        .run(context -> assertThat(
                context.getBean(KeyRingSource.class).current().activeKey().idHex())
            .isEqualTo("0a1b2c3d"));
    runner
        .withPropertyValues("portcullis.keys.pkcs12.path=" + store)
        .run(failsWith("without a password", "portcullis.keys.pkcs12.password"));
    runner
        .withPropertyValues(
            "portcullis.keys.pkcs12.path=" + store, "portcullis.keys.pkcs12.password=Tr0ub4dor-x")
        .run(context -> {
          failsWith("wrong password or not PKCS12", "portcullis.keys.pkcs12.path")
              .accept(context);
          assertThat(analysis(context.getStartupFailure()).getDescription())
              .doesNotContain("Tr0ub4dor");
        });
  }

  @Test
  void keyFileAndPkcs12Together_failStartUp() throws Exception {
    withKeyFile()
        .withPropertyValues("portcullis.keys.pkcs12.path=" + dir.resolve("x.p12"))
        .run(failsWith(
            "both portcullis.keys.file and portcullis.keys.pkcs12.path", "one key source"));
  }

  @Test
  void portedPortalCookieNamesAndIdFormat_areBound() throws Exception {
    withKeyFile()
        .withPropertyValues(
            "portcullis.cookies.session.name=ASP.NET_SessionId",
            "portcullis.cookies.session.secure=false",
            "portcullis.cookies.session.same-site=strict",
            "portcullis.cookies.auth.name=validPSuser",
            "portcullis.cookies.auth.path=/portal",
            "portcullis.cookies.cookie-check.name=user_name",
            "portcullis.cookies.cookie-check.http-only=false",
            "portcullis.session.id-format=aspnet")
        .run(context -> {
          assertThat(context).hasNotFailed();
          SessionConfig sessions = context.getBean(SessionConfig.class);
          assertThat(sessions.cookie().name()).isEqualTo("ASP.NET_SessionId");
          assertThat(sessions.cookie().secure()).isFalse();
          assertThat(sessions.cookie().sameSite()).isEqualTo(SameSite.STRICT);
          assertThat(sessions.idFormat()).isEqualTo(SessionIdFormat.ASPNET);
          PortalLogin login = context.getBean(PortalLogin.class);
          assertThat(login.cookies().authCookie().name()).isEqualTo("validPSuser");
          assertThat(login.cookies().authCookie().path()).isEqualTo("/portal");
          assertThat(login.cookies().authCookie().secure()).isTrue();
          assertThat(login.cookies().authCookie().purpose())
              .isNotBlank(); // the core's cookie-notice text is kept
          assertThat(login.cookies().cookieCheckCookie().orElseThrow().name())
              .isEqualTo("user_name");
          assertThat(login.cookies().cookieCheckCookie().orElseThrow().httpOnly())
              .isFalse();
        });
  }

  @Test
  void sessionLimitProperties_mapOntoTheLogin() throws Exception {
    withKeyFile()
        .withPropertyValues(
            "portcullis.session.max-per-user=3", "portcullis.session.when-exceeded=refuse-new")
        .run(context -> {
          assertThat(context).hasNotFailed();
          PortalLogin login = context.getBean(PortalLogin.class);
          assertThat(login.maxSessionsPerUser()).isEqualTo(3);
          assertThat(login.whenSessionsExceeded()).hasValue(SessionLimit.REFUSE_NEW);
        });
    withKeyFile().withPropertyValues("portcullis.session.max-per-user=2").run(context -> {
      PortalLogin login = context.getBean(PortalLogin.class);
      assertThat(login.maxSessionsPerUser()).isEqualTo(2);
      assertThat(login.whenSessionsExceeded()).hasValue(SessionLimit.END_OLDEST);
    });
    withKeyFile().run(context -> {
      PortalLogin login = context.getBean(PortalLogin.class);
      assertThat(login.maxSessionsPerUser()).isZero();
      assertThat(login.whenSessionsExceeded()).isEmpty();
    });
    withKeyFile()
        .withPropertyValues("portcullis.session.when-exceeded=end-oldest")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void maxConcurrentPasswordChecks_mapsOntoTheLogin_andBelowOneStopsStartUp() throws Exception {
    withKeyFile()
        .withPropertyValues("portcullis.login.max-concurrent-password-checks=3")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(PortalLogin.class).maxConcurrentPasswordChecks())
              .isEqualTo(3);
        });
    withKeyFile()
        .run(context -> assertThat(context.getBean(PortalLogin.class).maxConcurrentPasswordChecks())
            .as("the core default")
            .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2)));
    withKeyFile()
        .withPropertyValues("portcullis.login.max-concurrent-password-checks=0")
        .run(failsWith(
            "maxConcurrentPasswordChecks must be at least 1",
            "max-concurrent-password-checks is at least 1"));
  }

  @Test
  void maxFormReadsPerAddress_mapsOntoTheFilter_andBelowOneStopsStartUp() throws Exception {
    assertFormReadBound(
        "portcullis.login.max-form-reads-per-address",
        "maxFormReadsPerAddress",
        3,
        16,
        PortcullisFilter::maxFormReadsPerAddress);
  }

  @Test
  void maxAnonymousFormReads_mapsOntoTheFilter_andBelowOneStopsStartUp() throws Exception {
    assertFormReadBound(
        "portcullis.login.max-anonymous-form-reads",
        "maxAnonymousFormReads",
        5,
        32,
        PortcullisFilter::maxAnonymousFormReads);
  }

  /**
   * {@code property}, a bound on the filter's form reads ({@code setting} on the filter's builder), maps onto the
   * filter ({@code read}) as {@code given}, and is {@code byDefault} when unset; 0 and -2 each stop the start-up.
   */
  private void assertFormReadBound(
      String property,
      String setting,
      int given,
      int byDefault,
      ToIntFunction<PortcullisFilter> read)
      throws Exception {
    withKeyFile().withPropertyValues(property + "=" + given).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(read.applyAsInt(context.getBean(PortcullisFilter.class))).isEqualTo(given);
    });
    withKeyFile()
        .run(context -> assertThat(read.applyAsInt(context.getBean(PortcullisFilter.class)))
            .as("the default")
            .isEqualTo(byDefault));
    for (String bad : new String[] {"0", "-2"}) {
      withKeyFile()
          .withPropertyValues(property + "=" + bad)
          .run(failsWith(setting + " must be at least 1", property + " is at least 1"));
    }
  }

  @Test
  void csrfTrustedOrigins_mapOntoTheFilter_andAWildcardStopsStartUp() throws Exception {
    withKeyFile()
        .withPropertyValues(
            "portcullis.csrf.trusted-origins=https://forms.example,https://Apply.Example:443")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(PortcullisFilter.class).trustedOrigins())
              .containsExactly("https://forms.example", "https://apply.example");
        });
    withKeyFile()
        .run(context ->
            assertThat(context.getBean(PortcullisFilter.class).trustedOrigins()).isEmpty());
    withKeyFile()
        .withPropertyValues("portcullis.csrf.trusted-origins=https://*.example")
        .run(failsWith(
            "the trusted origin 'https://*.example' is not an origin",
            "portcullis.csrf.trusted-origins lists origins"));
  }

  @Test
  void maxPendingLogouts_mapsOntoTheFilter_andZeroNegativeOrAbsurdStopsStartUp() throws Exception {
    withKeyFile().withPropertyValues("portcullis.login.max-pending-logouts=1").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(PortalLogin.class).maxPendingLogouts()).isEqualTo(1);
      assertThat(context.getBean(PortcullisFilter.class).pendingLogouts())
          .hasValueSatisfying(p -> assertThat(p.capacity()).isEqualTo(1));
    });
    withKeyFile()
        .run(context -> assertThat(context.getBean(PortcullisFilter.class).pendingLogouts())
            .as("the core default")
            .hasValueSatisfying(p -> assertThat(p.capacity()).isEqualTo(10_000)));
    for (String bad : new String[] {"0", "-3", "1000001"}) {
      withKeyFile()
          .withPropertyValues("portcullis.login.max-pending-logouts=" + bad)
          .run(failsWith(
              "maxPendingLogouts must be between 1 and 1,000,000",
              "max-pending-logouts is from 1 to 1000000"));
    }
  }

  @Test
  void connectionRecheckInterval_mapsOntoTheLogin_andOutsideOneSecondToOneHourStopsStartUp()
      throws Exception {
    withKeyFile()
        .withPropertyValues("portcullis.login.connection-recheck-interval=1s")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(PortalLogin.class).connectionRecheckInterval())
              .isEqualTo(Duration.ofSeconds(1));
        });
    withKeyFile()
        .withPropertyValues("portcullis.login.connection-recheck-interval=PT1H")
        .run(context -> assertThat(context.getBean(PortalLogin.class).connectionRecheckInterval())
            .isEqualTo(Duration.ofHours(1)));
    withKeyFile()
        .run(context -> assertThat(context.getBean(PortalLogin.class).connectionRecheckInterval())
            .as("the core default")
            .isEqualTo(OpenConnections.DEFAULT_INTERVAL));
    for (String outside : new String[] {"999ms", "0s", "-5s", "3601s"}) {
      withKeyFile()
          .withPropertyValues("portcullis.login.connection-recheck-interval=" + outside)
          .run(context -> {
            failsWith(
                    "portcullis.login.connection-recheck-interval is outside 1s to 1h",
                    "Set portcullis.login.connection-recheck-interval from 1s to 1h")
                .accept(context);
            assertThat(analysis(context.getStartupFailure()).getDescription())
                .doesNotContain(outside);
          });
    }
    withKeyFile()
        .withPropertyValues("portcullis.login.connection-recheck-interval=often")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(messages(context.getStartupFailure()))
              .contains(
                  "Failed to bind properties under 'portcullis.login.connection-recheck-interval'",
                  "java.time.Duration");
        });
  }

  /** The messages of {@code failure} and its causes, one a line. */
  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  @Test
  void sessionLoginAndAuditProperties_mapOntoTheCoreBuilders() throws Exception {
    withKeyFile()
        .withPropertyValues(
            "portcullis.session.idle-timeout=15m",
            "portcullis.session.absolute-timeout=10h",
            "portcullis.session.max-sessions=500",
            "portcullis.session.anonymous-sessions-per-address=7",
            "portcullis.session.anonymous-session-window=90s",
            "portcullis.session.tracked-addresses=2000",
            "portcullis.login.ticket-lifetime=4h",
            "portcullis.login.path=/signin",
            "portcullis.login.logout-path=/signout",
            "portcullis.login.terms-path=/tou",
            "portcullis.login.after-login-path=/home",
            "portcullis.access.public-paths=/signin,/tou",
            "portcullis.audit.actions[0].pattern=/reports/{id}",
            "portcullis.audit.actions[0].action=report_view",
            "portcullis.audit.search-endpoints[0].path=/search",
            "portcullis.audit.search-endpoints[0].parameter=q")
        .run(context -> {
          assertThat(context).hasNotFailed();
          SessionConfig sessions = context.getBean(SessionConfig.class);
          assertThat(sessions.idleTimeout()).isEqualTo(Duration.ofMinutes(15));
          assertThat(sessions.absoluteTimeout()).isEqualTo(Duration.ofHours(10));
          assertThat(sessions.maxSessions()).isEqualTo(500);
          assertThat(sessions.anonymousSessionsPerAddress()).isEqualTo(7);
          assertThat(sessions.anonymousSessionWindow()).isEqualTo(Duration.ofSeconds(90));
          assertThat(sessions.trackedAddresses()).isEqualTo(2000);
          PortalLogin login = context.getBean(PortalLogin.class);
          assertThat(login.endpoints().loginPath()).isEqualTo("/signin");
          assertThat(login.endpoints().logoutPath()).isEqualTo("/signout");
          assertThat(login.endpoints().termsPath()).isEqualTo("/tou");
          assertThat(login.endpoints().afterLoginPath()).isEqualTo("/home");
          assertThat(login.terms().version()).isEqualTo(TestUsers.TERMS);
          AuditRules rules = context.getBean(AuditRules.class);
          assertThat(rules.action("/reports/42")).hasValueSatisfying(m -> {
            assertThat(m.action()).isEqualTo("report_view");
            assertThat(m.resource()).isEqualTo("42");
          });
          assertThat(rules.search("/search"))
              .hasValueSatisfying(s -> assertThat(s).contains("q"));
        });
  }

  @Test
  void unknownSameSite_failsBinding_listingTheValidValues() throws Exception {
    withKeyFile()
        .withPropertyValues("portcullis.cookies.auth.same-site=sometimes")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("sometimes");
          assertThat(context.getStartupFailure())
              .hasStackTraceContaining("portcullis.cookies.auth.same-site");
        });
  }

  @Test
  void hostPrefixedCookieWithoutSecure_failsStartUp() throws Exception {
    withKeyFile()
        .withPropertyValues("portcullis.cookies.auth.secure=false")
        .run(failsWith(
            "portcullis.cookies.auth: __Host-portcullis-auth: a __Host- cookie requires Secure",
            "a __Host- name needs secure=true"));
  }

  @Test
  void sameSiteNoneWithoutSecure_failsStartUp() throws Exception {
    withKeyFile()
        .withPropertyValues(
            "portcullis.cookies.session.name=sid",
            "portcullis.cookies.session.secure=false",
            "portcullis.cookies.session.same-site=none")
        .run(failsWith(
            "portcullis.cookies.session: sid: SameSite=None requires Secure", "same-site=none"));
  }

  @Test
  void idleTimeoutNotShorterThanAbsolute_failsStartUp() throws Exception {
    withKeyFile()
        .withPropertyValues(
            "portcullis.session.idle-timeout=8h", "portcullis.session.absolute-timeout=8h")
        .run(failsWith(
            "portcullis.session: absolute timeout must be longer than the idle timeout",
            "portcullis.session.*"));
  }

  @Test
  void missingTermsVersion_failsStartUp() throws Exception {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class))
        .withUserConfiguration(TestUsers.class)
        .withPropertyValues(TestUsers.ACCESS)
        .withPropertyValues("portcullis.keys.file=" + TestKeys.file(dir))
        .run(
            failsWith("the current terms-of-use version is required", "terms-version is required"));
  }

  @Test
  void ticketLifetimeOverADay_failsStartUp() throws Exception {
    withKeyFile()
        .withPropertyValues("portcullis.login.ticket-lifetime=2d")
        .run(failsWith("ticket lifetime must be between 1 ms and 1 day", "portcullis.login.*"));
  }

  @Test
  void cookieNamePrefix_namesEveryCookie_andANameSetForOneWins() throws Exception {
    withKeyFile()
        .withPropertyValues(
            "portcullis.cookies.name-prefix=staff",
            "portcullis.cookies.cookie-check.name=__Host-staff-check")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(SessionConfig.class).cookie().name())
              .isEqualTo("__Host-staff-sid");
          PortalLogin login = context.getBean(PortalLogin.class);
          assertThat(login.cookies().authCookie().name()).isEqualTo("__Host-staff-auth");
          assertThat(login.cookies().authCookie().purpose()).isNotBlank();
          assertThat(login.cookies().cookieCheckCookie().orElseThrow().name())
              .isEqualTo("__Host-staff-check");
        });
  }

  @Test
  void aCookieNamePrefixThatIsNoWord_failsStartUp() throws Exception {
    withKeyFile()
        .withPropertyValues("portcullis.cookies.name-prefix=staff portal")
        .run(failsWith(
            "portcullis.cookies.name-prefix: a cookie name prefix must be",
            "ASCII letters, digits"));
  }

  @Test
  void twoCookiesWithOneName_failStartUp() throws Exception {
    withKeyFile()
        .withPropertyValues(
            "portcullis.cookies.session.name=portal", "portcullis.cookies.auth.name=portal")
        .run(failsWith("two Portcullis cookies have the same name", "three different values"));
  }

  @Test
  void authAndCookieCheckCookiesWithOneName_failStartUp_namingBothProperties() throws Exception {
    withKeyFile()
        .withPropertyValues(
            "portcullis.cookies.auth.name=portal", "portcullis.cookies.cookie-check.name=portal")
        .run(failsWith(
            "portcullis.login: the auth and cookie-check cookies need two names",
            "portcullis.cookies.auth.name and portcullis.cookies.cookie-check.name"));
  }

  @Test
  void invalidAuditPattern_failsStartUp() throws Exception {
    withKeyFile()
        .withPropertyValues(
            "portcullis.audit.actions[0].pattern=/Reports/{id}",
            "portcullis.audit.actions[0].action=report_view")
        .run(failsWith("must use lower-case literal segments", "lower-case"));
  }

  @Test
  void fileSinkWithoutFile_failsStartUp() throws Exception {
    withKeyFile()
        .withPropertyValues("portcullis.audit.sink=hash-chained")
        .run(failsWith("portcullis.audit.file is not set", "Set portcullis.audit.file"));
  }

  @Test
  void hashChainedAndJsonLinesSinks_writeTheConfiguredFiles() throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    Path demand = dir.resolve("demand.jsonl");
    withKeyFile()
        .withPropertyValues(
            "portcullis.audit.sink=hash-chained",
            "portcullis.audit.file=" + audit,
            "portcullis.audit.search-demand.sink=json-lines",
            "portcullis.audit.search-demand.file=" + demand)
        .run(context -> {
          AuditLog log = context.getBean(AuditLog.class);
          log.emit(log.event(AuditEventType.of("key_rotated")).build());
          log.searched("/search", "care homes", 3);
          assertThat(log.flush(Duration.ofSeconds(5))).isTrue();
        });
    assertThat(Files.readString(audit, StandardCharsets.UTF_8))
        .contains("key_rotated")
        .contains("\"hash\":");
    assertThat(Files.readString(demand, StandardCharsets.UTF_8))
        .contains("care")
        .doesNotContain("key_rotated");
  }

  @Test
  void searchDemandMinimumCount_foldsRareTermsIntoOther_andABadOneFailsStartUp() throws Exception {
    Path demand = dir.resolve("demand.jsonl");
    withKeyFile()
        .withPropertyValues(
            "portcullis.audit.search-demand.sink=json-lines",
            "portcullis.audit.search-demand.file=" + demand,
            "portcullis.audit.search-demand.minimum-count=2",
            "portcullis.audit.search-demand.max-terms=50")
        .run(context -> {
          AuditLog log = context.getBean(AuditLog.class);
          log.searched("/search", "respite care", 1);
          log.searched("/search", "respite care", 1);
          log.searched("/search", "quillfeather lodge", 1);
        });
    assertThat(Files.readString(demand, StandardCharsets.UTF_8))
        .contains("\"terms\":\"respite care\",\"searches\":2")
        .contains("\"terms\":\"[other]\",\"searches\":1")
        .doesNotContain("quillfeather");
    withKeyFile()
        .withPropertyValues("portcullis.audit.search-demand.minimum-count=0")
        .run(failsWith("portcullis.audit", "minimum-count is 1 to 1000"));
  }

  @Configuration(proxyBeanMethods = false)
  static class Customizers {
    static final AtomicInteger CALLS = new AtomicInteger();

    @Bean
    PortcullisCustomizer countingCustomizer() {
      return builder -> CALLS.incrementAndGet();
    }
  }

  @Test
  void customizers_getTheFilterBuilder() throws Exception {
    int before = Customizers.CALLS.get();
    withKeyFile().withUserConfiguration(Customizers.class).run(context -> {
      assertThat(context).hasSingleBean(PortcullisFilter.class);
      assertThat(Customizers.CALLS.get()).isEqualTo(before + 1);
    });
  }

  @Test
  void disabled_installsNothing_andNeedsNoKeys() {
    runner
        .withPropertyValues("portcullis.enabled=false")
        .run(context -> assertThat(context)
            .hasNotFailed()
            .doesNotHaveBean(PortcullisFilter.class)
            .doesNotHaveBean(KeyRingSource.class));
  }

  /** The starter's auto-configurations, as Spring Boot finds them on the class path. */
  private static Class<?>[] starterAutoConfigurations() throws ClassNotFoundException {
    List<Class<?>> classes = new ArrayList<>();
    ClassLoader loader = PortcullisAutoConfigurationTest.class.getClassLoader();
    for (String name : ImportCandidates.load(AutoConfiguration.class, loader)) {
      if (name.startsWith("dev.portcullis.spring.")) {
        classes.add(Class.forName(name, false, loader));
      }
    }
    return classes.toArray(new Class<?>[0]);
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void disabled_warnsOnceAtStartUpThatNothingIsProtected_andStillInstallsNothing(
      CapturedOutput output) throws Exception {
    String warning = "Portcullis is installed but turned off by portcullis.enabled=";
    WebApplicationContextRunner starter = new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(starterAutoConfigurations()))
        .withInitializer(processEnvironment(Map.of()))
        .withUserConfiguration(TestUsers.class);
    starter.withPropertyValues("portcullis.enabled=false").run(context -> {
      assertThat(context)
          .hasNotFailed()
          .doesNotHaveBean(PortcullisFilter.class)
          .doesNotHaveBean(KeyRingSource.class)
          .doesNotHaveBean(FilterRegistrationBean.class);
      assertThat(output.getAll())
          .contains(warning + "false (\"portcullis.enabled\" from property source \"test\")")
          .contains("nothing is protected");
    });
    assertThat(output.getAll().split(warning, -1)).as("warned once").hasSize(2);
    // Any value but true turns the starter off, so it warns too.
    starter
        .withPropertyValues("portcullis.enabled=no")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PortcullisFilter.class));
    assertThat(output.getAll()).contains(warning + "no (");
    assertThat(output.getAll().split(warning, -1)).hasSize(3);
    // On: no warning (without Spring Security, whose chain would need its own auto-configuration).
    starter
        .withClassLoader(new FilteredClassLoader("org.springframework.security"))
        .withPropertyValues(TestUsers.ACCESS)
        .withPropertyValues(
            "portcullis.enabled=TRUE",
            "portcullis.login.terms-version=" + TestUsers.TERMS,
            "portcullis.transport.canonical-host=portal.example",
            "portcullis.keys.file=" + TestKeys.file(dir))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(PortcullisFilter.class));
    assertThat(output.getAll().split(warning, -1)).hasSize(3);
  }

  @Test
  void outsideAServletApplication_installsNothing() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PortcullisFilter.class));
  }

  @Test
  void failureAnalyzer_leavesOtherFailuresToSpringBoot() {
    assertThat(new PortcullisFailureAnalyzer().analyze(new IllegalStateException("unrelated")))
        .isNull();
  }
}
