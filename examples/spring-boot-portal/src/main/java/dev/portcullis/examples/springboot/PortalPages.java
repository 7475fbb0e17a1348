package dev.portcullis.examples.springboot;

import static org.springframework.web.util.HtmlUtils.htmlEscape;

import dev.portcullis.access.OrganisationScope;
import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The portal's pages, as plain HTML. Every value from a user or a store is HTML-escaped. Reports belong to an
 * organisation: a user sees and opens only their own organisation's (a council officer every organisation's), and
 * another organisation's report is answered with the same 404 as a missing one, so that ids cannot be enumerated.
 */
@RestController
class PortalPages {
  /** The audit reason for a report of another organisation (the response is a plain 404). */
  static final String DENIED = "denied: report of another organisation";

  private record Report(String organisation, String title) {}

  private static final Map<String, Report> REPORTS = new TreeMap<>(Map.of(
      "1",
      new Report("riverside", "Riverside care home inspection, March"),
      "2",
      new Report("hillview", "Hillview day centre inspection, April"),
      "3",
      new Report("council", "Council summary, first quarter")));

  private static final Map<String, String> ORGANISATIONS = Map.of(
      "riverside", "Riverside Care", "hillview", "Hillview Homes", "council", "Westmoor Council");

  /** Council officers see every organisation's reports; everyone else their own organisation's only. */
  private final OrganisationScope scope = new OrganisationScope(Set.of("COUNCIL_OFFICER"));

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
  String reports(@AuthenticationPrincipal PortalPrincipal principal, HttpServletRequest request) {
    StringBuilder list = new StringBuilder("<ul>");
    REPORTS.forEach((id, report) -> {
      if (scope.permits(principal.user(), report.organisation())) {
        list.append("<li><a href=\"/reports/")
            .append(id)
            .append("\">")
            .append(htmlEscape(report.title()))
            .append("</a> (")
            .append(htmlEscape(organisationName(report.organisation())))
            .append(")</li>");
      }
    });
    return page("Reports", list.append("</ul>").toString(), request);
  }

  @GetMapping(value = "/reports/{id}", produces = "text/html;charset=UTF-8")
  String report(
      @PathVariable("id") String id,
      @AuthenticationPrincipal PortalPrincipal principal,
      HttpServletRequest request) {
    Report report = REPORTS.get(id);
    if (report != null && !scope.permits(principal.user(), report.organisation())) {
      // The same 404 as a missing report, so that nobody learns which ids other organisations use;
      // the audit log still records the denial.
      request.setAttribute(PortcullisFilter.AUDIT_FAILURE_ATTRIBUTE, DENIED);
      report = null;
    }
    if (report == null) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    }
    return page(
        report.title(),
        "<p>" + htmlEscape(organisationName(report.organisation()))
            + ". The report's findings would be here.</p>",
        request);
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

  private static String organisationName(String organisation) {
    return ORGANISATIONS.getOrDefault(organisation, organisation);
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
