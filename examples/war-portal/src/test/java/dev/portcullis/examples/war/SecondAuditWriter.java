package dev.portcullis.examples.war;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A second process given the deployment's audit file, as a second container started with the same settings would be:
 * opens it as a hash-chained sink, as the WAR does ({@code portcullis.audit.sink=hash-chained}; without the WAR's key
 * ring, which makes no difference to the lock that refuses it), writes one record and closes it. Exits {@value
 * #REFUSED} when it is refused the file.
 */
final class SecondAuditWriter {
  static final int REFUSED = 3;

  private SecondAuditWriter() {}

  public static void main(String[] args) {
    try (AuditSink sink = AuditSink.hashChained(Path.of(args[0]))) {
      sink.accept(AuditEvent.builder(AuditEventType.LOGOUT)
          .id("evt-second-container")
          .time(Instant.parse("2026-11-01T00:00:00Z"))
          .build());
    } catch (IOException e) {
      System.out.println("refused: " + e.getMessage());
      System.exit(REFUSED);
    }
  }
}
