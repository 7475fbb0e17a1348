package dev.portcullis.spring;

import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * On Spring Boot's embedded Tomcat, the redirects Tomcat writes itself keep a relative {@code Location}: the context
 * root without its slash ({@code /portal} to {@code /portal/}), answered before any filter runs, and any {@code
 * sendRedirect} that does not pass through the Portcullis filter.
 *
 * <p><b>Security.</b> Spring Boot turns Tomcat's {@code useRelativeRedirects} off unless {@code
 * server.tomcat.use-relative-redirects=true}, and Tomcat then makes such a location absolute from the request's {@code
 * Host} header and the connection's scheme: {@code Host: evil.example} sent the browser to {@code
 * http://evil.example/portal/}. This customizer runs after Spring Boot's and turns them on again, whatever that
 * property says.
 */
final class TomcatRelativeRedirects
    implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {
  @Override
  public int getOrder() {
    // After Spring Boot's own customizer, which sets server.tomcat.use-relative-redirects.
    return Ordered.LOWEST_PRECEDENCE;
  }

  @Override
  public void customize(ConfigurableTomcatWebServerFactory factory) {
    factory.addContextCustomizers(context -> context.setUseRelativeRedirects(true));
  }
}
