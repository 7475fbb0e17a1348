package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.testing.AuditChainAssertions;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The YAML block's {@code audit.sink: hash-chained} on the running application: the file gets keyed checkpoints under
 * the block's key ring, so that a log rewritten as a consistent chain by someone who can write the file is found; a
 * log whose checkpoint file was deleted stops the start, naming the file, rather than have its records checkpointed.
 */
class CheckpointedAuditFileTest {
  private static final Path KEYS = PortcullisBundleTest.keyFile();

  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("audit.jsonl");
  }

  private Path checkpoints() {
    return dir.resolve("audit.jsonl.checkpoints");
  }

  private static KeyRing keyRing() {
    return KeyRingSources.fromFile(KEYS);
  }

  private DropwizardTestSupport<PortalApp.Config> app() {
    return new DropwizardTestSupport<>(
        PortalApp.class,
        ResourceHelpers.resourceFilePath("portcullis-app.yml"),
        ConfigOverride.config("portcullis.keys.file", KEYS.toString()),
        ConfigOverride.config("portcullis.audit.sink", "hash-chained"),
        ConfigOverride.config("portcullis.audit.file", file().toString()));
  }

  private void failedAndGoodLogin() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = app();
    support.before();
    try {
      String base = "http://127.0.0.1:" + support.getLocalPort();
      NodeSteps.logIn(new TestBrowser(base), "alice", "wrong-pw"); // audited as authn_login_fail
      assertThat(NodeSteps.logIn(new TestBrowser(base), "alice", "alice-pw").statusCode())
          .isEqualTo(303);
    } finally {
      support.after();
    }
  }

  @Test
  void hashChainedFile_isCheckpointedUnderTheKeyRing_andARewriteIsFound() throws Exception {
    failedAndGoodLogin();

    assertThat(checkpoints()).as("written beside the log").exists();
    AuditChainVerifier.Result intact = AuditChainVerifier.verify(file(), keyRing());
    assertThat(intact.intact()).as(intact.describe()).isTrue();
    assertThat(intact.records()).isGreaterThanOrEqualTo(2);

    AuditChainAssertions.assertRewriteFoundOnlyByCheckpoints(
        file(),
        keyRing(),
        "\"type\":\"authn_login_fail\",\"outcome\":\"failure\"",
        "\"type\":\"authn_login_fail\",\"outcome\":\"success\"");
  }

  @Test
  void rewrittenLog_withItsCheckpointFileDeleted_stopsTheStart_namingTheFile() throws Exception {
    failedAndGoodLogin();
    AuditChainAssertions.assertRewriteFoundOnlyByCheckpoints(
        file(),
        keyRing(),
        "\"type\":\"authn_login_fail\",\"outcome\":\"failure\"",
        "\"type\":\"authn_login_fail\",\"outcome\":\"success\"");
    Files.delete(checkpoints()); // to hide the rewrite
    String rewritten = Files.readString(file(), StandardCharsets.UTF_8);
    long records = rewritten.lines().count();

    Throwable failure = PortalStarts.refused(app());

    assertThat(failure)
        .hasMessageContaining("portcullis.audit.file")
        .hasMessageContaining(
            file() + " has " + records + " records but no checkpoint file " + checkpoints())
        .hasMessageContaining("Check it with AuditChainVerifier");
    assertThat(checkpoints()).as("no checkpoint vouches for the rewrite").doesNotExist();
    assertThat(Files.readString(file(), StandardCharsets.UTF_8)).isEqualTo(rewritten);
    assertThat(AuditChainVerifier.verify(file(), keyRing()).intact()).isFalse();
  }
}
