package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.crypto.KeyRingSource;
import java.io.IOException;
import java.nio.file.Path;

/** Assertions on a hash-chained audit file with keyed checkpoints, as an entry point writes it. */
public final class AuditChainAssertions {
  private AuditChainAssertions() {}

  /**
   * Rewrites {@code file} as a consistent chain ({@link AuditChainRewrite#replace}, {@code from} by {@code to}) and
   * asserts that the chain alone still verifies but the checkpoints under {@code keys} find the rewrite.
   *
   * @throws IllegalArgumentException if no record contains {@code from}
   */
  public static void assertRewriteFoundOnlyByCheckpoints(
      Path file, KeyRingSource keys, String from, String to) throws IOException {
    AuditChainRewrite.replace(file, from, to);

    assertThat(AuditChainVerifier.verify(file).intact())
        .as("without the key the rewritten chain looks whole")
        .isTrue();
    AuditChainVerifier.Result found = AuditChainVerifier.verify(file, keys);
    assertThat(found.intact()).isFalse();
    assertThat(found.describe()).contains("checkpoint");
  }
}
