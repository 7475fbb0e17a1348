package dev.portcullis.examples.portal;

import dev.portcullis.audit.AuditLog;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * {@code GET /monitoring/service-demand}, for council officers: what people look for in the care-service directory,
 * from the anonymous search-demand log. A chart and a table of searches per day over the last {@value #DAYS} days,
 * then for each of the latest {@value #WEEKS} weeks with searches its {@value #TOP_TERMS} most searched terms.
 *
 * <p><b>Security.</b> The page shows terms and counts only, as read back by {@link DemandLog}: the log has no user,
 * session, address or exact time to show. Searches appear once their hour has closed, as the log publishes them.
 */
final class ServiceDemandPage extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final int DAYS = 28;
  static final int WEEKS = 8;
  static final int TOP_TERMS = 10;

  private final transient Path demandFile;
  private final transient AuditLog audit;
  private final transient InstantSource clock;

  ServiceDemandPage(Path demandFile, AuditLog audit, InstantSource clock) {
    this.demandFile = demandFile;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (!Monitoring.permits(req)) {
      // The access policy already refuses anyone else; this page never relies on that alone.
      resp.sendError(HttpServletResponse.SC_FORBIDDEN);
      return;
    }
    boolean flushed = Monitoring.flush(audit);
    DemandSummary summary = DemandSummary.keepingWeeks(WEEKS);
    int unreadable = DemandLog.read(demandFile, summary::add);
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    var days = summary.days(today.minusDays(DAYS - 1L), today);

    StringBuilder b = new StringBuilder(8192)
        .append(
            "<p>What people searched for in the <a href=\"/search\">care-service directory</a>, from the")
        .append(
            " anonymous search-demand log. The log keeps the words of each search and hourly totals,")
        .append(
            " never who searched; a search shows here once its hour is over. Days and weeks are in UTC;")
        .append(" weeks run from Monday to Sunday.</p>\n");
    if (!flushed) {
      b.append(
          "<p class=\"note\">The log was still being written: the latest hour may be missing.</p>\n");
    }
    if (unreadable > 0) {
      b.append("<p class=\"error\">")
          .append(unreadable)
          .append(unreadable == 1 ? " line" : " lines")
          .append(" of the log could not be read and are not counted.</p>\n");
    }
    b.append("<h2>Searches per day</h2>\n")
        .append(DemandChart.svg(days, "demand-chart"))
        .append("\n<table id=\"searches-per-day\">\n<caption>Searches per day, the last ")
        .append(DAYS)
        .append(" days</caption>\n<thead><tr><th scope=\"col\">Day</th>")
        .append("<th scope=\"col\" class=\"number\">Searches</th></tr></thead>\n<tbody>\n");
    for (int i = days.size() - 1; i >= 0; i--) {
      DemandSummary.Day d = days.get(i);
      b.append("<tr><th scope=\"row\"><time datetime=\"")
          .append(d.date())
          .append("\">")
          .append(Html.escape(d.date().format(DemandChart.DAY)))
          .append("</time></th><td class=\"number\">")
          .append(d.searches())
          .append("</td></tr>\n");
    }
    b.append("</tbody>\n</table>\n<h2>Most searched terms by week</h2>\n");
    var weeks = summary.weeks(WEEKS, TOP_TERMS);
    if (weeks.isEmpty()) {
      b.append("<p>No searches have been published yet.</p>\n");
    }
    for (DemandSummary.Week w : weeks) {
      b.append("<table class=\"demand-week\" id=\"week-")
          .append(w.label())
          .append("\">\n<caption>Week ")
          .append(w.label())
          .append(", ")
          .append(Html.escape(w.monday().format(DemandChart.DAY)))
          .append(" to ")
          .append(Html.escape(w.sunday().format(DemandChart.DAY)))
          .append(": ")
          .append(w.searches())
          .append(w.searches() == 1 ? " search" : " searches")
          .append(
              w.distinctTerms() > w.terms().size()
                  ? ", the " + w.terms().size() + " most searched of " + w.distinctTerms()
                      + " terms"
                  : "")
          .append("</caption>\n<thead><tr><th scope=\"col\">Search terms</th>")
          .append("<th scope=\"col\" class=\"number\">Searches</th>")
          .append("<th scope=\"col\" class=\"number\">Found nothing</th></tr></thead>\n<tbody>\n");
      for (DemandSummary.TermCount t : w.terms()) {
        b.append("<tr><th scope=\"row\">")
            .append(
                t.isOther()
                    ? "<em>Other terms</em> (each searched too rarely, or too many to list)"
                    : t.terms().isEmpty() ? "<em>Empty search</em>" : Html.escape(t.terms()))
            .append("</th><td class=\"number\">")
            .append(t.searches())
            .append("</td><td class=\"number\">")
            .append(t.withoutResults())
            .append("</td></tr>\n");
      }
      b.append("</tbody>\n</table>\n");
    }
    Html.send(req, resp, HttpServletResponse.SC_OK, "Service demand", b.toString());
  }
}
