package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.testing.AuditChainAssertions;
import dev.portcullis.testing.TestKeyRings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis.audit.sink=hash-chained} in a WAR deployed by the initializer on a real Jetty: the file gets keyed
 * checkpoints under the deployment's key ring, so that a log rewritten as a consistent chain by someone who can write
 * the file is found; a log whose checkpoint file was deleted fails the deployment, naming the file, rather than have
 * its records checkpointed.
 */
class CheckpointedAuditFileDeploymentTest {
  private final HashChainedAuditDeployment deployment;

  CheckpointedAuditFileDeploymentTest(@TempDir Path dir) {
    this.deployment = new HashChainedAuditDeployment(dir);
  }

  private void loginAndLogout() throws Exception {
    deployment.visit(browser -> {
      assertThat(WarNode.logIn(browser).statusCode()).isEqualTo(303);
      assertThat(WarNode.logOut(browser).statusCode()).isEqualTo(303);
    });
  }

  @Test
  void hashChainedFile_isCheckpointedUnderTheKeyRing_andARewriteIsFound() throws Exception {
    loginAndLogout();

    assertThat(deployment.checkpoints()).as("written beside the log").exists();
    AuditChainVerifier.Result intact =
        AuditChainVerifier.verify(deployment.file(), TestKeyRings.current());
    assertThat(intact.intact()).as(intact.describe()).isTrue();
    assertThat(intact.records()).isGreaterThanOrEqualTo(2);

    AuditChainAssertions.assertRewriteFoundOnlyByCheckpoints(
        deployment.file(),
        TestKeyRings.current(),
        "\"outcome\":\"success\"",
        "\"outcome\":\"failure\"");
  }

  @Test
  void rewrittenLog_withItsCheckpointFileDeleted_failsTheDeployment_namingTheFile()
      throws Exception {
    loginAndLogout();
    AuditChainAssertions.assertRewriteFoundOnlyByCheckpoints(
        deployment.file(),
        TestKeyRings.current(),
        "\"outcome\":\"success\"",
        "\"outcome\":\"failure\"");
    Files.delete(deployment.checkpoints()); // to hide the rewrite
    String rewritten = Files.readString(deployment.file(), StandardCharsets.UTF_8);
    long records = rewritten.lines().count();

    Throwable failure = catchThrowable(deployment::start);

    assertThat(failure)
        .hasMessageContaining("portcullis.audit.file")
        .hasMessageContaining(deployment.file() + " has " + records
            + " records but no checkpoint file " + deployment.checkpoints())
        .hasMessageContaining("Check it with AuditChainVerifier");
    assertThat(deployment.checkpoints())
        .as("no checkpoint vouches for the rewrite")
        .doesNotExist();
    assertThat(Files.readString(deployment.file(), StandardCharsets.UTF_8)).isEqualTo(rewritten);
    assertThat(
            AuditChainVerifier.verify(deployment.file(), TestKeyRings.current()).intact())
        .isFalse();
  }
}
