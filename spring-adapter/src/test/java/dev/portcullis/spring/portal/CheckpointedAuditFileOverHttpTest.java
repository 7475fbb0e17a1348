package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.spring.TestUsers;
import dev.portcullis.testing.AuditChainAssertions;
import dev.portcullis.testing.TestKeyRings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The starter's {@code portcullis.audit.sink=hash-chained} on a real Tomcat: the file gets keyed checkpoints under the
 * portal's key ring, so that a log rewritten as a consistent chain by someone who can write the file is found; a log
 * whose checkpoint file was emptied stops start-up, naming the file, rather than have its records checkpointed.
 */
class CheckpointedAuditFileOverHttpTest {
  @TempDir
  Path dir;

  /** The test portal's pages and users, with the starter's own audit sink (no sink bean of the application's). */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({TestUsers.class, TestPortal.Pages.class})
  static class FileAuditedPortal {
    @Bean
    KeyRing testKeyRing() {
      return TestKeyRings.current();
    }
  }

  private Path file() {
    return dir.resolve("audit.jsonl");
  }

  private ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(FileAuditedPortal.class)
        .properties(
            "server.port=0",
            "server.address=127.0.0.1",
            "portcullis.transport.development-mode=true",
            "portcullis.login.terms-version=2026-01",
            "portcullis.audit.sink=hash-chained",
            "portcullis.audit.file=" + file())
        .run();
  }

  private static void loginAndLogout(ConfigurableApplicationContext context) throws Exception {
    String port = context.getEnvironment().getRequiredProperty("local.server.port");
    Browser alice = new Browser("http://127.0.0.1:" + port);
    alice.login("alice", "wrong-pw"); // audited as authn_login_fail
    assertThat(alice.login("alice", "alice-pw").statusCode()).isEqualTo(303);
    assertThat(alice.logout().statusCode()).isEqualTo(303);
  }

  @Test
  void hashChainedFile_isCheckpointedUnderTheKeyRing_andARewriteIsFound() throws Exception {
    try (ConfigurableApplicationContext context = start()) {
      loginAndLogout(context);
    }

    Path checkpoints = dir.resolve("audit.jsonl.checkpoints");
    assertThat(checkpoints).as("written beside the log").exists();
    AuditChainVerifier.Result intact = AuditChainVerifier.verify(file(), TestKeyRings.current());
    assertThat(intact.intact()).as(intact.describe()).isTrue();
    assertThat(intact.records()).isGreaterThanOrEqualTo(3);

    // The failed login, made to read as a success.
    AuditChainAssertions.assertRewriteFoundOnlyByCheckpoints(
        file(),
        TestKeyRings.current(),
        "\"type\":\"authn_login_fail\",\"outcome\":\"failure\"",
        "\"type\":\"authn_login_fail\",\"outcome\":\"success\"");
  }

  @Test
  void rewrittenLog_withItsCheckpointFileEmptied_stopsStartUp_namingTheFile() throws Exception {
    try (ConfigurableApplicationContext context = start()) {
      loginAndLogout(context);
    }
    AuditChainAssertions.assertRewriteFoundOnlyByCheckpoints(
        file(),
        TestKeyRings.current(),
        "\"type\":\"authn_login_fail\",\"outcome\":\"failure\"",
        "\"type\":\"authn_login_fail\",\"outcome\":\"success\"");
    Path checkpoints = dir.resolve("audit.jsonl.checkpoints");
    Files.write(checkpoints, new byte[0]); // to hide the rewrite
    String rewritten = Files.readString(file(), StandardCharsets.UTF_8);
    long records = rewritten.lines().count();

    assertThatThrownBy(this::start)
        .hasStackTraceContaining("portcullis.audit.file")
        .hasStackTraceContaining(file() + " has " + records + " records but its checkpoint file "
            + checkpoints + " holds no checkpoint")
        .hasStackTraceContaining("Check it with AuditChainVerifier");
    assertThat(checkpoints).as("no checkpoint vouches for the rewrite").isEmptyFile();
    assertThat(Files.readString(file(), StandardCharsets.UTF_8)).isEqualTo(rewritten);
    assertThat(AuditChainVerifier.verify(file(), TestKeyRings.current()).intact())
        .isFalse();
  }

  @Test
  void rewrittenLog_withItsCheckpointsKept_stopsStartUp_ratherThanGoingOnFromTheRewrite()
      throws Exception {
    try (ConfigurableApplicationContext context = start()) {
      loginAndLogout(context);
    }
    AuditChainAssertions.assertRewriteFoundOnlyByCheckpoints(
        file(),
        TestKeyRings.current(),
        "\"type\":\"authn_login_fail\",\"outcome\":\"failure\"",
        "\"type\":\"authn_login_fail\",\"outcome\":\"success\"");
    Path checkpoints = dir.resolve("audit.jsonl.checkpoints");
    byte[] kept = Files.readAllBytes(checkpoints);
    String rewritten = Files.readString(file(), StandardCharsets.UTF_8);
    long records = rewritten.lines().count();

    assertThatThrownBy(this::start)
        .hasStackTraceContaining("portcullis.audit.file")
        .hasStackTraceContaining(file() + " does not follow its newest checkpoint (record "
            + records + " is not the one its checkpoint vouches for")
        .hasStackTraceContaining("Check it with AuditChainVerifier --key-ring");
    assertThat(Files.readAllBytes(checkpoints))
        .as("no checkpoint vouches for the rewrite")
        .isEqualTo(kept);
    assertThat(Files.readString(file(), StandardCharsets.UTF_8)).isEqualTo(rewritten);
  }
}
