package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.testing.TestKeyRings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The permissions of the files a deployment trusts and of the directories it creates, on a real Jetty through the
 * servlet container initializer.
 *
 * <p>Regressions: a key file, a settings file ({@code PORTCULLIS_CONFIG}) that every account on the host may write
 * was read and trusted, so anyone could put their own key (and forge every cookie) or their own settings in its
 * place; and the directory of a new audit log took its permissions from the umask, writable by everyone under {@code
 * umask 000}, where anyone could remove the log. A file that others may only read (a mounted secret, {@code 0644}) or
 * that its group may write keeps working.
 */
class FilePermissionsDeploymentTest {
  @TempDir
  Path dir;

  @BeforeEach
  void posixOnly() {
    Assumptions.assumeTrue(
        Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null,
        "file permissions need a POSIX file system");
  }

  @Test
  void keyFileOthersMayWrite_failsTheStart_namingTheFileAndItsPermissions() throws Exception {
    Path keys = keyFile("rw-rw-rw-");

    Throwable failure = refused(keyFileSetting(keys));

    assertThat(failure)
        .hasStackTraceContaining(
            "key file " + keys + " can be written by others (rw-rw-rw-): any account on the host"
                + " could replace what it holds")
        .hasStackTraceContaining("chmod o-w " + keys);
  }

  @Test
  void settingsFileOthersMayWrite_failsTheStart_namingTheFileAndItsPermissions() throws Exception {
    Path settings = dir.resolve("deployment.properties");
    Files.writeString(settings, "portcullis.access.authenticated-paths=/reports/**\n");
    Files.setPosixFilePermissions(settings, PosixFilePermissions.fromString("rw-r--rw-"));
    Map<String, String> environment = new HashMap<>(WarNode.environment(dir, Map.of()));
    environment.put(PortcullisSettings.CONFIG_VARIABLE, settings.toString());

    Throwable failure = refused(environment);

    assertThat(failure)
        .hasStackTraceContaining(
            "settings file " + settings + " can be written by others (rw-r--rw-)");
  }

  @Test
  void keyFileOthersMayRead_orItsGroupMayWrite_isUsed() throws Exception {
    for (String permissions : new String[] {"r--r--r--", "rw-r--r--", "rw-rw-r--"}) {
      Path keys = keyFile(permissions);

      try (WarNode node = WarNode.start(keyFileSetting(keys), Map.of(), Set.of())) {
        TestBrowser browser = new TestBrowser(node.base());
        assertThat(WarNode.logIn(browser).statusCode()).as(permissions).isEqualTo(303);
        assertThat(WarNode.whoami(browser)).as(permissions).isEqualTo("u-alice");
      }
    }
  }

  @Test
  void auditLogInANewDirectory_createsTheDirectoryForItsOwnerOnly() throws Exception {
    Path logs = dir.resolve("logs");
    Path audit = logs.resolve("portal").resolve("audit.jsonl");
    Map<String, String> environment = WarNode.environment(
        dir,
        Map.of("PORTCULLIS_AUDIT_SINK", "hash-chained", "PORTCULLIS_AUDIT_FILE", audit.toString()));

    try (WarNode node = WarNode.start(environment)) {
      assertThat(WarNode.logIn(new TestBrowser(node.base())).statusCode()).isEqualTo(303);
    }

    assertThat(permissions(logs)).isEqualTo("rwx------");
    assertThat(permissions(audit.getParent())).isEqualTo("rwx------");
    assertThat(permissions(audit)).isEqualTo("rw-------");
  }

  /**
   * An audit log in a directory the application's account may not write, deployed as that account (a real account
   * other than root, in a JVM of its own): the start fails saying permission is denied and what to change, not with the
   * bare path of the lock file that the JDK's exception holds; the audit is never left out.
   */
  @Test
  void auditDirectoryTheAccountMayNotWrite_failsTheStart_sayingPermissionDenied() throws Exception {
    Path logs = Files.createDirectory(dir.resolve("logs"));
    Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path audit = logs.resolve("audit.jsonl");
    Map<String, String> environment = WarNode.environment(
        dir,
        Map.of("PORTCULLIS_AUDIT_SINK", "hash-chained", "PORTCULLIS_AUDIT_FILE", audit.toString()));

    DeploymentAsAnotherAccount.Outcome outcome =
        DeploymentAsAnotherAccount.deploy(dir, environment);

    assertThat(outcome.status()).as(outcome.out() + outcome.err()).isEqualTo(1);
    assertThat(outcome.out())
        .contains("cannot open portcullis.audit.file " + audit)
        .contains(audit + ".lock: permission denied: the account that runs the application may not"
            + " create or write it; let that account write " + audit + ".lock and its directory "
            + logs)
        .doesNotContain("started");
    assertThat(audit).doesNotExist();
  }

  /**
   * A key file the application's account may not read (owned by root, {@code rw-------}), deployed as that account:
   * the start fails saying permission is denied, with the file's absolute path.
   */
  @Test
  void keyFileTheAccountMayNotRead_failsTheStart_sayingPermissionDenied() throws Exception {
    Path keys = keyFile("rw-------");

    DeploymentAsAnotherAccount.Outcome outcome =
        DeploymentAsAnotherAccount.deploy(dir, keyFileSetting(keys));

    assertThat(outcome.status()).as(outcome.out() + outcome.err()).isEqualTo(1);
    assertThat(outcome.out())
        .contains("cannot read key file " + keys + ": permission denied (" + keys
            + "): the account that runs the application may not read it")
        .doesNotContain("started");
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  /** A key file of its own with {@code permissions}. */
  private Path keyFile(String permissions) throws Exception {
    Path keys = Files.createTempFile(dir, "keys-", ".txt");
    Files.delete(keys);
    KeyRingSources.createFile(TestKeyRings.current(), keys);
    Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString(permissions));
    return keys;
  }

  /** The environment of a node whose key ring is the file {@code keys}, not the variable. */
  private Map<String, String> keyFileSetting(Path keys) throws Exception {
    Map<String, String> environment = new HashMap<>(WarNode.environment(dir, Map.of()));
    environment.remove(KeyRingSources.ENV_VARIABLE);
    environment.put("PORTCULLIS_KEYS_FILE", keys.toString());
    return environment;
  }

  /** Deploys with {@code environment}, which must fail the start; the failure. */
  private static Throwable refused(Map<String, String> environment) {
    Throwable failure;
    try (WarNode node = WarNode.start(environment, Map.of(), Set.of())) {
      failure = null;
    } catch (Exception e) {
      failure = e;
    }
    assertThat(failure).as("the deployment's failure").isNotNull();
    return failure;
  }
}
