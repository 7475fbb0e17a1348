package dev.portcullis.audit;

import dev.portcullis.crypto.KeyedMac;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hash-chained JSON-lines sink; see {@link HashChain} for the record format.
 *
 * <p>A record is chained (its sequence number and hash taken) only once the file has taken it: if {@link #accept}
 * throws, the chain has not moved and the same event, offered again, becomes the same record. A failed flush leaves
 * the file at its last whole record and keeps the unwritten records for the next flush (see {@link LineFile}).
 *
 * <p><b>Torn last record.</b> A file that ends in a partial line (the process was killed mid-write, the machine lost
 * power) is repaired on open, never silently: if the partial line is a whole record that lacks only its newline, the
 * newline is added; otherwise the partial bytes are appended, as one line, to {@code <file>.torn}, and replaced in the
 * file by an {@link AuditEventType#AUDIT_RECORD_TORN} record that continues the chain from the last whole record and
 * says how many bytes were cut, the start of their SHA-256 and where they are kept. An ERROR line on the logger
 * {@code dev.portcullis.audit.AuditSink} says the same. {@link AuditChainVerifier} then finds the chain intact and
 * counts the repair. A last whole record that is not an intact chain record is not a crash but an alteration: the
 * file is refused.
 *
 * <p><b>Checkpoints.</b> Given a MAC ({@link AuditSink#hashChained(Path, dev.portcullis.crypto.KeyRingSource)}), the
 * sink also writes an {@link AuditCheckpoint} to {@code <file>.checkpoints} for a new log's first record (just before
 * it, see below), before the record that would leave more than {@code every} records after the newest one, when it opens a file with
 * records after the newest, and when it closes. So a log this sink writes has a checkpoint as soon as it has a record,
 * and {@link AuditChainVerifier#verify(Path, dev.portcullis.crypto.KeyRingSource)} can take a log with records and no
 * checkpoint for one whose checkpoints were removed. The records a checkpoint names are forced to disk before it is
 * written, so that a lost machine does not leave a checkpoint beyond the end of the log. The one exception is the
 * first record's checkpoint, which is written and forced before the record: so a crash never leaves a record without a
 * checkpoint (what removed checkpoints look like), but may leave a first checkpoint and no record, which the next open
 * removes (a log without whole records and only that checkpoint, under the ring). A new file's directory entry is
 * forced to disk as it is created.
 *
 * <p>Opening a log that has records but no checkpoint is refused, and neither file is changed: its checkpoint file was
 * deleted or emptied (perhaps to hide a rewrite, since whoever can write the log can compute its chain again), or it
 * was written without a key ring, and a checkpoint now would vouch for whatever it holds; a crash leaves no such log
 * (see above), however short, so none is taken on. A first record torn by a crash is taken whole only if the
 * checkpoint written ahead of it names it; otherwise it is cut as any torn record is. A checkpoint file that names a record the log no longer has
 * (records cut from the end, or a log replaced while its checkpoints stayed) is refused, and so is a log that does not
 * follow its newest checkpoint (see {@link AuditChainVerifier#problemAfterNewest}): a checkpoint that does not verify
 * under the ring, a record that is not the one it names, records after it that do not chain from it or are more than
 * its interval. Every checkpoint is forced to disk, so a lost machine leaves no more records after the newest one than
 * that.
 */
final class HashChainedAuditSink extends ForwardingSink<LineFile> implements AuditSink {
  private static final Logger LOG = LoggerFactory.getLogger(AuditSink.class);
  private static final Logger CHECKPOINTS =
      LoggerFactory.getLogger(AuditSink.CHECKPOINT_LOGGER_NAME);
  private static final HexFormat HEX = HexFormat.of();
  /** The file beside a chained file that keeps the torn tails cut from it. */
  static final String TORN_SUFFIX = ".torn";

  /** How many records the standard checkpointing sink lets pass between two checkpoints. */
  static final int CHECKPOINT_EVERY = 1000;

  private final MessageDigest digest = HashChain.sha256();
  private long nextSeq;
  private String prev;
  /** The checkpoints file, or null when the sink writes none. */
  private LineFile checkpoints;

  private KeyedMac mac;
  private int every;
  /** The seq of the newest checkpoint, or 0 before the first. */
  private long sealed;
  /** The seq of the record after which the records up to the next regular checkpoint are counted. */
  private long counted;

  private HashChainedAuditSink(LineFile file, long nextSeq, String prev) {
    super(file, "AuditSink.hashChained(" + file.path() + ")");
    this.nextSeq = nextSeq;
    this.prev = prev;
  }

  static HashChainedAuditSink open(Path path) throws IOException {
    return open(path, LineFile.Opener.FILE);
  }

  static HashChainedAuditSink open(Path path, LineFile.Opener opener) throws IOException {
    return open(path, opener, null, 0);
  }

  /**
   * Opens {@code path}, writing checkpoints tagged by {@code mac} every {@code every} records, or none when {@code mac}
   * is null.
   */
  static HashChainedAuditSink open(Path path, LineFile.Opener opener, KeyedMac mac, int every)
      throws IOException {
    if (mac != null && every < 1) {
      throw new IllegalArgumentException("every must be at least 1");
    }
    HashChainedAuditSink sink = openChain(path, opener);
    try {
      if (mac == null) {
        sink.repairTornTail();
      } else {
        sink.startCheckpoints(opener, mac, every);
      }
      return sink;
    } catch (IOException | RuntimeException e) {
      // Closed without the checkpoint a clean close writes: the files were refused.
      try (LineFile c = sink.checkpoints;
          LineFile t = sink.target) {
        throw e;
      }
    }
  }

  private static HashChainedAuditSink openChain(Path path, LineFile.Opener opener)
      throws IOException {
    LineFile file = LineFile.open(path, EventFormat.KIND_AUDIT, opener);
    try {
      byte[] last = file.lastLineAtOpen();
      HashChainedAuditSink sink;
      if (last == null) {
        sink = new HashChainedAuditSink(file, 1, HashChain.GENESIS);
      } else {
        HashChain.Link link = HashChain.parse(last);
        if (link == null || !link.selfConsistent()) {
          throw new IOException(
              path
                  + ": the last record is not an intact chain record; run AuditChainVerifier before appending");
        }
        sink = new HashChainedAuditSink(file, link.seq() + 1, link.hash());
      }
      return sink;
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** Repairs a torn last record (see the class comment); the sink was opened without it. */
  private void repairTornTail() throws IOException {
    byte[] torn = target.tornTailAtOpen();
    if (torn != null) {
      repair(torn);
    }
  }

  /**
   * Opens the checkpoint file and checkpoints the records after the newest checkpoint. A log with records but no
   * checkpoint is refused before anything is written (the torn tail of either file is left as it is): its chain can be
   * recomputed by whoever can write the file, so checkpointing it now would vouch for whatever it holds. The one such
   * log a crash of this sink leaves, a first record whose checkpoint was not written, is taken on once its chain is
   * intact.
   */
  private void startCheckpoints(LineFile.Opener opener, KeyedMac mac, int every)
      throws IOException {
    Path path = target.path();
    Path file = AuditCheckpoint.fileOf(path);
    // Whole records only: a torn tail is not repaired until the log is known to be taken on.
    long records = nextSeq - 1;
    if (records > 0 && !Files.exists(file)) {
      throw withoutCheckpoints(path, records, "no checkpoint file " + file);
    }
    LineFile opened = LineFile.open(file, AuditCheckpoint.KIND, opener);
    this.checkpoints = opened;
    this.mac = mac;
    this.every = every;
    byte[] last = opened.lastLineAtOpen();
    if (last == null && records > 0) {
      throw withoutCheckpoints(
          path, records, "its checkpoint file " + file + " holds no checkpoint");
    }
    byte[] torn = opened.tornTailAtOpen();
    if (torn != null) {
      LOG.warn(
          "Checkpoint file {} ended in {} bytes of an unfinished checkpoint: they were cut",
          file,
          torn.length);
      opened.cutTornTail();
    }
    AuditCheckpoint.Parsed parsed = last == null ? null : AuditCheckpoint.parse(last);
    if (last != null && parsed == null) {
      throw new IOException(
          file + ": the last line is not a checkpoint; run AuditChainVerifier before appending");
    }
    if (parsed != null && !(records == 0 && firstRecordNotWritten(parsed, last))) {
      if (parsed.checkpoint().seq() > records) {
        throw new IOException(
            file + " vouches for record " + parsed.checkpoint().seq()
                + ", but " + path + " ends at record " + records
                + ": records were removed from the log, or the log was replaced without its checkpoints");
      }
      // The records after the newest checkpoint are checkpointed below: only if they follow a
      // checkpoint of the key ring's, unchanged, and no more than a crash can leave.
      String problem = AuditChainVerifier.problemAfterNewest(path, parsed, mac, records);
      if (problem != null) {
        throw new IOException(path + " does not follow its newest checkpoint (" + problem
            + "): the log or its checkpoints were changed, or the checkpoints were made under a key"
            + " this key ring does not hold, and a checkpoint now would vouch for whatever it holds."
            + " Check it with AuditChainVerifier --key-ring, move it aside with its checkpoint file"
            + " and start a new log");
      }
      sealed = parsed.checkpoint().seq();
      counted = sealed;
    }
    repairTornTail();
    if (nextSeq - 1 > sealed) {
      seal();
    }
  }

  /**
   * Whether the checkpoint file of a log without whole records holds what a crash between a new log's first checkpoint
   * and its first record leaves (see {@link #checkpointFirstAhead}): that one checkpoint, for record 1, under the
   * ring. If the log's torn tail is that very record, its checkpoint is kept (the repair adds the newline); otherwise the
   * record never reached the file, and the checkpoint is removed, so that the log starts afresh.
   */
  private boolean firstRecordNotWritten(AuditCheckpoint.Parsed parsed, byte[] last)
      throws IOException {
    AuditCheckpoint cp = parsed.checkpoint();
    if (cp.seq() != 1 || checkpoints.length() != last.length + 1 || !parsed.verifies(mac)) {
      return false;
    }
    byte[] torn = target.tornTailAtOpen();
    HashChain.Link link = torn == null ? null : HashChain.parse(torn);
    if (link != null
        && link.selfConsistent()
        && link.seq() == 1
        && link.prev().equals(HashChain.GENESIS)
        && link.hash().equals(cp.hash())
        && torn.length + 1 == cp.offset()) {
      sealed = 1;
      counted = 0;
      return true;
    }
    LOG.warn(
        "Audit file {} has no record, and its checkpoint file only the checkpoint of a first record that was not"
            + " written (the writer stopped between the two): the checkpoint is removed",
        target.path());
    checkpoints.discardLines();
    return true;
  }

  /**
   * The refusal of a log with records but no checkpoint. {@code missing} says what is missing, with the checkpoint
   * file's name.
   */
  private static IOException withoutCheckpoints(Path path, long records, String missing) {
    return new IOException(path + " has " + records(records) + " but " + missing
        + ": its checkpoints were removed, or it was written without a key ring, and a checkpoint now"
        + " would vouch for whatever it holds. Check it with AuditChainVerifier (without --key-ring for a"
        + " log written without one), move it aside and start a new log");
  }

  private static String records(long records) {
    return records == 1 ? "1 record" : records + " records";
  }

  /**
   * Writes a checkpoint of the last record, after forcing the records to disk, and forces it to disk too, before
   * another record is written: a lost machine must leave no more records after the newest checkpoint than the interval
   * (the next open refuses a log with more).
   */
  private void seal() throws IOException {
    target.force();
    AuditCheckpoint checkpoint = new AuditCheckpoint(nextSeq - 1, target.length(), prev, every);
    checkpoints.append(checkpoint.line(mac));
    // Taken: a failed flush keeps the line for the next one, so it must not be collected twice.
    sealed = nextSeq - 1;
    counted = sealed;
    checkpoints.force();
    CHECKPOINTS.info(
        "audit checkpoint: {} holds {}:{}", target.path(), checkpoint.seq(), checkpoint.hash());
  }

  @Override
  public void flush() throws IOException {
    target.flush();
    if (checkpoints != null) {
      checkpoints.flush();
    }
  }

  @Override
  public void close() throws IOException {
    if (checkpoints == null) {
      target.close();
      return;
    }
    try (LineFile c = checkpoints;
        LineFile t = target) {
      if (nextSeq - 1 > sealed) {
        seal();
      }
    }
  }

  @Override
  public void accept(AuditEvent event) throws IOException {
    if (checkpoints != null && nextSeq - 1 - counted >= every) {
      seal();
    }
    StringBuilder record = new StringBuilder(384);
    EventFormat.appendJson(record, event);
    byte[] line = chained(record);
    if (checkpoints != null && nextSeq == 1) {
      checkpointFirstAhead(line);
    }
    target.append(
        line); // throws before taking the line, so the chain only moves when the file has it
    advance(line);
  }

  /**
   * Writes the checkpoint of a new log's first record, {@code line}, and forces it to disk before the record is written.
   * So a crash leaves no record, or a record and its checkpoint, or (between the two) the checkpoint of a record the log
   * does not have, which the next open removes; never a record without a checkpoint, which is what a log whose
   * checkpoints were removed looks like, and which is refused. Called again for the same record after a failure (the
   * event is offered again), it forces the checkpoint collected before. The regular checkpoints are still counted from
   * the start of the log.
   */
  private void checkpointFirstAhead(byte[] line) throws IOException {
    if (sealed == 0) {
      AuditCheckpoint first =
          new AuditCheckpoint(1, target.length() + line.length + 1, HashChain.hashOf(line), every);
      checkpoints.append(first.line(mac));
      // Taken: a failed flush keeps the line for the next one, so it must not be collected twice.
      sealed = 1;
      counted = 0;
    }
    checkpoints.force();
  }

  /** The record's bytes with {@code seq}, {@code prev} and {@code hash} added; the chain does not move yet. */
  private byte[] chained(StringBuilder record) {
    record
        .append(",\"seq\":")
        .append(nextSeq)
        .append(",\"prev\":\"")
        .append(prev)
        .append('"');
    byte[] content = record.toString().getBytes(StandardCharsets.UTF_8);
    String hash = HEX.formatHex(digest.digest(content));
    byte[] suffix = (",\"hash\":\"" + hash + "\"}").getBytes(StandardCharsets.US_ASCII);
    byte[] line = new byte[content.length + suffix.length];
    System.arraycopy(content, 0, line, 0, content.length);
    System.arraycopy(suffix, 0, line, content.length, suffix.length);
    return line;
  }

  private void advance(byte[] line) {
    nextSeq++;
    prev = HashChain.hashOf(line);
  }

  private void repair(byte[] torn) throws IOException {
    Path path = target.path();
    HashChain.Link link = HashChain.parse(torn);
    // A keyed log's first record is taken whole only if its checkpoint, written ahead of it, names
    // it.
    boolean vouched = checkpoints == null || nextSeq > 1 || sealed == 1;
    if (link != null
        && vouched
        && link.selfConsistent()
        && link.seq() == nextSeq
        && link.prev().equals(prev)) {
      LOG.warn(
          "Audit file {} ended in a whole record (seq {}) without its newline: the newline was added",
          path,
          link.seq());
      target.replaceTornTail(torn);
      advance(torn);
      return;
    }
    String sha256 = HashChain.sha256Hex(torn, torn.length);
    Path kept = path.resolveSibling(path.getFileName() + TORN_SUFFIX);
    LineFile.refuseUnlessOwnFile(kept);
    LOG.error(
        "Audit file {} ends in a torn record ({} bytes after seq {}, SHA-256 {}), left by an interrupted write: "
            + "it is moved to {} and the chain continues from seq {} with an {} record",
        path,
        torn.length,
        nextSeq - 1,
        sha256,
        kept,
        nextSeq,
        AuditEventType.AUDIT_RECORD_TORN.name());
    byte[] keptLine = new byte[torn.length + 1];
    System.arraycopy(torn, 0, keptLine, 0, torn.length);
    keptLine[torn.length] = '\n';
    // Kept, and on disk, before the file is cut: a crash in between leaves the torn bytes in both
    // places, not none.
    // Owner-only like the log, and never through a link: the torn bytes are whatever the log held.
    LineFile.appendOwnerOnly(kept, keptLine);
    LineFile.forceDirectory(kept);
    // The torn write was the file's last change, so its modification time is when the record was
    // torn.
    Instant tornAt = Files.getLastModifiedTime(path).toInstant();
    AuditEvent marker = AuditEvent.builder(AuditEventType.AUDIT_RECORD_TORN)
        .id("torn-" + nextSeq + "-" + sha256.substring(0, 16))
        .time(tornAt)
        .failure("a record torn by an interrupted write was cut from the end of this file: "
            + torn.length + " bytes after seq " + (nextSeq - 1) + ", SHA-256 starting "
            + sha256.substring(0, 16))
        .resource(kept.getFileName().toString())
        .build();
    StringBuilder record = new StringBuilder(384);
    EventFormat.appendJson(record, marker);
    byte[] line = chained(record);
    if (checkpoints != null && nextSeq == 1) {
      checkpointFirstAhead(line);
    }
    target.replaceTornTail(line);
    advance(line);
  }
}
