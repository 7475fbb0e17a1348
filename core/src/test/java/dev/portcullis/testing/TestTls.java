package dev.portcullis.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for loopback ({@code 127.0.0.1}) and the given DNS names, made with the JDK's
 * {@code keytool} into a PKCS12 file, for a server that reads its key store from a file (Spring Boot's
 * {@code server.ssl.key-store}, Dropwizard's {@code keyStorePath}, Tomcat's certificate) or from a key store or
 * {@link SSLContext}; and a client context that trusts that certificate only.
 *
 * <p>keytool runs in a JVM of its own, which takes a second or more on a loaded machine: one test JVM runs it once
 * per set of names and writes the same key store into each later test's folder.
 *
 * @param keyStore the PKCS12 file, with the key under the alias {@link #ALIAS}
 * @param server a server context with that key
 * @param client a client context that trusts the certificate and nothing else
 */
public record TestTls(Path keyStore, SSLContext server, SSLContext client) {
  /** The password of the key store and of its key. */
  public static final String PASSWORD = "portcullis-test";

  /** The key's alias in the key store. */
  public static final String ALIAS = "portal";

  /** The key stores keytool made in this JVM, by the DNS names they carry. */
  private static final Map<List<String>, byte[]> MADE = new HashMap<>();

  /** Makes the key store in {@code dir} (as {@code tls.p12}) for {@code 127.0.0.1} and {@code dnsNames}. */
  public static TestTls make(Path dir, String... dnsNames)
      throws IOException, GeneralSecurityException {
    Files.createDirectories(dir);
    Path file = dir.resolve("tls.p12");
    Files.write(file, keyStoreFor(List.of(dnsNames), dir));
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, PASSWORD.toCharArray());
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(keys.getKeyManagers(), null, null);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, trust.getTrustManagers(), null);
    return new TestTls(file, server, client);
  }

  /** The PKCS12 bytes for {@code dnsNames}: keytool's, made in {@code dir} the first time in this JVM. */
  private static synchronized byte[] keyStoreFor(List<String> dnsNames, Path dir)
      throws IOException {
    byte[] made = MADE.get(dnsNames);
    if (made != null) {
      return made.clone();
    }
    Path file = dir.resolve("tls-keytool.p12");
    Files.deleteIfExists(file);
    StringJoiner names = new StringJoiner(",", "san=", "");
    names.add("ip:127.0.0.1");
    for (String name : dnsNames) {
      names.add("dns:" + name);
    }
    Process keytool = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair",
            "-alias",
            ALIAS,
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=" + (dnsNames.isEmpty() ? "127.0.0.1" : dnsNames.get(0)),
            "-ext",
            names.toString(),
            "-validity",
            "2",
            "-storetype",
            "PKCS12",
            "-keystore",
            file.toString(),
            "-storepass",
            PASSWORD)
        .redirectErrorStream(true)
        .start();
    keytool.getOutputStream().close();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while keytool ran", e);
    }
    made = Files.readAllBytes(file);
    Files.delete(file);
    MADE.put(List.copyOf(dnsNames), made);
    return made.clone();
  }
}
