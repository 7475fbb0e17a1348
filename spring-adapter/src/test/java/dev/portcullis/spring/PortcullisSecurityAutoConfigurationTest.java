package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.DispatcherType;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.TestingAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/** The Spring Security bridge's registration and the default chain that replaces Boot's. */
class PortcullisSecurityAutoConfigurationTest {
  @TempDir
  Path dir;

  private WebApplicationContextRunner runner() throws Exception {
    return new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(
            PortcullisAutoConfiguration.class,
            PortcullisSecurityAutoConfiguration.class,
            ServletWebSecurityAutoConfiguration.class))
        .withInitializer(PortcullisAutoConfigurationTest.processEnvironment(Map.of()))
        .withUserConfiguration(TestUsers.class)
        .withPropertyValues(
            "portcullis.login.terms-version=" + TestUsers.TERMS,
            "portcullis.keys.file=" + TestKeys.file(dir),
            "portcullis.transport.canonical-host=portal.example");
  }

  @Test
  void bridge_runsRightAfterPortcullis_andBeforeSpringSecurity_onEveryDispatchPortcullisSees()
      throws Exception {
    runner().run(context -> {
      assertThat(context).hasNotFailed();
      FilterRegistrationBean<?> bridge =
          context.getBean("portcullisSecurityBridgeRegistration", FilterRegistrationBean.class);
      assertThat(bridge.getFilter()).isInstanceOf(PortcullisSecurityBridge.class);
      assertThat(bridge.getOrder()).isEqualTo(-109).isLessThan(-100);
      assertThat(bridge.determineDispatcherTypes())
          .containsExactlyInAnyOrder(
              DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
    });
  }

  @Test
  void withoutAnApplicationChain_portcullisReplacesBootsDefaultChain() throws Exception {
    runner().run(context -> {
      assertThat(context)
          .hasSingleBean(SecurityFilterChain.class)
          .hasBean("portcullisSecurityFilterChain")
          .doesNotHaveBean("defaultSecurityFilterChain");
      SecurityFilterChain chain = context.getBean(SecurityFilterChain.class);
      assertThat(chain.getFilters())
          .extracting(f -> f.getClass().getSimpleName())
          .doesNotContain(
              "CsrfFilter",
              "UsernamePasswordAuthenticationFilter",
              "BasicAuthenticationFilter",
              "LogoutFilter",
              "DefaultLoginPageGeneratingFilter",
              "SecurityContextHolderAwareRequestFilter",
              "RequestCacheAwareFilter",
              "SessionManagementFilter")
          .contains(
              "SecurityContextHolderFilter", "AuthorizationFilter", "ExceptionTranslationFilter");
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnChain {
    @Bean
    SecurityFilterChain ownChain(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
    }
  }

  @Test
  void anApplicationChain_isLeftAlone() throws Exception {
    runner()
        .withUserConfiguration(OwnChain.class)
        .run(context -> assertThat(context)
            .hasSingleBean(SecurityFilterChain.class)
            .hasBean("ownChain")
            .doesNotHaveBean("portcullisSecurityFilterChain")
            .hasBean("portcullisSecurityBridgeRegistration"));
  }

  /**
   * With a chain deciding access, the re-check of open WebSockets asks the chain again (see
   * {@code WebSocketRolesUnderOwnChainTest}), so start-up no longer warns that it cannot.
   */
  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void anApplicationChain_saysNothingOfOpenWebSockets(CapturedOutput output) throws Exception {
    runner()
        .withUserConfiguration(OwnChain.class)
        .run(context -> assertThat(context).hasNotFailed());
    assertThat(output.getOut() + output.getErr()).doesNotContain("re-check of open WebSockets");
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void portcullisAccessRules_sayNothingOfOpenWebSockets(CapturedOutput output) throws Exception {
    runner()
        .withPropertyValues(TestUsers.ACCESS)
        .run(context -> assertThat(context).hasNotFailed());
    assertThat(output.getOut() + output.getErr()).doesNotContain("re-check of open WebSockets");
  }

  @Test
  void withoutSpringSecurity_thereIsNoBridge() throws Exception {
    runner()
        .withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
        .withPropertyValues(TestUsers.ACCESS)
        .run(context -> assertThat(context)
            .hasNotFailed()
            .doesNotHaveBean("portcullisSecurityBridgeRegistration")
            .hasBean("portcullisFilter"));
  }

  /** A secure GET of {@code path} through the Portcullis filter: whether it reached the rest of the chain. */
  private static boolean passesPortcullis(AssertableWebApplicationContext context, String path)
      throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
    request.setScheme("https");
    request.setSecure(true);
    request.setServerName("portal.example");
    request.setServerPort(443);
    request.addHeader("Host", "portal.example");
    MockFilterChain chain = new MockFilterChain();
    context.getBean(PortcullisFilter.class).doFilter(request, new MockHttpServletResponse(), chain);
    return chain.getRequest() != null;
  }

  @Test
  void neitherAnAccessPolicyNorAChain_failsStartUp_sayingWhatToSet() throws Exception {
    ContextConsumer<AssertableWebApplicationContext> refused = context -> {
      assertThat(context).hasFailed();
      FailureAnalysis analysis =
          PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
      assertThat(analysis.getDescription())
          .contains("nothing decides who may see which page")
          .contains("portcullis.access.* is not set")
          .contains("no Spring Security SecurityFilterChain bean");
      assertThat(analysis.getAction())
          .contains("portcullis.access.public-paths")
          .contains("portcullis.access.authenticated-paths=/**")
          .contains("spring-boot-starter-security");
    };
    // Spring Security on the class path, but its auto-configuration (and so any chain) absent.
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class))
        .withInitializer(PortcullisAutoConfigurationTest.processEnvironment(Map.of()))
        .withUserConfiguration(TestUsers.class)
        .withPropertyValues(
            "portcullis.login.terms-version=" + TestUsers.TERMS,
            "portcullis.keys.file=" + TestKeys.file(dir),
            "portcullis.transport.canonical-host=portal.example")
        .run(refused);
    // Spring Security not on the class path at all.
    runner()
        .withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
        .run(refused);
  }

  @Test
  void aChainWithoutAnAccessPolicy_leavesAccessToSpringSecurity_andAPolicyIsEnforcedByPortcullis()
      throws Exception {
    runner().withUserConfiguration(OwnChain.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(passesPortcullis(context, "/secret"))
          .as("Portcullis decides nothing")
          .isTrue();
    });
    runner()
        .withUserConfiguration(OwnChain.class)
        .withPropertyValues(TestUsers.ACCESS)
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(passesPortcullis(context, "/secret"))
              .as("the policy sends anonymous visitors to login")
              .isFalse();
          assertThat(passesPortcullis(context, "/login")).isTrue();
        });
  }

  @Test
  void aFilterOrderThatLeavesNoRoomBeforeSpringSecurity_failsStartUp() throws Exception {
    runner().withPropertyValues("portcullis.filter.order=-101").run(context -> {
      assertThat(context).hasFailed();
      var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
      assertThat(analysis.getDescription()).contains("portcullis.filter.order (-101)");
      assertThat(analysis.getAction()).contains("below -101");
    });
  }

  @Test
  void portcullisDisabled_disablesTheBridgeToo() throws Exception {
    runner()
        .withPropertyValues("portcullis.enabled=false")
        .run(context -> assertThat(context)
            .doesNotHaveBean("portcullisSecurityBridgeRegistration")
            .doesNotHaveBean("portcullisSecurityFilterChain"));
  }

  /** {@link #runner()} with Spring Boot's user store auto-configuration, as in an application. */
  private WebApplicationContextRunner withBootsUserStore() throws Exception {
    return runner()
        .withConfiguration(AutoConfigurations.of(
            SecurityAutoConfiguration.class, UserDetailsServiceAutoConfiguration.class));
  }

  private static final String GENERATED_PASSWORD = "Using generated security password";

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void springBootsGeneratedUser_isNotCreated_andNoPasswordIsPrinted(CapturedOutput output)
      throws Exception {
    withBootsUserStore().run(context -> {
      assertThat(context)
          .hasNotFailed()
          .doesNotHaveBean(InMemoryUserDetailsManager.class)
          .hasSingleBean(UserDetailsService.class)
          .hasBean("portcullisNoUserDetailsService");
      UserDetailsService users = context.getBean(UserDetailsService.class);
      assertThatThrownBy(() -> users.loadUserByUsername("user"))
          .isInstanceOf(UsernameNotFoundException.class);
    });
    assertThat(output.getAll()).doesNotContain(GENERATED_PASSWORD);
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnUsers {
    @Bean
    UserDetailsService ownUsers() {
      return new InMemoryUserDetailsManager(
          User.withUsername("ops").password("{noop}ops-pw").roles("OPS").build());
    }
  }

  @Test
  void anApplicationsOwnUserDetailsService_isKept() throws Exception {
    withBootsUserStore().withUserConfiguration(OwnUsers.class).run(context -> {
      assertThat(context)
          .hasNotFailed()
          .hasSingleBean(UserDetailsService.class)
          .hasBean("ownUsers")
          .doesNotHaveBean("portcullisNoUserDetailsService");
      assertThat(context
              .getBean(UserDetailsService.class)
              .loadUserByUsername("ops")
              .getUsername())
          .isEqualTo("ops");
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnProvider {
    @Bean
    AuthenticationProvider ownProvider() {
      return new TestingAuthenticationProvider();
    }
  }

  @Test
  void anApplicationsOwnAuthenticationProvider_getsNoUserStoreBesideIt() throws Exception {
    withBootsUserStore()
        .withUserConfiguration(OwnProvider.class)
        .run(context -> assertThat(context)
            .hasNotFailed()
            .hasSingleBean(AuthenticationProvider.class)
            .doesNotHaveBean(UserDetailsService.class));
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void springSecurityUserProperties_leaveThatUserToSpringBoot(CapturedOutput output)
      throws Exception {
    withBootsUserStore()
        .withPropertyValues("spring.security.user.name=ops", "spring.security.user.password=ops-pw")
        .run(context -> {
          assertThat(context)
              .hasNotFailed()
              .hasSingleBean(InMemoryUserDetailsManager.class)
              .doesNotHaveBean("portcullisNoUserDetailsService");
          assertThat(context.getBean(InMemoryUserDetailsManager.class).userExists("ops"))
              .isTrue();
        });
    assertThat(output.getAll()).doesNotContain(GENERATED_PASSWORD);
  }

  @Test
  void portcullisDisabled_leavesSpringBootsUserStoreAsItWas() throws Exception {
    withBootsUserStore()
        .withPropertyValues("portcullis.enabled=false")
        .run(context -> assertThat(context)
            .hasSingleBean(InMemoryUserDetailsManager.class)
            .doesNotHaveBean("portcullisNoUserDetailsService"));
  }
}
