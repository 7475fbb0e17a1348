package dev.portcullis.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The plain JSON-lines file sinks. */
final class JsonLinesSinks {
  private JsonLinesSinks() {}

  static final class Audit extends ForwardingSink<LineFile> implements AuditSink {
    Audit(LineFile file) {
      super(file, "AuditSink.jsonLines(" + file.path() + ")");
    }

    @Override
    public void accept(AuditEvent event) throws IOException {
      target.append(EventFormat.json(event).getBytes(StandardCharsets.UTF_8));
    }
  }

  static final class Demand extends ForwardingSink<LineFile> implements SearchDemandSink {
    Demand(LineFile file) {
      super(file, "SearchDemandSink.jsonLines(" + file.path() + ")");
    }

    @Override
    public void accept(SearchDemandEvent event) throws IOException {
      target.append(EventFormat.json(event).getBytes(StandardCharsets.UTF_8));
    }
  }
}
