package dev.portcullis.login;

import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.KeyedMac;
import dev.portcullis.crypto.Purpose;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * Anti-forgery tokens for visitors without a server-side session, so that the login page needs none. The login page
 * gives the browser a cookie-check cookie holding 32 random bytes (base64url, 43 characters); the form's token is the
 * HMAC-SHA256 of that value under the key ring's {@link Purpose#LOGIN_FORM} subkey. A state-changing request without
 * a session is accepted when it brings back the token of the cookie it sends.
 *
 * <p><b>Security.</b> The token is unguessable without the key and the cookie, and a page on another site can read
 * neither (the cookie is {@code HttpOnly}, and by default {@code __Host-}-prefixed so no other host can set it). Tokens
 * are checked in constant time; a malformed cookie value has no token. Not guaranteed: that a token was used once, or
 * that it is fresh (it lives as long as the browser keeps the cookie), which is why it stands only for anonymous
 * requests: a login gives the session a token of its own, and logged-in requests must bring that one.
 */
public final class LoginFormTokens {
  /** The length of a cookie-check value. */
  static final int VALUE_LENGTH = 43;

  private final KeyedMac mac;

  LoginFormTokens(KeyRingSource ring) {
    this.mac = KeyedMac.create(Objects.requireNonNull(ring, "ring"), Purpose.LOGIN_FORM);
  }

  /** A fresh cookie-check value: 32 bytes of {@code random}, base64url without padding. */
  public String newCookieValue(SecureRandom random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Whether {@code value} has the shape of a cookie-check value (an older or forged one may not). */
  public boolean isWellFormed(String value) {
    if (value == null || value.length() != VALUE_LENGTH) {
      return false;
    }
    for (int i = 0; i < VALUE_LENGTH; i++) {
      char c = value.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The form token for the cookie-check value {@code cookieValue}, or null when the value is not well formed. */
  public String tokenFor(String cookieValue) {
    return isWellFormed(cookieValue)
        ? mac.tag(cookieValue.getBytes(StandardCharsets.US_ASCII))
        : null;
  }

  /** Whether {@code presented} is the form token of {@code cookieValue}; false when either is missing or malformed. */
  public boolean matches(String cookieValue, String presented) {
    if (!isWellFormed(cookieValue) || presented == null) {
      return false;
    }
    return mac.verify(cookieValue.getBytes(StandardCharsets.US_ASCII), presented);
  }

  @Override
  public String toString() {
    return "LoginFormTokens";
  }
}
