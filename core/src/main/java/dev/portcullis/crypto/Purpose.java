package dev.portcullis.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a sealed or MAC-tagged value is for. Each purpose seals under its own subkey, derived from the master key with
 * HKDF-SHA256 ({@code info} = {@code "portcullis/" + name}), and its name is bound into the associated data, so a value
 * sealed for one purpose never opens for another. {@link KeyedMac} derives its own subkeys per purpose the same way
 * ({@code info} = {@code "portcullis/mac/" + name}).
 */
public record Purpose(String name) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** The authentication-key cookie. */
  public static final Purpose AUTH_TICKET = new Purpose("auth-ticket");
  /** The single-use SSO-upgrade cookie. */
  public static final Purpose SSO_UPGRADE = new Purpose("sso-upgrade");
  /** The login form's anti-forgery token, a MAC of the cookie-check cookie ({@link KeyedMac}). */
  public static final Purpose LOGIN_FORM = new Purpose("login-form");
  /** The checkpoints of a hash-chained audit file, MAC-tagged ({@link KeyedMac}). */
  public static final Purpose AUDIT_CHECKPOINT = new Purpose("audit-checkpoint");

  public Purpose {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a purpose is 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit");
    }
  }

  byte[] hkdfInfo() {
    return ("portcullis/" + name).getBytes(StandardCharsets.US_ASCII);
  }
}
