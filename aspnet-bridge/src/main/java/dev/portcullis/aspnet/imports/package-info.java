/**
 * Bringing a ported portal's users along: {@link dev.portcullis.aspnet.imports.UserImport}, a command that reads a
 * CSV export of ASP.NET Membership users (name, email, roles, organisation, password hash, salt, format) and writes
 * them into the ASP.NET Membership tables that {@code JdbcUserDirectory} (portcullis-jdbc) reads, keeping each legacy
 * hash so that the user's first login replaces it with an Argon2id hash.
 */
package dev.portcullis.aspnet.imports;
