package dev.portcullis.servlet;

import jakarta.servlet.ServletContext;
import org.eclipse.jetty.ee10.servlet.FilterMapping;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/**
 * On Jetty 12 ({@code ee10}), the place of Jetty's WebSocket upgrade filter beside the Portcullis filter. That filter
 * performs the upgrades of the endpoints registered with Jetty's Jakarta {@code ServerContainer} (and of mappings
 * added to Jetty's own WebSocket container) and answers them without passing the request on; unless the application
 * declares it, Jetty puts it before every other filter of the context.
 *
 * <p>Security: a filter placed after it never sees those upgrade requests, so their sockets would open with no login,
 * role or origin check. Portcullis refuses to start there (fail closed) rather than leave them unchecked.
 *
 * <p>Jetty is not a dependency of this module: this class is loaded only in a Jetty {@code ee10} servlet context.
 */
final class JettyUpgradeFilterOrder {
  /** The name Jetty registers its upgrade filter under, and finds it by when the application declared it. */
  static final String UPGRADE_FILTER =
      "org.eclipse.jetty.ee10.websocket.servlet.WebSocketUpgradeFilter";

  private JettyUpgradeFilterOrder() {}

  /** Whether {@code context} is a Jetty {@code ee10} one, told without loading any Jetty class. */
  static boolean isJettyContext(ServletContext context) {
    return context.getClass().getName().startsWith("org.eclipse.jetty.ee10.");
  }

  /**
   * Throws when Jetty's upgrade filter comes before the filter named {@code filterName} in the context's filter
   * mappings.
   *
   * @throws IllegalStateException naming the remedy
   */
  static void check(ServletContext context, String filterName) {
    ServletContextHandler handler = ServletContextHandler.getServletContextHandler(context);
    if (handler == null || handler.getServletHandler() == null) {
      return;
    }
    FilterMapping[] mappings = handler.getServletHandler().getFilterMappings();
    if (mappings == null) {
      return;
    }
    for (FilterMapping mapping : mappings) {
      if (filterName.equals(mapping.getFilterName())) {
        return;
      }
      if (UPGRADE_FILTER.equals(mapping.getFilterName())) {
        throw new IllegalStateException(message(filterName));
      }
    }
  }

  static String message(String filterName) {
    return "Jetty's WebSocket upgrade filter (" + UPGRADE_FILTER
        + ") runs before the Portcullis filter ("
        + filterName
        + ") in this context, so the WebSocket upgrades it performs (the Jakarta WebSocket endpoints"
        + " of Jetty's ServerContainer) would open without any Portcullis check. Declare Jetty's filter yourself,"
        + " under the name " + UPGRADE_FILTER
        + " and after the Portcullis filter (Jetty then keeps it where it is),"
        + " before the WebSocket container is configured.";
  }
}
