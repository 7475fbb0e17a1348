package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis.audit.sink=hash-chained} in a WAR on a real Jetty, restarted after a crash left a torn last record,
 * when someone who can write the log's directory has linked {@code audit.jsonl.torn} to another file: the deployment
 * fails naming the link, and neither the other file nor the log is written (the torn line, bytes of their choosing,
 * used to be appended to whatever the link named).
 */
class LinkedTornAuditFileDeploymentTest {
  private final Path dir;
  private final HashChainedAuditDeployment deployment;

  LinkedTornAuditFileDeploymentTest(@TempDir Path dir) {
    this.dir = dir;
    this.deployment = new HashChainedAuditDeployment(dir);
  }

  @Test
  void tornFileLinkedToAnotherFile_failsTheDeployment_andWritesNeither() throws Exception {
    deployment.visit(browser -> assertThat(WarNode.logIn(browser).statusCode()).isEqualTo(303));
    Files.write(
        deployment.file(),
        "* * * * * root /tmp/x.sh".getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND);
    byte[] log = Files.readAllBytes(deployment.file());
    Path other = dir.resolve("crontab");
    Files.writeString(other, "# the other file\n");
    Files.createSymbolicLink(dir.resolve("audit.jsonl.torn"), other);

    Throwable failure = null;
    try (WarNode node = deployment.start()) {
      node.undeploy();
    } catch (Exception e) {
      failure = e;
    }

    assertThat(failure)
        .as("the deployment fails")
        .isNotNull()
        .hasMessageContaining("portcullis.audit.file")
        .hasMessageContaining(dir.resolve("audit.jsonl.torn") + " is a symbolic link");
    assertThat(other).hasContent("# the other file");
    assertThat(Files.readAllBytes(deployment.file())).isEqualTo(log);
  }
}
