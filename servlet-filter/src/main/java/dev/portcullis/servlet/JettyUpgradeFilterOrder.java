package dev.portcullis.servlet;

import jakarta.servlet.ServletContext;

/**
 * On Jetty 12 ({@code ee10}), the place of Jetty's WebSocket upgrade filter beside the Portcullis filter. That filter
 * performs the upgrades of the endpoints registered with Jetty's Jakarta {@code ServerContainer} (and of mappings
 * added to Jetty's own WebSocket container) and answers them without passing the request on; unless the application
 * declares it, Jetty puts it before every other filter of the context.
 *
 * <p>Security: a filter placed after it never sees those upgrade requests, so their sockets would open with no login,
 * role or origin check. Portcullis refuses to start there (fail closed) rather than leave them unchecked.
 *
 * <p>Jetty is not a dependency of this module, and a web application deployed in Jetty cannot load Jetty's server
 * classes by name (Jetty's web application class loader hides them): the filter mappings are read reflectively through
 * the class loader of the context object Jetty hands the filter.
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
   * @return false when the mappings could not be read (a Jetty whose classes differ from those of Jetty 12.1), true
   *     when they were read and the order is safe
   * @throws IllegalStateException naming the remedy
   */
  static boolean check(ServletContext context, String filterName) {
    Object[] mappings;
    try {
      Class<?> handlerClass = Class.forName(
          "org.eclipse.jetty.ee10.servlet.ServletContextHandler",
          false,
          context.getClass().getClassLoader());
      Object handler = handlerClass
          .getMethod("getServletContextHandler", ServletContext.class)
          .invoke(null, context);
      if (handler == null) {
        return true;
      }
      Object servletHandler = handlerClass.getMethod("getServletHandler").invoke(handler);
      if (servletHandler == null) {
        return true;
      }
      mappings = (Object[])
          servletHandler.getClass().getMethod("getFilterMappings").invoke(servletHandler);
      if (mappings == null) {
        return true;
      }
      for (Object mapping : mappings) {
        Object name = mapping.getClass().getMethod("getFilterName").invoke(mapping);
        if (filterName.equals(name)) {
          return true;
        }
        if (UPGRADE_FILTER.equals(name)) {
          throw new IllegalStateException(message(filterName));
        }
      }
      return true;
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      return false;
    }
  }

  /** What the filter says at start when it could not read the mappings. */
  static String unreadMessage(String filterName) {
    return "Could not read this Jetty context's filter mappings: make sure Jetty's WebSocket upgrade filter ("
        + UPGRADE_FILTER
        + "), if the application uses Jakarta WebSocket endpoints, is declared after the Portcullis filter ("
        + filterName
        + "), or the upgrades it performs open without any Portcullis check.";
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
