package dev.portcullis.examples.portal;

import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.crypto.KeyRingSource;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code GET /monitoring/audit?user=&type=&from=&to=&page=&check=}, for council officers: the audit log's events,
 * newest first, {@value #PAGE_SIZE} to a page, filtered by user handle, event type and a range of days (UTC), and
 * whether the log's hash chain is intact. A filter that is not valid is answered {@code 400} with the form and what to
 * correct.
 *
 * <p>By default the page reads the newest {@value #WINDOW} records only (and up to one checkpoint interval more),
 * verified from the audit file's checkpoint before them, and its events come from those: a view reads as much however
 * old the log is. {@code check=full} reads and verifies the whole file and every checkpoint and searches all of it, for an officer
 * who asks.
 *
 * <p><b>Security.</b> Every value from the log or the request is escaped ({@link Html#escape}); the log may hold
 * whatever an attacker typed into a field that ends up in a record. The check covers the records as they were read,
 * from a checkpoint that only the key's holder can make; it cannot tell the newest records (after the newest
 * checkpoint) rewritten consistently, nor a log and its checkpoints cut back together (see {@link
 * AuditChainVerifier#verifyNewest}).
 */
final class AuditPage extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final int PAGE_SIZE = 50;
  /** How many of the newest records a view reads and verifies, unless the whole log is asked for. */
  static final int WINDOW = 1000;

  static final String FULL_CHECK = "full";
  static final int MAX_USER = 64;
  private static final int MAX_PAGE = 100_000;
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final transient Path auditFile;
  private final transient Path scratchDir;
  private final transient AuditLog audit;
  private final transient KeyRingSource keys;

  AuditPage(Path auditFile, Path scratchDir, AuditLog audit, KeyRingSource keys) {
    this.auditFile = auditFile;
    this.scratchDir = scratchDir;
    this.audit = audit;
    this.keys = keys;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (!Monitoring.permits(req)) {
      // The access policy already refuses anyone else; this page never relies on that alone.
      resp.sendError(HttpServletResponse.SC_FORBIDDEN);
      return;
    }
    String user = param(req, "user");
    String type = param(req, "type");
    String fromText = param(req, "from");
    String toText = param(req, "to");
    String pageText = param(req, "page");
    String check = param(req, "check");
    Map<String, String> errors = new LinkedHashMap<>();
    if (!check.isEmpty() && !check.equals(FULL_CHECK)) {
      errors.put("check", "The check must be empty or \"" + FULL_CHECK + "\".");
      check = "";
    }
    if (user.length() > MAX_USER) {
      errors.put("user", "Enter a user handle of at most " + MAX_USER + " characters.");
    }
    if (!type.isEmpty() && !TYPE.matcher(type).matches()) {
      errors.put("type", "Choose an event type from the list.");
    }
    LocalDate from =
        date(fromText, "from", "Enter the first day as a date, such as 2026-01-31.", errors);
    LocalDate to = date(toText, "to", "Enter the last day as a date, such as 2026-01-31.", errors);
    if (from != null && to != null && to.isBefore(from)) {
      errors.put("to", "The last day must be the same as or after the first day.");
    }
    int page = 1;
    if (!pageText.isEmpty()) {
      try {
        page = Integer.parseInt(pageText);
      } catch (NumberFormatException e) {
        page = 0;
      }
      if (page < 1 || page > MAX_PAGE) {
        errors.put("page", "The page number must be a whole number from 1 to " + MAX_PAGE + ".");
      }
    }

    boolean flushed = Monitoring.flush(audit);
    boolean full = check.equals(FULL_CHECK);
    AuditTrail.Snapshot snapshot = full
        ? AuditTrail.read(auditFile, keys, scratchDir)
        : AuditTrail.readNewest(auditFile, keys, WINDOW);
    StringBuilder b = new StringBuilder(16_384);
    chain(b, snapshot);
    if (!flushed) {
      b.append(
          "<p class=\"note\">The log was still being written: the latest events may be missing.</p>\n");
    }
    if (!errors.isEmpty()) {
      b.append(
          "<div class=\"error\" id=\"problems\">\n<h2>There is a problem with the filter</h2>\n<ul>\n");
      for (Map.Entry<String, String> e : errors.entrySet()) {
        // The page number has no field of its own: it comes from the links under the results.
        b.append(
            e.getKey().equals("page") || e.getKey().equals("check")
                ? "<li>" + Html.escape(e.getValue()) + "</li>\n"
                : "<li><a href=\"#" + e.getKey() + "\">" + Html.escape(e.getValue())
                    + "</a></li>\n");
      }
      b.append("</ul>\n</div>\n");
    }
    TreeSet<String> types = new TreeSet<>();
    for (AuditTrail.Entry e : snapshot.entries()) {
      types.add(e.type());
    }
    if (!type.isEmpty() && errors.get("type") == null) {
      types.add(type);
    }
    form(b, user, type, fromText, toText, check, types);
    if (!errors.isEmpty()) {
      Html.send(req, resp, HttpServletResponse.SC_BAD_REQUEST, "Audit log", b.toString());
      return;
    }

    AuditTrail.Filter filter = new AuditTrail.Filter(user, type, from, to);
    List<AuditTrail.Entry> matching = new ArrayList<>();
    for (int i = snapshot.entries().size() - 1; i >= 0; i--) {
      AuditTrail.Entry e = snapshot.entries().get(i);
      if (filter.matches(e)) {
        matching.add(e);
      }
    }
    results(b, matching, page, user, type, fromText, toText, check);
    Html.send(req, resp, HttpServletResponse.SC_OK, "Audit log", b.toString());
  }

  private static void chain(StringBuilder b, AuditTrail.Snapshot snapshot) {
    if (snapshot.window() != null) {
      window(b, snapshot.window());
      return;
    }
    AuditChainVerifier.Result chain = snapshot.chain();
    if (chain.intact()) {
      b.append("<p class=\"chain-verified\" id=\"chain\"><strong>Hash chain verified:</strong> ")
          .append(chain.records())
          .append(chain.records() == 1 ? " record" : " records")
          .append(", none altered, removed or reordered since they were written");
      if (chain.sealedThrough() >= 0 && chain.records() > chain.sealedThrough()) {
        b.append("; ")
            .append(chain.records() - chain.sealedThrough())
            .append(" written since the newest checkpoint, which only the chain vouches for");
      }
      b.append(".</p>\n");
    } else {
      broken(b, chain.firstBadLine(), chain.problem());
    }
    b.append(
            "<p id=\"window\">The whole log was read and checked, and the events come from all of it. <a href=\"")
        .append(Monitoring.AUDIT_PATH)
        .append("\">Show the newest events only</a>.</p>\n");
  }

  private static void window(StringBuilder b, AuditChainVerifier.Window w) {
    int n = w.records().size();
    long last = w.firstLine() + n - 1;
    String span = n == 0
        ? "no records"
        : "the newest " + n + (n == 1 ? " record" : " records") + " (lines " + w.firstLine()
            + " to " + last + ")";
    switch (w.status()) {
      case VERIFIED -> {
        b.append("<p class=\"chain-verified\" id=\"chain\"><strong>Hash chain verified:</strong> ")
            .append(span);
        if (n > 0) {
          b.append(", from ")
              .append(
                  w.anchor() == 0
                      ? "the start of the log"
                      : "the keyed checkpoint of record " + w.anchor())
              .append(", none altered, removed or reordered since they were written");
          if (last > w.sealedThrough()) {
            b.append("; ")
                .append(last - w.sealedThrough())
                .append(" written since the newest checkpoint");
          }
        }
        b.append(".</p>\n");
      }
      case BROKEN -> broken(b, w.firstBadLine(), w.problem());
    }
    b.append("<p id=\"window\">Events are shown from ")
        .append(span)
        .append(": ")
        .append(w.bytesRead())
        .append(" bytes read of the log's ")
        .append(w.fileBytes())
        .append(". <a href=\"")
        .append(Monitoring.AUDIT_PATH)
        .append("?check=")
        .append(FULL_CHECK)
        .append("\">Check the whole log</a> to verify every record and search all of them.</p>\n");
  }

  private static void broken(StringBuilder b, long line, String problem) {
    b.append("<div class=\"error\" id=\"chain\"><h2>Hash chain broken</h2>\n<p>");
    if (line == 0) {
      b.append("The log's checkpoints fail the check: ")
          .append(Html.escape(problem))
          .append(". The events shown cannot be trusted.</p></div>\n");
    } else {
      b.append("The record on line ")
          .append(line)
          .append(" fails the check: ")
          .append(Html.escape(problem))
          .append(". That record and every later one cannot be trusted.</p></div>\n");
    }
  }

  private static void form(
      StringBuilder b,
      String user,
      String type,
      String from,
      String to,
      String check,
      TreeSet<String> types) {
    b.append("<form method=\"get\" action=\"")
        .append(Monitoring.AUDIT_PATH)
        .append("\" class=\"filters\">\n");
    if (!check.isEmpty()) {
      b.append("<input type=\"hidden\" name=\"check\" value=\"")
          .append(Html.escape(check))
          .append("\">\n");
    }
    b.append("<div class=\"field\"><label for=\"user\">User handle</label>")
        .append("<input type=\"text\" id=\"user\" name=\"user\" maxlength=\"")
        .append(MAX_USER)
        .append("\" value=\"")
        .append(Html.escape(user))
        .append("\"></div>\n<div class=\"field\"><label for=\"type\">Event type</label>")
        .append("<select id=\"type\" name=\"type\">\n<option value=\"\">Any event</option>\n");
    for (String t : types) {
      b.append("<option value=\"")
          .append(Html.escape(t))
          .append('"')
          .append(t.equals(type) ? " selected" : "")
          .append('>')
          .append(Html.escape(t))
          .append("</option>\n");
    }
    b.append("</select></div>\n<div class=\"field\"><label for=\"from\">From (day, UTC)</label>")
        .append("<input type=\"date\" id=\"from\" name=\"from\" value=\"")
        .append(Html.escape(from))
        .append("\"></div>\n<div class=\"field\"><label for=\"to\">To (day, UTC)</label>")
        .append("<input type=\"date\" id=\"to\" name=\"to\" value=\"")
        .append(Html.escape(to))
        .append("\"></div>\n<button type=\"submit\">Show events</button>\n</form>\n");
  }

  private static void results(
      StringBuilder b,
      List<AuditTrail.Entry> matching,
      int page,
      String user,
      String type,
      String from,
      String to,
      String check) {
    int first = (page - 1) * PAGE_SIZE;
    if (matching.isEmpty() || first >= matching.size()) {
      b.append("<p id=\"no-events\">No events match.</p>\n");
      return;
    }
    int last = Math.min(matching.size(), first + PAGE_SIZE);
    b.append("<table class=\"audit\" id=\"events\">\n<caption>Events ")
        .append(first + 1)
        .append(" to ")
        .append(last)
        .append(" of ")
        .append(matching.size())
        .append(" that match, newest first</caption>\n<thead><tr>")
        .append("<th scope=\"col\">Time (UTC)</th><th scope=\"col\">Event</th>")
        .append("<th scope=\"col\">Outcome</th><th scope=\"col\">User</th>")
        .append("<th scope=\"col\">Organisation</th><th scope=\"col\">Resource</th>")
        .append("<th scope=\"col\">Reason</th></tr></thead>\n<tbody>\n");
    for (AuditTrail.Entry e : matching.subList(first, last)) {
      b.append("<tr><td><time datetime=\"")
          .append(Html.escape(e.time().toString()))
          .append("\">")
          .append(Html.escape(TIME.format(e.time())))
          .append("</time></td><td class=\"type\">")
          .append(Html.escape(e.type()))
          .append("</td><td>")
          .append(Html.escape(e.outcome()))
          .append("</td><td class=\"user\">")
          .append(Html.escape(e.user()))
          .append("</td><td>")
          .append(Html.escape(e.organisation()))
          .append("</td><td>")
          .append(Html.escape(e.resource()))
          .append("</td><td>")
          .append(Html.escape(e.reason()))
          .append("</td></tr>\n");
    }
    b.append("</tbody>\n</table>\n");
    if (first > 0 || last < matching.size()) {
      b.append("<nav aria-label=\"Pages of events\" class=\"pages\"><ul>\n");
      if (first > 0) {
        b.append("<li><a href=\"")
            .append(Html.escape(link(user, type, from, to, check, page - 1)))
            .append("\">Newer events</a></li>\n");
      }
      if (last < matching.size()) {
        b.append("<li><a href=\"")
            .append(Html.escape(link(user, type, from, to, check, page + 1)))
            .append("\">Older events</a></li>\n");
      }
      b.append("</ul></nav>\n");
    }
  }

  private static String link(
      String user, String type, String from, String to, String check, int page) {
    return Monitoring.AUDIT_PATH + "?user=" + url(user) + "&type=" + url(type) + "&from="
        + url(from) + "&to=" + url(to) + (check.isEmpty() ? "" : "&check=" + url(check))
        + "&page=" + page;
  }

  private static String url(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String param(HttpServletRequest req, String name) {
    String v = req.getParameter(name);
    return v == null ? "" : v.strip();
  }

  private static LocalDate date(
      String text, String field, String message, Map<String, String> errors) {
    if (text.isEmpty()) {
      return null;
    }
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      errors.put(field, message);
      return null;
    }
  }
}
