package dev.portcullis.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one place that decides field names and order, so that the SLF4J line, the JSON-lines files and the metrics
 * agree. Field names are snake_case; absent optional fields are left out.
 */
final class EventFormat {
  static final String KIND_AUDIT = "audit";
  static final String KIND_SEARCH_DEMAND = "search_demand";

  private EventFormat() {}

  /** The event's fields in output order, values raw (not yet escaped); absent optional fields are left out. */
  static List<Map.Entry<String, String>> fields(AuditEvent e) {
    List<Map.Entry<String, String>> f = new ArrayList<>(14);
    f.add(Map.entry("kind", KIND_AUDIT));
    f.add(Map.entry("id", e.id()));
    f.add(Map.entry("time", e.time().toString()));
    f.add(Map.entry("type", e.type().name()));
    f.add(Map.entry("outcome", e.outcome().label()));
    e.actor().ifPresent(a -> {
      f.add(Map.entry("user", a.userHandle()));
      if (a.organisation() != null) {
        f.add(Map.entry("organisation", a.organisation()));
      }
    });
    e.session().ifPresent(s -> f.add(Map.entry("session", s.value())));
    e.action().ifPresent(v -> f.add(Map.entry("action", v)));
    e.resource().ifPresent(v -> f.add(Map.entry("resource", v)));
    e.requestId().ifPresent(v -> f.add(Map.entry("request_id", v)));
    e.traceId().ifPresent(v -> f.add(Map.entry("trace_id", v)));
    e.clientAddress().ifPresent(v -> f.add(Map.entry("client_address", v)));
    e.reason().ifPresent(v -> f.add(Map.entry("reason", v)));
    return f;
  }

  static List<Map.Entry<String, String>> fields(SearchDemandEvent e) {
    return List.of(
        Map.entry("kind", KIND_SEARCH_DEMAND),
        Map.entry("bucket_start", e.bucketStart().toString()),
        Map.entry("bucket", e.bucket().toString()),
        Map.entry("endpoint", e.endpoint()),
        Map.entry("terms", e.terms()),
        Map.entry("searches", Long.toString(e.searches())),
        Map.entry("without_results", Long.toString(e.withoutResults())));
  }

  static String json(AuditEvent e) {
    StringBuilder out = new StringBuilder(256);
    appendJson(out, e);
    out.append('}');
    return out.toString();
  }

  /** Appends the event as a JSON object without its closing brace, so that a chained sink can add fields. */
  static void appendJson(StringBuilder out, AuditEvent e) {
    Json.ObjectWriter w = new Json.ObjectWriter(out);
    for (Map.Entry<String, String> field : fields(e)) {
      w.string(field.getKey(), field.getValue());
    }
  }

  static String json(SearchDemandEvent e) {
    StringBuilder out = new StringBuilder(160);
    Json.ObjectWriter w = new Json.ObjectWriter(out);
    w.string("kind", KIND_SEARCH_DEMAND)
        .string("bucket_start", e.bucketStart().toString())
        .string("bucket", e.bucket().toString())
        .string("endpoint", e.endpoint())
        .string("terms", e.terms())
        .number("searches", e.searches())
        .number("without_results", e.withoutResults())
        .end();
    return out.toString();
  }

  /**
   * One log line: {@code key="value"} pairs separated by spaces, values escaped as JSON string bodies, so the line
   * holds no CR, LF, ESC or other control character whatever the fields contain.
   */
  static String logLine(List<Map.Entry<String, String>> fields) {
    StringBuilder out = new StringBuilder(256);
    for (Map.Entry<String, String> field : fields) {
      if (field.getKey().equals("kind")) {
        continue;
      }
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(field.getKey()).append('=');
      Json.appendString(out, field.getValue());
    }
    return out.toString();
  }
}
