package dev.portcullis.spring.child;

import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.spring.TestUsers;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A small Spring Boot application on the starter, started in its own JVM by the tests that need a real process
 * environment. It declares only its users; keys, access and everything else come from the environment, the command
 * line and the starter's defaults.
 *
 * <p>Pages (text): {@code /login} prints {@code csrf=<token>}; {@code /secret} prints the user's name.
 */
@SpringBootApplication
@Import(TestUsers.class)
public class ChildPortal {
  public static void main(String[] args) {
    SpringApplication.run(ChildPortal.class, args);
  }

  @RestController
  static class Pages {
    @GetMapping(value = "/login", produces = "text/plain")
    String login(HttpServletRequest request) {
      return "login page csrf=" + request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
    }

    @GetMapping(value = "/secret", produces = "text/plain")
    String secret(Principal principal) {
      return "secret for " + (principal == null ? "nobody" : principal.getName());
    }
  }
}
