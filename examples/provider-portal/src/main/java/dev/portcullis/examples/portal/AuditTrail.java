package dev.portcullis.examples.portal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyRingSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The portal's hash-chained audit file ({@link AuditSink#hashChained(Path, KeyRingSource)}) as the audit page reads
 * it: by default its newest records only, verified from the checkpoint before them ({@link
 * AuditChainVerifier#verifyNewest}), so that a view costs the same however old the log is; on request the complete
 * records at the moment of reading, with the verdict of {@link AuditChainVerifier#verify} on exactly those bytes.
 * The sink may be appending meanwhile; the full check wants a file nobody writes to, so it checks a private copy of the
 * complete lines, deleted afterwards.
 */
final class AuditTrail {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final String KIND = "audit";
  /** The suffix of the sink's checkpoint file beside the log. */
  private static final String CHECKPOINTS = ".checkpoints";

  /**
   * One audit record, the fields the page shows. Optional fields absent from the record are empty strings.
   *
   * @param line the record's 1-based line in the file
   */
  record Entry(
      long line,
      Instant time,
      String type,
      String outcome,
      String user,
      String organisation,
      String resource,
      String reason) {}

  /**
   * The file as read.
   *
   * @param entries the records in file order (oldest first)
   * @param chain the verifier's verdict on the same records
   * @param unreadableLines lines that are not audit records (the chain verdict says what is wrong with them)
   */
  record Snapshot(
      List<Entry> entries,
      AuditChainVerifier.Result chain,
      AuditChainVerifier.Window window,
      int unreadableLines) {
    Snapshot {
      entries = List.copyOf(entries);
      if ((chain == null) == (window == null)) {
        throw new IllegalArgumentException("either the whole file's verdict or the window's");
      }
    }
  }

  /**
   * What the audit page asks for; an empty or null criterion matches everything.
   *
   * @param user a user handle, matched exactly
   * @param type an event type, matched exactly
   * @param from the first day (UTC), included
   * @param to the last day (UTC), included
   */
  record Filter(String user, String type, LocalDate from, LocalDate to) {
    boolean matches(Entry e) {
      LocalDate day = LocalDate.ofInstant(e.time(), ZoneOffset.UTC);
      return (user == null || user.isEmpty() || user.equals(e.user()))
          && (type == null || type.isEmpty() || type.equals(e.type()))
          && (from == null || !day.isBefore(from))
          && (to == null || !day.isAfter(to));
    }
  }

  private AuditTrail() {}

  /** Reads and checks the newest {@code records} records (and up to one checkpoint interval more). */
  static Snapshot readNewest(Path file, KeyRingSource keys, int records) throws IOException {
    AuditChainVerifier.Window window = AuditChainVerifier.verifyNewest(file, keys, records);
    List<Entry> entries = new ArrayList<>();
    int unreadable = 0;
    long number = window.firstLine();
    for (String line : window.records()) {
      try {
        entries.add(parse(number, line));
      } catch (JsonProcessingException | IllegalArgumentException | DateTimeParseException e) {
        unreadable++;
      }
      number++;
    }
    return new Snapshot(entries, null, window, unreadable);
  }

  /**
   * Reads and checks the whole file, and its checkpoints under {@code keys}.
   *
   * @param scratchDir where the private copy for the verifier goes (the portal's data folder)
   */
  static Snapshot read(Path file, KeyRingSource keys, Path scratchDir) throws IOException {
    // The checkpoints first: the sink writes one only after the records it names, so each names a
    // record of the log as read next.
    Path checkpoints = file.resolveSibling(file.getFileName() + CHECKPOINTS);
    byte[] checkpointLines = Files.exists(checkpoints) ? LogLines.completeLines(checkpoints) : null;
    byte[] complete = LogLines.completeLines(file);
    AuditChainVerifier.Result chain;
    Path copy = Files.createTempFile(scratchDir, "audit-check-", ".jsonl");
    Path copiedCheckpoints = copy.resolveSibling(copy.getFileName() + CHECKPOINTS);
    try {
      Files.write(copy, complete);
      if (checkpointLines != null) {
        Files.write(copiedCheckpoints, checkpointLines);
      }
      chain = AuditChainVerifier.verify(copy, keys);
    } finally {
      Files.deleteIfExists(copy);
      Files.deleteIfExists(copiedCheckpoints);
    }
    List<Entry> entries = new ArrayList<>();
    int unreadable = 0;
    long number = 0;
    for (String line : LogLines.split(complete)) {
      number++;
      try {
        entries.add(parse(number, line));
      } catch (JsonProcessingException | IllegalArgumentException | DateTimeParseException e) {
        unreadable++;
      }
    }
    return new Snapshot(entries, chain, null, unreadable);
  }

  static Entry parse(long number, String line) throws JsonProcessingException {
    JsonNode n = JSON.readTree(line);
    if (n == null || !n.isObject() || !KIND.equals(n.path("kind").textValue())) {
      throw new IllegalArgumentException("not an audit record");
    }
    return new Entry(
        number,
        Instant.parse(required(n, "time")),
        required(n, "type"),
        required(n, "outcome"),
        optional(n, "user"),
        optional(n, "organisation"),
        optional(n, "resource"),
        optional(n, "reason"));
  }

  private static String required(JsonNode record, String field) {
    String v = optional(record, field);
    if (v.isEmpty()) {
      throw new IllegalArgumentException("missing field " + field);
    }
    return v;
  }

  private static String optional(JsonNode record, String field) {
    JsonNode v = record.get(field);
    if (v == null) {
      return "";
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException("field " + field + " is not text");
    }
    return v.textValue();
  }
}
