package dev.portcullis.examples.portal;

import dev.portcullis.access.OrganisationScope;
import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code GET /reports}: the reports of the user's own organisation (a council officer sees all).
 * {@code GET /reports/{id}}: one report; 404 when there is none and, the same page, when it belongs to another
 * organisation (so that ids cannot be enumerated). Every request for one report is audited as {@code report_view},
 * with its outcome; a report of another organisation as a failure with the reason {@value #DENIED}. A {@code HEAD}
 * runs {@link #doGet} and is audited alike; an {@code OPTIONS}, which {@link HttpServlet} answers with the allowed
 * methods without running this page, is no view and is not audited.
 */
final class ReportsPage extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Pattern ID = Pattern.compile("[0-9]{1,9}");
  /** The audit reason for a report of another organisation. */
  static final String DENIED = "denied: report of another organisation";

  private final transient OrganisationScope scope =
      new OrganisationScope(Set.of(DemoData.COUNCIL_OFFICER));

  ReportsPage() {}

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    PortalPrincipal user = Html.principal(req);
    if (user == null) {
      // The access rules send anonymous visitors to the login page first; never show a report
      // without a user.
      resp.sendRedirect("/login");
      return;
    }
    String rest = req.getPathInfo();
    if (rest == null || rest.equals("/")) {
      list(req, resp, user);
      return;
    }
    // The filter's audit stage records report_view with this response's outcome (AuditRules in
    // Portal).
    one(req, resp, user, rest.substring(1));
  }

  private void list(HttpServletRequest req, HttpServletResponse resp, PortalPrincipal user)
      throws IOException {
    boolean all = user.user().hasRole(DemoData.COUNCIL_OFFICER);
    StringBuilder b = new StringBuilder(2048)
        .append("<p>")
        .append(
            all
                ? "As a council officer you can see the reports of every organisation."
                : "Reports about "
                    + Html.escape(DemoData.organisationName(user.user().organisation())) + ".")
        .append(
            "</p>\n<table class=\"reports\">\n<caption>Reports you can open</caption>\n<thead><tr><th scope=\"col\">Report</th>")
        .append(
            "<th scope=\"col\">Organisation</th><th scope=\"col\">Period</th></tr></thead>\n<tbody>\n");
    int shown = 0;
    for (Report r : DemoData.REPORTS) {
      if (scope.permits(user.user(), r.organisation())) {
        shown++;
        b.append("<tr><th scope=\"row\"><a href=\"/reports/")
            .append(Html.escape(r.id()))
            .append("\">")
            .append(Html.escape(r.title()))
            .append("</a></th><td>")
            .append(Html.escape(DemoData.organisationName(r.organisation())))
            .append("</td><td>")
            .append(Html.escape(r.period()))
            .append("</td></tr>\n");
      }
    }
    b.append("</tbody>\n</table>\n");
    if (shown == 0) {
      b.append("<p>There are no reports for your organisation yet.</p>\n");
    }
    Html.send(req, resp, HttpServletResponse.SC_OK, "Reports", b.toString());
  }

  /** Answers for one report; returns the status sent. */
  private int one(HttpServletRequest req, HttpServletResponse resp, PortalPrincipal user, String id)
      throws IOException {
    Optional<Report> found = ID.matcher(id).matches() ? DemoData.report(id) : Optional.empty();
    if (found.isPresent() && !scope.permits(user.user(), found.get().organisation())) {
      // Answered exactly like a missing report, so that nobody learns which ids other organisations
      // use; the audit log still records the denial.
      req.setAttribute(PortcullisFilter.AUDIT_FAILURE_ATTRIBUTE, DENIED);
      found = Optional.empty();
    }
    if (found.isEmpty()) {
      Html.send(
          req,
          resp,
          HttpServletResponse.SC_NOT_FOUND,
          "Report not found",
          "<p>There is no such report among the ones you can see. <a href=\"/reports\">Back to the reports</a>."
              + "</p>");
      return HttpServletResponse.SC_NOT_FOUND;
    }
    Report r = found.get();
    StringBuilder b = new StringBuilder(1024)
        .append("<dl class=\"facts\"><dt>Organisation</dt><dd>")
        .append(Html.escape(DemoData.organisationName(r.organisation())))
        .append("</dd><dt>Period</dt><dd>")
        .append(Html.escape(r.period()))
        .append("</dd><dt>Report number</dt><dd>")
        .append(Html.escape(r.id()))
        .append("</dd></dl>\n<h2>Summary</h2>\n<p>")
        .append(Html.escape(r.summary()))
        .append("</p>\n<h2>Findings</h2>\n<ul>\n");
    for (String f : r.findings()) {
      b.append("<li>").append(Html.escape(f)).append("</li>\n");
    }
    b.append("</ul>\n<p class=\"note\">Opening this report was recorded in the audit log.</p>\n")
        .append("<p><a href=\"/reports\">Back to the reports</a></p>\n");
    Html.send(req, resp, HttpServletResponse.SC_OK, r.title(), b.toString());
    return HttpServletResponse.SC_OK;
  }
}
