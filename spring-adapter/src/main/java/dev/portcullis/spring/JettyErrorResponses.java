package dev.portcullis.spring;

import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.servlet.internal.JettyErrorPages;
import dev.portcullis.servlet.internal.SecurityHeaders;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * On Spring Boot's embedded Jetty, the error responses Jetty writes itself, for requests it refuses before the
 * application runs, get the filter's security headers and a plain body, and no connector names Jetty's version
 * ({@link JettyErrorPages}). The headers come from the filter's transport configuration, read at the first such
 * response, when the application context and its filter are built.
 */
final class JettyErrorResponses
    implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> {
  private final Supplier<SecurityHeaders> headers;

  JettyErrorResponses(ObjectProvider<PortcullisFilter> filter) {
    this.headers = FilterSecurityHeaders.of(filter);
  }

  @Override
  public void customize(ConfigurableJettyWebServerFactory factory) {
    factory.addServerCustomizers(server -> JettyErrorPages.install(server, headers));
  }
}
