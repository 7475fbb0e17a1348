package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** The starter's Jetty header-cache setting: when it is installed, and which connectors it reaches. */
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

  @Test
  void everyConnector_theServerHoldsOrIsGivenLater_getsACaseSensitiveHeaderCache() {
    Server server = new Server();
    ServerConnector first = connector(server);
    server.addConnector(first);
    JettyCookieHeaders.exactCookieHeaders(server);
    assertThat(caseSensitive(first)).isTrue();

    ServerConnector added = connector(server);
    assertThat(caseSensitive(added)).as("Jetty's default").isFalse();
    server.addConnector(added);
    assertThat(caseSensitive(added)).isTrue();

    ServerConnector replacing = connector(server);
    server.setConnectors(new ServerConnector[] {replacing});
    assertThat(caseSensitive(replacing)).isTrue();
  }

  private static ServerConnector connector(Server server) {
    return new ServerConnector(server, new HttpConnectionFactory(new HttpConfiguration()));
  }

  private static boolean caseSensitive(ServerConnector connector) {
    return connector
        .getConnectionFactory(HttpConnectionFactory.class)
        .getHttpConfiguration()
        .isHeaderCacheCaseSensitive();
  }
}
