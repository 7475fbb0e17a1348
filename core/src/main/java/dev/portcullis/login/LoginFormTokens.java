package dev.portcullis.login;

import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.KeyedMac;
import dev.portcullis.crypto.Purpose;
import dev.portcullis.session.SessionIdFormat;
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
 * <p>When the session cookie does the cookie check ({@link PortalLogin.Builder#cookieCheckBySessionCookie()}), the
 * tokens of {@link #forSessionIds} are bound to the session cookie's value instead: a fresh value is a session id of
 * the configured format that names no stored session, and the MAC input is marked as a session id, so a token for a
 * cookie-check value is never one for the same text as a session id.
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

  /** Marks a session id in the MAC input (a cookie-check value is MACed as it is). */
  private static final byte[] SESSION_ID_CONTEXT =
      "session-id:".getBytes(StandardCharsets.US_ASCII);

  private final KeyedMac mac;
  /** The session ids the values are, or null for cookie-check values. */
  private final SessionIdFormat sessionIds;

  LoginFormTokens(KeyRingSource ring) {
    this(KeyedMac.create(Objects.requireNonNull(ring, "ring"), Purpose.LOGIN_FORM), null);
  }

  private LoginFormTokens(KeyedMac mac, SessionIdFormat sessionIds) {
    this.mac = mac;
    this.sessionIds = sessionIds;
  }

  /**
   * The same tokens under the same key, bound to session cookie values of {@code format} instead of cookie-check
   * values: for a portal whose session cookie does the cookie check.
   */
  public LoginFormTokens forSessionIds(SessionIdFormat format) {
    return new LoginFormTokens(mac, Objects.requireNonNull(format, "format"));
  }

  /**
   * A fresh value to bind tokens to, from {@code random}: 32 bytes, base64url without padding, or for session ids a
   * fresh id of their format (which names no session: nothing is stored for it).
   */
  public String newCookieValue(SecureRandom random) {
    if (sessionIds != null) {
      return sessionIds.newCookieValue(random);
    }
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Whether {@code value} has the shape of a value tokens are bound to (an older or forged one may not). */
  public boolean isWellFormed(String value) {
    if (sessionIds != null) {
      return sessionIds.isWellFormed(value);
    }
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

  /** The form token for the cookie value {@code cookieValue}, or null when the value is not well formed. */
  public String tokenFor(String cookieValue) {
    return isWellFormed(cookieValue) ? mac.tag(macInput(cookieValue)) : null;
  }

  /** Whether {@code presented} is the form token of {@code cookieValue}; false when either is missing or malformed. */
  public boolean matches(String cookieValue, String presented) {
    if (!isWellFormed(cookieValue) || presented == null) {
      return false;
    }
    return mac.verify(macInput(cookieValue), presented);
  }

  private byte[] macInput(String cookieValue) {
    byte[] value = cookieValue.getBytes(StandardCharsets.US_ASCII);
    if (sessionIds == null) {
      return value;
    }
    byte[] in = new byte[SESSION_ID_CONTEXT.length + value.length];
    System.arraycopy(SESSION_ID_CONTEXT, 0, in, 0, SESSION_ID_CONTEXT.length);
    System.arraycopy(value, 0, in, SESSION_ID_CONTEXT.length, value.length);
    return in;
  }

  @Override
  public String toString() {
    return sessionIds == null ? "LoginFormTokens" : "LoginFormTokens[session ids]";
  }
}
