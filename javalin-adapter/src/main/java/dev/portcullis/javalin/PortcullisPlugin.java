package dev.portcullis.javalin;

import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.servlet.PortcullisFilter;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.plugin.Plugin;
import io.javalin.security.RouteRole;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.FilterHolder;

/**
 * Puts Portcullis in front of a Javalin application: registers the Portcullis filter on Javalin's servlet context,
 * so that every request passes the transport, session, login, CSRF, access and audit stages before any Javalin
 * handler, and checks the roles a route was declared with.
 *
 * <pre>{@code
 * Portcullis portcullis = Portcullis.builder().keyRing(ring).users(users).termsVersion("2026-01").build();
 * Javalin.create(config -> {
 *   config.registerPlugin(new PortcullisPlugin(portcullis));
 *   config.routes.get("/admin", ctx -> ctx.result("hello " + PortcullisPlugin.principal(ctx)
 *       .orElseThrow().user().displayName()), Role.ADMIN);
 * }).start(8443);
 * }</pre>
 *
 * <p><b>Route roles.</b> A route declared with roles is served only to a logged-in user who has at least one of
 * them: a route role is the portal role of the same name, the constant's {@link Enum#name() name} for an
 * {@code enum} and {@link Object#toString()} otherwise. Anonymous requests get {@code 401}, others {@code 403},
 * through Javalin's {@link UnauthorizedResponse} and {@link ForbiddenResponse}; on an audited action
 * the refusal is recorded with the reason {@code missing route role}. A route without roles is left to
 * the Portcullis access policy alone. WebSocket routes ({@code config.routes.ws(path, ws, roles...)}) are
 * checked the same way, before the upgrade: a refused upgrade is answered {@code 401} or {@code 403} and no
 * connection is opened.
 *
 * <p><b>Form bodies.</b> The filter reads a form's CSRF token through the servlet parameters, which consumes a
 * URL-encoded body; behind it the plugin hands Javalin that body again, re-encoded from the form's own fields (not
 * the query string's), so that {@code ctx.formParam} and {@code ctx.body()} work as without the filter.
 *
 * <p><b>Lifecycle.</b> The filter is registered as {@link Portcullis#register} does, when Javalin builds its server,
 * and Jetty closes the {@code Portcullis} when the server stops. A {@code Portcullis} serves one Javalin instance.
 *
 * <p><b>Security.</b> The plugin decides nothing that the filter decides: HTTPS, logins, CSRF and the access policy
 * are the filter's, configured on the {@link Portcullis} builder. Route roles only narrow access further; a request
 * the access policy refuses never reaches them.
 */
public final class PortcullisPlugin extends Plugin<Void> {
  private final Portcullis portcullis;

  /** A plugin that registers {@code portcullis}'s filter; the plugin owns it from then on. */
  public PortcullisPlugin(Portcullis portcullis) {
    this.portcullis = Objects.requireNonNull(portcullis, "portcullis");
  }

  @Override
  public void onInitialize(JavalinState state) {
    state.jetty.modifyServletContextHandler(handler -> {
      portcullis.register(handler.getServletContext());
      handler.addFilter(
          new FilterHolder(new FormBodyFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
    });
    state.routes.beforeMatched(PortcullisPlugin::checkRouteRoles);
    // A WebSocket upgrade runs the before-upgrade handlers, never the before-matched ones.
    state.routes.wsBeforeUpgrade(PortcullisPlugin::checkRouteRoles);
  }

  @Override
  public String name() {
    return "portcullis";
  }

  /** The logged-in user of this request, or empty for an anonymous one. */
  public static Optional<PortalPrincipal> principal(Context ctx) {
    return ctx.req().getUserPrincipal() instanceof PortalPrincipal p
        ? Optional.of(p)
        : Optional.empty();
  }

  /**
   * The CSRF token to put in this request's forms as the hidden field {@code _csrf}, or to send as the header
   * {@code X-CSRF-Token}; the empty string when the request has none (a form carrying it is refused).
   */
  public static String csrfToken(Context ctx) {
    return ctx.req().getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE) instanceof String token
        ? token
        : "";
  }

  private static void checkRouteRoles(Context ctx) {
    Set<RouteRole> roles = ctx.routeRoles();
    if (roles.isEmpty()) {
      return;
    }
    if (principal(ctx).isEmpty()) {
      throw new UnauthorizedResponse();
    }
    for (RouteRole role : roles) {
      if (ctx.req().isUserInRole(role instanceof Enum<?> e ? e.name() : role.toString())) {
        return;
      }
    }
    ctx.req().setAttribute(PortcullisFilter.AUDIT_FAILURE_ATTRIBUTE, "missing route role");
    throw new ForbiddenResponse();
  }
}
