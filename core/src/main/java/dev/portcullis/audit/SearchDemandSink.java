package dev.portcullis.audit;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the anonymous search-demand counts go. The counterpart of {@link AuditSink}, kept a separate type so that a
 * demand sink can never be handed an identified event, and the other way round. The same dispatcher rules apply: one
 * thread calls it, a failure is counted and reported, never passed to the caller.
 *
 * <p>A sink never sees a single search. {@link AuditLog} counts searches per time bucket and calls {@link #accept}
 * only when a bucket has closed (or the log closes): once per endpoint and terms, all records of the bucket in a row,
 * sorted by endpoint and terms. Whatever a sink writes, and when, therefore says nothing finer than the bucket.
 *
 * <p><b>Security.</b> A {@link SearchDemandEvent} has no user, session, address or exact time to leak; a sink must
 * still not add any (no request ids, no MDC of a request: the dispatcher thread has none, and the records are
 * written long after the requests). A sink that re-sorts or timestamps the records adds nothing, since a bucket's
 * records are written together.
 */
@FunctionalInterface
public interface SearchDemandSink extends Closeable, Flushable {
  /** Name of the logger {@link #slf4j()} writes to. */
  String LOGGER_NAME = "portcullis.search-demand";

  /** Records the count of one endpoint and terms in a closed bucket. */
  void accept(SearchDemandEvent event) throws IOException;

  @Override
  default void flush() throws IOException {}

  @Override
  default void close() throws IOException {}

  /**
   * One INFO line per record on the logger {@value #LOGGER_NAME}, formatted as by {@link AuditSink#slf4j()}. The
   * backend's timestamp on these lines is the bucket's publication, not any search's.
   */
  static SearchDemandSink slf4j() {
    return slf4j(LoggerFactory.getLogger(LOGGER_NAME));
  }

  static SearchDemandSink slf4j(Logger logger) {
    return new Slf4jSinks.Demand(logger);
  }

  /**
   * Appends one JSON object per line to {@code file}, as {@link AuditSink#jsonLines(Path)} does.
   *
   * @throws IOException if the file can't be opened, is locked, ends in a partial line, or holds identified audit
   *     records
   */
  static SearchDemandSink jsonLines(Path file) throws IOException {
    return new JsonLinesSinks.Demand(LineFile.open(file, EventFormat.KIND_SEARCH_DEMAND));
  }

  static SearchDemandSink noop() {
    return event -> {};
  }
}
