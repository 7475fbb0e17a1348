package dev.portcullis.audit;

import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyedMac;
import dev.portcullis.crypto.Purpose;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Checks a file written by {@link AuditSink#hashChained(Path)} and names the first record that is altered, missing,
 * inserted or out of order.
 *
 * <p>As a command:
 *
 * <pre>
 * java -cp portcullis-core.jar dev.portcullis.audit.AuditChainVerifier /var/log/portal/audit.jsonl
 * </pre>
 *
 * <p>It prints one line and exits with 0 when the chain is intact ({@code intact: 1234 records, head <hash>}), 1 when
 * it is not ({@code NOT INTACT: line 17 (seq 17): record altered: ...}), and 2 when the file can't be read, the
 * arguments are wrong or a library the check needs is missing. Run it on a copy or while the sink is closed. The core
 * jar is all the chain check needs. With {@code --key-ring KEY_FILE} before the file (a key file as {@link
 * dev.portcullis.crypto.KeyRingSources#fromFile} reads it; Bouncy Castle's {@code bcprov-jdk18on} jar on the class
 * path too, for the checkpoints' key derivation) it also checks every checkpoint in
 * {@code <file>.checkpoints} ({@link #verify(Path, KeyRingSource)}), and a file with records but no checkpoint is
 * {@code NOT INTACT}. With {@code --holds SEQ:HASH} (any number of times, before the file) the file must also hold
 * record {@code SEQ} with chain hash {@code HASH}, a {@link KnownRecord} kept away from the log.
 *
 * <p><b>Torn records.</b> The sink writes whole records only, so a file that does not end in a newline was left by an
 * interrupted write (the process killed, the power lost): that is reported as {@code NOT INTACT} on its last line,
 * {@code incomplete record}. The next time the sink opens the file it cuts the torn bytes off (keeping them in
 * {@code <file>.torn}) and writes an {@link AuditEventType#AUDIT_RECORD_TORN audit_record_torn} record in their place,
 * chained to the last whole record. From then on the file is intact again, and the verdict counts the repairs: {@code
 * intact: 1234 records, head <hash>; 1 torn record cut (see the audit_record_torn records)}. A repair is a record like
 * any other: removing or altering it breaks the chain.
 *
 * <p><b>Security.</b> The chain shows that records were changed after they were written by anyone who did not
 * rewrite every later record too. It has no key: whoever can rewrite the whole file can forge a consistent one, and
 * removing records from the end leaves a shorter intact chain. Keep the reported record count and head hash, or the
 * keyed sink's checkpoint log lines, elsewhere (another machine's log, a ticket, a daily e-mail) and pass them back
 * as {@link KnownRecord}s to cover those. A file written by {@link
 * AuditSink#hashChained(Path, KeyRingSource)} also has keyed checkpoints, which {@link #verify(Path, KeyRingSource)}
 * and {@link #verifyNewest} check; check such a file with the key ring, since without it the checkpoints are not
 * read, and removing them goes unnoticed.
 */
public final class AuditChainVerifier {
  /**
   * The longest line read as a record: far more than any event makes (its fields are bounded), and as long as the torn
   * tail a crash of the sink can leave. A longer line is not a record of the sink's, and is not read whole.
   */
  static final int MAX_RECORD = LineFile.MAX_TORN_TAIL;

  /** What a checkpoint whose tag does not verify is: a key ring tells none of these apart. */
  static final String DOES_NOT_VERIFY =
      "does not verify: forged or altered, or made under a key this"
          + " key ring does not hold (revoked since, or another ring's)";

  private AuditChainVerifier() {}

  /**
   * The verdict on one file.
   *
   * @param intact whether every record is in place and unchanged
   * @param records how many lines were read
   * @param firstBadLine the 1-based line of the first bad record, or 0 when intact
   * @param problem what is wrong with it, or empty when intact
   * @param head the hash of the last good record ({@code 000...0} for an empty file)
   * @param tornRecordsCut how many {@link AuditEventType#AUDIT_RECORD_TORN} records the good records hold: torn
   *     records that the sink cut from the end of the file after an interrupted write
   * @param sealedThrough the record of the newest checkpoint when the checkpoints were checked ({@link #verify(Path,
   *     KeyRingSource)}), 0 when there is none; -1 when they were not. The records after it are vouched for by the chain
   *     alone: whoever can write the file could have replaced them with a consistent chain of their own
   */
  public record Result(
      boolean intact,
      long records,
      long firstBadLine,
      String problem,
      String head,
      long tornRecordsCut,
      long sealedThrough) {
    public Result {
      Objects.requireNonNull(problem, "problem");
      Objects.requireNonNull(head, "head");
    }

    /** A verdict without the checkpoints checked. */
    public Result(
        boolean intact,
        long records,
        long firstBadLine,
        String problem,
        String head,
        long tornRecordsCut) {
      this(intact, records, firstBadLine, problem, head, tornRecordsCut, -1);
    }

    /** A verdict on a file without torn records cut, without the checkpoints checked. */
    public Result(boolean intact, long records, long firstBadLine, String problem, String head) {
      this(intact, records, firstBadLine, problem, head, 0);
    }

    /** The line the command prints. */
    public String describe() {
      if (!intact) {
        return "NOT INTACT: line " + firstBadLine + ": " + problem;
      }
      String described = "intact: " + records + " records, head " + head;
      if (tornRecordsCut > 0) {
        described += "; " + tornRecordsCut + " torn record" + (tornRecordsCut == 1 ? "" : "s")
            + " cut (see the " + AuditEventType.AUDIT_RECORD_TORN.name() + " records)";
      }
      if (sealedThrough >= 0 && records > sealedThrough) {
        long after = records - sealedThrough;
        described += "; "
            + (after == 1
                ? "record " + records
                : "records " + (sealedThrough + 1) + " to " + records)
            + " after the newest checkpoint (record " + sealedThrough + ")"
            + ", vouched for by the chain alone";
      }
      return described;
    }
  }

  /**
   * The verdict on the newest records of a checkpointed file ({@link #verifyNewest}), with the records themselves.
   *
   * @param status whether the records were verified from a checkpoint (or the file's start), or found broken
   * @param records the records read, oldest first, as text without their newlines; when broken, they are shown as read
   *     and cannot be trusted from {@code firstBadLine} on (all of them when {@code firstBadLine} is 0)
   * @param firstLine the line number of the first of {@code records} (a record's line is its {@code seq} in an intact
   *     file)
   * @param anchor the record whose checkpoint the check started from; 0 for the start of the file
   * @param sealedThrough the record of the newest checkpoint; the records after it are linked to it but no checkpoint
   *     vouches for them yet. 0 when no checkpoint was read
   * @param firstBadLine the line of the first bad record; 0 when intact, or when the checkpoints are what is wrong
   * @param problem what is wrong, or empty
   * @param bytesRead how many bytes of the log and its checkpoints were read
   * @param fileBytes the log's size when it was read
   */
  public record Window(
      Status status,
      List<String> records,
      long firstLine,
      long anchor,
      long sealedThrough,
      long firstBadLine,
      String problem,
      long bytesRead,
      long fileBytes) {
    /** How far the newest records could be verified. */
    public enum Status {
      /** Every record read follows the checkpoint of {@code anchor}, or the start of the file, unchanged. */
      VERIFIED,
      /**
       * A record or a checkpoint is altered, missing, forged or out of place, or the file has records and no
       * checkpoint.
       */
      BROKEN
    }

    public Window {
      Objects.requireNonNull(status, "status");
      records = List.copyOf(records);
      Objects.requireNonNull(problem, "problem");
    }

    static Window verified(
        List<String> records, long firstLine, long anchor, long sealedThrough, long fileBytes) {
      return new Window(
          Status.VERIFIED, records, firstLine, anchor, sealedThrough, 0, "", 0, fileBytes);
    }

    static Window broken(
        List<String> records,
        long firstLine,
        long anchor,
        long badLine,
        String problem,
        long fileBytes) {
      return new Window(
          Status.BROKEN, records, firstLine, anchor, 0, badLine, problem, 0, fileBytes);
    }

    Window withBytesRead(long read) {
      return new Window(
          status,
          records,
          firstLine,
          anchor,
          sealedThrough,
          firstBadLine,
          problem,
          read,
          fileBytes);
    }

    /** The line the command prints. */
    public String describe() {
      long last = firstLine + records.size() - 1;
      return switch (status) {
        case VERIFIED ->
          records.isEmpty()
              ? "intact: no records"
              : "intact: records " + firstLine + " to " + last + ", verified from "
                  + (anchor == 0 ? "the start of the file" : "the checkpoint of record " + anchor)
                  + (last > sealedThrough
                      ? "; " + (last - sealedThrough) + " after the newest checkpoint"
                      : "");
        case BROKEN ->
          firstBadLine == 0
              ? "NOT INTACT: checkpoints: " + problem
              : "NOT INTACT: line " + firstBadLine + ": " + problem;
      };
    }
  }

  /**
   * A record the log must still hold, with its chain hash, as someone kept it away from the log: a line of the sink's
   * {@link AuditSink#CHECKPOINT_LOGGER_NAME} logger shipped to another machine, or the record count and head of an
   * earlier verdict ({@code intact: 3017 records, head <hash>} is record 3017 with that hash). The log's own
   * checkpoints can't show that it was put back to an older copy, or cut back to an earlier checkpoint together with
   * them; a record known from elsewhere that the log no longer holds, or holds with another hash, does.
   *
   * @param seq the record's sequence number, from 1
   * @param hash its chain hash, 64 lower-case hex digits
   */
  public record KnownRecord(long seq, String hash) {
    private static final java.util.regex.Pattern HEX64 =
        java.util.regex.Pattern.compile("[0-9a-f]{64}");

    public KnownRecord {
      if (seq < 1) {
        throw new IllegalArgumentException("a known record's seq starts at 1: " + seq);
      }
      Objects.requireNonNull(hash, "hash");
      if (!HEX64.matcher(hash).matches()) {
        throw new IllegalArgumentException("a known record's hash is 64 lower-case hex digits");
      }
    }

    /**
     * Reads {@code SEQ:HASH}, as the checkpoint logger and {@code --holds} write it.
     *
     * @throws IllegalArgumentException if {@code text} is not of that form
     */
    public static KnownRecord parse(String text) {
      int colon = text.indexOf(':');
      if (colon < 1) {
        throw new IllegalArgumentException(
            "a known record is SEQ:HASH, for example 3000:<64 hex digits>");
      }
      long seq;
      try {
        seq = Long.parseLong(text, 0, colon, 10);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("a known record's seq is a number: SEQ:HASH");
      }
      return new KnownRecord(seq, text.substring(colon + 1));
    }

    @Override
    public String toString() {
      return seq + ":" + hash;
    }
  }

  /** Runs the check as a command; see the class comment for the exit codes. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    String keyFile = null;
    List<KnownRecord> known = new ArrayList<>();
    int i = 0;
    try {
      for (; i < args.length - 1; i += 2) {
        switch (args[i]) {
          case "--key-ring" -> {
            if (keyFile != null) {
              throw new IllegalArgumentException("--key-ring given twice");
            }
            keyFile = args[i + 1];
          }
          case "--holds" -> known.add(KnownRecord.parse(args[i + 1]));
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
    } catch (IllegalArgumentException e) {
      return usage(err, e.getMessage());
    }
    if (i != args.length - 1 || args[i].startsWith("--")) {
      return usage(err, "one audit file, after the options");
    }
    String file = args[i];
    Result result;
    try {
      result = keyFile != null
          ? verify(Path.of(file), KeyRingSources.fromFile(Path.of(keyFile)), known)
          : verify(Path.of(file), known);
    } catch (IOException | RuntimeException e) {
      err.println("cannot read " + file + ": " + e);
      return 2;
    } catch (NoClassDefFoundError e) {
      // The checkpoints' key derivation is Bouncy Castle's; the chain alone needs nothing beside
      // the core jar.
      err.println("cannot check " + file + ": " + e.getMessage() + " is not on the class path."
          + " The check with --key-ring needs Bouncy Castle beside the core jar:"
          + " java -cp portcullis-core.jar" + File.pathSeparator + "bcprov-jdk18on.jar "
          + AuditChainVerifier.class.getName() + " --key-ring KEY_FILE AUDIT_FILE");
      return 2;
    }
    out.println(result.describe()
        + (result.intact() && !known.isEmpty()
            ? "; holds "
                + (known.size() == 1
                    ? "the known record"
                    : "the " + known.size() + " known records")
            : ""));
    return result.intact() ? 0 : 1;
  }

  private static int usage(PrintStream err, String problem) {
    err.println(problem);
    err.println("usage: java -cp portcullis-core.jar " + AuditChainVerifier.class.getName()
        + " [--key-ring KEY_FILE] [--holds SEQ:HASH]... AUDIT_FILE");
    return 2;
  }

  /**
   * Verifies the newest records of a file written by {@link AuditSink#hashChained(Path, KeyRingSource)}, reading only
   * them and the checkpoints back to the newest one at or before them: at least {@code records} records (all of them
   * in a shorter file) and at most {@code records} plus the checkpoint interval, whatever the file's length. Every
   * checkpoint read must verify under {@code keys}, name a record the file has and match that record; the records are
   * verified from the checkpoint on as {@link #verify(Path)} verifies them; and the newest checkpoint must be no
   * further from the end than its interval. A partial last line (a record being written) is left out.
   *
   * <p>A file that has checkpoints only from some record on is verified from its first
   * checkpoint, so the window may hold fewer records. A file with records and no checkpoint (no checkpoint file, or one
   * without a checkpoint) is {@link Window.Status#BROKEN}, however short: the caller passed a key ring, so the file is
   * one the sink checkpoints from its first record, and its checkpoints were removed (see {@link #verify(Path,
   * KeyRingSource)}). A file without records is verified, with none, unless its checkpoint file has checkpoints:
   * then its records were removed.
   *
   * <p><b>Security.</b> A verified window shows that its records follow, unchanged and complete, a chain state that the
   * key's holder wrote, up to the newest checkpoint. The records after that checkpoint (at most its interval) are
   * linked to it, so whoever can write the file can replace them only with a consistent chain of their own, as with
   * {@link #verify(Path)}; and records cut from the end together with their checkpoints leave a shorter window that
   * verifies. The records before the anchor are not read: {@link #verify(Path)} checks them.
   *
   * @param records how many of the newest records to verify, at least 1
   * @throws IOException if a file can't be read, or is there but not a regular file (a named pipe, a directory)
   */
  public static Window verifyNewest(Path file, KeyRingSource keys, int records) throws IOException {
    return NewestRecords.verify(file, KeyedMac.create(keys, Purpose.AUDIT_CHECKPOINT), records);
  }

  /**
   * As {@link #verify(Path)}, and then every checkpoint in {@code <file>.checkpoints}: each must verify under {@code
   * keys}, come after the one before, and name a record of the file with its hash and where it ends; and no more than
   * the checkpoint interval of records may follow the newest. Whoever rewrites the file consistently without the key is
   * found at the first checkpoint after the change.
   *
   * <p>A file with records must have at least one checkpoint: one with no checkpoint file, or a checkpoint file without
   * a checkpoint, is not intact (line 1), since {@link AuditSink#hashChained(Path, KeyRingSource)} checkpoints a log's
   * first record as it writes it, and removing the checkpoints must not turn a rewritten log back into one that
   * verifies. A log written without checkpoints ({@link AuditSink#hashChained(Path)}) is verified with {@link
   * #verify(Path)}, or by the command without {@code --key-ring}. A file without records and without a checkpoint
   * file is intact: there is nothing for a checkpoint to vouch for, and it is what a sink that has not written yet
   * leaves. The one state a sink leaves that this refuses is a crash between a new log's first checkpoint and its first
   * record (a checkpoint of a record the log does not have), which the sink's next open mends.
   *
   * @throws IOException if a file can't be read, or is there but not a regular file (a named pipe, a directory)
   */
  public static Result verify(Path file, KeyRingSource keys) throws IOException {
    return verify(file, keys, List.of());
  }

  /**
   * As {@link #verify(Path, KeyRingSource)}, and the file must also hold each of {@code known} with its hash: a log
   * put back to an older copy, or cut back to an earlier checkpoint with its checkpoint file, is not intact, at the
   * last record it has or at the record that differs.
   *
   * @throws IOException if a file can't be read, or is there but not a regular file (a named pipe, a directory)
   */
  public static Result verify(Path file, KeyRingSource keys, List<KnownRecord> known)
      throws IOException {
    Path checkpoints = AuditCheckpoint.fileOf(file);
    // Both are read twice or more: a pipe would be empty the second time, or hold the reader for
    // ever.
    LineFile.refuseToReadUnlessRegular(file);
    LineFile.refuseToReadUnlessRegular(checkpoints);
    Result chain = verify(file, known);
    if (!chain.intact()) {
      return chain;
    }
    KeyedMac mac = KeyedMac.create(keys, Purpose.AUDIT_CHECKPOINT);
    if (!Files.exists(checkpoints)) {
      return chain.records() == 0
          ? chain
          : checkpointBad(chain, 1, withoutCheckpoints(chain.records() + " records", true));
    }
    try (LineReader cps =
            new LineReader(Files.newInputStream(checkpoints), AuditCheckpoint.MAX_LINE);
        LineReader log = new LineReader(Files.newInputStream(file), MAX_RECORD)) {
      long seq = 0;
      long offset = 0;
      String hash = HashChain.GENESIS;
      AuditCheckpoint newest = null;
      byte[] line;
      while ((line = cps.next()) != null) {
        String which = newest == null
            ? "the first checkpoint"
            : "the checkpoint after the one for record " + newest.seq();
        AuditCheckpoint.Parsed parsed =
            cps.lastHadNewline() && !cps.lastTooLong() ? AuditCheckpoint.parse(line) : null;
        if (parsed == null) {
          return checkpointBad(
              chain, seq + 1, which + " is not a checkpoint line: altered or cut short");
        }
        AuditCheckpoint cp = parsed.checkpoint();
        if (!parsed.verifies(mac)) {
          return checkpointBad(
              chain,
              Math.min(cp.seq(), chain.records()),
              which + " (for record " + cp.seq() + ") " + DOES_NOT_VERIFY);
        }
        if (newest != null && cp.seq() <= newest.seq()) {
          return checkpointBad(
              chain,
              cp.seq(),
              "checkpoints out of order: record " + cp.seq() + " after record " + newest.seq());
        }
        if (cp.seq() > chain.records()) {
          return checkpointBad(
              chain,
              chain.records(),
              "the log ends at record " + chain.records() + ", but a checkpoint vouches for record "
                  + cp.seq() + ": records were removed from the end");
        }
        byte[] record = null;
        while (seq < cp.seq() && (record = log.next()) != null) {
          seq++;
          offset += record.length + 1;
          // Every record was verified above: its hash is the text at its end.
          hash = HashChain.hashOf(record);
        }
        if (!hash.equals(cp.hash()) || offset != cp.offset()) {
          return checkpointBad(
              chain,
              cp.seq(),
              "record " + cp.seq()
                  + " is not the one its checkpoint vouches for: the records up to it"
                  + " were rewritten");
        }
        newest = cp;
      }
      if (newest == null && chain.records() > 0) {
        return checkpointBad(chain, 1, withoutCheckpoints(chain.records() + " records", false));
      }
      if (newest != null && chain.records() - newest.seq() > newest.every()) {
        return checkpointBad(
            chain,
            newest.seq() + newest.every() + 1,
            (chain.records() - newest.seq()) + " records after the newest checkpoint (record "
                + newest.seq() + "), which comes every " + newest.every()
                + " records: checkpoints were removed, or another writer added records");
      }
      return new Result(
          true,
          chain.records(),
          0,
          "",
          chain.head(),
          chain.tornRecordsCut(),
          newest == null ? 0 : newest.seq());
    }
  }

  /**
   * What is wrong with the end of {@code file} as its newest checkpoint leaves it, or null when nothing is: the
   * checkpoint verifies under {@code mac}, the record it names ends at its offset with its hash, and the whole records
   * after it, {@code head} being the last one's seq, follow it and are no more than its interval. A partial last line is
   * left out. What the keyed sink checks before it goes on with a log: it reads the checkpoint's record and the ones
   * after it only, at most the interval plus one, each cut at {@link #MAX_RECORD} bytes.
   *
   * @throws IOException if the log can't be read
   */
  static String problemAfterNewest(
      Path file, AuditCheckpoint.Parsed newest, KeyedMac mac, long head) throws IOException {
    AuditCheckpoint cp = newest.checkpoint();
    if (!newest.verifies(mac)) {
      return "the newest checkpoint (for record " + cp.seq() + ") " + DOES_NOT_VERIFY;
    }
    if (head < cp.seq()) {
      return "the log ends at record " + head + ", but a checkpoint vouches for record " + cp.seq()
          + ": records were removed from the end";
    }
    if (head - cp.seq() > cp.every()) {
      return (head - cp.seq()) + " records after the newest checkpoint (record " + cp.seq()
          + "), which comes every " + cp.every()
          + " records: checkpoints were removed, or another writer added records";
    }
    String replaced = "record " + cp.seq()
        + " is not the one its checkpoint vouches for: the records up to it were rewritten";
    // The record the checkpoint names is the line that ends just before its offset.
    byte[] record;
    try (CountedFile log = CountedFile.openIfExists(file)) {
      if (log == null || cp.offset() > log.size()) {
        return replaced;
      }
      ByteBuffer end = ByteBuffer.allocate(1);
      log.read(end, cp.offset() - 1);
      if (end.get(0) != '\n') {
        return replaced;
      }
      // A line longer than any record comes back as CountedFile.TOO_LONG, which is no record.
      record = log.linesBefore(cp.offset(), 1).newestFirst().get(0);
    }
    HashChain.Link link = HashChain.parse(record);
    if (link == null
        || !link.selfConsistent()
        || link.seq() != cp.seq()
        || !link.hash().equals(cp.hash())) {
      return replaced;
    }
    try (FileChannel log = FileChannel.open(file, StandardOpenOption.READ)) {
      LineReader after =
          new LineReader(Channels.newInputStream(log.position(cp.offset())), MAX_RECORD);
      long expectedSeq = cp.seq() + 1;
      String prevHash = cp.hash();
      byte[] line;
      while ((line = after.next()) != null && after.lastHadNewline()) {
        if (after.lastTooLong()) {
          return "line " + expectedSeq + ": not a chain record: longer than any record the sink"
              + " writes";
        }
        HashChain.Link next = HashChain.parse(line);
        String problem = problem(line, next, expectedSeq, prevHash, expectedSeq);
        if (problem != null) {
          return "line " + expectedSeq + ": " + problem;
        }
        prevHash = next.hash();
        expectedSeq++;
      }
    }
    return null;
  }

  /**
   * The problem of a log with {@code records} (a count and its noun, as "30 records") and no checkpoint: no checkpoint
   * file when {@code noFile}, else one that holds none; what that means, and what to do about a log written without
   * checkpoints.
   */
  static String withoutCheckpoints(String records, boolean noFile) {
    return "the log has " + records
        + (noFile ? " but no checkpoint file: " : " but its checkpoint file holds no checkpoint: ")
        + "its checkpoints were removed, or it was written without a key ring: verify such a log without"
        + " the key ring (verify(Path), or the command without --key-ring)";
  }

  private static Result checkpointBad(Result chain, long line, String problem) {
    return new Result(false, chain.records(), Math.max(1, line), problem, chain.head());
  }

  /**
   * Reads the whole file and checks every record.
   *
   * @throws IOException if the file can't be read
   */
  public static Result verify(Path file) throws IOException {
    return verify(file, List.of());
  }

  /**
   * As {@link #verify(Path)}, and the file must also hold each of {@code known} with its hash (see {@link
   * KnownRecord}).
   *
   * @throws IOException if the file can't be read
   */
  public static Result verify(Path file, List<KnownRecord> known) throws IOException {
    KnownRecord[] expected = known.toArray(new KnownRecord[0]);
    Arrays.sort(expected, Comparator.comparingLong(KnownRecord::seq));
    int nextKnown = 0;
    long expectedSeq = 1;
    String prevHash = HashChain.GENESIS;
    long lineNumber = 0;
    long torn = 0;
    try (LineReader lines = new LineReader(Files.newInputStream(file), MAX_RECORD)) {
      byte[] line;
      while ((line = lines.next()) != null) {
        lineNumber++;
        if (lines.lastTooLong()) {
          return bad(
              lineNumber,
              "not a chain record: longer than any record the sink writes (" + MAX_RECORD
                  + " bytes)",
              prevHash);
        }
        if (!lines.lastHadNewline()) {
          return bad(
              lineNumber,
              "incomplete record (the file does not end with a newline): a torn write, which the "
                  + "sink cuts off and records as " + AuditEventType.AUDIT_RECORD_TORN.name()
                  + " when it next opens the file",
              prevHash);
        }
        HashChain.Link link = HashChain.parse(line);
        String problem = problem(line, link, expectedSeq, prevHash, lineNumber);
        if (problem != null) {
          if (link != null && link.selfConsistent() && link.seq() > expectedSeq) {
            problem = appearsLater(file, lineNumber, expectedSeq)
                ? "records out of order: expected seq " + expectedSeq + " here, found " + link.seq()
                : "missing record" + (link.seq() - expectedSeq > 1 ? "s" : "") + ": seq "
                    + expectedSeq
                    + (link.seq() - expectedSeq > 1 ? " to " + (link.seq() - 1) : "")
                    + " deleted before seq "
                    + link.seq();
          }
          return bad(lineNumber, problem, prevHash);
        }
        prevHash = link.hash();
        for (;
            nextKnown < expected.length && expected[nextKnown].seq() == expectedSeq;
            nextKnown++) {
          if (!expected[nextKnown].hash().equals(prevHash)) {
            return bad(
                lineNumber,
                "record " + expectedSeq + " is not the one known as " + expected[nextKnown]
                    + ": the log was rewritten up to it, or replaced by another",
                prevHash);
          }
        }
        expectedSeq++;
        if (isTornMarker(line)) {
          torn++;
        }
      }
    }
    if (nextKnown < expected.length) {
      return bad(
          Math.max(1, lineNumber),
          "the log ends at record " + lineNumber + ", but it is known to hold record "
              + expected[expected.length - 1].seq() + ": records were removed from the end, or an"
              + " older copy of the log was put back",
          prevHash);
    }
    return new Result(true, lineNumber, 0, "", prevHash, torn);
  }

  /**
   * What is wrong with {@code line} as the record that should carry {@code expectedSeq} and follow {@code prevHash}, or
   * null if it is that record; {@code link} is what {@link HashChain#parse} made of it.
   */
  static String problem(
      byte[] line, HashChain.Link link, long expectedSeq, String prevHash, long lineNumber) {
    if (link == null || !startsAsAuditRecord(line)) {
      return "not a chain record: altered or inserted";
    }
    if (!link.selfConsistent()) {
      return "record altered (seq " + link.seq() + "): its hash does not match its content";
    }
    if (link.seq() > expectedSeq) {
      return "records missing or out of order: expected seq " + expectedSeq + " here, found "
          + link.seq();
    }
    if (link.seq() < expectedSeq) {
      return "record seq " + link.seq() + " is inserted, repeated or out of order: expected seq "
          + expectedSeq;
    }
    if (!link.prev().equals(prevHash)) {
      return "chain broken (seq " + link.seq() + "): it does not follow line " + (lineNumber - 1)
          + ", which was replaced, or this record was";
    }
    return null;
  }

  private static Result bad(long line, String problem, String head) {
    return new Result(false, line, line, problem, head);
  }

  private static final String TORN_TYPE =
      ",\"type\":\"" + AuditEventType.AUDIT_RECORD_TORN.name() + "\",";

  /**
   * Whether the record's type is the torn-record marker. The type is the fourth field, after the kind, the id and the
   * time, which the code fills with fixed shapes: it starts within the first 200 bytes.
   */
  private static boolean isTornMarker(byte[] line) {
    return new String(line, 0, Math.min(line.length, 200), StandardCharsets.ISO_8859_1)
        .contains(TORN_TYPE);
  }

  private static boolean startsAsAuditRecord(byte[] line) {
    byte[] prefix =
        ("{\"kind\":\"" + EventFormat.KIND_AUDIT + "\",").getBytes(StandardCharsets.US_ASCII);
    if (line.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (line[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** Whether a record with {@code seq} appears after {@code lineNumber}: tells a reordering from a deletion. */
  private static boolean appearsLater(Path file, long lineNumber, long seq) throws IOException {
    try (LineReader lines = new LineReader(Files.newInputStream(file), MAX_RECORD)) {
      long n = 0;
      byte[] line;
      while ((line = lines.next()) != null) {
        n++;
        if (n <= lineNumber) {
          continue;
        }
        HashChain.Link link = HashChain.parse(line);
        if (link != null && link.seq() == seq) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Splits a stream on LF only, returning each line's exact bytes: hashing needs them unchanged. A line longer than the
   * reader's limit is not kept whole (an altered file may hold a line of any length): its first {@code limit + 1}
   * bytes are returned, the rest up to its newline is skipped, and {@link #lastTooLong()} is set.
   */
  static final class LineReader implements AutoCloseable {
    private final InputStream in;
    private final int limit;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    private boolean lastHadNewline;
    private boolean lastTooLong;

    LineReader(InputStream in, int limit) {
      this.in = new BufferedInputStream(in, 64 * 1024);
      this.limit = limit;
    }

    byte[] next() throws IOException {
      buffer.reset();
      lastTooLong = false;
      boolean any = false;
      int b;
      while ((b = in.read()) != -1) {
        any = true;
        if (b == '\n') {
          lastHadNewline = true;
          return buffer.toByteArray();
        }
        if (buffer.size() <= limit) {
          buffer.write(b);
        } else {
          lastTooLong = true;
        }
      }
      lastHadNewline = false;
      return any ? buffer.toByteArray() : null;
    }

    boolean lastHadNewline() {
      return lastHadNewline;
    }

    /** Whether the last line was longer than the limit, and so cut. */
    boolean lastTooLong() {
      return lastTooLong;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
