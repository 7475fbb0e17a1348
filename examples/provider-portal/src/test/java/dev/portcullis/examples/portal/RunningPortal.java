package dev.portcullis.examples.portal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A portal started for a test: free ports on loopback, its own data folder, the system clock, no key variable. */
final class RunningPortal implements AutoCloseable {
  final Portal portal;
  final Path dataDir;
  private boolean closed;

  RunningPortal(Path dataDir) throws Exception {
    this(dataDir, PortalProfile.STANDARD, InstantSource.system());
  }

  /** A portal on {@code clock}, for tests that move time on (a {@link ShiftableClock}). */
  RunningPortal(Path dataDir, InstantSource clock) throws Exception {
    this(dataDir, PortalProfile.STANDARD, clock);
  }

  RunningPortal(Path dataDir, PortalProfile profile) throws Exception {
    this(dataDir, profile, InstantSource.system());
  }

  RunningPortal(Path dataDir, PortalProfile profile, InstantSource clock) throws Exception {
    this(new PortalOptions(0, 0, dataDir, profile), Map.of(), clock);
  }

  /** With single sign-on as {@code sso} says ({@link SsoOptions#DEV}: the development provider on loopback). */
  RunningPortal(Path dataDir, SsoOptions sso) throws Exception {
    this(new PortalOptions(0, 0, dataDir, sso), Map.of());
  }

  /** A portal with these options (their ports should be 0) and environment. */
  RunningPortal(PortalOptions options, Map<String, String> env) throws Exception {
    this(options, env, InstantSource.system());
  }

  /** A portal with these options (their ports should be 0) and environment on {@code clock}. */
  RunningPortal(PortalOptions options, Map<String, String> env, InstantSource clock)
      throws Exception {
    this.dataDir = options.dataDir();
    this.portal = Portal.start(options, env, clock, new SecureRandom());
  }

  /** The HTTPS address of {@code path} on this portal, by IP (the certificate names 127.0.0.1). */
  String https(String path) {
    return "https://127.0.0.1:" + portal.httpsPort() + path;
  }

  String http(String path) {
    return "http://127.0.0.1:" + portal.httpPort() + path;
  }

  PortalClient client() throws Exception {
    return new PortalClient(this);
  }

  /** Every record of the hash-chained audit log, oldest first, once the queue is written out (at most 10 s). */
  List<JsonNode> auditRecords() throws Exception {
    if (!portal.flushAudit(Duration.ofSeconds(10))) {
      throw new AssertionError("the audit log was not written out within 10 s");
    }
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> records = new ArrayList<>();
    for (String line :
        Files.readAllLines(dataDir.resolve(Portal.AUDIT_FILE), StandardCharsets.UTF_8)) {
      records.add(json.readTree(line));
    }
    return records;
  }

  /** The records of {@link #auditRecords()} of event type {@code type}. */
  List<JsonNode> audited(String type) throws Exception {
    List<JsonNode> records = auditRecords();
    records.removeIf(r -> !type.equals(r.path("type").asText()));
    return records;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      portal.close();
    }
  }
}
