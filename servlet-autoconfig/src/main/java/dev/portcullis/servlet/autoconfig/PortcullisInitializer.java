package dev.portcullis.servlet.autoconfig;

import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.internal.ConfigurationWarning;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs Portcullis in a web application that has {@code portcullis-servlet-autoconfig} in {@code WEB-INF/lib}:
 * the container finds this initializer through {@code META-INF/services}, and it registers the {@link
 * PortcullisFilter} for {@code /*} (dispatcher types REQUEST, ASYNC and ERROR), ahead of the filters the application
 * declares.
 *
 * <p>The settings are the Spring Boot starter's {@code portcullis.*} properties, read from {@code
 * portcullis.properties} on the class path ({@code WEB-INF/classes}), then from the file named by the system property
 * {@code portcullis.config} or the environment variable {@code PORTCULLIS_CONFIG}, then from environment variables
 * ({@code PORTCULLIS_SESSION_IDLE_TIMEOUT}); each overrides the one before. The key ring comes from the environment
 * variable {@link KeyRingSources#ENV_VARIABLE} or {@code portcullis.keys.file}. The user directory is the class named
 * by {@code portcullis.user-directory} (public, with a public constructor without parameters), or the {@link
 * UserDirectory} the application puts in the context attribute {@link #USER_DIRECTORY_ATTRIBUTE} before filters start
 * (from a {@code ServletContextListener}'s {@code contextInitialized}). {@code portcullis.enabled=false} turns the
 * initializer off.
 *
 * <p>When the context stops, the audit log (after delivering what it holds) and every store this initializer made
 * are closed, so the application can be redeployed in the same JVM: the audit file is free again.
 *
 * <p><b>Security.</b> Any mistake in the settings fails the deployment, with one message per mistake: a setting this
 * library does not know (a typo would otherwise leave a default in place), a setting given as a servlet context
 * parameter or a system property (neither is read), a value that does not parse, no key ring
 * (there is no default key), no user directory, or a combination a core builder refuses. Without {@code
 * portcullis.access.*} every path but the login and terms pages needs a login. The filter answers 503 if it is
 * reached without having started. Messages name settings, never their values. On Undertow the initializer has the
 * deployment start its filters when it starts ({@code DeploymentInfo.setEagerFilterInit(true)}), so that a filter that
 * cannot start fails the deployment there too, rather than each request, and keeps the redirects Undertow writes
 * itself (the context root without its slash) relative, where Undertow builds them from the {@code Host} header ({@link
 * UndertowRelativeRedirects}).
 */
public final class PortcullisInitializer implements ServletContainerInitializer {
  /**
   * The context attribute in which the application may put its {@link UserDirectory}, instead of naming a class in
   * {@code portcullis.user-directory}: {@value}.
   */
  public static final String USER_DIRECTORY_ATTRIBUTE = "dev.portcullis.user.UserDirectory";

  /**
   * The context attribute in which the application puts its PostgreSQL {@code javax.sql.DataSource} when {@code
   * portcullis.jdbc.enabled=true}, from a {@code ServletContextListener}'s {@code contextInitialized}: {@value}. The
   * application owns it and closes it; Portcullis closes only the stores it made on it.
   */
  public static final String DATA_SOURCE_ATTRIBUTE = "javax.sql.DataSource";

  /** The filter's name in the servlet context: {@value}. */
  public static final String FILTER_NAME = "portcullis";

  private static final Logger log = LoggerFactory.getLogger(PortcullisInitializer.class);

  private final String configProperty;
  private final Map<String, String> environment;
  private final Set<String> systemProperties;
  private final InstantSource clock;

  /** The initializer the container makes: reads the process environment and the system clock. */
  @SuppressForbidden(
      reason =
          "the composition root of a zero-config deployment: the one place the clock is chosen")
  public PortcullisInitializer() {
    this(
        System.getProperty(PortcullisSettings.CONFIG_PROPERTY),
        System.getenv(),
        System.getProperties().stringPropertyNames(),
        InstantSource.system());
  }

  PortcullisInitializer(
      String configProperty, Map<String, String> environment, InstantSource clock) {
    this(configProperty, environment, Set.of(), clock);
  }

  /**
   * @param systemProperties the names of the JVM's system properties: one that names a setting is refused, as
   *     settings are not read from there
   */
  PortcullisInitializer(
      String configProperty,
      Map<String, String> environment,
      Set<String> systemProperties,
      InstantSource clock) {
    this.configProperty = configProperty;
    this.environment = Map.copyOf(environment);
    this.systemProperties = Set.copyOf(systemProperties);
    this.clock = clock;
  }

  @Override
  public void onStartup(Set<Class<?>> classes, ServletContext context) throws ServletException {
    ClassLoader loader = context.getClassLoader();
    if (loader == null) { // an embedded context without a class loader of its own
      loader = Thread.currentThread().getContextClassLoader();
    }
    if (loader == null) {
      loader = PortcullisInitializer.class.getClassLoader();
    }
    PortcullisSettings settings = PortcullisSettings.read(loader, configProperty, environment);
    settings.notReadFrom(
        Collections.list(context.getInitParameterNames()), "servlet context parameter", false);
    settings.notReadFrom(new TreeSet<>(systemProperties), "system property", true);
    if (settings.problems().isEmpty()
        && !settings.bool("portcullis.enabled").orElse(Boolean.TRUE)) {
      ConfigurationWarning.say(
          PortcullisInitializer.class,
          log,
          "Portcullis is installed but turned off by portcullis.enabled=false ("
              + settings.sourceOf("portcullis.enabled") + "): nothing is protected");
      return;
    }
    PortcullisAssembly.Prepared prepared =
        PortcullisAssembly.prepare(settings, environment, clock, loader);
    if (!settings.problems().isEmpty()) {
      throw new ServletException(PortcullisAssembly.report(settings.problems()));
    }
    ContextShutdown shutdown = new ContextShutdown();
    context.setAttribute(
        StartingFilter.STATE_ATTRIBUTE,
        new StartingFilter.State(prepared, clock, new SecureRandom(), loader, shutdown));
    FilterRegistration.Dynamic registration = context.addFilter(FILTER_NAME, new StartingFilter());
    if (registration != null) {
      registration.setAsyncSupported(true);
      registration.addMappingForUrlPatterns(
          EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR),
          false,
          "/*");
    } else if (!isStartingFilter(context.getFilterRegistration(FILTER_NAME))) {
      throw new ServletException("the application already declares a filter named " + FILTER_NAME
          + "; Portcullis installs its own under that name: rename the application's filter, or remove"
          + " portcullis-servlet-autoconfig and register PortcullisFilter yourself");
    } // else: a container that keeps programmatic filters over a stop and start (Jetty) still has
    // this one
    UndertowFilterStart.startFiltersWithTheDeployment(context);
    UndertowRelativeRedirects.install(context);
    context.addListener(shutdown);
    log.info(
        "Portcullis filter registered for /* in {}; settings from {}",
        contextName(context),
        settings.sources().isEmpty()
            ? "the environment only"
            : String.join(", ", settings.sources()));
  }

  private static boolean isStartingFilter(FilterRegistration registration) {
    return registration != null
        && StartingFilter.class.getName().equals(registration.getClassName());
  }

  private static String contextName(ServletContext context) {
    String path = context.getContextPath();
    return path.isEmpty() ? "the root context" : path;
  }
}
