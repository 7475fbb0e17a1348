package dev.portcullis.dropwizard.readme;

import dev.portcullis.audit.AuditRules;
import dev.portcullis.dropwizard.PortcullisBundle;
import dev.portcullis.dropwizard.PortcullisFactory;
import dev.portcullis.servlet.PortcullisFilter;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import jakarta.annotation.security.RolesAllowed;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

/**
 * The README's Dropwizard start, compiled here; the README's documentation test checks that the README still holds
 * this class character for character.
 */
public class PortalApplication extends Application<PortalApplication.Settings> {
  /** Dropwizard's configuration plus the {@code portcullis:} block. */
  public static class Settings extends Configuration {
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

  @Override
  public void initialize(Bootstrap<Settings> bootstrap) {
    bootstrap.addBundle(new PortcullisBundle<Settings>(
            Settings::getPortcullis, (settings, environment) -> new MyUserDirectory())
        // What the YAML block does not hold: here, the audited action (each report viewed).
        .customize((settings, builder) -> builder.auditRules(
            AuditRules.builder().action("/reports/{id}", "report_view").build())));
  }

  @Override
  public void run(Settings settings, Environment environment) {
    environment.jersey().register(new LoginPage());
    environment.jersey().register(new Reports());
  }

  /** GET /login: the form whose POST Portcullis answers (a refused login comes back with error=1). */
  @Path("/login")
  @Produces(MediaType.TEXT_HTML)
  public static class LoginPage {
    @GET
    public String form(
        @Context HttpServletRequest request,
        @QueryParam("returnTo") String returnTo,
        @QueryParam("error") String error) {
      return "<!doctype html><title>Log in</title>"
          + (error != null
              ? "<p role=alert>Check your name and password, and accept the terms.</p>"
              : "")
          + "<form method=post action=/login>" + csrfField(request)
          + (returnTo != null
              ? "<input type=hidden name=returnTo value=\"" + html(returnTo) + "\">"
              : "")
          + "<input name=username autocomplete=username>"
          + "<input name=password type=password autocomplete=current-password>"
          + "<label><input name=acceptTerms type=checkbox value=yes> I accept the terms of use</label>"
          + "<button>Log in</button></form>";
    }
  }

  /** Pages for providers only; each view is audited as report_view. */
  @Path("/reports/{id}")
  @RolesAllowed("PROVIDER")
  @Produces(MediaType.TEXT_HTML)
  public static class Reports {
    @GET
    public String show(
        @PathParam("id") String id,
        @Context SecurityContext security,
        @Context HttpServletRequest request) {
      return "<!doctype html><title>Report</title><p>report " + html(id) + " for "
          + html(security.getUserPrincipal().getName())
          + "<form method=post action=/logout>" + csrfField(request)
          + "<button>Log out</button></form>";
    }
  }

  /** The hidden field every form of the application carries; Portcullis refuses a POST without it. */
  static String csrfField(HttpServletRequest request) {
    return "<input type=hidden name=_csrf value=\""
        + html((String) request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE)) + "\">";
  }

  static String html(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
