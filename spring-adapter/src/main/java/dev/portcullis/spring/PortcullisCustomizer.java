package dev.portcullis.spring;

import dev.portcullis.servlet.PortcullisFilter;

/**
 * Gets the filter's builder after the auto-configuration has given it the sessions, login and audit, and before it is
 * built: the place for builder settings that have no property (for example the transport and access stages, as they
 * arrive). Every {@code PortcullisCustomizer} bean is called, in {@link org.springframework.core.annotation.Order}.
 *
 * <p><b>Security.</b> A customizer may replace what the properties configured; {@link PortcullisFilter.Builder#build()}
 * still checks the whole, and a refusal stops the application from starting.
 */
@FunctionalInterface
public interface PortcullisCustomizer {
  void customize(PortcullisFilter.Builder builder);
}
