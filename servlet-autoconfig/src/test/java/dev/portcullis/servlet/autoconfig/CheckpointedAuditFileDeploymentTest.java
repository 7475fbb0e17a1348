package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.testing.AuditChainAssertions;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.testing.TestKeyRings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis.audit.sink=hash-chained} in a WAR deployed by the initializer on a real Jetty: the file gets keyed
 * checkpoints under the deployment's key ring, so that a log rewritten as a consistent chain by someone who can write
 * the file is found; a log whose checkpoint file was deleted fails the deployment, naming the file, rather than have
 * its records checkpointed.
 */
class CheckpointedAuditFileDeploymentTest {
  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("audit.jsonl");
  }

  private Path checkpoints() {
    return dir.resolve("audit.jsonl.checkpoints");
  }

  private Map<String, String> environment() throws Exception {
    return WarNode.environment(
        dir,
        Map.of(
            "PORTCULLIS_AUDIT_SINK",
            "hash-chained",
            "PORTCULLIS_AUDIT_FILE",
            file().toString()));
  }

  private void loginAndLogout() throws Exception {
    try (WarNode node = WarNode.start(environment())) {
      TestBrowser browser = new TestBrowser(node.base());
      assertThat(WarNode.logIn(browser).statusCode()).isEqualTo(303);
      assertThat(WarNode.logOut(browser).statusCode()).isEqualTo(303);
      node.undeploy();
    }
  }

  @Test
  void hashChainedFile_isCheckpointedUnderTheKeyRing_andARewriteIsFound() throws Exception {
    loginAndLogout();

    assertThat(checkpoints()).as("written beside the log").exists();
    AuditChainVerifier.Result intact = AuditChainVerifier.verify(file(), TestKeyRings.current());
    assertThat(intact.intact()).as(intact.describe()).isTrue();
    assertThat(intact.records()).isGreaterThanOrEqualTo(2);

    AuditChainAssertions.assertRewriteFoundOnlyByCheckpoints(
        file(), TestKeyRings.current(), "\"outcome\":\"success\"", "\"outcome\":\"failure\"");
  }

  @Test
  void rewrittenLog_withItsCheckpointFileDeleted_failsTheDeployment_namingTheFile()
      throws Exception {
    loginAndLogout();
    AuditChainAssertions.assertRewriteFoundOnlyByCheckpoints(
        file(), TestKeyRings.current(), "\"outcome\":\"success\"", "\"outcome\":\"failure\"");
    Files.delete(checkpoints()); // to hide the rewrite
    String rewritten = Files.readString(file(), StandardCharsets.UTF_8);
    long records = rewritten.lines().count();

    Throwable failure = catchThrowable(() -> WarNode.start(environment()));

    assertThat(failure)
        .hasMessageContaining("portcullis.audit.file")
        .hasMessageContaining(
            file() + " has " + records + " records but no checkpoint file " + checkpoints())
        .hasMessageContaining("Check it with AuditChainVerifier");
    assertThat(checkpoints()).as("no checkpoint vouches for the rewrite").doesNotExist();
    assertThat(Files.readString(file(), StandardCharsets.UTF_8)).isEqualTo(rewritten);
    assertThat(AuditChainVerifier.verify(file(), TestKeyRings.current()).intact())
        .isFalse();
  }
}
