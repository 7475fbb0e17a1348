package dev.portcullis.aspnet.imports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.aspnet.password.AspNetHashFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading and checking an export without a database ({@code --check}, and {@link UserExport} directly): the columns,
 * the line-numbered report of refused rows, exit statuses, and that no hash or salt is ever printed. Writing into
 * PostgreSQL and logging in afterwards is {@code UserImportJdbcTest} in portcullis-jdbc.
 */
class UserImportTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String HEADER =
      "UserName,Email,Roles,Organisation,Password,PasswordSalt,PasswordFormat";

  @TempDir
  Path dir;

  private final List<String> secrets = new ArrayList<>();

  /** A base64 SHA1-sized hash, remembered so that the output can be checked for it. */
  private String hash() {
    return secret(20);
  }

  private String salt() {
    return secret(16);
  }

  private String secret(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    String s = Base64.getEncoder().encodeToString(b);
    secrets.add(s);
    return s;
  }

  private String row(String name, String email, String roles, String organisation) {
    return String.join(",", name, email, roles, organisation, hash(), salt(), "1");
  }

  private record Run(int status, String out, String err) {}

  private Run run(String csv, String... options) throws IOException {
    Path file = dir.resolve("users.csv");
    Files.writeString(file, csv, StandardCharsets.UTF_8);
    List<String> args = new ArrayList<>(List.of("--input", file.toString()));
    args.addAll(List.of(options));
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
      assertThat(run.out() + run.err())
          .as("output never holds a hash or salt")
          .doesNotContain(secret);
    }
    return run;
  }

  @Test
  void validExport_checks() throws IOException {
    String csv =
        HEADER + "\r\n" + row("alice", "alice@example.org", "PROVIDER", "riverside") + "\r\n"
            + row("\"Carol, QC\"", "carol@example.org", "COUNCIL_OFFICER;AUDITOR", "") + "\r\n";

    Run run = run(csv, "--hash-algorithm", "SHA1", "--check");

    assertThat(run.status()).isEqualTo(UserImport.OK);
    assertThat(run.out()).contains("2 of 2 users can be imported");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void rowsWithoutNameEmailOrRole_areReportedByLine_andTheExitStatusSaysSo() throws IOException {
    String csv = HEADER + "\n"
        + row("alice", "alice@example.org", "PROVIDER", "riverside") + "\n"
        + row("", "nobody@example.org", "PROVIDER", "") + "\n"
        + row("dave", "", "PROVIDER", "riverside") + "\n"
        + row("erin", "erin@example.org", " ; ", "riverside") + "\n"
        + row("frank", "not-an-address", "PROVIDER", "") + "\n";

    Run run = run(csv, "--hash-algorithm", "SHA1", "--check");

    assertThat(run.status()).isEqualTo(UserImport.INVALID);
    assertThat(run.err().lines())
        .containsExactly(
            "line 3: no UserName",
            "line 4: no Email",
            "line 5: no role in Roles (names separated by ';')",
            "line 6: Email is not an email address");
    assertThat(run.out()).contains("1 of 5 users can be imported; 4 refused");
    assertThat(run.err()).doesNotContain("nobody@example.org").doesNotContain("erin");
  }

  @Test
  void refusedRows_stopTheImport_beforeAnyDatabase_unlessSkipped() throws IOException {
    String csv = HEADER + "\n" + row("alice", "alice@example.org", "PROVIDER", "") + "\n"
        + row("bob", "", "PROVIDER", "") + "\n";

    // No driver answers this URL: the refusal comes before any connection is tried.
    Run refused = run(csv, "--hash-algorithm", "SHA1", "--jdbc-url", "jdbc:none:nowhere");
    assertThat(refused.status()).isEqualTo(UserImport.INVALID);
    assertThat(refused.err())
        .contains("line 3: no Email")
        .contains("1 of 2 users refused; nothing imported");

    Run skipping =
        run(csv, "--hash-algorithm", "SHA1", "--jdbc-url", "jdbc:none:nowhere", "--skip-invalid");
    assertThat(skipping.status()).isEqualTo(UserImport.DATABASE);
    assertThat(skipping.err()).contains("database error").contains("nothing imported");
  }

  @Test
  void hashesThatDoNotFitTheAlgorithm_orRefusedFormats_areReported() throws IOException {
    String sha256Sized = secret(32);
    String csv = HEADER + "\n"
        + String.join(",", "a", "a@example.org", "R", "", sha256Sized, salt(), "1") + "\n"
        + String.join(",", "b", "b@example.org", "R", "", "not base64!", salt(), "1") + "\n"
        + String.join(",", "c", "c@example.org", "R", "", hash(), "", "1") + "\n"
        + String.join(",", "d", "d@example.org", "R", "", "clear-text", "", "0") + "\n"
        + String.join(",", "e", "e@example.org", "R", "", hash(), salt(), "2") + "\n"
        + String.join(",", "f", "f@example.org", "R", "", "AQAAAAEAACcQ", "", "identity") + "\n"
        + String.join(",", "g", "g@example.org", "R", "", hash(), salt(), "7") + "\n";

    Run run = run(csv, "--hash-algorithm", "SHA1", "--check");

    assertThat(run.status()).isEqualTo(UserImport.INVALID);
    assertThat(run.err().lines())
        .hasSize(7)
        .anyMatch(l -> l.startsWith("line 2: Password is not a base64 SHA1 hash"))
        .anyMatch(l -> l.startsWith("line 3: Password is not a base64 SHA1 hash"))
        .contains("line 4: no PasswordSalt")
        .anyMatch(l -> l.startsWith("line 5: PasswordFormat 0 is a clear-text password"))
        .anyMatch(l -> l.startsWith("line 6: PasswordFormat 2 is an encrypted password"))
        .anyMatch(l -> l.startsWith("line 7: PasswordFormat identity"))
        .contains("line 8: PasswordFormat is not 0, 1, 2 or identity");
    assertThat(run.err()).doesNotContain("clear-text,").doesNotContain("not base64!");
    // The same 32-byte hash is right for SHA256.
    assertThat(run(
                HEADER + "\n"
                    + String.join(",", "a", "a@example.org", "R", "", sha256Sized, salt(), "1"),
                "--hash-algorithm",
                "SHA256",
                "--check")
            .status())
        .isEqualTo(UserImport.OK);
  }

  @Test
  void repeatedUsers_areReported_againstTheirFirstLine() throws IOException {
    String id = UUID.randomUUID().toString();
    String csv = "UserId,UserName,Email,Roles,Password,PasswordSalt,PasswordFormat\n"
        + String.join(",", id, "Alice", "a@example.org", "R", hash(), salt(), "1") + "\n"
        + String.join(",", "", "ALICE", "a2@example.org", "R", hash(), salt(), "1") + "\n"
        + String.join(",", id, "bob", "b@example.org", "R", hash(), salt(), "1") + "\n"
        + String.join(",", "not-a-guid", "carol", "c@example.org", "R", hash(), salt(), "1") + "\n";

    Run run = run(csv, "--hash-algorithm", "SHA1", "--check");

    assertThat(run.err().lines())
        .containsExactly(
            "line 3: UserName repeats the user of line 2",
            "line 4: UserId repeats the user of line 2",
            "line 5: UserId is not a GUID");
  }

  @Test
  void membershipExportQueryShape_isAccepted_withItsColumnsAndFlags() throws Exception {
    String id = UUID.randomUUID().toString();
    String hash = hash();
    String salt = salt();
    String csv = "\uFEFFUserId,UserName,Email,Roles,Organisation,Password,PasswordSalt,"
        + "PasswordFormat,IsApproved,IsLockedOut\r\n"
        + String.join(
            ",",
            id,
            "alice",
            "alice@example.org",
            "PROVIDER;Auditor;provider",
            "riverside",
            hash,
            salt,
            "1",
            "1",
            "0")
        + "\r\n";

    UserExport.Result result =
        UserExport.read(new StringReader(csv), AspNetHashFormat.membership(1, "SHA1"));

    assertThat(result.problems()).isEmpty();
    assertThat(result.users()).singleElement().satisfies(u -> {
      assertThat(u.userId()).isEqualTo(UUID.fromString(id));
      assertThat(u.roles()).containsExactly("PROVIDER", "Auditor");
      assertThat(u.organisation()).isEqualTo("riverside");
      assertThat(u.passwordHash()).isEqualTo(hash);
      assertThat(u.passwordSalt()).isEqualTo(salt);
      assertThat(u.approved()).isTrue();
      assertThat(u.lockedOut()).isFalse();
      assertThat(u.toString()).doesNotContain(hash).doesNotContain(salt).contains("alice");
    });
  }

  @Test
  void aliasesAndAnyOrder_areAccepted_butUnknownOrMissingColumnsAreNot() throws IOException {
    String aliased = "format,salt,hash,Organization,roles,EMAIL,name\n"
        + String.join(",", "1", salt(), hash(), "riverside", "PROVIDER", "a@example.org", "alice");
    assertThat(run(aliased, "--hash-algorithm", "SHA1", "--check").status())
        .isEqualTo(UserImport.OK);

    Run unknown = run(HEADER + ",Comment\n", "--hash-algorithm", "SHA1", "--check");
    assertThat(unknown.status()).isEqualTo(UserImport.INVALID);
    assertThat(unknown.err()).contains("line 1: column 8 is not one of the import's columns");

    Run missing = run(
        "UserName,Email,Password,PasswordSalt,PasswordFormat\n",
        "--hash-algorithm",
        "SHA1",
        "--check");
    assertThat(missing.err()).contains("line 1: ").contains("missing [Roles]");
  }

  @Test
  void malformedQuoting_stopsTheImport_evenWithSkipInvalid() throws IOException {
    String csv = HEADER + "\n" + row("alice", "alice@example.org", "PROVIDER", "") + "\n"
        + "\"bob,bob@example.org,PROVIDER,," + hash() + "," + salt() + ",1\n";

    Run run = run(csv, "--hash-algorithm", "SHA1", "--check", "--skip-invalid");

    assertThat(run.status()).isEqualTo(UserImport.INVALID);
    assertThat(run.err())
        .contains("line 3: a quoted field that is never closed")
        .contains("nothing imported");
  }

  @Test
  void wrongFieldCount_isARowProblem() throws IOException {
    Run run =
        run(HEADER + "\nalice,alice@example.org,PROVIDER\n", "--hash-algorithm", "SHA1", "--check");

    assertThat(run.err()).contains("line 2: 3 fields where the header names 7");
  }

  @Test
  void usageErrors_exitWithTwo() throws IOException {
    String csv = HEADER + "\n";
    assertThat(run(csv, "--check").status()).isEqualTo(UserImport.USAGE);
    assertThat(run(csv, "--hash-algorithm", "SHA3", "--check").err()).contains("SHA3");
    assertThat(run(csv, "--hash-algorithm", "SHA1").err()).contains("--check or --jdbc-url");
    assertThat(run(csv, "--hash-algorithm", "SHA1", "--check", "--jdbc-url", "jdbc:x")
            .status())
        .isEqualTo(UserImport.USAGE);
    assertThat(run(csv, "--hash-algorithm", "SHA1", "--check", "--frobnicate").err())
        .contains("unknown option --frobnicate")
        .contains("usage:");
    int status = UserImport.run(
        new String[] {
          "--input", dir.resolve("missing.csv").toString(), "--hash-algorithm", "SHA1", "--check"
        },
        Map.of(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(UserImport.USAGE);
  }

  @Test
  void notUtf8_isRefused() throws IOException {
    Path file = dir.resolve("latin1.csv");
    Files.write(
        file,
        (HEADER + "\nJos\u00e9,j@example.org,R,,x,y,1\n").getBytes(StandardCharsets.ISO_8859_1));
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = UserImport.run(
        new String[] {"--input", file.toString(), "--hash-algorithm", "SHA1", "--check"},
        Map.of(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(status).isEqualTo(UserImport.INVALID);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not UTF-8");
  }
}
