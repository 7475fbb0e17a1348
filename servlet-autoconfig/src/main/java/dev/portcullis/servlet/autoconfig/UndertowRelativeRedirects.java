package dev.portcullis.servlet.autoconfig;

import dev.portcullis.internal.ConfigurationWarning;
import jakarta.servlet.ServletContext;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On Undertow (and WildFly), the redirects Undertow writes itself keep a relative {@code Location}: the context root
 * without its slash ({@code /war-portal} to {@code /war-portal/}) and a directory of the WAR without its slash, which
 * Undertow answers before any filter runs, and any other redirect Undertow makes absolute.
 *
 * <p><b>Security.</b> Undertow builds such a {@code Location} from the request's scheme and {@code Host} header, and has
 * no setting for relative redirects: {@code Host: evil.example} sent the browser to {@code
 * http://evil.example/war-portal/}, and behind a TLS-terminating proxy to plain HTTP. The initializer therefore adds a
 * handler in front of the deployment's servlets ({@code DeploymentInfo.addInitialHandlerChainWrapper}) that, just
 * before a redirect's headers go out, drops the {@code scheme://host[:port]} that Undertow took from the request: what
 * is left is the path on this site that the browser resolves against the address it asked for. A {@code Location}
 * naming any other host is left as it is. Undertow's public API is reached by reflection: the library does not depend
 * on Undertow.
 */
final class UndertowRelativeRedirects {
  private static final Logger log = LoggerFactory.getLogger(UndertowRelativeRedirects.class);

  private final Method addCommitListener;
  private final Method statusCode;
  private final Method responseHeaders;
  private final Method requestScheme;
  private final Method hostAndPort;
  private final Method getFirst;
  private final Method put;
  private final Object location;
  private final Object listener;

  private UndertowRelativeRedirects(ClassLoader undertow) throws ReflectiveOperationException {
    Class<?> exchange = Class.forName("io.undertow.server.HttpServerExchange", false, undertow);
    Class<?> commitListener =
        Class.forName("io.undertow.server.ResponseCommitListener", false, undertow);
    Class<?> headerMap = Class.forName("io.undertow.util.HeaderMap", false, undertow);
    Class<?> httpString = Class.forName("io.undertow.util.HttpString", false, undertow);
    addCommitListener = exchange.getMethod("addResponseCommitListener", commitListener);
    statusCode = exchange.getMethod("getStatusCode");
    responseHeaders = exchange.getMethod("getResponseHeaders");
    requestScheme = exchange.getMethod("getRequestScheme");
    hostAndPort = exchange.getMethod("getHostAndPort");
    getFirst = headerMap.getMethod("getFirst", httpString);
    put = headerMap.getMethod("put", httpString, String.class);
    location = Class.forName("io.undertow.util.Headers", false, undertow)
        .getField("LOCATION")
        .get(null);
    listener = proxy(undertow, commitListener, (self, method, args) -> {
      if (method.getName().equals("beforeCommit") && args != null && args.length == 1) {
        try {
          relativize(args[0]);
        } catch (ReflectiveOperationException | RuntimeException e) {
          log.warn("a redirect's Location could not be made relative", e);
        }
        return null;
      }
      return objectMethod(self, method, args);
    });
  }

  /**
   * On Undertow, adds the handler to {@code context}'s deployment; elsewhere does nothing. If Undertow's API cannot be
   * reached (an Undertow whose API has changed), says what the deployer must do instead.
   */
  static void install(ServletContext context) {
    Class<?> type = context.getClass();
    if (!type.getName().equals(UndertowFilterStart.UNDERTOW_CONTEXT)) {
      return;
    }
    try {
      ClassLoader undertow = type.getClassLoader();
      UndertowRelativeRedirects redirects = new UndertowRelativeRedirects(undertow);
      Object info = UndertowFilterStart.deploymentInfo(context);
      Class<?> handlerWrapper = Class.forName("io.undertow.server.HandlerWrapper", false, undertow);
      Class<?> handler = Class.forName("io.undertow.server.HttpHandler", false, undertow);
      Method handle = handler.getMethod(
          "handleRequest", Class.forName("io.undertow.server.HttpServerExchange", false, undertow));
      Object wrapper = proxy(undertow, handlerWrapper, (self, method, args) -> {
        if (method.getName().equals("wrap") && args != null && args.length == 1) {
          return redirects.handler(undertow, handler, handle, args[0]);
        }
        return objectMethod(self, method, args);
      });
      info.getClass()
          .getMethod("addInitialHandlerChainWrapper", handlerWrapper)
          .invoke(info, wrapper);
      log.info("Undertow: the redirects Undertow writes itself keep a relative Location");
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      Throwable cause =
          e instanceof InvocationTargetException i && i.getCause() != null ? i.getCause() : e;
      ConfigurationWarning.say(
          UndertowRelativeRedirects.class,
          log,
          "Portcullis could not keep Undertow's own redirects relative ("
              + cause.getClass().getName() + "): Undertow builds the Location of the context"
              + " root's redirect from the request's Host header. Deploy at the root context, or"
              + " have the proxy in front answer or rewrite that redirect");
    }
  }

  /** A handler that registers the commit listener on each exchange, then passes it to {@code next}. */
  private Object handler(ClassLoader undertow, Class<?> handler, Method handle, Object next) {
    return proxy(undertow, handler, (self, method, args) -> {
      if (method.equals(handle)) {
        addCommitListener.invoke(args[0], listener);
        try {
          return handle.invoke(next, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      }
      return objectMethod(self, method, args);
    });
  }

  /** Drops the request's own {@code scheme://host[:port]} from a redirect's {@code Location}. */
  private void relativize(Object exchange) throws ReflectiveOperationException {
    int status = (Integer) statusCode.invoke(exchange);
    if (status < 300 || status > 399) {
      return;
    }
    Object headers = responseHeaders.invoke(exchange);
    Object value = getFirst.invoke(headers, location);
    if (!(value instanceof String absolute)) {
      return;
    }
    String origin = requestScheme.invoke(exchange) + "://" + hostAndPort.invoke(exchange);
    if (absolute.length() > origin.length()
        && absolute.charAt(origin.length()) == '/'
        && absolute.regionMatches(true, 0, origin, 0, origin.length())
        && (absolute.length() == origin.length() + 1
            || absolute.charAt(origin.length() + 1) != '/')) {
      put.invoke(headers, location, absolute.substring(origin.length()));
    }
  }

  private static Object proxy(ClassLoader loader, Class<?> type, InvocationHandler handler) {
    return Proxy.newProxyInstance(loader, new Class<?>[] {type}, handler);
  }

  /** {@code equals}, {@code hashCode} and {@code toString} of a proxy: its identity. */
  private static Object objectMethod(Object self, Method method, Object[] args) {
    return switch (method.getName()) {
      case "equals" -> args != null && args.length == 1 && self == args[0];
      case "hashCode" -> System.identityHashCode(self);
      case "toString" -> "Portcullis relative redirects";
      default -> throw new UnsupportedOperationException(method.getName());
    };
  }
}
