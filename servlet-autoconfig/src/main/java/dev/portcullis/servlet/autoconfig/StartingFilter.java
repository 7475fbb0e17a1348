package dev.portcullis.servlet.autoconfig;

import dev.portcullis.login.PortalLogin;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.servlet.internal.ContainerErrorBody;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The filter the initializer registers: builds the {@link PortcullisFilter} when the container starts filters (after
 * every {@code ServletContextListener} has run, so the application can provide its user directory there) and passes
 * each request to it.
 *
 * <p><b>Security.</b> Fails closed: if it is asked to filter a request without a built filter (the container went on
 * after a failed start) it answers a plain 503, with the security headers and {@code Cache-Control: no-store}, and does
 * not call the application.
 */
final class StartingFilter implements Filter {
  /**
   * The context attribute through which the initializer hands over what it prepared. An attribute rather than a
   * constructor argument because a container may keep this filter over a stop and start of the same context object
   * (Jetty's WebAppContext does), while the initializer runs, and reads the settings, at every start. A kept filter
   * from the previous start's class loader does not recognise the new state and fails the start: closed, not open.
   */
  static final String STATE_ATTRIBUTE = StartingFilter.class.getName() + ".state";

  /** What the initializer prepared at this start of the context; taken (and removed) by the filter's start. */
  record State(
      PortcullisAssembly.Prepared prepared,
      InstantSource clock,
      SecureRandom random,
      ClassLoader loader,
      ContextShutdown shutdown) {}

  private volatile PortcullisFilter filter;

  /** The login the filter was built with; null until it is built. */
  private volatile PortalLogin login;

  @Override
  public void init(FilterConfig config) throws ServletException {
    if (!(config.getServletContext().getAttribute(STATE_ATTRIBUTE) instanceof State state)) {
      throw failure("the filter " + config.getFilterName() + " was started without "
          + PortcullisInitializer.class.getName() + " having run in this context");
    }
    // The prepared state holds the key ring: it does not stay where the application can read it.
    config.getServletContext().removeAttribute(STATE_ATTRIBUTE);
    PortcullisAssembly.Assembled assembled = build(config, state);
    login = assembled.login();
    filter = assembled.filter();
  }

  /** The login the filter was built with, for reading back the settings it took; null before the filter starts. */
  PortalLogin login() {
    return login;
  }

  private static PortcullisAssembly.Assembled build(FilterConfig config, State state)
      throws ServletException {
    PortcullisAssembly.Prepared prepared = state.prepared();
    Object attribute =
        config.getServletContext().getAttribute(PortcullisInitializer.USER_DIRECTORY_ATTRIBUTE);
    Optional<String> className = prepared.userDirectoryClass();
    List<AutoCloseable> created = new ArrayList<>();
    UserDirectory users;
    if (attribute != null && className.isPresent()) {
      throw failure("both portcullis.user-directory ("
          + prepared.settings().sourceOf("portcullis.user-directory")
          + ") and the context attribute " + PortcullisInitializer.USER_DIRECTORY_ATTRIBUTE
          + " name a user directory: use one");
    } else if (attribute != null) {
      if (!(attribute instanceof UserDirectory directory)) {
        throw failure(
            "the context attribute " + PortcullisInitializer.USER_DIRECTORY_ATTRIBUTE + " holds a "
                + attribute.getClass().getName() + ", not a " + UserDirectory.class.getName());
      }
      users = directory;
    } else if (className.isPresent()) {
      try {
        users = PortcullisAssembly.instantiate(className.get(), state.loader());
      } catch (ReflectiveOperationException | RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        throw failure(
            "portcullis.user-directory: " + className.get() + " could not be made: " + cause);
      }
      if (users instanceof AutoCloseable closeable) {
        created.add(closeable);
      }
    } else {
      throw failure(
          "there is no user directory, so nobody could log in: set portcullis.user-directory to the name"
              + " of your UserDirectory class, or put your UserDirectory in the context attribute "
              + PortcullisInitializer.USER_DIRECTORY_ATTRIBUTE + " from a ServletContextListener");
    }
    PortcullisAssembly.Assembled assembled;
    try {
      assembled = PortcullisAssembly.assemble(
          prepared, users, config.getServletContext()::getAttribute, state.clock(), state.random());
    } catch (IllegalStateException e) {
      PortcullisAssembly.closeAll(created);
      throw new ServletException(e.getMessage(), e);
    }
    created.addAll(assembled.resources()); // the audit log last
    state.shutdown().closeAtShutdown(created);
    assembled.filter().init(config);
    return assembled;
  }

  private static ServletException failure(String problem) {
    return new ServletException(PortcullisAssembly.report(List.of(problem)));
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    PortcullisFilter current = filter;
    if (current == null) {
      if (response instanceof HttpServletResponse http) {
        // Written here rather than through sendError: the container's error page would name the
        // server and lack the security headers.
        ContainerErrorBody.write(http, HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      }
      return;
    }
    current.doFilter(request, response, chain);
  }

  @Override
  public void destroy() {
    PortcullisFilter current = filter;
    filter = null;
    login = null;
    if (current != null) {
      current.destroy();
    }
  }
}
