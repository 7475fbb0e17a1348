package dev.portcullis.jdbc;

import dev.portcullis.aspnet.password.AspNetHashFormat;
import dev.portcullis.aspnet.password.AspNetPasswords;
import dev.portcullis.aspnet.password.PasswordCheck;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ASP.NET half of {@link JdbcUserDirectory}'s password check. Only this class names the optional
 * {@code portcullis-aspnet} types, so the directory runs without that jar as long as no legacy verifier is configured.
 */
final class LegacyPasswords {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcUserDirectory.class);

  private final AspNetPasswords passwords;
  private final String hashAlgorithmType;

  LegacyPasswords(AspNetPasswords passwords, String hashAlgorithmType) {
    this.passwords = Objects.requireNonNull(passwords, "passwords");
    this.hashAlgorithmType = Objects.requireNonNull(hashAlgorithmType, "hashAlgorithmType");
    // Fails now, at configuration, for an algorithm name the membership format does not know.
    AspNetHashFormat.membership(1, hashAlgorithmType);
  }

  /** The Argon2id hash to store in place of {@code storedHash} when the password matches, else null. */
  String verify(
      char[] password, String storedHash, String salt, int passwordFormat, String handle) {
    AspNetHashFormat format;
    try {
      format = AspNetHashFormat.membership(passwordFormat, hashAlgorithmType);
    } catch (IllegalArgumentException e) {
      LOG.warn("user {}: unknown PasswordFormat {}; login refused", handle, passwordFormat);
      passwords.verifyDummy(password);
      return null;
    }
    PasswordCheck check = passwords.verify(password, storedHash, salt, format);
    if (check instanceof PasswordCheck.Matched matched) {
      return matched.newHash();
    }
    if (check instanceof PasswordCheck.Refused refused) {
      LOG.warn(
          "user {}: stored ASP.NET hash refused ({}); login refused", handle, refused.reason());
    }
    return null;
  }

  void verifyDummy(char[] password) {
    passwords.verifyDummy(password);
  }
}
