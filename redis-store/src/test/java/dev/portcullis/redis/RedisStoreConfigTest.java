package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lettuce.core.RedisURI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisStoreConfigTest {
  private static RedisStoreConfig.Builder valid() {
    return RedisStoreConfig.builder().uri("redis://127.0.0.1:6379");
  }

  @Test
  void defaults_arePortcullisPrefix_500msTimeout_30sSkew() {
    RedisStoreConfig config = valid().build();

    assertThat(config.keyPrefix()).isEqualTo("portcullis:");
    assertThat(config.commandTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    // The URI's timeout bounds the connection's set-up: at least 2 s, whatever the command timeout.
    assertThat(config.uri().getTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.maxPendingCommands()).isEqualTo(1024);
  }

  @Test
  void theConnectTimeout_replacesTheUrisOwnTimeout_theCommandTimeoutWhenLongerThan2s() {
    RedisURI uri = RedisURI.builder()
        .withHost("redis.internal")
        .withTimeout(Duration.ofSeconds(60))
        .build();
    RedisStoreConfig config = RedisStoreConfig.builder()
        .uri(uri)
        .commandTimeout(Duration.ofMillis(250))
        .build();
    RedisStoreConfig slow = RedisStoreConfig.builder()
        .uri(uri)
        .commandTimeout(Duration.ofSeconds(3))
        .build();

    assertThat(config.uri().getTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.commandTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(slow.uri().getTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void missingUri_isRefused() {
    assertThatThrownBy(() -> RedisStoreConfig.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("URI");
  }

  @Test
  void outOfRangeValues_areRefusedAtBuild() {
    assertThatThrownBy(() -> valid().keyPrefix("").build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().keyPrefix("has space:").build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().keyPrefix("x".repeat(65)).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().commandTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().commandTimeout(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().commandTimeout(Duration.ofSeconds(31)).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().clockSkew(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().clockSkew(Duration.ofMinutes(11)).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().maxPendingCommands(0).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().maxPendingCommands(65_537).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> valid().maxPendingCommands(1).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the pending-command bound must be 2 to 65536");
    assertThat(valid().maxPendingCommands(2).build().maxPendingCommands()).isEqualTo(2);

    assertThat(valid()
            .keyPrefix("x".repeat(64))
            .commandTimeout(Duration.ofSeconds(30))
            .clockSkew(Duration.ZERO)
            .build()
            .keyPrefix())
        .hasSize(64);
  }

  @Test
  void password_neverAppearsInToStringOrErrors() {
    RedisStoreConfig config = RedisStoreConfig.builder()
        .uri("rediss://:s3cret-pw@redis.internal:6380/2")
        .build();

    assertThat(config.toString())
        .contains("rediss://redis.internal:6380")
        .doesNotContain("s3cret-pw");
    assertThat(config.uri().isSsl()).isTrue();
    assertThatThrownBy(() -> RedisStoreConfig.builder().uri("http://:s3cret-pw@nowhere"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cret-pw");
  }

  @Test
  void clusterNodes_makeAClusterConfig_withTheConnectTimeoutOnEverySeed() {
    RedisStoreConfig config = RedisStoreConfig.builder()
        .clusterNodes(List.of("rediss://:pw@10.0.0.1:7000", "rediss://:pw@10.0.0.2:7000"))
        .commandTimeout(Duration.ofMillis(250))
        .build();

    assertThat(config.cluster()).isTrue();
    assertThat(config.uri()).isNull();
    assertThat(config.clusterNodes()).hasSize(2).allSatisfy(node -> {
      assertThat(node.isSsl()).isTrue();
      assertThat(node.getTimeout()).isEqualTo(Duration.ofSeconds(2));
    });
    assertThat(config.toString())
        .contains("cluster")
        .contains("10.0.0.1:7000")
        .doesNotContain("pw");
    assertThat(valid().build().cluster()).isFalse();
  }

  @Test
  void clusterContradictions_areRefusedAtBuild() {
    assertThatThrownBy(
            () -> valid().clusterNodes(List.of("redis://10.0.0.1:7000")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> RedisStoreConfig.builder().clusterNodes(List.of()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("required");
    assertThatThrownBy(() -> RedisStoreConfig.builder()
            .clusterNodes(List.of("redis://10.0.0.1:7000", "rediss://10.0.0.2:7000"))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TLS");
    assertThatThrownBy(() -> RedisStoreConfig.builder()
            .clusterNodes(List.of("redis-sentinel://10.0.0.1:26379#mymaster"))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("one host");
    assertThatThrownBy(() -> RedisStoreConfig.builder()
            .clusterNodes(List.of("redis://10.0.0.1:7000"))
            .keyPrefix("{portal}:")
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hash tags");
    // The same prefix is fine on one server, where keys have no slots.
    assertThat(valid().keyPrefix("{portal}:").build().keyPrefix()).isEqualTo("{portal}:");
  }

  @Test
  void badClusterNodeUri_isRefused_withoutRepeatingIt() {
    assertThatThrownBy(() -> RedisStoreConfig.builder()
            .clusterNodes(List.of("redis://10.0.0.1:7000", "http://:s3cret-pw@nowhere")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cret-pw");
  }

  @Test
  void sentinelUri_namesTheMasterAndNotThePassword() {
    RedisStoreConfig config = RedisStoreConfig.builder()
        .uri("redis-sentinel://:s3cret-pw@10.0.0.1:26379,10.0.0.2:26379/0#portal-master")
        .build();

    assertThat(config.cluster()).isFalse();
    assertThat(config.uri().getSentinels()).hasSize(2);
    assertThat(config.uri().getSentinelMasterId()).isEqualTo("portal-master");
    assertThat(config.toString()).contains("portal-master").doesNotContain("s3cret-pw");
  }

  @Test
  void trustedCertificates_needTlsAndAFileWithACertificate(@TempDir Path dir) throws Exception {
    Path notPem = Files.writeString(dir.resolve("not.pem"), "-----BEGIN NOTHING-----\n");
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> RedisStoreConfig.builder()
            .uri("rediss://127.0.0.1:6380")
            .trustedCertificates(notPem)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holds no PEM certificate");
    assertThatThrownBy(() -> RedisStoreConfig.builder()
            .uri("rediss://127.0.0.1:6380")
            .trustedCertificates(missing)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot be read");
    assertThatThrownBy(() -> valid().trustedCertificates(notPem).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rediss://");
    assertThat(valid().build().trustedCertificates()).isEmpty();
  }

  /**
   * A named pipe in place of the trusted certificates file held the start-up until another process wrote to it (the
   * file was read as a stream to its end), and a device such as {@code /dev/zero} never ended: both are refused as
   * not a regular file, as is a file larger than 1 MiB, before a byte is read.
   */
  @Test
  void trustedCertificates_onlyFromARegularFileOfAtMostOneMebibyte(@TempDir Path dir)
      throws Exception {
    Path pipe = dir.resolve("ca.pem");
    Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    Path large = dir.resolve("large.pem");
    try (FileChannel file =
        FileChannel.open(large, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      file.write(ByteBuffer.wrap(new byte[] {'\n'}), 2L * 1024 * 1024);
    }

    for (Path refused : List.of(pipe, Path.of("/dev/zero"))) {
      assertTimeoutPreemptively(
          Duration.ofMinutes(1),
          () -> assertThatThrownBy(() -> RedisStoreConfig.builder()
                  .uri("rediss://127.0.0.1:6380")
                  .trustedCertificates(refused)
                  .build())
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining(refused.toString())
              .hasMessageContaining("is not a regular file"));
    }
    assertThatThrownBy(() -> RedisStoreConfig.builder()
            .uri("rediss://127.0.0.1:6380")
            .trustedCertificates(large)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is too large");
  }

  /**
   * Regression: a trusted certificates file that every account on the host may write was read and trusted, so anyone
   * could add a certificate authority of their own and pose as the Redis server. It is refused, naming the file and
   * its permissions; one that others may only read is fine.
   */
  @Test
  void trustedCertificates_othersMayWrite_isRefused(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(
        Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null,
        "file permissions need a POSIX file system");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN NOTHING-----\n");
    Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-rw-rw-"));

    assertThatThrownBy(() -> RedisStoreConfig.builder()
            .uri("rediss://127.0.0.1:6380")
            .trustedCertificates(ca)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "the trusted certificates file " + ca + " can be written by others (rw-rw-rw-)")
        .hasMessageContaining("chmod o-w " + ca);

    Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> RedisStoreConfig.builder()
            .uri("rediss://127.0.0.1:6380")
            .trustedCertificates(ca)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holds no PEM certificate");
  }
}
