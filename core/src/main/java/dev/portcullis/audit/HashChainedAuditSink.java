package dev.portcullis.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The hash-chained JSON-lines sink; see {@link HashChain} for the record format. */
final class HashChainedAuditSink extends ForwardingSink<LineFile> implements AuditSink {
  private static final HexFormat HEX = HexFormat.of();

  private final MessageDigest digest = HashChain.sha256();
  private long nextSeq;
  private String prev;
  private boolean broken;

  private HashChainedAuditSink(LineFile file, long nextSeq, String prev) {
    super(file, "AuditSink.hashChained(" + file.path() + ")");
    this.nextSeq = nextSeq;
    this.prev = prev;
  }

  static HashChainedAuditSink open(Path path) throws IOException {
    LineFile file = LineFile.open(path, EventFormat.KIND_AUDIT);
    try {
      byte[] last = file.lastLineAtOpen();
      if (last == null) {
        return new HashChainedAuditSink(file, 1, HashChain.GENESIS);
      }
      HashChain.Link link = HashChain.parse(last);
      if (link == null || !link.selfConsistent()) {
        throw new IOException(
            path + ": the last record is not an intact chain record; run AuditChainVerifier before appending");
      }
      return new HashChainedAuditSink(file, link.seq() + 1, link.hash());
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  @Override
  public void accept(AuditEvent event) throws IOException {
    if (broken) {
      // After a failed write the file's end is unknown; appending more would hide where the chain broke.
      throw new IOException(target.path() + ": an earlier write failed; verify the file and open a new sink");
    }
    StringBuilder record = new StringBuilder(384);
    EventFormat.appendJson(record, event);
    record.append(",\"seq\":").append(nextSeq).append(",\"prev\":\"").append(prev).append('"');
    byte[] content = record.toString().getBytes(StandardCharsets.UTF_8);
    String hash = HEX.formatHex(digest.digest(content));
    byte[] suffix = (",\"hash\":\"" + hash + "\"}").getBytes(StandardCharsets.US_ASCII);
    byte[] line = new byte[content.length + suffix.length];
    System.arraycopy(content, 0, line, 0, content.length);
    System.arraycopy(suffix, 0, line, content.length, suffix.length);
    try {
      target.append(line);
    } catch (IOException | RuntimeException e) {
      broken = true;
      throw e;
    }
    nextSeq++;
    prev = hash;
  }
}
