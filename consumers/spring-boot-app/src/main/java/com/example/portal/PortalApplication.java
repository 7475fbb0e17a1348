package com.example.portal;

import dev.portcullis.login.SafeRedirect;
import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.http.HttpServletRequest;
import java.security.SecureRandom;
import java.util.Set;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

@SpringBootApplication
public class PortalApplication {
  public static void main(String[] args) {
    SpringApplication.run(PortalApplication.class, args);
  }

  /** Who may log in: your own directory in production (a database, LDAP, ...). */
  @Bean
  UserDirectory users() {
    return new InMemoryUserDirectory(PasswordHasher.standard(new SecureRandom()))
        .add("alice", "alice-consumer-pass".toCharArray(), new PortalUser("u-alice", "Alice Example",
            "alice@riverside.example", Set.of("PROVIDER"), "riverside", true, null));
  }

  @RestController
  static class Pages {
    /**
     * GET /login is the application's form; Portcullis answers the POST. The form carries on returnTo, the page the
     * visitor asked for, where Portcullis sends them after logging in.
     */
    @GetMapping(value = "/login", produces = "text/html")
    String login(HttpServletRequest request) {
      String returnTo = request.getParameter("returnTo");
      return "<form method=post action=" + request.getContextPath() + "/login>"
          + "<input type=hidden name=_csrf value=" + request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE) + ">"
          + (SafeRedirect.isSafe(returnTo)
              ? "<input type=hidden name=returnTo value=\"" + HtmlUtils.htmlEscape(returnTo) + "\">" : "")
          + "<input name=username> <input name=password type=password>"
          + "<label><input type=checkbox name=acceptTerms value=yes> I accept the <a href="
          + request.getContextPath() + "/terms>terms</a></label>"
          + "<button>Log in</button></form>";
    }

    @GetMapping(value = "/terms", produces = "text/plain")
    String terms() {
      return "Terms of use, version 2026-01.";
    }

    /** Every page of a logged-in user can log out: a POST with the CSRF token, as every form. */
    @GetMapping(value = "/", produces = "text/html")
    String home(HttpServletRequest request) {
      PortalPrincipal user = (PortalPrincipal) request.getUserPrincipal();
      return "<p>Hello " + HtmlUtils.htmlEscape(user.user().displayName()) + "</p>"
          + "<form method=post action=" + request.getContextPath() + "/logout>"
          + "<input type=hidden name=_csrf value=" + request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE) + ">"
          + "<button>Log out</button></form>";
    }
  }
}
