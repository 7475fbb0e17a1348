package dev.portcullis.servlet;

import jakarta.servlet.ServletContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * On Jetty 12, in each of its Jakarta EE environments ({@code ee10}, {@code ee11}, the one Spring Boot 4's embedded
 * Jetty runs), the place of Jetty's WebSocket upgrade filter beside the Portcullis filter. That filter performs the
 * upgrades of the endpoints registered with Jetty's Jakarta {@code ServerContainer} (and of mappings added to Jetty's
 * own WebSocket container) and answers them without passing the request on; unless the application declares it, Jetty
 * puts it before every other filter of the context.
 *
 * <p>Security: a filter placed after it never sees those upgrade requests, so their sockets would open with no login,
 * role or origin check. Portcullis refuses to start there (fail closed) rather than leave them unchecked.
 *
 * <p>Jetty is not a dependency of this module, and a web application deployed in Jetty cannot load Jetty's server
 * classes by name (Jetty's web application class loader hides them): the filter mappings are read reflectively through
 * the class loader of the context object Jetty hands the filter, with the class names of that context's environment.
 */
final class JettyUpgradeFilterOrder {
  /** The package of a Jetty 12 environment's classes, such as {@code org.eclipse.jetty.ee11.}. */
  private static final Pattern ENVIRONMENT =
      Pattern.compile("^org\\.eclipse\\.jetty\\.(ee\\d+)\\.");

  private JettyUpgradeFilterOrder() {}

  /**
   * The Jetty 12 environment ({@code ee10}, {@code ee11}) whose servlet context {@code context} is, told without
   * loading any Jetty class; null for any other container.
   */
  static String environment(ServletContext context) {
    Matcher m = ENVIRONMENT.matcher(context.getClass().getName());
    return m.find() ? m.group(1) : null;
  }

  /** Whether {@code context} is one of Jetty 12's, of any environment. */
  static boolean isJettyContext(ServletContext context) {
    return environment(context) != null;
  }

  /**
   * The name Jetty registers its upgrade filter of {@code environment} under (its class name), and finds it by when the
   * application declared it.
   */
  static String upgradeFilter(String environment) {
    return "org.eclipse.jetty." + environment + ".websocket.servlet.WebSocketUpgradeFilter";
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
    String environment = environment(context);
    if (environment == null) {
      return true;
    }
    String upgradeFilter = upgradeFilter(environment);
    Object[] mappings;
    try {
      Class<?> handlerClass = Class.forName(
          "org.eclipse.jetty." + environment + ".servlet.ServletContextHandler",
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
        if (upgradeFilter.equals(name)) {
          throw new IllegalStateException(message(upgradeFilter, filterName));
        }
      }
      return true;
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      return false;
    }
  }

  /** What the filter says at start when it could not read the mappings of {@code context}. */
  static String unreadMessage(ServletContext context, String filterName) {
    String environment = environment(context);
    return "Could not read this Jetty context's filter mappings: make sure Jetty's WebSocket upgrade filter ("
        + upgradeFilter(environment == null ? "ee11" : environment)
        + "), if the application uses Jakarta WebSocket endpoints, is declared after the Portcullis filter ("
        + filterName
        + "), or the upgrades it performs open without any Portcullis check.";
  }

  static String message(String upgradeFilter, String filterName) {
    return "Jetty's WebSocket upgrade filter (" + upgradeFilter
        + ") runs before the Portcullis filter ("
        + filterName
        + ") in this context, so the WebSocket upgrades it performs (the Jakarta WebSocket endpoints"
        + " of Jetty's ServerContainer) would open without any Portcullis check. Declare Jetty's filter yourself,"
        + " under the name " + upgradeFilter
        + " and after the Portcullis filter (Jetty then keeps it where it is),"
        + " before the WebSocket container is configured. In a Spring Boot application on embedded Jetty, keep"
        + " Spring Boot's declaration of it (its websocketUpgradeFilterWebServerCustomizer bean adds the filter"
        + " after the application's filters); an application that replaces that bean declares the filter itself,"
        + " in a FilterRegistrationBean of that name ordered after the Portcullis filter.";
  }
}
