package dev.portcullis.dropwizard.readme;

import dev.portcullis.dropwizard.PortcullisBundle;
import dev.portcullis.dropwizard.PortcullisFactory;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
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
        Settings::getPortcullis, (settings, environment) -> new MyUserDirectory()));
  }

  @Override
  public void run(Settings settings, Environment environment) {
    environment.jersey().register(new Reports());
  }

  /** Pages for providers only. */
  @Path("/reports")
  @RolesAllowed("PROVIDER")
  public static class Reports {
    @GET
    public String list(@Context SecurityContext security) {
      return "reports for " + security.getUserPrincipal().getName();
    }
  }
}
