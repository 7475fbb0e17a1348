package dev.portcullis.dropwizard;

import dev.portcullis.audit.AuditRules;
import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Map;
import java.util.Set;

/**
 * A provider portal on Dropwizard: a public page, an administrators' area ({@code /admin/**} for {@code ADMIN} in the
 * access rules and {@code @RolesAllowed}), and reports at {@code /reports/{id}} for the {@code PROVIDER} role, each
 * shown to its own organisation only and answered for any other as a missing one; each view is audited as
 * {@code report_view}. Its paths use what Jersey offers: regex templates that match slashes and a sub-resource
 * locator.
 */
public class ReportsPortalApp extends Application<PortalApp.Config> {
  /** Report id to its organisation. */
  static final Map<String, String> REPORTS = Map.of("101", "riverside", "201", "hillview");

  final RecordingAuditSink sink = new RecordingAuditSink();
  final PortcullisBundle<PortalApp.Config> bundle = new PortcullisBundle<PortalApp.Config>(
          PortalApp.Config::getPortcullis, (config, environment) -> users())
      .customize((config, builder) -> builder
          .auditSink(sink)
          .auditRules(
              AuditRules.builder().action("/reports/{id}", "report_view").build()));

  @Override
  public void initialize(Bootstrap<PortalApp.Config> bootstrap) {
    bootstrap.addBundle(bundle);
  }

  static InMemoryUserDirectory users() {
    return new InMemoryUserDirectory(PasswordHasher.forTests())
        .add("bob", "bob-pw".toCharArray(), user("u-bob", "PROVIDER", "riverside"))
        .add("carol", "carol-pw".toCharArray(), user("u-carol", "CLERK", "hillview"));
  }

  private static PortalUser user(String handle, String role, String organisation) {
    return new PortalUser(
        handle, handle, handle + "@example.org", Set.of(role), organisation, true, PortalApp.TERMS);
  }

  @Override
  public void run(PortalApp.Config configuration, Environment environment) {
    environment.jersey().register(new PortalApp.LoginPage());
    environment.jersey().register(new PublicPage());
    environment.jersey().register(new Admin());
    environment.jersey().register(new Reports());
    environment.jersey().register(new Organisations());
  }

  @Path("/public")
  public static class PublicPage {
    @GET
    public String get() {
      return "public page";
    }
  }

  /** The administrators' area, with a file tree below it. */
  @Path("/admin")
  @RolesAllowed("ADMIN")
  public static class Admin {
    @GET
    public String get() {
      return "admin secret";
    }

    @GET
    @Path("files/{file: .*}")
    public String file(@PathParam("file") String file) {
      return "admin secret file " + file;
    }
  }

  /** Reports, for providers of the report's organisation; anyone else gets the answer for a missing report. */
  @Path("/reports")
  @RolesAllowed("PROVIDER")
  public static class Reports {
    @GET
    @Path("{id}")
    public String show(@PathParam("id") String id, @Context SecurityContext security) {
      return report(id, security);
    }

    /** An attachment of a report: a name with slashes in it. */
    @GET
    @Path("{id}/files/{file: .*}")
    public String attachment(
        @PathParam("id") String id,
        @PathParam("file") String file,
        @Context SecurityContext security) {
      return report(id, security) + " file " + file;
    }
  }

  /** A sub-resource locator: {@code /organisations/{org}/reports/...} is served by {@link Reports}. */
  @Path("/organisations/{org}")
  public static class Organisations {
    @Path("reports")
    public Reports reports() {
      return new Reports();
    }
  }

  static String report(String id, SecurityContext security) {
    String organisation = REPORTS.get(id);
    if (organisation == null
        || !(security.getUserPrincipal() instanceof PortalPrincipal principal)
        || !organisation.equals(principal.user().organisation())) {
      throw new NotFoundException();
    }
    return "report " + id + " of " + organisation + " secret";
  }
}
