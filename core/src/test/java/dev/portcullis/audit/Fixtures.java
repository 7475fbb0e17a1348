package dev.portcullis.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.testing.CapturedStderr;
import dev.portcullis.testing.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Shared test values and helpers for the audit tests. */
final class Fixtures {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T0 = Instant.parse("2026-03-04T10:17:42.123Z");

  private Fixtures() {}

  static MutableClock clock() {
    return new MutableClock(T0);
  }

  /** A published search-demand record of T0's hour at {@code /search}. */
  static SearchDemandEvent demand(String terms, long searches, long withoutResults) {
    return new SearchDemandEvent(
        terms,
        searches,
        withoutResults,
        "/search",
        Instant.parse("2026-03-04T10:00:00Z"),
        SearchDemandEvent.DEFAULT_BUCKET);
  }

  static AuditEvent.Builder event(AuditEventType type) {
    return AuditEvent.builder(type).id("evt-0000000001").time(T0);
  }

  static CorrelationKey correlationKey() {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (i * 7 + 3);
    }
    return CorrelationKey.of(key);
  }

  static AuditLog.Builder log() {
    return AuditLog.builder().clock(clock()).random(new SecureRandom());
  }

  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> parsed(Path file) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : lines(file)) {
      try {
        out.add(JSON.readTree(line));
      } catch (IOException e) {
        throw new AssertionError("not one JSON object per line: " + line, e);
      }
    }
    return out;
  }

  /** Runs {@code action} with System.err captured ({@link CapturedStderr}), for code that throws nothing checked. */
  static String capturingStderr(Runnable action) {
    try {
      return CapturedStderr.during(action::run);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("a Runnable threw a checked exception", e);
    }
  }
}
