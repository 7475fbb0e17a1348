package dev.portcullis.examples.portal;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
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
    this.dataDir = dataDir;
    this.portal = Portal.start(
        new PortalOptions(0, 0, dataDir, profile), Map.of(), clock, new SecureRandom());
  }

  /** A portal with these options (their ports should be 0) and environment. */
  RunningPortal(PortalOptions options, Map<String, String> env) throws Exception {
    this.dataDir = options.dataDir();
    this.portal = Portal.start(options, env, InstantSource.system(), new SecureRandom());
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

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      portal.close();
    }
  }
}
