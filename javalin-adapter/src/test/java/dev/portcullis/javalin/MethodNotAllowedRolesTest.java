package dev.portcullis.javalin;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.javalin.security.RouteRole;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With Javalin's {@code prefer405over404}, a request with a method the path has no route for is answered {@code 405}
 * with the path's methods: only to a user who may use one of the path's routes, and otherwise refused as those
 * routes refuse them.
 */
class MethodNotAllowedRolesTest {
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  enum Role implements RouteRole {
    ADMIN
  }

  private Portcullis portcullis;
  private Javalin app;

  @BeforeEach
  void start() {
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
        .requirePublic("/public-admin")
        .build();
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.http.prefer405over404 = true;
      config.registerPlugin(new PortcullisPlugin(portcullis));
      config.routes.get(
          "/login", ctx -> ctx.result("login page csrf=" + PortcullisPlugin.csrfToken(ctx)));
      config.routes.get("/admin", ctx -> ctx.result("admin"), Role.ADMIN);
      config.routes.delete("/admin", ctx -> ctx.result("deleted"), Role.ADMIN);
      config.routes.get("/public-admin", ctx -> ctx.result("public admin"), Role.ADMIN);
      config.routes.get("/open", ctx -> ctx.result("open"));
      config.routes.get("/token", ctx -> ctx.result("csrf=" + PortcullisPlugin.csrfToken(ctx)));
    });
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
    portcullis.close();
  }

  /**
   * Regression: Javalin's {@code 405} named the path's methods ({@code availableMethods: GET, DELETE, HEAD}) to a user
   * without the routes' roles, and on a public path to an anonymous visitor, since no route matched and so no route
   * role was checked.
   */
  @Test
  void methodNotAllowed_isRefused_toUsersWithoutTheRoutesRoles() throws Exception {
    TestBrowser alice = loggedIn("alice", "alice-pw");
    HttpResponse<String> refused = send(alice, "PUT", "/admin");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
    assertThat(refused.body()).doesNotContain("DELETE");
    assertThat(refused.headers().allValues("Cache-Control")).containsExactly("no-store");
    HttpResponse<String> anonymous =
        send(new TestBrowser("http://127.0.0.1:" + app.port()), "OPTIONS", "/public-admin");
    assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
    assertThat(anonymous.body()).doesNotContain("GET");
  }

  @Test
  void methodNotAllowed_isAnswered_toUsersWhoMayUseAnyOfThePathsRoutes() throws Exception {
    TestBrowser bob = loggedIn("bob", "bob-pw");
    HttpResponse<String> admin = send(bob, "PUT", "/admin");
    assertThat(admin.statusCode()).isEqualTo(405);
    assertThat(admin.body()).contains("GET", "DELETE");
    TestBrowser alice = loggedIn("alice", "alice-pw");
    assertThat(send(alice, "PUT", "/open").statusCode()).isEqualTo(405);
    assertThat(send(alice, "PUT", "/nothing").statusCode()).isEqualTo(404);
  }

  private HttpResponse<String> send(TestBrowser browser, String method, String path)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(browser.uri(path))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .header("Accept", "application/json");
    if (!method.equals("OPTIONS")) {
      String token = TestBrowser.csrfToken(CSRF, browser.get("/token").body()).orElseThrow();
      request.header("X-CSRF-Token", token);
    }
    return browser.send(request);
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

  private static PortalUser user(String handle, String role) {
    return new PortalUser(
        handle, "Person " + handle, handle + "@example.org", Set.of(role), "org", true, "2026-01");
  }
}
