package dev.portcullis.aspnet.imports;

import dev.portcullis.aspnet.password.AspNetHashFormat;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads and checks a CSV export of ASP.NET Membership users (see {@link UserImport} for the columns). Every row is
 * checked on its own and against the rows before it; a row with any problem is reported with its line and left out.
 * Problems name columns, never values, so a report can be shared without leaking a hash, a salt or an address.
 */
final class UserExport {
  /** The columns, by their canonical name, with the other spellings accepted in a header (case-insensitive). */
  static final Map<String, List<String>> COLUMNS = columns();

  private static final Set<String> REQUIRED =
      Set.of("UserName", "Email", "Roles", "Password", "PasswordSalt", "PasswordFormat");
  private static final Pattern EMAIL = Pattern.compile("[^\\s@]+@[^\\s@]+");
  private static final int MAX_NAME = 256;
  private static final int MAX_HASH = 128;

  /** A problem with one line of the export. */
  record Problem(int line, String message) {
    @Override
    public String toString() {
      return "line " + line + ": " + message;
    }
  }

  /** The users that passed, the problems of those that did not, and how many user rows there were. */
  record Result(List<ExportedUser> users, List<Problem> problems, int rows) {}

  private UserExport() {}

  private static Map<String, List<String>> columns() {
    Map<String, List<String>> c = new LinkedHashMap<>();
    c.put("UserId", List.of());
    c.put("UserName", List.of("name"));
    c.put("Email", List.of());
    c.put("Roles", List.of());
    c.put("Organisation", List.of("Organization"));
    c.put("Password", List.of("hash", "PasswordHash"));
    c.put("PasswordSalt", List.of("salt"));
    c.put("PasswordFormat", List.of("format"));
    c.put("IsApproved", List.of());
    c.put("IsLockedOut", List.of());
    return c;
  }

  /**
   * Reads an export whose hashed passwords were made with the provider's {@code hashFormat}.
   *
   * @throws Csv.MalformedException if the CSV is malformed or its header is not an export's
   */
  static Result read(Reader in, AspNetHashFormat hashFormat)
      throws IOException, Csv.MalformedException {
    List<Csv.Record> records = Csv.read(in);
    if (records.isEmpty()) {
      throw new Csv.MalformedException(
          1, "the file is empty; the first line must name the columns");
    }
    Map<String, Integer> index = header(records.get(0));
    List<ExportedUser> users = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    Map<UUID, Integer> ids = new HashMap<>();
    for (Csv.Record record : records.subList(1, records.size())) {
      List<String> rowProblems = new ArrayList<>();
      ExportedUser user = user(record, index, hashFormat, rowProblems);
      if (user != null) {
        Integer earlier =
            names.putIfAbsent(user.userName().toLowerCase(Locale.ROOT), record.line());
        if (earlier != null) {
          rowProblems.add("UserName repeats the user of line " + earlier);
        }
        if (user.userId() != null) {
          Integer earlierId = ids.putIfAbsent(user.userId(), record.line());
          if (earlierId != null) {
            rowProblems.add("UserId repeats the user of line " + earlierId);
          }
        }
      }
      if (rowProblems.isEmpty()) {
        users.add(user);
      } else {
        problems.add(new Problem(record.line(), String.join("; ", rowProblems)));
      }
    }
    return new Result(List.copyOf(users), List.copyOf(problems), records.size() - 1);
  }

  private static Map<String, Integer> header(Csv.Record header) throws Csv.MalformedException {
    Map<String, String> spellings = new HashMap<>();
    COLUMNS.forEach((name, aliases) -> {
      spellings.put(name.toLowerCase(Locale.ROOT), name);
      aliases.forEach(a -> spellings.put(a.toLowerCase(Locale.ROOT), name));
    });
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < header.fields().size(); i++) {
      String given = header.fields().get(i).strip();
      String name = spellings.get(given.toLowerCase(Locale.ROOT));
      if (name == null) {
        throw new Csv.MalformedException(
            header.line(),
            "column " + (i + 1) + " is not one of the import's columns " + COLUMNS.keySet());
      }
      if (index.putIfAbsent(name, i) != null) {
        throw new Csv.MalformedException(header.line(), "the column " + name + " appears twice");
      }
    }
    Set<String> missing = new LinkedHashSet<>();
    COLUMNS.keySet().stream().filter(REQUIRED::contains).forEach(missing::add);
    missing.removeAll(index.keySet());
    if (!missing.isEmpty()) {
      throw new Csv.MalformedException(
          header.line(), "the first line must name the columns; missing " + missing);
    }
    return index;
  }

  private static ExportedUser user(
      Csv.Record record,
      Map<String, Integer> index,
      AspNetHashFormat hashFormat,
      List<String> problems) {
    if (record.fields().size() != index.size()) {
      problems.add(record.fields().size() + " fields where the header names " + index.size());
      return null;
    }
    String userName = field(record, index, "UserName");
    if (userName.isEmpty()) {
      problems.add("no UserName");
    } else if (userName.length() > MAX_NAME) {
      problems.add("UserName longer than " + MAX_NAME + " characters");
    }
    String email = field(record, index, "Email");
    if (email.isEmpty()) {
      problems.add("no Email");
    } else if (email.length() > MAX_NAME || !EMAIL.matcher(email).matches()) {
      problems.add("Email is not an email address");
    }
    Set<String> roles = new LinkedHashSet<>();
    Set<String> lowered = new LinkedHashSet<>();
    for (String role : field(record, index, "Roles").split(";", -1)) {
      String r = role.strip();
      if (!r.isEmpty() && lowered.add(r.toLowerCase(Locale.ROOT))) {
        roles.add(r);
      }
      if (r.length() > MAX_NAME) {
        problems.add("a role name longer than " + MAX_NAME + " characters");
      }
    }
    if (roles.isEmpty()) {
      problems.add("no role in Roles (names separated by ';')");
    }
    String organisation = optional(record, index, "Organisation").orElse("");
    if (organisation.length() > MAX_NAME) {
      problems.add("Organisation longer than " + MAX_NAME + " characters");
    }
    UUID userId = null;
    String id = optional(record, index, "UserId").orElse("");
    if (!id.isEmpty()) {
      try {
        userId = UUID.fromString(id);
      } catch (IllegalArgumentException e) {
        problems.add("UserId is not a GUID");
      }
    }
    String hash = field(record, index, "Password");
    String salt = field(record, index, "PasswordSalt");
    int format = passwordFormat(field(record, index, "PasswordFormat"), problems);
    if (format == 1) {
      checkHash(hash, salt, hashFormat, problems);
    }
    boolean approved = flag(record, index, "IsApproved", true, problems);
    boolean lockedOut = flag(record, index, "IsLockedOut", false, problems);
    if (!problems.isEmpty()) {
      return null;
    }
    return new ExportedUser(
        record.line(),
        userId,
        userName,
        email,
        List.copyOf(roles),
        organisation.isEmpty() ? null : organisation,
        hash,
        salt,
        format,
        approved,
        lockedOut);
  }

  private static int passwordFormat(String value, List<String> problems) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "1" -> {
        return 1;
      }
      case "0" ->
        problems.add("PasswordFormat 0 is a clear-text password, which is not imported:"
            + " reset this user's password instead");
      case "2" ->
        problems.add("PasswordFormat 2 is an encrypted password, which is not imported:"
            + " reset this user's password instead");
      case "identity" ->
        problems.add("PasswordFormat identity (an ASP.NET Identity hash) cannot be"
            + " kept in the Membership tables, whose rows JdbcUserDirectory checks as"
            + " SqlMembershipProvider hashes");
      case "" -> problems.add("no PasswordFormat");
      default -> problems.add("PasswordFormat is not 0, 1, 2 or identity");
    }
    return -1;
  }

  private static void checkHash(
      String hash, String salt, AspNetHashFormat hashFormat, List<String> problems) {
    if (hash.isEmpty()) {
      problems.add("no Password (the hash)");
    } else if (hash.length() > MAX_HASH || decodedLength(hash) != outputLength(hashFormat)) {
      problems.add("Password is not a base64 " + hashFormat.name().substring("MEMBERSHIP_".length())
          + " hash (check --hash-algorithm and the column order)");
    }
    if (salt.isEmpty()) {
      problems.add("no PasswordSalt");
    } else if (salt.length() > MAX_HASH || decodedLength(salt) <= 0) {
      problems.add("PasswordSalt is not base64");
    }
  }

  private static int decodedLength(String base64) {
    try {
      return Base64.getDecoder().decode(base64).length;
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  /** The length of a SqlMembershipProvider hash: the digest's or MAC's output. */
  static int outputLength(AspNetHashFormat format) {
    return switch (format) {
      case MEMBERSHIP_MD5, MEMBERSHIP_HMACMD5 -> 16;
      case MEMBERSHIP_SHA1, MEMBERSHIP_HMACSHA1 -> 20;
      case MEMBERSHIP_SHA256, MEMBERSHIP_HMACSHA256 -> 32;
      case MEMBERSHIP_SHA384, MEMBERSHIP_HMACSHA384 -> 48;
      case MEMBERSHIP_SHA512, MEMBERSHIP_HMACSHA512 -> 64;
      default -> throw new IllegalArgumentException(format + " is not a hashed membership format");
    };
  }

  private static boolean flag(
      Csv.Record record,
      Map<String, Integer> index,
      String column,
      boolean absent,
      List<String> problems) {
    String value = optional(record, index, column).orElse("").toLowerCase(Locale.ROOT);
    return switch (value) {
      case "" -> absent;
      case "1", "true" -> true;
      case "0", "false" -> false;
      default -> {
        problems.add(column + " is not true, false, 1 or 0");
        yield absent;
      }
    };
  }

  private static String field(Csv.Record record, Map<String, Integer> index, String column) {
    return record.fields().get(index.get(column)).strip();
  }

  private static Optional<String> optional(
      Csv.Record record, Map<String, Integer> index, String column) {
    Integer i = index.get(column);
    return i == null ? Optional.empty() : Optional.of(record.fields().get(i).strip());
  }
}
