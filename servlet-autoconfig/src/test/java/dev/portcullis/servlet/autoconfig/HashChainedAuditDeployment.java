package dev.portcullis.servlet.autoconfig;

import dev.portcullis.testing.TestBrowser;
import java.nio.file.Path;
import java.util.Map;

/**
 * WAR deployments with {@code portcullis.audit.sink=hash-chained} writing {@code audit.jsonl} in {@code dir}, for the
 * tests that crash, rewrite or unlink the log's files between one deployment and the next.
 */
record HashChainedAuditDeployment(Path dir) {
  /** What a browser does on a deployment. */
  @FunctionalInterface
  interface Visit {
    void on(TestBrowser browser) throws Exception;
  }

  /** The audit log. */
  Path file() {
    return dir.resolve("audit.jsonl");
  }

  /** The log's checkpoint file, beside it. */
  Path checkpoints() {
    return dir.resolve("audit.jsonl.checkpoints");
  }

  /** Deploys; a refused deployment is thrown as the container reports it. */
  WarNode start() throws Exception {
    return WarNode.start(WarNode.environment(
        dir,
        Map.of(
            "PORTCULLIS_AUDIT_SINK",
            "hash-chained",
            "PORTCULLIS_AUDIT_FILE",
            file().toString())));
  }

  /** Deploys, lets a browser {@code visit}, and undeploys. */
  void visit(Visit visit) throws Exception {
    try (WarNode node = start()) {
      visit.on(new TestBrowser(node.base()));
      node.undeploy();
    }
  }
}
