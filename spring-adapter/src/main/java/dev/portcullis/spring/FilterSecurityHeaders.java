package dev.portcullis.spring;

import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.servlet.internal.SecurityHeaders;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The security headers of the application's filter for the customizers of the embedded server (Jetty's, Tomcat's),
 * which run before the filter is built: read from the filter's transport configuration when an error response first
 * asks, once the application context and its filter are built, and kept from then on. Loads no server's classes, so
 * either server's customizer can use it without the other on the class path.
 */
final class FilterSecurityHeaders {
  private FilterSecurityHeaders() {}

  static Supplier<SecurityHeaders> of(ObjectProvider<PortcullisFilter> filter) {
    Objects.requireNonNull(filter, "filter");
    return SecurityHeaders.once(() -> SecurityHeaders.of(filter.getObject().transport()));
  }
}
