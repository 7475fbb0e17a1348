/**
 * Users' existing ASP.NET passwords: verifies the hashes an ASP.NET portal stored (ASP.NET Identity V2 and V3,
 * SqlMembershipProvider's hashed format) and, on a match, hands back a fresh Portcullis Argon2id hash for the user
 * directory to store in their place, so that each legacy hash is gone after its user's first login.
 *
 * <p>Entry point: {@link dev.portcullis.aspnet.password.AspNetPasswords}; the stored format is an
 * {@link dev.portcullis.aspnet.password.AspNetHashFormat} and the outcome a
 * {@link dev.portcullis.aspnet.password.PasswordCheck}.
 */
package dev.portcullis.aspnet.password;
