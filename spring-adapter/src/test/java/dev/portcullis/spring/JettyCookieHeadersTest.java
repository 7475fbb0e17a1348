package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * When the starter installs its Jetty header-cache setting; which connectors the setting reaches is
 * {@code JettyHeaderCacheConnectorsTest}'s (servlet-filter), what it prevents {@code JettyPortalOverHttpTest}'s.
 */
class JettyCookieHeadersTest {
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
            "portcullis.transport.canonical-host=portal.example",
            "portcullis.keys.file=" + TestKeys.file(dir));
  }

  @Test
  void withJettyOnTheClassPath_theCustomizerIsInstalled() throws Exception {
    runner()
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(JettyCookieHeaders.class));
  }

  @Test
  void withoutJetty_theStarterStartsAndNeedsNoJettyClass() throws Exception {
    runner()
        .withClassLoader(
            new FilteredClassLoader("org.eclipse.jetty", "org.springframework.boot.jetty"))
        .run(context -> assertThat(context)
            .hasNotFailed()
            .doesNotHaveBean(JettyCookieHeaders.class)
            .doesNotHaveBean("portcullisJettyCookieHeaders"));
  }
}
