package dev.portcullis.examples.springboot;

import static org.springframework.web.util.HtmlUtils.htmlEscape;

import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The portal's pages, as plain HTML. Every value from a user or a store is HTML-escaped. */
@RestController
class PortalPages {
  private static final Map<String, String> REPORTS = new TreeMap<>(Map.of(
      "1",
      "Riverside care home inspection, March",
      "2",
      "Hillview day centre inspection, April",
      "3",
      "Council summary, first quarter"));

  @GetMapping(value = "/", produces = "text/html;charset=UTF-8")
  String home(HttpServletRequest request) {
    if (!(request.getUserPrincipal() instanceof PortalPrincipal p)) {
      return page(
          "Provider portal",
          "<p>Welcome. <a href=\"/login\">Log in</a> to see the reports.</p>",
          request);
    }
    return page(
        "Provider portal",
        "<p>Logged in as " + htmlEscape(p.user().displayName()) + ".</p>"
            + "<ul><li><a href=\"/reports\">Reports</a></li><li><a href=\"/council\">Council page</a>"
            + " (council officers only)</li></ul>",
        request);
  }

  @GetMapping(value = "/login", produces = "text/html;charset=UTF-8")
  String login(
      HttpServletRequest request,
      @RequestParam(name = "error", required = false) String error,
      @RequestParam(name = "returnTo", required = false) String returnTo) {
    String body = (error != null
            ? "<p role=\"alert\">That did not work. Check your username and password.</p>"
            : "")
        + "<form method=\"post\" action=\"/login\">"
        + "<label>Username <input name=\"username\" autocomplete=\"username\" required></label><br>"
        + "<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required>"
        + "</label><br>"
        + "<label><input type=\"checkbox\" name=\"acceptTerms\" value=\"yes\"> I accept the"
        + " <a href=\"/terms\">terms of use</a></label><br>"
        + hidden("_csrf", csrf(request))
        + (returnTo != null ? hidden("returnTo", returnTo) : "")
        + "<button>Log in</button></form>";
    return page("Log in", body, request);
  }

  @GetMapping(value = "/terms", produces = "text/html;charset=UTF-8")
  String terms(HttpServletRequest request) {
    return page(
        "Terms of use",
        "<p>Version 2026-01. Use the portal for your work only.</p>"
            + (csrf(request).isEmpty()
                ? ""
                : "<form method=\"post\" action=\"/terms\">" + hidden("_csrf", csrf(request))
                    + hidden("acceptTerms", "yes") + "<button>I accept</button></form>"),
        request);
  }

  @GetMapping(value = "/reports", produces = "text/html;charset=UTF-8")
  String reports(HttpServletRequest request) {
    StringBuilder list = new StringBuilder("<ul>");
    REPORTS.forEach((id, title) -> list.append("<li><a href=\"/reports/")
        .append(id)
        .append("\">")
        .append(htmlEscape(title))
        .append("</a></li>"));
    return page("Reports", list.append("</ul>").toString(), request);
  }

  @GetMapping(value = "/reports/{id}", produces = "text/html;charset=UTF-8")
  String report(@PathVariable("id") String id, HttpServletRequest request) {
    String title = REPORTS.get(id);
    if (title == null) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    }
    return page(title, "<p>The report's findings would be here.</p>", request);
  }

  @PreAuthorize("hasRole('COUNCIL_OFFICER')")
  @GetMapping(value = "/council", produces = "text/html;charset=UTF-8")
  String council(@AuthenticationPrincipal PortalPrincipal principal, HttpServletRequest request) {
    return page(
        "Council",
        "<p>Council officers only. Hello, " + htmlEscape(principal.user().displayName()) + " ("
            + htmlEscape(principal.user().organisation()) + ").</p>",
        request);
  }

  private static String csrf(HttpServletRequest request) {
    Object token = request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
    return token == null ? "" : token.toString();
  }

  private static String hidden(String name, String value) {
    return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + htmlEscape(value) + "\">";
  }

  private static String page(String title, String body, HttpServletRequest request) {
    String logout = request.getUserPrincipal() instanceof PortalPrincipal
        ? "<form method=\"post\" action=\"/logout\">" + hidden("_csrf", csrf(request))
            + "<button>Log out</button>" + "</form>"
        : "";
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
        + htmlEscape(title)
        + "</title></head><body><nav><a href=\"/\">Home</a></nav>" + logout + "<h1>"
        + htmlEscape(title) + "</h1>"
        + body + "</body></html>";
  }
}
