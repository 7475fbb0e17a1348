package dev.portcullis.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} as operators run it, for tests: TLS with a certificate for 127.0.0.1 that a CA made here
 * with {@code openssl} signed (client certificates not asked for), and the users of an ACL file. Its plain port (bound
 * to loopback) only tells the test when the server is up; with the ACL file's {@code user default off} it serves
 * nobody. Other modules' tests use it through this module's test-jar.
 */
public final class TlsRedis implements AutoCloseable {
  /** Where {@code openssl} is looked for. */
  public static final Path OPENSSL = Path.of("/usr/bin/openssl");

  private final RedisServer server;
  private final int tlsPort;
  private final Path caCertificate;

  private TlsRedis(RedisServer server, int tlsPort, Path caCertificate) {
    this.server = server;
    this.tlsPort = tlsPort;
    this.caCertificate = caCertificate;
  }

  /** Whether both {@code redis-server} and {@code openssl} are installed. */
  public static boolean available() {
    return RedisServer.binary().isPresent() && Files.isExecutable(OPENSSL);
  }

  /** Makes the CA and the server's certificate in {@code dir}, writes {@code aclLines} as its ACL file, starts it. */
  public static TlsRedis start(Path dir, String aclLines) throws IOException, InterruptedException {
    Path ca = makeCertificates(dir);
    Path acl = Files.writeString(dir.resolve("users.acl"), aclLines);
    int tlsPort = RedisServer.freePort();
    RedisServer server = RedisServer.start(
        RedisServer.freePort(),
        List.of(
            "--tls-port",
            Integer.toString(tlsPort),
            "--tls-cert-file",
            dir.resolve("redis.crt").toString(),
            "--tls-key-file",
            dir.resolve("redis.key").toString(),
            "--tls-ca-cert-file",
            ca.toString(),
            "--tls-auth-clients",
            "no",
            "--aclfile",
            acl.toString()));
    return new TlsRedis(server, tlsPort, ca);
  }

  /** {@code rediss://user:password@127.0.0.1:<TLS port>}. */
  public String uri(String user, String password) {
    return "rediss://" + user + ":" + password + "@127.0.0.1:" + tlsPort;
  }

  public int tlsPort() {
    return tlsPort;
  }

  /** The CA's certificate, PEM: what the stores must trust. */
  public Path caCertificate() {
    return caCertificate;
  }

  /** The server, to kill and restart. */
  RedisServer server() {
    return server;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private static Path makeCertificates(Path dir) throws IOException, InterruptedException {
    Files.writeString(dir.resolve("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
    openssl(
        dir,
        "req",
        "-x509",
        "-new",
        "-nodes",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-subj",
        "/CN=portcullis-test-ca",
        "-days",
        "2");
    openssl(
        dir,
        "req",
        "-new",
        "-nodes",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-keyout",
        "redis.key",
        "-out",
        "redis.csr",
        "-subj",
        "/CN=127.0.0.1");
    openssl(
        dir,
        "x509",
        "-req",
        "-in",
        "redis.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "redis.crt",
        "-days",
        "2",
        "-extfile",
        "san.cnf");
    return dir.resolve("ca.crt");
  }

  private static void openssl(Path dir, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(OPENSSL.toString()));
    command.addAll(List.of(arguments));
    Process p = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile())
        .start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(
          "openssl failed: " + Files.readString(dir.resolve("openssl.log")));
    }
  }
}
