package dev.portcullis.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The plain JSON-lines file sinks. */
final class JsonLinesSinks {
  private JsonLinesSinks() {}

  static final class Audit implements AuditSink {
    private final LineFile file;

    Audit(LineFile file) {
      this.file = file;
    }

    @Override
    public void accept(AuditEvent event) throws IOException {
      file.append(EventFormat.json(event).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void flush() throws IOException {
      file.flush();
    }

    @Override
    public void close() throws IOException {
      file.close();
    }

    @Override
    public String toString() {
      return "AuditSink.jsonLines(" + file.path() + ")";
    }
  }

  static final class Demand implements SearchDemandSink {
    private final LineFile file;

    Demand(LineFile file) {
      this.file = file;
    }

    @Override
    public void accept(SearchDemandEvent event) throws IOException {
      file.append(EventFormat.json(event).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void flush() throws IOException {
      file.flush();
    }

    @Override
    public void close() throws IOException {
      file.close();
    }

    @Override
    public String toString() {
      return "SearchDemandSink.jsonLines(" + file.path() + ")";
    }
  }
}
