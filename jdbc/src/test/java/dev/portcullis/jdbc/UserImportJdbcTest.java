package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.aspnet.imports.UserImport;
import dev.portcullis.aspnet.password.AspNetPasswords;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UserImport} (portcullis-aspnet) into the ASP.NET Membership tables on a real PostgreSQL, then {@link
 * JdbcUserDirectory} over the same tables: an imported user logs in with the old portal's password once, and the
 * stored hash is Argon2id afterwards. Refused rows and database errors leave nothing behind.
 */
@ExtendWith(SharedPostgres.class)
class UserImportJdbcTest {
  private static final PasswordHasher HASHER = PasswordHasher.forTests();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String HEADER =
      "UserName,Email,Roles,Organisation,Password,PasswordSalt,PasswordFormat,IsApproved,IsLockedOut";

  private final HikariDataSource dataSource;
  private final List<String> secrets = new ArrayList<>();

  @TempDir
  Path dir;

  UserImportJdbcTest(PostgresServer server) throws SQLException, IOException {
    dataSource = server.freshDataSource();
    try (InputStream in = UserImportJdbcTest.class.getResourceAsStream("aspnet-membership.sql");
        Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (String sql :
          JdbcSchema.statements(new String(in.readAllBytes(), StandardCharsets.UTF_8))) {
        s.execute(sql);
      }
    }
  }

  @AfterEach
  void close() {
    dataSource.close();
  }

  /** A SqlMembershipProvider SHA1 row for {@code password}: hash and salt, base64. */
  private List<String> membershipSha1(String password) throws NoSuchAlgorithmException {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
    sha1.update(salt);
    sha1.update(password.getBytes(StandardCharsets.UTF_16LE));
    String hash = Base64.getEncoder().encodeToString(sha1.digest());
    String saltText = Base64.getEncoder().encodeToString(salt);
    secrets.add(hash);
    secrets.add(saltText);
    return List.of(hash, saltText);
  }

  private String row(String name, String email, String roles, String organisation, String password)
      throws NoSuchAlgorithmException {
    List<String> hash = membershipSha1(password);
    return String.join(
        ",", name, email, roles, organisation, hash.get(0), hash.get(1), "1", "true", "false");
  }

  private record Run(int status, String out, String err) {}

  private Run importCsv(String csv, String... more) throws IOException {
    Path file = dir.resolve("users.csv");
    Files.writeString(file, csv, StandardCharsets.UTF_8);
    List<String> args = new ArrayList<>(List.of(
        "--input",
        file.toString(),
        "--hash-algorithm",
        "SHA1",
        "--jdbc-url",
        dataSource.getJdbcUrl(),
        "--jdbc-user",
        PostgresServer.USER));
    args.addAll(List.of(more));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = UserImport.run(
        args.toArray(String[]::new),
        Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    Run run =
        new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    for (String secret : secrets) {
      assertThat(run.out() + run.err()).as("no hash or salt printed").doesNotContain(secret);
    }
    return run;
  }

  private JdbcUserDirectory directory() {
    return JdbcUserDirectory.builder(dataSource, HASHER)
        .aspNetPasswords(AspNetPasswords.builder(HASHER).build(), "SHA1")
        .organisationByHandle(UserImport.ORGANISATION_BY_HANDLE)
        .build();
  }

  private int count(String table) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private String storedHash(String handle) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(
            "SELECT Password FROM aspnet_Membership WHERE CAST(UserId AS text) = ?")) {
      s.setString(1, handle);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getString(1);
      }
    }
  }

  @Test
  void importedUser_logsInWithTheOldPassword_once_andTheHashIsArgon2idAfterwards()
      throws Exception {
    String csv = HEADER + "\r\n"
        + row("Alice", "alice@example.org", "PROVIDER;COUNCIL_OFFICER", "riverside", "alice-old")
        + "\r\n" + row("\"Bob, Jr\"", "bob@example.org", "provider", "", "bob-old") + "\r\n";

    Run run = importCsv(csv);

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).contains("imported 2 of 2 users; 1 roles created");
    JdbcUserDirectory users = directory();
    Optional<PortalUser> alice = users.authenticate("alice", "alice-old".toCharArray());
    assertThat(alice).isPresent();
    assertThat(alice.get().email()).isEqualTo("alice@example.org");
    assertThat(alice.get().roles()).containsExactlyInAnyOrder("PROVIDER", "COUNCIL_OFFICER");
    assertThat(alice.get().organisation()).isEqualTo("riverside");
    assertThat(alice.get().enabled()).isTrue();
    String rehashed = storedHash(alice.get().handle());
    assertThat(rehashed).startsWith("$argon2id$");
    assertThat(HASHER.verify("alice-old".toCharArray(), rehashed)).isTrue();
    assertThat(users.authenticate("alice", "wrong".toCharArray())).isEmpty();
    // Bob's role matched the existing PROVIDER role whatever its case; he has no organisation.
    Optional<PortalUser> bob = users.authenticate("bob, jr", "bob-old".toCharArray());
    assertThat(bob).isPresent();
    assertThat(bob.get().roles()).containsExactly("PROVIDER");
    assertThat(bob.get().organisationHandle()).isEmpty();
    assertThat(count("aspnet_Roles")).isEqualTo(3);
  }

  @Test
  void anInvalidRow_importsNothing_andSkipInvalidImportsTheRest() throws Exception {
    String csv = HEADER + "\n" + row("alice", "alice@example.org", "PROVIDER", "", "a") + "\n"
        + row("bob", "bob@example.org", "", "", "b") + "\n";

    Run refused = importCsv(csv);

    assertThat(refused.status()).isEqualTo(1);
    assertThat(refused.err()).contains("line 3: no role").contains("nothing imported");
    assertThat(count("aspnet_Users")).isZero();
    assertThat(count("aspnet_Membership")).isZero();

    Run skipped = importCsv(csv, "--skip-invalid");

    assertThat(skipped.status()).isZero();
    assertThat(skipped.err()).contains("line 3: no role");
    assertThat(skipped.out()).contains("imported 1 of 2 users (1 refused, listed above)");
    assertThat(count("aspnet_Users")).isEqualTo(1);
    assertThat(directory().authenticate("alice", "a".toCharArray())).isPresent();
  }

  @Test
  void usersAlreadyInTheDatabase_areRefusedByLine() throws Exception {
    assertThat(importCsv(HEADER + "\n" + row("alice", "alice@example.org", "PROVIDER", "", "a"))
            .status())
        .isZero();
    String again = HEADER + "\n" + row("carol", "carol@example.org", "PROVIDER", "", "c") + "\n"
        + row("ALICE", "alice2@example.org", "PROVIDER", "", "a2") + "\n";

    Run run = importCsv(again);

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).contains("line 3: UserName is already in the database");
    assertThat(count("aspnet_Users")).isEqualTo(1);
    assertThat(directory().authenticate("alice", "a".toCharArray())).isPresent();
  }

  @Test
  void aDatabaseErrorHalfWay_leavesNothingBehind_andPrintsNoRow() throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE aspnet_UsersInRoles ADD CONSTRAINT no_auditors CHECK"
          + " (RoleId <> CAST('00000000-0000-0000-0000-0000000000b2' AS uuid))");
    }
    String csv = HEADER + "\n" + row("alice", "alice@example.org", "PROVIDER", "riverside", "a")
        + "\n" + row("dora", "dora@example.org", "AUDITOR", "", "d") + "\n";

    Run run = importCsv(csv);

    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err()).contains("database error (SQLState 23514); nothing imported");
    assertThat(count("aspnet_Users")).isZero();
    assertThat(count("aspnet_Membership")).isZero();
  }

  @Test
  void unknownApplication_isAUsageError() throws Exception {
    Run run = importCsv(
        HEADER + "\n" + row("alice", "alice@example.org", "PROVIDER", "", "a"),
        "--application",
        "/portal");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("no application named '/portal'");
    assertThat(count("aspnet_Users")).isZero();
  }
}
