package dev.portcullis.audit;

import dev.portcullis.audit.AuditChainVerifier.Window;
import dev.portcullis.crypto.KeyedMac;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The check behind {@link AuditChainVerifier#verifyNewest}: the newest records of a chained log, verified from the
 * newest checkpoint at or before them, reading the checkpoints backwards from the end and the log forwards from that
 * checkpoint's offset only.
 */
final class NewestRecords {
  /** How many times a check is made again when a writer added a checkpoint between the reads of the two files. */
  private static final int ATTEMPTS = 3;

  private final KeyedMac mac;
  private final int wanted;

  private NewestRecords(KeyedMac mac, int wanted) {
    this.mac = mac;
    this.wanted = wanted;
  }

  static Window verify(Path file, KeyedMac mac, int wanted) throws IOException {
    if (wanted < 1) {
      throw new IllegalArgumentException("records must be at least 1");
    }
    NewestRecords check = new NewestRecords(mac, wanted);
    Path checkpoints = AuditCheckpoint.fileOf(file);
    long bytesRead = 0;
    for (int attempt = 1; ; attempt++) {
      Attempt result = check.attempt(file, checkpoints);
      bytesRead += result.bytesRead;
      if (!result.writerRaced || attempt == ATTEMPTS) {
        return result.window.withBytesRead(bytesRead);
      }
    }
  }

  private record Attempt(Window window, boolean writerRaced, long bytesRead) {}

  private Attempt attempt(Path file, Path checkpointFile) throws IOException {
    // The checkpoints first: the sink writes a checkpoint only after the records it names, so every
    // checkpoint read
    // here names a record of the log as opened next.
    try (CountedFile cps = CountedFile.openIfExists(checkpointFile);
        CountedFile log = CountedFile.openIfExists(file)) {
      Attempt a = check(cps, log);
      long read = (cps == null ? 0 : cps.bytesRead()) + (log == null ? 0 : log.bytesRead());
      return new Attempt(a.window, a.writerRaced, read);
    }
  }

  private Attempt check(CountedFile cps, CountedFile log) throws IOException {
    long size = log == null ? 0 : log.size();
    long end = size == 0 ? 0 : log.afterLastNewline(size);
    if (end == 0) {
      if (cps != null && cps.size() > 0) {
        return done(Window.broken(
            List.of(),
            1,
            0,
            0,
            "the log has no records, but its checkpoint file is not empty: records were removed"
                + " from the end, or the log was replaced",
            size));
      }
      return done(Window.verified(List.of(), 1, 0, 0, size));
    }
    // A last line longer than any record is CountedFile.TOO_LONG, which parses as no record.
    byte[] lastLine = log.linesBefore(end, 1).newestFirst().get(0);
    HashChain.Link lastLink = HashChain.parse(lastLine);
    if (cps == null || cps.size() == 0) {
      // The sink checkpoints a new log's first record right after writing it: a reader between the
      // two writes is answered again.
      String records = lastLink == null ? "records" : lastLink.seq() + " records";
      Window w = broken(log, end, 0, AuditChainVerifier.withoutCheckpoints(records, cps == null));
      return new Attempt(w, true, 0);
    }

    // The checkpoints, newest first, down to the first one at or before the window.
    List<AuditCheckpoint> seen = new ArrayList<>();
    AuditCheckpoint anchor = null;
    long cpEnd = cps.afterLastNewline(cps.size());
    if (cpEnd < cps.size()) {
      return done(
          broken(log, end, 0, "the checkpoint file ends in part of a checkpoint: cut short"));
    }
    long target = 0;
    long pos = cpEnd;
    scan:
    while (pos > 0) {
      CountedFile.Backward batch = cps.linesBefore(pos, 16);
      for (byte[] line : batch.newestFirst()) {
        AuditCheckpoint.Parsed parsed = AuditCheckpoint.parse(line);
        String after = seen.isEmpty()
            ? "the newest checkpoint"
            : "the checkpoint before the one for record "
                + seen.get(seen.size() - 1).seq();
        if (parsed == null) {
          return done(
              broken(log, end, 0, after + " is not a checkpoint line: altered or cut short"));
        }
        AuditCheckpoint cp = parsed.checkpoint();
        if (!parsed.verifies(mac)) {
          return done(broken(
              log,
              end,
              0,
              after + " (for record " + cp.seq() + ") " + AuditChainVerifier.DOES_NOT_VERIFY));
        }
        if (!seen.isEmpty() && cp.seq() >= seen.get(seen.size() - 1).seq()) {
          return done(broken(
              log,
              end,
              0,
              "checkpoints out of order: record " + cp.seq() + " before record "
                  + seen.get(seen.size() - 1).seq()));
        }
        if (seen.isEmpty()) {
          long lastSeq = lastLink == null ? cp.seq() + 1 : lastLink.seq();
          target = lastSeq - wanted;
        }
        seen.add(cp);
        if (cp.seq() <= target) {
          anchor = cp;
          break scan;
        }
      }
      pos = batch.start();
    }

    // A checkpoint file with content holds at least one checkpoint here: any other line was
    // refused.
    AuditCheckpoint newest = seen.get(0);
    if (lastLink == null ? newest.offset() > end : newest.seq() > lastLink.seq()) {
      return done(broken(
          log,
          end,
          0,
          "the log ends at record "
              + (lastLink == null ? "?" : Long.toString(lastLink.seq()))
              + " (byte " + end + "), but a checkpoint vouches for record " + newest.seq()
              + " ending at byte " + newest.offset() + ": records were removed from the end"));
    }
    if (lastLink != null && lastLink.seq() - newest.seq() > newest.every()) {
      Window w = broken(
          log,
          end,
          0,
          (lastLink.seq() - newest.seq()) + " records after the newest checkpoint (record "
              + newest.seq() + "), which comes every " + newest.every()
              + " records: checkpoints were removed, or another writer added records");
      return new Attempt(w, true, 0);
    }

    if (anchor == null) {
      AuditCheckpoint oldest = seen.get(seen.size() - 1);
      if (oldest.seq() > oldest.every()) {
        // The log has records before its oldest checkpoint (the file holds no earlier ones):
        // reading from its start would read all of them, so the records up to that checkpoint are
        // verified backwards from it.
        long before = Math.min(oldest.seq(), Math.max(1, oldest.seq() - target(lastLink, seen)));
        return done(backThenForward(log, end, oldest, (int) Math.min(before, wanted), seen));
      }
    }
    return done(forward(log, end, anchor, seen));
  }

  private long target(HashChain.Link lastLink, List<AuditCheckpoint> seen) {
    long lastSeq = lastLink == null ? seen.get(0).seq() + 1 : lastLink.seq();
    return lastSeq - wanted;
  }

  /**
   * The {@code count} records that end at {@code checkpoint}, each verified against the one after it and the last
   * against the checkpoint's hash (each record's hash covers its {@code prev}), then the records after it.
   */
  private static Window backThenForward(
      CountedFile log,
      long end,
      AuditCheckpoint checkpoint,
      int count,
      List<AuditCheckpoint> checkpoints)
      throws IOException {
    if (checkpoint.offset() > end) {
      return Window.broken(
          List.of(), 1, 0, 0, "a checkpoint vouches for a record beyond the end", log.size());
    }
    List<byte[]> lines =
        new ArrayList<>(log.linesBefore(checkpoint.offset(), count).newestFirst());
    Collections.reverse(lines);
    long firstSeq = checkpoint.seq() - lines.size() + 1;
    Window after = forward(log, end, checkpoint, checkpoints);
    List<String> texts = new ArrayList<>(texts(lines));
    texts.addAll(after.records());
    String expectedHash = checkpoint.hash();
    String problem = null;
    long badLine = 0;
    for (int i = lines.size() - 1; i >= 0; i--) {
      long seq = firstSeq + i;
      HashChain.Link link = HashChain.parse(lines.get(i));
      if (link == null || !link.selfConsistent() || link.seq() != seq) {
        problem = "record altered, inserted or removed before the checkpoint of record "
            + checkpoint.seq() + " (expected seq " + seq + ")";
      } else if (!link.hash().equals(expectedHash)) {
        problem = "record " + seq + " is not the one the checkpoint of record " + checkpoint.seq()
            + " vouches for: replaced";
      }
      if (problem != null) {
        badLine = seq;
        break;
      }
      expectedHash = link.prev();
    }
    if (problem != null) {
      return Window.broken(texts, firstSeq, checkpoint.seq(), badLine, problem, log.size());
    }
    if (after.status() != Window.Status.VERIFIED) {
      return Window.broken(
          texts, firstSeq, checkpoint.seq(), after.firstBadLine(), after.problem(), log.size());
    }
    return Window.verified(texts, firstSeq, checkpoint.seq(), after.sealedThrough(), log.size());
  }

  private static Attempt done(Window window) {
    return new Attempt(window, false, 0);
  }

  /** Verifies every record from {@code anchor} (null: the start of the file) to {@code end}. */
  private static Window forward(
      CountedFile log, long end, AuditCheckpoint anchor, List<AuditCheckpoint> checkpoints)
      throws IOException {
    long from = anchor == null ? 0 : anchor.offset();
    long anchorSeq = anchor == null ? 0 : anchor.seq();
    String prevHash = anchor == null ? HashChain.GENESIS : anchor.hash();
    Map<Long, AuditCheckpoint> bySeq = new HashMap<>();
    for (AuditCheckpoint cp : checkpoints) {
      bySeq.put(cp.seq(), cp);
    }
    List<byte[]> lines = log.lines(from, end);
    List<String> texts = texts(lines);
    long expectedSeq = anchorSeq + 1;
    long position = from;
    long lineNumber = anchorSeq;
    for (byte[] line : lines) {
      lineNumber++;
      position += line.length + 1;
      HashChain.Link link = HashChain.parse(line);
      String problem = AuditChainVerifier.problem(line, link, expectedSeq, prevHash, lineNumber);
      if (problem != null) {
        return Window.broken(texts, anchorSeq + 1, anchorSeq, lineNumber, problem, log.size());
      }
      AuditCheckpoint cp = bySeq.get(link.seq());
      if (cp != null && (!cp.hash().equals(link.hash()) || cp.offset() != position)) {
        return Window.broken(
            texts,
            anchorSeq + 1,
            anchorSeq,
            lineNumber,
            "record " + link.seq() + " is not the one its checkpoint vouches for: the records up to"
                + " it were rewritten",
            log.size());
      }
      prevHash = link.hash();
      expectedSeq++;
    }
    long sealed = checkpoints.isEmpty() ? 0 : checkpoints.get(0).seq();
    return Window.verified(texts, anchorSeq + 1, anchorSeq, sealed, log.size());
  }

  /** A problem found before the log's records were read: the newest records come with it, unverified. */
  private Window broken(CountedFile log, long end, long line, String problem) throws IOException {
    CountedFile.Backward back = log.linesBefore(end, wanted);
    List<byte[]> lines = new ArrayList<>(back.newestFirst());
    Collections.reverse(lines);
    HashChain.Link first = lines.isEmpty() ? null : HashChain.parse(lines.get(0));
    return Window.broken(
        texts(lines), first == null ? 1 : first.seq(), 0, line, problem, log.size());
  }

  private static List<String> texts(List<byte[]> lines) {
    List<String> texts = new ArrayList<>(lines.size());
    for (byte[] line : lines) {
      texts.add(new String(line, StandardCharsets.UTF_8));
    }
    return texts;
  }
}
