package dev.portcullis.spring.portal;

import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.spring.TestUsers;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.TestKeyRings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.view.RedirectView;

/**
 * A Spring MVC portal on the starter with Spring Security and no security configuration of its own, so the
 * starter's default chain applies. Its own beans: the users, a fixed key ring and a recording audit sink.
 *
 * <p>Pages (text): {@code /login} prints {@code csrf=<token>}; {@code /whoami} prints the user handle and {@code
 * csrf=<token>}; {@code /council} needs COUNCIL_OFFICER; {@code /reports/{id}} is audited as {@code report_view};
 * {@code /echo-cookie} prints the Cookie header as received; {@code /to-report/{id}} redirects to {@code
 * /reports/{id}} through Spring MVC's {@code RedirectView}; {@code /moved/{how}} redirects with one of Servlet 6.1's
 * {@code sendRedirect} methods (see {@link Pages#moved}); {@code /change-session-id} calls {@code
 * request.changeSessionId()} and prints {@code changed <user handle>}.
 */
@SpringBootApplication
@EnableMethodSecurity
@Import(TestUsers.class)
public class TestPortal {
  @Bean
  KeyRing testKeyRing() {
    return TestKeyRings.current();
  }

  @Bean
  AuditSink recordingAuditSink() {
    return new RecordingAuditSink();
  }

  @RestController
  static class Pages {
    @GetMapping(value = "/login", produces = "text/plain")
    String login(HttpServletRequest request) {
      return "login page csrf=" + request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
    }

    @GetMapping(value = "/whoami", produces = "text/plain")
    String whoami(HttpServletRequest request) {
      // The servlet API's principal stays the Portcullis one (the default chain leaves the request
      // unwrapped).
      return request.getUserPrincipal() instanceof PortalPrincipal p
          ? p.getName() + " csrf=" + request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE)
          : "not a PortalPrincipal: " + request.getUserPrincipal();
    }

    @PreAuthorize("hasRole('COUNCIL_OFFICER')")
    @GetMapping(value = "/council", produces = "text/plain")
    String council(@AuthenticationPrincipal PortalPrincipal principal) {
      return "council page for " + principal.user().displayName();
    }

    @GetMapping(value = "/reports/{id}", produces = "text/plain")
    String report(@PathVariable("id") String id) {
      return "report " + id;
    }

    @GetMapping("/to-report/{id}")
    RedirectView toReport(@PathVariable("id") String id) {
      return new RedirectView("/reports/" + id);
    }

    /**
     * Servlet 6.1's redirects to {@code /reports/1}: {@code status} is {@code sendRedirect(location, 303)}, {@code
     * buffer} {@code sendRedirect(location, true)}, {@code both} {@code sendRedirect(location, 307, true)} and {@code
     * kept} {@code sendRedirect(location, 303, false)} after a line of body; {@code away} is {@code
     * sendRedirect("https://elsewhere.example/reports/1", 303)}. With {@code rotate}, the session's id is changed
     * first. A line written after the redirect must not be sent.
     */
    @GetMapping("/moved/{how}")
    void moved(
        @PathVariable("how") String how,
        @RequestParam(name = "rotate", defaultValue = "false") boolean rotate,
        HttpServletRequest request,
        HttpServletResponse response)
        throws IOException {
      if (rotate) {
        request.changeSessionId();
      }
      switch (how) {
        case "status" -> response.sendRedirect("/reports/1", 303);
        case "buffer" -> response.sendRedirect("/reports/1", true);
        case "both" -> response.sendRedirect("/reports/1", 307, true);
        case "kept" -> {
          response.setContentType("text/plain;charset=utf-8");
          response.getWriter().print("moved to report 1\n");
          response.sendRedirect("/reports/1", 303, false);
        }
        case "away" -> response.sendRedirect("https://elsewhere.example/reports/1", 303);
        default -> throw new IllegalArgumentException(how);
      }
      response.getWriter().print("written after the redirect");
    }

    /**
     * Changes the session's id, as an application does after a privilege change (Spring Security's {@code
     * ChangeSessionIdAuthenticationStrategy} calls the same method).
     */
    @GetMapping(value = "/change-session-id", produces = "text/plain")
    String changeSessionId(HttpServletRequest request) {
      request.changeSessionId();
      return "changed " + request.getUserPrincipal().getName();
    }

    @GetMapping(value = "/echo-cookie", produces = "text/plain")
    String echoCookie(HttpServletRequest request) {
      return String.valueOf(request.getHeader("Cookie"));
    }
  }
}
