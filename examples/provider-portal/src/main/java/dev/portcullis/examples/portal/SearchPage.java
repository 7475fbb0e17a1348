package dev.portcullis.examples.portal;

import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * {@code GET /search?q=}: the public directory of care services. Each search is counted in the anonymous search-demand
 * log (normalised terms, written as hourly totals once the hour is over) and nowhere else: not to the identified audit
 * log, whoever searches.
 */
final class SearchPage extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final int MAX_QUERY = 200;

  SearchPage() {}

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String q = req.getParameter("q");
    q = q == null ? "" : q.strip();
    if (q.length() > MAX_QUERY) {
      q = q.substring(0, MAX_QUERY);
    }
    StringBuilder b = new StringBuilder(2048)
        .append("<form method=\"get\" action=\"/search\" role=\"search\" class=\"search\">\n")
        .append("<label for=\"q\">Search for a care service by name, kind or area</label>\n")
        .append("<input id=\"q\" name=\"q\" type=\"search\" maxlength=\"")
        .append(MAX_QUERY)
        .append("\" value=\"")
        .append(Html.escape(q))
        .append("\">\n<button type=\"submit\">Search</button>\n</form>\n")
        .append(
            "<p class=\"note\">Searches are counted to see which services people look for. The count keeps the")
        .append(" words and hourly totals only, never who searched or when.</p>\n");
    if (!q.isEmpty()) {
      List<CareService> found = DemoData.search(q);
      // The filter's audit stage logs the search, anonymously, with this count.
      req.setAttribute(PortcullisFilter.SEARCH_RESULT_COUNT_ATTRIBUTE, found.size());
      b.append("<h2>")
          .append(found.size())
          .append(found.size() == 1 ? " service" : " services")
          .append(" found for “")
          .append(Html.escape(q))
          .append("”</h2>\n");
      if (!found.isEmpty()) {
        b.append("<ul class=\"results\">\n");
        for (CareService s : found) {
          b.append("<li><h3>")
              .append(Html.escape(s.name()))
              .append("</h3>\n<p>")
              .append(Html.escape(s.kind()))
              .append(" in ")
              .append(Html.escape(s.area()))
              .append(", run by ")
              .append(Html.escape(s.provider()))
              .append(".</p>\n<p>")
              .append(Html.escape(s.description()))
              .append("</p></li>\n");
        }
        b.append("</ul>\n");
      }
    }
    Html.send(req, resp, HttpServletResponse.SC_OK, "Find a care service", b.toString());
  }
}
