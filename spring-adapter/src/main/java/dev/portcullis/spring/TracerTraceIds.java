package dev.portcullis.spring;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The audit events' trace id from the application's Micrometer Tracing {@link Tracer}: the current span's trace id,
 * read inside the request's observation (see {@code PortcullisFilter.Builder.currentTraceId}). Loaded only when
 * Micrometer Tracing is on the class path.
 */
final class TracerTraceIds {
  private final ObjectProvider<Tracer> tracers;

  TracerTraceIds(ObjectProvider<Tracer> tracers) {
    this.tracers = tracers;
  }

  /** What the filter asks once per request, or null when the application has no single tracer. */
  Supplier<String> currentTraceId() {
    Tracer tracer = tracers.getIfUnique();
    if (tracer == null || tracer == Tracer.NOOP) {
      return null;
    }
    return () -> {
      Span span = tracer.currentSpan();
      return span == null ? null : span.context().traceId();
    };
  }
}
