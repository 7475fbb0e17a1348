package dev.portcullis.dropwizard;

import dev.portcullis.servlet.PortcullisFilter;
import io.dropwizard.core.setup.Environment;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;

/**
 * {@link PortalApp} with its login form at {@code /signin}, and a login setting of its own in {@code customize}, as
 * an application gives one the YAML block does not hold.
 */
public class SignInPortalApp extends PortalApp {
  public SignInPortalApp() {
    bundle.customize((config, builder) ->
        builder.auditSink(sink).login(l -> l.connectionRecheckInterval(Duration.ofMinutes(2))));
  }

  @Override
  public void run(Config configuration, Environment environment) {
    super.run(configuration, environment);
    environment.jersey().register(new SignInPage());
  }

  /** The login form at {@code /signin}. */
  @Path("/signin")
  public static class SignInPage {
    @GET
    @Produces(MediaType.TEXT_HTML)
    public String form(@Context HttpServletRequest request) {
      return "<form method=\"post\" action=\"/signin\">"
          + "<input name=\"username\"><input name=\"password\" type=\"password\">"
          + "<input type=\"hidden\" name=\"_csrf\" value=\""
          + request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE)
          + "\"><button>Log in</button></form>";
    }
  }
}
