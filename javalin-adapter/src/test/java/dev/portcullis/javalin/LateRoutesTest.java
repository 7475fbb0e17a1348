package dev.portcullis.javalin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.JavalinState;
import io.javalin.http.servlet.DefaultTasks;
import io.javalin.http.servlet.JavalinServletContext;
import io.javalin.http.servlet.TaskInitializer;
import io.javalin.plugin.Plugin;
import io.javalin.router.InternalRouter;
import io.javalin.security.RouteRole;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Routes a Javalin application adds after the plugin started (after every plugin's {@code onInitialize}): in the
 * {@code onStart} of a plugin that starts after it, through {@code Javalin.unsafe} after {@code Javalin.create}, in a
 * {@code serverStarting} listener, and after the server started. Each route's roles hold for {@code GET} and for
 * {@code HEAD}, which runs the {@code GET} route's handler; a {@code HEAD} the plugin cannot serve so is refused, never
 * answered by Javalin alone. A request lifecycle without Javalin's before-matched stage, where no route role would be checked, stops the
 * start.
 */
class LateRoutesTest {
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  enum Role implements RouteRole {
    ADMIN
  }

  /** A plugin that adds a route for administrators when it starts, after the Portcullis plugin. */
  static final class LatePlugin extends Plugin<Void> {
    @Override
    public void onStart(JavalinState state) {
      state.routes.get("/plugin-admin", ctx -> ctx.result("plugin admin"), Role.ADMIN);
    }
  }

  private Portcullis portcullis;
  private Javalin app;

  @AfterEach
  void stop() {
    if (app != null) {
      app.stop();
    }
    portcullis.close();
  }

  private Portcullis portcullis() {
    SecureRandom random = new SecureRandom();
    portcullis = Portcullis.builder()
        .keyRing(KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
            .build())
        .users(new InMemoryUserDirectory(PasswordHasher.forTests())
            .add("alice", "alice-pw".toCharArray(), user("u-alice", "STAFF"))
            .add("bob", "bob-pw".toCharArray(), user("u-bob", "ADMIN")))
        .termsVersion("2026-01")
        .random(random)
        .transport(TransportConfig.builder().developmentMode(true).build())
        .build();
    return portcullis;
  }

  /**
   * Regression: the plugin served {@code HEAD} as {@code GET} only for the routes that existed when its own {@code
   * onStart} ran; for a route added later Javalin answered {@code HEAD} {@code 200} itself, without the route's roles
   * or its handler, to a user without the roles.
   */
  @Test
  void routesAddedAfterThePluginStarted_keepTheirRolesForHead() throws Exception {
    Portcullis portcullis = portcullis();
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.registerPlugin(new PortcullisPlugin(portcullis));
      config.registerPlugin(new LatePlugin());
      config.routes.get(
          "/login", ctx -> ctx.result("login page csrf=" + PortcullisPlugin.csrfToken(ctx)));
      config.events.serverStarting(() ->
          config.routes.get("/starting-admin", ctx -> ctx.result("starting admin"), Role.ADMIN));
    });
    app.unsafe.routes.get("/created-admin", ctx -> ctx.result("created admin"), Role.ADMIN);
    app.start("127.0.0.1", 0);

    TestBrowser alice = loggedIn("alice", "alice-pw");
    TestBrowser bob = loggedIn("bob", "bob-pw");
    for (String path : List.of("/plugin-admin", "/created-admin", "/starting-admin")) {
      assertThat(alice.get(path).statusCode()).as("GET " + path).isEqualTo(403);
      assertThat(head(alice, path).statusCode())
          .as("HEAD " + path + ", alice lacks ADMIN")
          .isEqualTo(403);
      HttpResponse<String> get = bob.get(path);
      HttpResponse<String> head = head(bob, path);
      assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(200);
      assertThat(head.headers().firstValue("Content-Type"))
          .as("HEAD " + path + ": the GET route's handler ran")
          .isEqualTo(get.headers().firstValue("Content-Type"))
          .isPresent();
    }
  }

  /**
   * Regression: for a route added once the server had started, Javalin answered {@code HEAD} {@code 200} itself, to
   * a user without the route's roles; and then the plugin answered it {@code 500} to a user with them, since no
   * handler ran. The {@code HEAD} is served through the {@code GET} route's handler, after its roles.
   */
  @Test
  void headOfARouteAddedAfterTheServerStarted_runsItsGetHandler_afterItsRoles() throws Exception {
    Portcullis portcullis = portcullis();
    AtomicInteger views = new AtomicInteger();
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.registerPlugin(new PortcullisPlugin(portcullis));
      config.routes.get(
          "/login", ctx -> ctx.result("login page csrf=" + PortcullisPlugin.csrfToken(ctx)));
    });
    app.start("127.0.0.1", 0);
    app.unsafe.routes.get(
        "/started-admin/{id}",
        ctx -> {
          views.incrementAndGet();
          ctx.header("X-Report", ctx.pathParam("id"));
          ctx.result("started admin " + ctx.pathParam("id"));
        },
        Role.ADMIN);

    TestBrowser alice = loggedIn("alice", "alice-pw");
    TestBrowser bob = loggedIn("bob", "bob-pw");
    assertThat(alice.get("/started-admin/7").statusCode()).isEqualTo(403);
    assertThat(head(alice, "/started-admin/7").statusCode())
        .as("alice lacks ADMIN")
        .isEqualTo(403);
    assertThat(views).as("no handler ran for alice").hasValue(0);
    HttpResponse<String> get = bob.get("/started-admin/7");
    assertThat(get.body()).isEqualTo("started admin 7");
    HttpResponse<String> head = head(bob, "/started-admin/7");
    assertThat(head.statusCode()).as("HEAD through the GET route's handler").isEqualTo(200);
    assertThat(head.headers().firstValue("X-Report")).as("its path parameter").hasValue("7");
    assertThat(head.headers().firstValue("Content-Type"))
        .isEqualTo(get.headers().firstValue("Content-Type"))
        .isPresent();
    assertThat(head.body()).isEmpty();
    assertThat(views).as("the handler ran once for GET and once for HEAD").hasValue(2);
  }

  /**
   * A request lifecycle the application sets after registering the plugin, with Javalin's stages in their order: a
   * {@code HEAD} of a route added after the server started still runs the route's handler.
   */
  @Test
  void aRequestLifecycleSetAfterThePlugin_stillServesLateHeadThroughGet() throws Exception {
    createWithAnAdminRoute(config -> config.requestLifeCycle(standardLifecycle()));
    app.start("127.0.0.1", 0);
    app.unsafe.routes.get("/started-admin", ctx -> ctx.result("started admin"), Role.ADMIN);

    TestBrowser bob = loggedIn("bob", "bob-pw");
    HttpResponse<String> head = head(bob, "/started-admin");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Type"))
        .isEqualTo(bob.get("/started-admin").headers().firstValue("Content-Type"));
  }

  /**
   * A request lifecycle replaced after {@code Javalin.create}, where the plugin cannot place its step: a {@code HEAD}
   * of a route added after the server started is refused ({@code 500}) rather than answered {@code 200} by Javalin
   * without any handler; a user without the route's roles gets the {@code 403} of its {@code GET}.
   */
  @Test
  void aRequestLifecycleReplacedAfterCreate_refusesLateHead() throws Exception {
    createWithAnAdminRoute(config -> {});
    app.unsafe.requestLifeCycle(standardLifecycle());
    app.start("127.0.0.1", 0);
    app.unsafe.routes.get("/started-admin", ctx -> ctx.result("started admin"), Role.ADMIN);

    TestBrowser alice = loggedIn("alice", "alice-pw");
    TestBrowser bob = loggedIn("bob", "bob-pw");
    assertThat(bob.get("/started-admin").body()).isEqualTo("started admin");
    assertThat(head(alice, "/started-admin").statusCode()).isEqualTo(403);
    assertThat(head(bob, "/started-admin").statusCode()).isEqualTo(500);
  }

  /** Javalin's own request lifecycle, stage by stage. */
  @SuppressWarnings("unchecked")
  private static TaskInitializer<JavalinServletContext>[] standardLifecycle() {
    return new TaskInitializer[] {
      DefaultTasks.INSTANCE.getBEFORE(),
      DefaultTasks.INSTANCE.getBEFORE_MATCHED(),
      DefaultTasks.INSTANCE.getHTTP(),
      DefaultTasks.INSTANCE.getAFTER_MATCHED(),
      DefaultTasks.INSTANCE.getERROR(),
      DefaultTasks.INSTANCE.getAFTER()
    };
  }

  /**
   * Regression: a request lifecycle without Javalin's before-matched stage ({@code config.requestLifeCycle}) served
   * every route without checking its roles.
   */
  @Test
  void aRequestLifecycleWithoutTheBeforeMatchedStage_stopsTheStart() {
    createWithAnAdminRoute(config -> config.requestLifeCycle(
        DefaultTasks.INSTANCE.getBEFORE(),
        DefaultTasks.INSTANCE.getHTTP(),
        DefaultTasks.INSTANCE.getERROR(),
        DefaultTasks.INSTANCE.getAFTER()));
    assertThatThrownBy(() -> app.start("127.0.0.1", 0)).hasStackTraceContaining("before-matched");
  }

  /** A request lifecycle that runs the before-matched stage after the routes checks their roles too late. */
  @Test
  void aRequestLifecycleWithTheBeforeMatchedStageAfterTheRoutes_stopsTheStart() {
    createWithAnAdminRoute(config -> config.requestLifeCycle(
        DefaultTasks.INSTANCE.getBEFORE(),
        DefaultTasks.INSTANCE.getHTTP(),
        DefaultTasks.INSTANCE.getBEFORE_MATCHED(),
        DefaultTasks.INSTANCE.getERROR(),
        DefaultTasks.INSTANCE.getAFTER()));
    assertThatThrownBy(() -> app.start("127.0.0.1", 0)).hasStackTraceContaining("before-matched");
  }

  /**
   * Regression: a router put in place after the plugin was registered ({@code JavalinState.internalRouter}) served
   * every route without the plugin's before-matched check, so without checking its roles.
   */
  @Test
  void aRouterReplacedAfterThePluginWasRegistered_stopsTheStart() {
    createWithAnAdminRoute(config -> {
      JavalinState state = config.unsafe;
      state.internalRouter =
          new InternalRouter(state.wsRouter, state.eventManager, state.router, state.jetty);
    });
    assertThatThrownBy(() -> app.start("127.0.0.1", 0))
        .hasStackTraceContaining("router was replaced");
  }

  /** Creates the app with the plugin, an administrators' route, the login page, and then what {@code more} sets. */
  private void createWithAnAdminRoute(Consumer<JavalinConfig> more) {
    Portcullis portcullis = portcullis();
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.registerPlugin(new PortcullisPlugin(portcullis));
      config.routes.get("/admin", ctx -> ctx.result("admin"), Role.ADMIN);
      config.routes.get(
          "/login", ctx -> ctx.result("login page csrf=" + PortcullisPlugin.csrfToken(ctx)));
      more.accept(config);
    });
  }

  private TestBrowser loggedIn(String user, String password)
      throws IOException, InterruptedException {
    TestBrowser browser = new TestBrowser("http://127.0.0.1:" + app.port());
    String token = TestBrowser.csrfToken(CSRF, browser.get("/login").body()).orElseThrow();
    HttpResponse<String> login =
        browser.post("/login", Map.of("username", user, "password", password, "_csrf", token));
    assertThat(login.headers().firstValue("Location")).as("login of " + user).hasValue("/");
    return browser;
  }

  private static HttpResponse<String> head(TestBrowser browser, String path)
      throws IOException, InterruptedException {
    return browser.send(HttpRequest.newBuilder(browser.uri(path))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()));
  }

  private static PortalUser user(String handle, String role) {
    return new PortalUser(
        handle, "Person " + handle, handle + "@example.org", Set.of(role), "org", true, "2026-01");
  }
}
