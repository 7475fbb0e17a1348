package dev.portcullis.aspnet.imports;

import dev.portcullis.aspnet.password.AspNetHashFormat;
import dev.portcullis.internal.SuppressForbidden;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The user import: a command that reads a CSV export of an ASP.NET portal's users and writes them into the ASP.NET
 * Membership tables that {@code JdbcUserDirectory} (portcullis-jdbc) reads by default, each with its legacy password
 * hash, so that the user's first login verifies it and replaces it with an Argon2id hash.
 *
 * <pre>
 * PORTCULLIS_IMPORT_JDBC_PASSWORD=... java -cp portcullis-aspnet.jar:postgresql.jar \
 *     dev.portcullis.aspnet.imports.UserImport --input users.csv --hash-algorithm SHA1 \
 *     --jdbc-url jdbc:postgresql://db.example/portal --jdbc-user portal_import
 * </pre>
 *
 * <p><b>The export.</b> UTF-8 CSV (RFC 4180: quoted fields may hold commas, quotes as {@code ""} and line breaks), the
 * first line naming the columns, case-insensitive and in any order: {@code UserName} (or {@code name}), {@code Email},
 * {@code Roles} (role names separated by {@code ;}), {@code Password} (or {@code hash}, {@code PasswordHash}; base64,
 * as {@code aspnet_Membership} holds it), {@code PasswordSalt} (or {@code salt}), {@code PasswordFormat} (or {@code
 * format}: SqlMembershipProvider's {@code 1}; {@code 0}, {@code 2} and {@code identity} are recognised and refused),
 * and optionally {@code Organisation} (or {@code Organization}), {@code UserId} (a GUID to keep as the user's handle;
 * a fresh one otherwise), {@code IsApproved} and {@code IsLockedOut} ({@code true}/{@code false}/{@code 1}/{@code 0};
 * approved and not locked out when absent). Any other column is refused.
 *
 * <p><b>Options.</b> {@code --input} the file; {@code --hash-algorithm} the provider's {@code hashAlgorithmType} from
 * web.config ({@code SHA1}, {@code HMACSHA256}, ...), against which each hash's length is checked; {@code --jdbc-url},
 * {@code --jdbc-user} and the environment variable {@value #PASSWORD_VARIABLE} for the database (the driver on the
 * class path); {@code --application} the Membership application name ({@code /} unless given), which must exist in
 * {@code aspnet_Applications}; {@code --check} reads and checks the export without a database; {@code --skip-invalid}
 * imports the valid rows and reports the others.
 *
 * <p><b>What it does.</b> A row without a name, an email or a role, with a malformed hash or salt, a refused format,
 * or a user name or {@code UserId} that an earlier row or the database already has, is reported with its line. Unless
 * {@code --skip-invalid} is given, any such row means nothing is imported. Everything is written in one transaction,
 * so a database error also leaves nothing behind. Roles missing from {@code aspnet_Roles} are created; organisations
 * go to {@value #ORGANISATION_TABLE} (created when missing), which {@code JdbcUserDirectory} reads with {@code
 * organisationByHandle(}{@link #ORGANISATION_BY_HANDLE}{@code )}. Exit status: 0 imported (or checked) without
 * problems, or imported with {@code --skip-invalid}; 1 the export has problems, nothing imported; 2 a usage error; 3 a
 * database error, nothing imported.
 *
 * <p><b>Security.</b> Reports name lines and columns, never a value: no hash, salt, email or name is printed, and
 * database errors are reported by SQLState only, since a driver's message can quote a failing row. The hashes are
 * stored as they came and stay as weak as the old portal made them until each user's first login replaces them;
 * protect the export file as the old database, and delete it after the import.
 */
public final class UserImport {
  /** The table that holds each imported user's organisation: {@code (user_handle text, organisation text)}. */
  public static final String ORGANISATION_TABLE = "portcullis_user_organisation";

  /** The statement for {@code JdbcUserDirectory.Builder.organisationByHandle} over {@value #ORGANISATION_TABLE}. */
  public static final String ORGANISATION_BY_HANDLE =
      "SELECT organisation FROM " + ORGANISATION_TABLE + " WHERE user_handle = ?";

  /** The environment variable that holds the database password, kept off the command line. */
  public static final String PASSWORD_VARIABLE = "PORTCULLIS_IMPORT_JDBC_PASSWORD";

  static final int OK = 0;
  static final int INVALID = 1;
  static final int USAGE = 2;
  static final int DATABASE = 3;

  private static final String USAGE_TEXT = "usage: UserImport --input <users.csv>"
      + " --hash-algorithm <hashAlgorithmType> (--check | --jdbc-url <url> [--jdbc-user <user>])"
      + " [--application <name>] [--skip-invalid]\n"
      + "The database password, if any, comes from the environment variable "
      + PASSWORD_VARIABLE + ".";

  private UserImport() {}

  /** Runs the import and exits with its status (see the class comment). */
  @SuppressForbidden(reason = "the command's own clock, for the Membership dates")
  public static void main(String[] args) {
    System.exit(run(
        args, System.getenv(), System.out, System.err, InstantSource.system(), new SecureRandom()));
  }

  /**
   * Runs the import as {@link #main} does, with the environment and the output streams given, and returns the exit
   * status instead of exiting.
   */
  @SuppressForbidden(reason = "the command's own clock, for the Membership dates")
  public static int run(
      String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    return run(args, environment, out, err, InstantSource.system(), new SecureRandom());
  }

  static int run(
      String[] args,
      Map<String, String> environment,
      PrintStream out,
      PrintStream err,
      InstantSource clock,
      SecureRandom random) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(USAGE_TEXT);
      return USAGE;
    }
    UserExport.Result export;
    try (Reader in = reader(options.input())) {
      export = UserExport.read(in, options.hashFormat());
    } catch (NoSuchFileException e) {
      err.println("no such file: " + options.input());
      return USAGE;
    } catch (CharacterCodingException e) {
      err.println(options.input() + " is not UTF-8 text; nothing imported");
      return INVALID;
    } catch (IOException e) {
      err.println("could not read " + options.input() + ": " + e.getClass().getSimpleName());
      return USAGE;
    } catch (Csv.MalformedException e) {
      err.println(e.getMessage());
      err.println("the export cannot be read; nothing imported");
      return INVALID;
    }
    List<UserExport.Problem> problems = new ArrayList<>(export.problems());
    if (options.check()) {
      report(problems, err);
      out.println(export.users().size() + " of " + export.rows() + " users can be imported"
          + (problems.isEmpty() ? "" : "; " + problems.size() + " refused"));
      return problems.isEmpty() ? OK : INVALID;
    }
    if (!problems.isEmpty() && !options.skipInvalid()) {
      report(problems, err);
      err.println(problems.size() + " of " + export.rows()
          + " users refused; nothing imported (--skip-invalid imports the others)");
      return INVALID;
    }
    String password = environment.getOrDefault(PASSWORD_VARIABLE, "");
    try (Connection c =
        DriverManager.getConnection(options.jdbcUrl(), options.jdbcUser(), password)) {
      c.setAutoCommit(false);
      try {
        MembershipTables tables =
            MembershipTables.open(c, options.application(), random, clock.instant());
        if (tables == null) {
          c.rollback();
          err.println("aspnet_Applications has no application named '" + options.application()
              + "' (--application); nothing imported");
          return USAGE;
        }
        List<UserExport.Problem> existing = tables.existing(export.users());
        problems.addAll(existing);
        if (!existing.isEmpty() && !options.skipInvalid()) {
          c.rollback();
          report(problems, err);
          err.println(problems.size() + " of " + export.rows()
              + " users refused; nothing imported (--skip-invalid imports the others)");
          return INVALID;
        }
        Set<Integer> refused = new HashSet<>();
        existing.forEach(p -> refused.add(p.line()));
        List<ExportedUser> users =
            export.users().stream().filter(u -> !refused.contains(u.line())).toList();
        int imported = tables.insert(users);
        c.commit();
        report(problems, err);
        out.println("imported " + imported + " of " + export.rows() + " users"
            + (problems.isEmpty() ? "" : " (" + problems.size() + " refused, listed above)")
            + "; " + tables.rolesCreated() + " roles created");
        return OK;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      // The driver's message may quote a row, hash included: the SQLState says enough.
      err.println("database error (SQLState " + e.getSQLState() + "); nothing imported");
      return DATABASE;
    }
  }

  private static Reader reader(Path input) throws IOException {
    return new java.io.InputStreamReader(
        Files.newInputStream(input),
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  private static void report(List<UserExport.Problem> problems, PrintStream err) {
    problems.stream()
        .sorted(Comparator.comparingInt(UserExport.Problem::line))
        .forEach(p -> err.println(p));
  }

  /** The command line, checked. */
  private record Options(
      Path input,
      AspNetHashFormat hashFormat,
      String jdbcUrl,
      String jdbcUser,
      String application,
      boolean check,
      boolean skipInvalid) {

    static Options parse(String[] args) {
      Path input = null;
      String algorithm = null;
      String url = null;
      String user = null;
      String application = "/";
      boolean check = false;
      boolean skipInvalid = false;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--input" -> input = Path.of(value(args, ++i, arg));
          case "--hash-algorithm" -> algorithm = value(args, ++i, arg);
          case "--jdbc-url" -> url = value(args, ++i, arg);
          case "--jdbc-user" -> user = value(args, ++i, arg);
          case "--application" -> application = value(args, ++i, arg);
          case "--check" -> check = true;
          case "--skip-invalid" -> skipInvalid = true;
          default -> throw new IllegalArgumentException("unknown option " + arg);
        }
      }
      if (input == null) {
        throw new IllegalArgumentException("--input is required");
      }
      if (algorithm == null) {
        throw new IllegalArgumentException(
            "--hash-algorithm is required: the hashAlgorithmType of the old portal's membership"
                + " provider in web.config (SHA1, HMACSHA256, ...)");
      }
      AspNetHashFormat format = AspNetHashFormat.membership(1, algorithm);
      if (check == (url != null)) {
        throw new IllegalArgumentException("give either --check or --jdbc-url");
      }
      return new Options(input, format, url, user, application, check, skipInvalid);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length || args[i].startsWith("--")) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }
}
