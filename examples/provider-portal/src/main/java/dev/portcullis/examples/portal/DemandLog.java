package dev.portcullis.examples.portal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.audit.SearchDemandEvent;
import dev.portcullis.audit.SearchDemandSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads back the file that {@link SearchDemandSink#jsonLines(Path)} writes: one {@link SearchDemandEvent} per line.
 * Every record goes through the event's own checks (normalised terms, counts in range, bucket boundaries), so what
 * comes out is exactly what the portal could have published: terms, counts, endpoints and time buckets, nothing
 * about any person. A line that is not such a record is counted, not shown.
 *
 * <p>It lives here rather than in core because reading JSON needs a parser: core writes its logs with its own escaper
 * and has none, and the example already has Jackson.
 */
final class DemandLog {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final String KIND = "search_demand";

  /**
   * What the file held.
   *
   * @param records the records, in file order
   * @param unreadableLines how many lines were not search-demand records (altered by hand, or another file)
   */
  record Reading(List<SearchDemandEvent> records, int unreadableLines) {
    Reading {
      records = List.copyOf(records);
    }
  }

  private DemandLog() {}

  /** Reads every complete line of {@code file} into memory; an absent file reads as empty. */
  static Reading read(Path file) throws IOException {
    List<SearchDemandEvent> records = new ArrayList<>();
    int unreadable = read(file, records::add);
    return new Reading(records, unreadable);
  }

  /**
   * Hands each record of {@code file} to {@code each}, in file order, holding one line at a time: the file grows by
   * up to the demand log's cap on distinct terms every hour, which visitors' searches can reach.
   *
   * @return how many lines were not search-demand records
   */
  static int read(Path file, Consumer<SearchDemandEvent> each) throws IOException {
    int[] unreadable = {0};
    LogLines.forEachCompleteLine(file, line -> {
      if (line.isBlank()) {
        return;
      }
      SearchDemandEvent record;
      try {
        record = parse(line);
      } catch (JsonProcessingException | IllegalArgumentException | DateTimeParseException e) {
        unreadable[0]++;
        return;
      }
      each.accept(record);
    });
    return unreadable[0];
  }

  /**
   * One record.
   *
   * @throws IllegalArgumentException if the line is not a search-demand record or its values fail the event's checks
   */
  static SearchDemandEvent parse(String line) throws JsonProcessingException {
    JsonNode n = JSON.readTree(line);
    if (n == null || !n.isObject() || !KIND.equals(text(n, "kind"))) {
      throw new IllegalArgumentException("not a search-demand record");
    }
    return new SearchDemandEvent(
        text(n, "terms"),
        number(n, "searches"),
        number(n, "without_results"),
        text(n, "endpoint"),
        Instant.parse(text(n, "bucket_start")),
        Duration.parse(text(n, "bucket")));
  }

  private static String text(JsonNode record, String field) {
    JsonNode v = record.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("missing text field " + field);
    }
    return v.textValue();
  }

  private static long number(JsonNode record, String field) {
    JsonNode v = record.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException("missing whole-number field " + field);
    }
    return v.longValue();
  }
}
