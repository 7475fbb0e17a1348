package dev.portcullis.aspnet.imports;

import java.util.List;
import java.util.UUID;

/**
 * One user of an export, checked: a name, an email and at least one role; a SqlMembershipProvider hash (format 1) with
 * its salt. {@link #toString()} names the line and the user name only, never the hash or the salt.
 *
 * @param line the line of the export where the user's record starts
 * @param userId the {@code UserId} to keep, or null for a fresh one
 * @param organisation the organisation handle, or null
 */
record ExportedUser(
    int line,
    UUID userId,
    String userName,
    String email,
    List<String> roles,
    String organisation,
    String passwordHash,
    String passwordSalt,
    int passwordFormat,
    boolean approved,
    boolean lockedOut) {

  @Override
  public String toString() {
    return "ExportedUser[line " + line + ", " + userName + "]";
  }
}
