package dev.portcullis.audit;

import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.KeyedMac;
import dev.portcullis.crypto.Purpose;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where identified audit events go. One method to implement; the static factories give the standard sinks.
 *
 * <p>{@link AuditLog} calls a sink from its single dispatcher thread only, so an implementation need not be
 * thread-safe unless it is shared elsewhere. {@link #flush()} is called when the queue runs empty and {@link #close()}
 * once, by {@link AuditLog#close()}. A sink never breaks the code that emitted the event, and how it fails tells the
 * log what to do:
 * <ul>
 *   <li>{@link IOException} (or {@link java.io.UncheckedIOException}) means "out of service, try again": from
 *       {@code accept}, the event was not taken; from {@code flush}, the sink keeps what it took and writes it on a
 *       later flush. The log keeps the events, offers them again in order and reports the sink unhealthy until it has
 *       taken them (see {@link AuditLog});
 *   <li>anything else means "not this event": it is reported, counted and skipped for this sink.
 * </ul>
 *
 * <p>Search-demand events have their own SPI, {@link SearchDemandSink}: the two kinds never share a sink, a file or a
 * logger.
 *
 * <p><b>Security.</b> Every standard sink escapes control characters (CR, LF, ESC and the rest), so one event is one
 * line whatever its fields hold. A custom sink must do the same.
 */
@FunctionalInterface
public interface AuditSink extends Closeable, Flushable {
  /** Name of the logger {@link #slf4j()} writes to. */
  String LOGGER_NAME = "portcullis.audit";

  /**
   * Name of the logger on which {@link #hashChained(Path, KeyRingSource)} writes one INFO line per checkpoint: {@code
   * audit checkpoint: /var/log/portal/audit.jsonl holds 3000:<hash>}. Ship it off the machine: what it names is an
   * {@link AuditChainVerifier.KnownRecord} that a later copy of the log must hold.
   */
  String CHECKPOINT_LOGGER_NAME = "portcullis.audit.checkpoint";

  /** Records one event. */
  void accept(AuditEvent event) throws IOException;

  /** Hands buffered events on (to the OS for a file). Called when the dispatcher's queue runs empty. */
  @Override
  default void flush() throws IOException {}

  /** Flushes and releases what the sink holds. */
  @Override
  default void close() throws IOException {}

  /**
   * The default sink: one INFO line per event on the logger {@value #LOGGER_NAME}. The message is {@code key="value"}
   * pairs (values escaped as JSON string bodies) so that it is complete and on one line on any backend. A backend that
   * takes SLF4J 2 logging events (Logback, Log4j) also gets the fields as raw key-values, so that a JSON encoder
   * escapes them once, and the message then leaves out {@code kind}, which is a key-value; any other (slf4j-simple)
   * gets the message alone, each field once, since SLF4J would write key-values into its text. <b>Security:</b> a raw value may hold a line break or a control character from
   * the request: a text layout must print the message, not the key-values (Logback's {@code %kvp}).
   *
   * @throws IllegalStateException if SLF4J has no backend (its no-operation logger would drop every event)
   */
  static AuditSink slf4j() {
    return slf4j(LoggerFactory.getLogger(LOGGER_NAME));
  }

  /**
   * As {@link #slf4j()}, on the given logger. Warns once if the logger has INFO off, which would lose events.
   *
   * @throws IllegalStateException if {@code logger} is SLF4J's no-operation logger (no backend)
   */
  static AuditSink slf4j(Logger logger) {
    return new Slf4jSinks.Audit(logger);
  }

  /**
   * Appends one JSON object per line to {@code file} (UTF-8), creating it if needed, readable by its owner only, and
   * its missing directories open to their owner only (POSIX permissions, whatever the umask). The file is locked for
   * as long as the sink is open, through {@code <file>.lock} beside it (created if needed and left in place), so that
   * no other sink, in this process or another, writes it meanwhile; {@link #flush()} hands the data to the OS and
   * {@link #close()} forces it to disk. The file only ever holds whole records: a write that fails part-way (a full
   * disk) is cut back to the last whole record and kept for the next flush.
   *
   * @throws IOException if the file can't be opened, is locked by another writer, ends in a partial line, or holds
   *     records of another kind (a search-demand file)
   */
  static AuditSink jsonLines(Path file) throws IOException {
    return new JsonLinesSinks.Audit(LineFile.open(file, EventFormat.KIND_AUDIT));
  }

  /**
   * As {@link #jsonLines(Path)}, with each record chained to the one before: it carries its sequence number, the
   * SHA-256 of the previous record ({@code prev}) and its own ({@code hash}), so {@link AuditChainVerifier} can tell
   * an altered, missing, inserted or reordered record. Appending to an existing file continues its chain. Failed
   * writes behave as in {@link #jsonLines(Path)}. A file that ends in a record torn by an interrupted write (the
   * process was killed) is repaired on open, never silently: the torn bytes move to {@code <file>.torn}, an
   * {@link AuditEventType#AUDIT_RECORD_TORN} record continuing the chain from the last whole record takes their place,
   * and an ERROR line says so.
   *
   * @throws IOException as {@link #jsonLines(Path)} (but a partial last line is repaired, not refused), or if the
   *     file's last whole record is not an intact chain record (an alteration, not a crash)
   */
  static AuditSink hashChained(Path file) throws IOException {
    return HashChainedAuditSink.open(file);
  }

  /**
   * As {@link #hashChained(Path)}, with checkpoints that let a reader verify the newest records without reading the
   * whole file ({@link AuditChainVerifier#verifyNewest}). For a new log's first record (just before it), every 1,000 records,
   * when it opens a file with records after the newest checkpoint, and when it closes, the sink forces the records to
   * disk and appends to {@code <file>.checkpoints} a line that names the last record's sequence number, where it ends
   * and its hash, tagged with HMAC-SHA256 under a key of {@code keys} derived for the purpose {@code
   * audit-checkpoint}. So the log has a checkpoint as soon as it has a record, and a log with records but no checkpoint
   * is not intact under the key ring ({@link AuditChainVerifier#verify(Path, KeyRingSource)}). The checkpoint file is
   * created as the log is. A log with records but no checkpoint (no checkpoint file, or one without a checkpoint) is
   * refused, and left as it is: its checkpoints were removed, or it was written without a key ring ({@link
   * #hashChained(Path)}), and checkpointing it would vouch for whatever it holds. Check such a log with {@link
   * AuditChainVerifier} (without the key ring for one written without it), move it aside and start a new log. A crash
   * leaves no such log: the first record's checkpoint is forced to disk before the record is written, and a crash
   * between the two (a checkpoint of a first record the log does not have) is mended at the next open, which removes
   * the checkpoint. The directory entries of new files are forced to disk.
   * A log is taken on only if it follows its newest checkpoint: the checkpoint verifies under {@code keys}, names the
   * record that ends at its offset with its hash, and is followed by whole records that chain from it, no more than
   * its interval; else it is refused and left as it is, since the checkpoint written at open would vouch for a rewrite.
   *
   * <p><b>Security.</b> Whoever can write the log but has no key can no longer rewrite it consistently: a record
   * changed before a checkpoint, a checkpoint forged, altered or cut, or the checkpoint file deleted or emptied, no
   * longer verifies, and the sink refuses to open a log whose checkpoints were removed rather than checkpoint it again.
   * Not covered by the files alone: the records after the newest checkpoint (at most 1,000); records cut from the end of the log together
   * with their checkpoints (a log emptied and its checkpoint file deleted is a new log); an older copy of the log put
   * back with its checkpoints; the crash above, which leaves the log not intact under the key ring until the sink
   * opens it again. The records after the newest checkpoint when the sink opens (after a crash, at most 1,000) are
   * checkpointed then as the file holds them. Every checkpoint but a new log's first is also logged on {@value
   * #CHECKPOINT_LOGGER_NAME}, after it is on disk: kept on another machine, those lines cover the rollback and the cut
   * ({@link AuditChainVerifier#verify(Path, KeyRingSource, java.util.List)} with them as known records).
   *
   * @throws IOException as {@link #hashChained(Path)}, or if the checkpoint file holds other lines or vouches for a
   *     record the log does not have, or the log has records and no checkpoint (see above), or it does not follow its
   *     newest checkpoint (see above)
   */
  static AuditSink hashChained(Path file, KeyRingSource keys) throws IOException {
    return HashChainedAuditSink.open(
        file,
        LineFile.Opener.FILE,
        KeyedMac.create(keys, Purpose.AUDIT_CHECKPOINT),
        HashChainedAuditSink.CHECKPOINT_EVERY);
  }

  /** A sink that discards every event, for tests and for deployments that audit elsewhere. */
  static AuditSink noop() {
    return event -> {};
  }
}
