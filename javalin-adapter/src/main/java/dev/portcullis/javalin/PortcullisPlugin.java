package dev.portcullis.javalin;

import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.servlet.internal.ContainerErrorBody;
import dev.portcullis.servlet.internal.JettyErrorPages;
import dev.portcullis.servlet.internal.JettyHeaderCache;
import dev.portcullis.transport.TransportConfig;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.InternalServerErrorResponse;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.http.servlet.DefaultTasks;
import io.javalin.http.servlet.JavalinServlet;
import io.javalin.http.servlet.JavalinServletContext;
import io.javalin.http.servlet.SubmitOrder;
import io.javalin.http.servlet.Task;
import io.javalin.http.servlet.TaskInitializer;
import io.javalin.plugin.Plugin;
import io.javalin.router.Endpoint;
import io.javalin.router.EndpointMetadata;
import io.javalin.router.InternalRouter;
import io.javalin.router.ParsedEndpoint;
import io.javalin.security.Roles;
import io.javalin.security.RouteRole;
import io.javalin.websocket.WsConnectContext;
import jakarta.servlet.DispatcherType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import kotlin.Unit;
import kotlin.jvm.functions.Function2;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * through Javalin's {@link UnauthorizedResponse} and {@link ForbiddenResponse}, each with {@code Cache-Control:
 * no-store} (kept by Javalin's answer and by an application's own handler for them); on an audited action
 * the refusal is recorded with the reason {@code missing route role}. A route without roles is left to
 * the Portcullis access policy alone. A {@code HEAD} request is served as its {@code GET} route, roles and handler
 * included, with the body left out (as a servlet's {@code doHead} runs {@code doGet}), unless the application
 * declared a {@code HEAD} route for the path: Javalin alone answers it {@code 200} without running either, to users
 * without the roles too, and an audited action would record a view that no handler checked. That holds for every
 * route that exists as the server starts, those added in another plugin's {@code onStart}, through {@code
 * Javalin.unsafe} or in a {@code serverStarting} listener included. A {@code GET} route added after the server
 * started gets no {@code HEAD} route of its own: its {@code HEAD} is checked against its roles and then served
 * through its handler, after the before-matched handlers, where Javalin would run a route's handler; only with a
 * request lifecycle replaced after {@code Javalin.create} ({@code app.unsafe.requestLifeCycle}), where the plugin
 * cannot place that step, is it refused with {@code 500} (the log names the route). The server does not start when
 * route roles would go unchecked: a request lifecycle ({@code config.requestLifeCycle}) without Javalin's
 * before-matched stage, or a router replaced after the plugin was registered. With {@code config.http.prefer405over404}, the {@code 405} Javalin answers for a method the
 * path has no route for names the path's methods: a user who may use none of its routes is refused as they refuse
 * them. WebSocket routes
 * ({@code config.routes.ws(path, ws, roles...)}) are checked the same way, before the upgrade: a refused upgrade is
 * answered {@code 401} or {@code 403} and no connection is opened.
 *
 * <p><b>WebSockets after the upgrade.</b> Every WebSocket a logged-in user opens is watched
 * ({@link PortalPrincipal#closeWhenLoginEnds}) and closed with {@code 1008} and a generic reason when the login behind
 * it ends: at once by a logout or "log out everywhere" through this node, and otherwise at the filter's next re-check
 * ({@code PortalLogin.Builder.connectionRecheckInterval}), which refuses it as it would refuse its upgrade request now,
 * the route's roles included (a role removed from the account). Nothing to add in the application.
 *
 * <p><b>Form bodies.</b> The filter reads a form's CSRF token through the servlet parameters, which consumes a
 * URL-encoded body; behind it the plugin hands Javalin that body again, re-encoded from the form's own fields (not
 * the query string's), so that {@code ctx.formParam} and {@code ctx.body()} work as without the filter. A form body
 * the container cannot parse (a broken percent escape, a charset that does not exist) is answered {@code 400}.
 *
 * <p><b>Lifecycle.</b> The filter is registered as {@link Portcullis#register} does, when Javalin builds its server,
 * and Jetty closes the {@code Portcullis} when the server stops. A {@code Portcullis} serves one Javalin instance.
 * As the server starts, the plugin makes the header cache of every connector's {@link HttpConfiguration}
 * case-sensitive ({@link HttpConfiguration#setHeaderCacheCaseSensitive}), so that each request's cookies reach the
 * filter exactly as sent; and it makes the responses Jetty writes itself, for requests it refuses before any filter
 * runs, carry the filter's security headers and a plain body, with no {@code Server} header on any connector
 * ({@link JettyErrorPages}). An error handler the application set on the server itself still writes the body.
 *
 * <p><b>Forwarded headers.</b> Jetty's {@link ForwardedRequestCustomizer} on one of Javalin's connectors (added through
 * {@code config.jetty.modifyHttpConfiguration} or a connector of the application's own) takes the client's scheme and
 * address from {@code X-Forwarded-*} and {@code Forwarded} headers that any client can send. The server then does not
 * start unless the {@link TransportConfig} given to the {@link Portcullis} builder says, either way, whether the
 * container's view of HTTPS is believed ({@link TransportConfig.Builder#containerDecidesHttps(boolean)}), the rule the
 * Spring Boot starter applies to {@code server.forward-headers-strategy}; and whatever it says, not beside {@link
 * TransportConfig#trustedProxies() trusted proxies} or development mode, whose checks would read a client's own
 * {@code X-Forwarded-For} as the connection's address. Behind a TLS-terminating proxy, leave the customizer out and
 * list the proxy in {@link TransportConfig.Builder#trustedProxies(String...)}.
 *
 * <p><b>Security.</b> The plugin decides nothing that the filter decides: HTTPS, logins, CSRF and the access policy
 * are the filter's, configured on the {@link Portcullis} builder. Route roles only narrow access further; a request
 * the access policy refuses never reaches them.
 */
public final class PortcullisPlugin extends Plugin<Void> {
  private static final Logger log = LoggerFactory.getLogger(PortcullisPlugin.class);

  /** What to change when a connector forwards headers and the transport does not fit it. */
  private static final String FORWARDED_HEADERS_ACTION =
      "Behind a TLS-terminating proxy, leave the ForwardedRequestCustomizer out and list the proxy's addresses in"
          + " TransportConfig.builder().trustedProxies(...) (Portcullis then believes its X-Forwarded-Proto,"
          + " X-Forwarded-For and Forwarded headers from those addresses only). Or, only when the connector is"
          + " reachable from the proxy alone, keep it and give Portcullis.builder() a TransportConfig with"
          + " containerDecidesHttps(true); or containerDecidesHttps(false) to keep it for other reasons and have"
          + " HTTPS come from the connection alone.";

  /**
   * The request attribute that marks a {@code HEAD} the plugin serves through its {@code GET} route's handler ({@link
   * #headThroughGet}), set before any handler runs.
   */
  private static final String HEAD_THROUGH_GET_ATTRIBUTE = "dev.portcullis.javalin.headThroughGet";

  /** The request-lifecycle step of {@link #headThroughGet}, one object so that it is added once. */
  private static final TaskInitializer<JavalinServletContext> HEAD_THROUGH_GET =
      PortcullisPlugin::headThroughGet;

  /** The upgrade request's attribute for its {@link Upgrade}, read again when the connection opens. */
  private static final String UPGRADE_ATTRIBUTE = "dev.portcullis.javalin.ws.upgrade";

  /** What a logged-in upgrade request leaves for the connection it opens: its principal and its route's roles. */
  private record Upgrade(PortalPrincipal principal, Set<String> routeRoles) {}

  private final Portcullis portcullis;
  /** The watched WebSockets, by Javalin's session id, forgotten when they close. */
  private final Map<String, OpenConnections.Watch> watches = new ConcurrentHashMap<>();

  /** A plugin that registers {@code portcullis}'s filter; the plugin owns it from then on. */
  public PortcullisPlugin(Portcullis portcullis) {
    this.portcullis = Objects.requireNonNull(portcullis, "portcullis");
  }

  @Override
  public void onInitialize(JavalinState state) {
    // The router this plugin's checks are added to, which must be the one that serves.
    InternalRouter router = state.internalRouter;
    // Checked as the server starts, when Javalin has added every connector and its HTTP
    // configuration.
    state.jetty.modifyServer(server -> server.addEventListener(new LifeCycle.Listener() {
      @Override
      public void lifeCycleStarting(LifeCycle event) {
        try {
          JettyHeaderCache.exactCookieHeaders(server);
          JettyErrorPages.install(server, portcullis.filter().transport());
          checkForwardedHeaders(server, portcullis.filter().transport());
          checkRouteRolesRun(state, router);
          serveHeadAsGet(router);
        } catch (RuntimeException e) {
          portcullis.close(); // the filter never starts, so Jetty would not close it
          throw e;
        }
      }
    }));
    state.jetty.modifyServletContextHandler(handler -> {
      portcullis.register(handler.getServletContext());
      handler.addFilter(
          new FilterHolder(new FormBodyFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
    });
    state.routes.beforeMatched(ctx -> {
      checkRouteRoles(ctx);
      refuseHeadWithoutItsGetRoute(router, ctx);
    });
    // A 405 matches no route, so it runs no before-matched handler; it names the path's methods.
    state.routes.before(ctx -> {
      if (state.http.prefer405over404) {
        checkRolesOfTheMethodList(state, router, ctx);
      }
    });
    // A WebSocket upgrade runs the before-upgrade handlers, never the before-matched ones.
    state.routes.wsBeforeUpgrade(ctx -> {
      checkRouteRoles(ctx);
      rememberForConnection(ctx);
    });
    // Every WebSocket of a login is closed when the login ends
    // (PortalPrincipal.closeWhenLoginEnds).
    state.routes.wsBefore(ws -> {
      ws.onConnect(this::watch);
      ws.onClose(ctx -> {
        OpenConnections.Watch watch = watches.remove(ctx.sessionId());
        if (watch != null) {
          watch.close();
        }
      });
    });
  }

  /**
   * Runs when Javalin has applied the whole configuration, the request lifecycle an application sets after
   * registering the plugin ({@code config.requestLifeCycle}) included, and before the server is built.
   */
  @Override
  public void onStart(JavalinState state) {
    serveLateHeadAsGet(state);
  }

  /** Keeps the upgrade's principal and route roles for the connection it opens. */
  private static void rememberForConnection(Context ctx) {
    principal(ctx)
        .ifPresent(p -> ctx.attribute(
            UPGRADE_ATTRIBUTE,
            new Upgrade(
                p,
                ctx.routeRoles().stream()
                    .map(PortcullisPlugin::roleName)
                    .collect(Collectors.toUnmodifiableSet()))));
  }

  private void watch(WsConnectContext ctx) {
    if (!(ctx.attribute(UPGRADE_ATTRIBUTE) instanceof Upgrade upgrade)) {
      return;
    }
    Set<String> routeRoles = upgrade.routeRoles();
    OpenConnections.Watch watch = upgrade
        .principal()
        .closeWhenLoginEnds(
            (code, reason) -> ctx.closeSession(code, reason),
            user -> routeRoles.isEmpty() || user.roles().stream().anyMatch(routeRoles::contains));
    watches.put(ctx.sessionId(), watch);
  }

  /**
   * Serves {@code HEAD} as {@code GET} where the application declared no {@code HEAD} route: adds a {@code HEAD} route
   * with the {@code GET} route's path, handler and roles, after every route of the application, so that a {@code
   * HEAD} route of the application's own still comes first. Runs as the server starts, when the routes that plugins
   * add in their {@code onStart}, that the application adds through {@code Javalin.unsafe} after {@code
   * Javalin.create} and that {@code serverStarting} listeners add all exist.
   */
  private static void serveHeadAsGet(InternalRouter router) {
    List<Endpoint> endpoints =
        router.allHttpHandlers().stream().map(p -> p.endpoint).toList();
    Set<String> headPaths = new HashSet<>();
    for (Endpoint endpoint : endpoints) {
      if (endpoint.method.equals(HandlerType.HEAD)) {
        headPaths.add(endpoint.path);
      }
    }
    for (Endpoint get : endpoints) {
      if (get.method.equals(HandlerType.GET) && headPaths.add(get.path)) {
        Roles roles = get.metadata(Roles.class);
        Set<EndpointMetadata> metadata = roles == null ? Set.of() : Set.of(roles);
        router.addHttpEndpoint(new Endpoint(HandlerType.HEAD, get.path, get.handler, metadata));
      }
    }
  }

  /**
   * Puts {@link #headThroughGet} in Javalin's request lifecycle just before its route stage ({@code
   * DefaultTasks.HTTP}), where Javalin runs a route's handler: after the before-matched handlers (the route roles among
   * them), and skipped as the route's handler is when one of them refuses the request. A lifecycle without the route
   * stage serves no route, so it needs nothing.
   */
  private static void serveLateHeadAsGet(JavalinState state) {
    List<TaskInitializer<JavalinServletContext>> lifecycle =
        new ArrayList<>(state.servletRequestLifecycle);
    int http = lifecycle.indexOf(DefaultTasks.INSTANCE.getHTTP());
    if (http >= 0 && !lifecycle.contains(HEAD_THROUGH_GET)) {
      lifecycle.add(http, HEAD_THROUGH_GET);
      state.servletRequestLifecycle = lifecycle;
    }
  }

  /**
   * For a {@code HEAD} with no {@code HEAD} route but a {@code GET} route (one added after the server started, since
   * {@link #serveHeadAsGet} gave every earlier one its {@code HEAD} route), runs the {@code GET} route's handler, with
   * its path parameters: Javalin alone would answer {@code 200} without running any handler. The container leaves the
   * body out.
   */
  private static void headThroughGet(
      Function2<? super SubmitOrder, ? super Task, Unit> submitTask,
      JavalinServlet servlet,
      JavalinServletContext ctx,
      String requestUri) {
    if (!ctx.method().equals(HandlerType.HEAD)) {
      return;
    }
    InternalRouter router = servlet.getRouter();
    if (router.findFirstHttpHandlerEntry(HandlerType.HEAD, requestUri) != null) {
      return;
    }
    ParsedEndpoint get = router.findFirstHttpHandlerEntry(HandlerType.GET, requestUri);
    if (get == null) {
      return;
    }
    ctx.req().setAttribute(HEAD_THROUGH_GET_ATTRIBUTE, Boolean.TRUE);
    submitTask.invoke(SubmitOrder.LAST, new Task(true, () -> {
      get.handle(ctx, requestUri);
      return Unit.INSTANCE;
    }));
  }

  /**
   * Refuses to start where route roles would not be checked: when Javalin serves from another router than the one
   * the plugin's checks were added to ({@code JavalinState.internalRouter} replaced), or when its request lifecycle
   * ({@code config.requestLifeCycle}) leaves out the before-matched stage that runs them.
   */
  private static void checkRouteRolesRun(JavalinState state, InternalRouter router) {
    if (state.internalRouter != router) {
      throw new IllegalStateException(
          "Javalin's router was replaced after PortcullisPlugin was registered, so"
              + " the plugin's route-role checks are not in the router that serves: replace the router before"
              + " registering the plugin.");
    }
    List<?> lifecycle = state.servletRequestLifecycle;
    int beforeMatched = lifecycle.indexOf(DefaultTasks.INSTANCE.getBEFORE_MATCHED());
    int http = lifecycle.indexOf(DefaultTasks.INSTANCE.getHTTP());
    if (beforeMatched < 0 || http >= 0 && beforeMatched > http) {
      throw new IllegalStateException(
          "Javalin's request lifecycle (config.requestLifeCycle) leaves out the"
              + " before-matched stage (DefaultTasks.BEFORE_MATCHED) or runs it after the routes"
              + " (DefaultTasks.HTTP); that stage is where PortcullisPlugin checks each route's"
              + " roles: without it every route would be served to any user the access policy lets through."
              + " Keep DefaultTasks.BEFORE_MATCHED ahead of DefaultTasks.HTTP.");
    }
  }

  /**
   * Where Javalin would answer {@code 405} ({@code prefer405over404}) with the methods of the path's routes, refuses a
   * user who may use none of those routes as they would: the methods of a route are for those who may use it.
   */
  private static void checkRolesOfTheMethodList(
      JavalinState state, InternalRouter router, Context ctx) {
    String requestUri = requestUri(ctx);
    HandlerType method = ctx.method();
    if (router.findFirstHttpHandlerEntry(method, requestUri) != null
        || method.equals(HandlerType.HEAD)
            && router.findFirstHttpHandlerEntry(HandlerType.GET, requestUri) != null) {
      return; // a route matches: its roles are checked before it runs
    }
    if ((method.equals(HandlerType.GET) || method.equals(HandlerType.HEAD))
        && (state.resourceHandler != null && state.resourceHandler.canHandle(ctx)
            || state.singlePageHandler.canHandle(ctx))) {
      return; // a static file or single-page root, which Javalin serves (files after their roles)
    }
    Set<RouteRole> roles = new HashSet<>();
    boolean anyRoute = false;
    for (HandlerType other : HandlerType.values()) {
      ParsedEndpoint route =
          other.isHttpMethod() ? router.findFirstHttpHandlerEntry(other, requestUri) : null;
      if (route != null) {
        anyRoute = true;
        Roles routeRoles = route.endpoint.metadata(Roles.class);
        if (routeRoles == null || routeRoles.getRoles().isEmpty()) {
          return; // a route open to every user the access policy lets through
        }
        roles.addAll(routeRoles.getRoles());
      }
    }
    if (anyRoute) {
      checkRouteRoles(ctx, roles);
    }
  }

  /** The request's path inside Javalin's context path, as Javalin routes it. */
  private static String requestUri(Context ctx) {
    String path = ctx.path();
    return path.startsWith(ctx.contextPath()) ? path.substring(ctx.contextPath().length()) : path;
  }

  /**
   * Checks a {@code HEAD} for a {@code GET} route added after the server started, which has no {@code HEAD} route of
   * its own, against the {@code GET} route's roles: a user without them is refused as {@code GET} refuses them. Then
   * {@link #headThroughGet} serves it; where it could not be placed in the request lifecycle, the {@code HEAD} gets a
   * {@code 500}, since Javalin would answer it {@code 200} without running any handler: the answer would say nothing
   * true about the resource (a {@code 200} for a missing one) and an audited action would record a view that no handler
   * checked.
   */
  private static void refuseHeadWithoutItsGetRoute(InternalRouter router, Context ctx) {
    if (!ctx.method().equals(HandlerType.HEAD)) {
      return;
    }
    String requestUri = requestUri(ctx);
    if (router.findFirstHttpHandlerEntry(HandlerType.HEAD, requestUri) != null) {
      return;
    }
    ParsedEndpoint get = router.findFirstHttpHandlerEntry(HandlerType.GET, requestUri);
    if (get == null) {
      return; // a static file or single-page root, or nothing: Javalin's own answers
    }
    Roles roles = get.endpoint.metadata(Roles.class);
    checkRouteRoles(ctx, roles == null ? Set.of() : roles.getRoles());
    if (ctx.req().getAttribute(HEAD_THROUGH_GET_ATTRIBUTE) != null) {
      return;
    }
    log.error(
        "HEAD refused for the GET route {}: the route was added after the server started and the request"
            + " lifecycle was replaced after Javalin.create, so PortcullisPlugin cannot serve HEAD through the"
            + " route's handler. Set the request lifecycle in Javalin.create's configuration, or add routes before"
            + " the server starts.",
        get.endpoint.path);
    throw notToBeStored(ctx, new InternalServerErrorResponse());
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

  /**
   * With Jetty's forwarded-header handling on a connector, refuses to start unless the transport says whether the
   * container's view of HTTPS is believed, and beside trusted proxies or development mode whatever it says.
   */
  static void checkForwardedHeaders(Server server, TransportConfig transport) {
    String forwarding = null;
    for (Connector connector : server.getConnectors()) {
      for (Object factory : connector.getConnectionFactories()) {
        if (factory instanceof HttpConfiguration.ConnectionFactory http
            && http.getHttpConfiguration().getCustomizer(ForwardedRequestCustomizer.class)
                != null) {
          forwarding = connector.getName() == null ? connector.toString() : connector.getName();
        }
      }
    }
    if (forwarding == null) {
      return;
    }
    String where = "Jetty's ForwardedRequestCustomizer on the connector " + forwarding;
    switch (transport.containerForwarding()) {
      case REFUSED_BESIDE_TRUSTED_PROXIES ->
        throw new IllegalStateException(where
            + " beside TransportConfig trustedProxies: Jetty replaces the proxy's address with the first"
            + " X-Forwarded-For value, which any client sends as it likes, so a client could pass for a listed proxy"
            + " and have its X-Forwarded-Proto believed. Leave the customizer out and keep the trusted proxies"
            + " (recommended), or list none.");
      case REFUSED_IN_DEVELOPMENT_MODE ->
        throw new IllegalStateException(
            where
                + " in development mode: Jetty takes the client's address from X-Forwarded-For, so any client could"
                + " pass for loopback and be served over plain HTTP. Leave the customizer out on a developer's machine.");
      case UNDECIDED ->
        throw new IllegalStateException(where
            + " decides from X-Forwarded-Proto and Forwarded headers whether a request used HTTPS, which Portcullis"
            + " cannot tell apart from a client's own claim, and takes the client's address from X-Forwarded-For,"
            + " which hides the proxy's address from TransportConfig trustedProxies. "
            + FORWARDED_HEADERS_ACTION);
      case BELIEVED ->
        log.info(
            "{} with containerDecidesHttps(true): Jetty's forwarded-header handling decides which requests are"
                + " HTTPS and what each client's address is. Keep the connector reachable from the TLS-terminating"
                + " proxy alone.",
            where);
      case IGNORED ->
        log.warn(
            "{} with containerDecidesHttps(false): Portcullis ignores the scheme Jetty takes from forwarding"
                + " headers, so requests through a TLS-terminating proxy count as plain HTTP (redirected or refused)."
                + " Jetty still takes the client's address from X-Forwarded-For, which any client reaching the"
                + " connector can send: the audit log's client addresses and the login limit's address budgets follow"
                + " it. Unless TLS ends at this server, leave the customizer out and list the proxy in"
                + " TransportConfig trustedProxies.",
            where);
    }
  }

  private static void checkRouteRoles(Context ctx) {
    checkRouteRoles(ctx, ctx.routeRoles());
  }

  private static void checkRouteRoles(Context ctx, Set<RouteRole> roles) {
    if (roles.isEmpty()) {
      return;
    }
    if (principal(ctx).isEmpty()) {
      throw notToBeStored(ctx, new UnauthorizedResponse());
    }
    for (RouteRole role : roles) {
      if (ctx.req().isUserInRole(roleName(role))) {
        return;
      }
    }
    ctx.req().setAttribute(PortcullisFilter.AUDIT_FAILURE_ATTRIBUTE, "missing route role");
    throw notToBeStored(ctx, new ForbiddenResponse());
  }

  /**
   * A route-role refusal answers this one request, whoever asked, so no cache may keep it; its plain-text body names
   * its charset, as every plain-text answer of Portcullis does ({@link ContainerErrorBody#CONTENT_TYPE}). Set before
   * the exception is thrown: Javalin's handling of it, or the application's own handler for it, keeps the headers
   * (Javalin's JSON answer, for a client that accepts only JSON, sets its own type).
   */
  private static HttpResponseException notToBeStored(Context ctx, HttpResponseException refusal) {
    ctx.header("Cache-Control", "no-store");
    ctx.contentType(ContainerErrorBody.CONTENT_TYPE);
    return refusal;
  }

  private static String roleName(RouteRole role) {
    return role instanceof Enum<?> e ? e.name() : role.toString();
  }
}
