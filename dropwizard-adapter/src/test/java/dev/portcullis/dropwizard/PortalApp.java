package dev.portcullis.dropwizard;

import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.time.Instant;
import java.util.Set;

/** A Dropwizard application with the bundle and a few Jersey resources, as a user of the adapter writes it. */
public class PortalApp extends Application<PortalApp.Config> {
  static final String TERMS = "2026-01";

  static final Instant START = Instant.parse("2026-11-02T09:00:00Z");

  final RecordingAuditSink sink = new RecordingAuditSink();
  final MutableClock clock = new MutableClock(START);
  final PortcullisBundle<Config> bundle = new PortcullisBundle<Config>(
          Config::getPortcullis, (config, environment) -> users())
      .clock(clock)
      .customize((config, builder) -> builder.auditSink(sink));

  /** The application's configuration: Dropwizard's, plus the {@code portcullis:} block. */
  public static class Config extends Configuration {
    @Valid
    @NotNull
    private PortcullisFactory portcullis;

    public PortcullisFactory getPortcullis() {
      return portcullis;
    }

    public void setPortcullis(PortcullisFactory portcullis) {
      this.portcullis = portcullis;
    }
  }

  static InMemoryUserDirectory users() {
    return new InMemoryUserDirectory(PasswordHasher.forTests())
        .add("alice", "alice-pw".toCharArray(), user("u-alice", "PROVIDER"))
        .add("root", "root-pw".toCharArray(), user("u-root", "ADMIN"))
        .add("carol", "carol-pw".toCharArray(), user("u-carol", "ADMIN"));
  }

  private static PortalUser user(String handle, String role) {
    return new PortalUser(
        handle, handle, handle + "@riverside.example", Set.of(role), "riverside", true, TERMS);
  }

  @Override
  public void initialize(Bootstrap<Config> bootstrap) {
    bootstrap.addBundle(bundle);
  }

  @Override
  public void run(Config configuration, Environment environment) {
    environment.jersey().register(new LoginPage());
    environment.jersey().register(new Reports());
    environment.jersey().register(new Admin());
    environment.jersey().register(new Status());
  }

  /**
   * The login form: the application draws it, Portcullis handles its POST. The CSRF token of the visitor's session
   * is a request attribute.
   */
  @Path("/login")
  public static class LoginPage {
    @GET
    @Produces(MediaType.TEXT_HTML)
    public String form(@Context HttpServletRequest request) {
      return "<form method=\"post\" action=\"/login\">"
          + "<input name=\"username\"><input name=\"password\" type=\"password\">"
          + "<input type=\"hidden\" name=\"_csrf\" value=\""
          + request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE)
          + "\"><button>Log in</button></form>";
    }
  }

  /** Pages for providers. */
  @Path("/reports")
  @RolesAllowed("PROVIDER")
  public static class Reports {
    @GET
    public String list(@Context SecurityContext security) {
      return "reports for " + security.getUserPrincipal().getName();
    }

    @POST
    public String add() {
      return "added";
    }
  }

  /** Only for administrators (both by the access rule and by {@code @RolesAllowed}). */
  @Path("/admin")
  @RolesAllowed("ADMIN")
  public static class Admin {
    @GET
    public String get() {
      return "admin page";
    }
  }

  /** A public page (access.public-paths), which only {@code @RolesAllowed} protects in Jersey. */
  @Path("/status")
  public static class Status {
    @GET
    public String get() {
      return "up";
    }

    /** A redirect to the status page by a relative URI, as a resource writes one. */
    @GET
    @Path("moved")
    public Response moved() {
      return Response.seeOther(URI.create("/status")).build();
    }

    /** The Jersey principal, a role check and the session's CSRF token. */
    @GET
    @Path("whoami")
    @PermitAll
    public String whoami(@Context SecurityContext security, @Context HttpServletRequest request) {
      return (security.getUserPrincipal() == null
              ? "anonymous"
              : security.getUserPrincipal().getName())
          + " provider=" + security.isUserInRole("PROVIDER")
          + " csrf=" + request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
    }

    @GET
    @Path("board")
    @RolesAllowed("ADMIN")
    public String board() {
      return "board";
    }
  }
}
