package dev.portcullis.spring;

import dev.portcullis.servlet.internal.JettyHeaderCache;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * On Spring Boot's embedded Jetty, makes the header cache of every connector match values letter case included
 * ({@link JettyHeaderCache}): by default, on one keep-alive connection, a {@code Cookie} header that differs from an
 * earlier one only in letter case reaches the filter as the earlier one. Connectors the server is given after the
 * customizer ran (Spring Boot takes them off the server while the application starts and puts them back when it is
 * ready) are set as they are added.
 */
final class JettyCookieHeaders
    implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> {
  @Override
  public void customize(ConfigurableJettyWebServerFactory factory) {
    factory.addServerCustomizers(JettyHeaderCache::exactCookieHeaders);
  }
}
