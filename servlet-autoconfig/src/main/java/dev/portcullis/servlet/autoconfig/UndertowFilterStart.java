package dev.portcullis.servlet.autoconfig;

import dev.portcullis.internal.ConfigurationWarning;
import jakarta.servlet.ServletContext;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undertow (and WildFly, which deploys through it) starts a filter when the first request needs it, not with the
 * deployment, unless the deployment says otherwise ({@code DeploymentInfo.setEagerFilterInit(true)}; {@code false}
 * by default). Portcullis builds itself when its filter starts, so an audit file another writer holds or a user
 * directory that cannot be made failed every request with Undertow's empty {@code 500} while the deployment ran on,
 * instead of failing the deployment as on Tomcat and Jetty. The initializer therefore turns eager filter start on for
 * the deployment it runs in, through Undertow's public API reached by reflection: the library does not depend on
 * Undertow.
 *
 * <p>Undertow runs the initializers while it deploys and reads the setting when it starts the deployment, after the
 * application's {@code ServletContextListener}s have run, so a user directory put in the context attribute from a
 * listener is still there when the filter starts. Every filter of the application then starts with the deployment,
 * as on Tomcat and Jetty.
 */
final class UndertowFilterStart {
  /** The class of Undertow's servlet context, whose {@code getDeployment()} leads to its deployment settings. */
  static final String UNDERTOW_CONTEXT = "io.undertow.servlet.spec.ServletContextImpl";

  private static final Logger log = LoggerFactory.getLogger(UndertowFilterStart.class);

  private UndertowFilterStart() {}

  /**
   * On Undertow, has {@code context}'s deployment start its filters when it starts; elsewhere does nothing. If the
   * setting cannot be reached (an Undertow whose API has changed), says what the deployer must set instead: the filter
   * then still fails closed, at the first request.
   *
   * @return whether {@code context} is Undertow's
   */
  static boolean startFiltersWithTheDeployment(ServletContext context) {
    Class<?> type = context.getClass();
    if (!type.getName().equals(UNDERTOW_CONTEXT)) {
      return false;
    }
    try {
      Object info = deploymentInfo(context);
      Method eager = info.getClass().getMethod("setEagerFilterInit", boolean.class);
      eager.invoke(info, true);
      log.info(
          "Undertow: filters start with the deployment (DeploymentInfo.setEagerFilterInit(true)), so that"
              + " a Portcullis that cannot start fails the deployment");
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      Throwable cause =
          e instanceof InvocationTargetException i && i.getCause() != null ? i.getCause() : e;
      ConfigurationWarning.say(
          UndertowFilterStart.class,
          log,
          "Portcullis could not ask Undertow to start filters with the deployment ("
              + cause.getClass().getName() + "): a Portcullis that cannot start will fail each"
              + " request with a 500 instead of the deployment. Set DeploymentInfo.setEagerFilterInit(true)"
              + " on the deployment");
    }
    return true;
  }

  /**
   * The {@code DeploymentInfo} of {@code context}, an Undertow servlet context ({@link #UNDERTOW_CONTEXT}): the
   * deployment's settings, reached through Undertow's public API by reflection.
   */
  static Object deploymentInfo(ServletContext context) throws ReflectiveOperationException {
    Class<?> type = context.getClass();
    Object deployment = type.getMethod("getDeployment").invoke(context);
    Class<?> deploymentApi =
        Class.forName("io.undertow.servlet.api.Deployment", false, type.getClassLoader());
    return deploymentApi.getMethod("getDeploymentInfo").invoke(deployment);
  }
}
