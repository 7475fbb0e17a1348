package dev.portcullis.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A session identifier as it travels in the session cookie.
 *
 * <p><b>Security.</b> The identifier is a bearer secret. {@link #toString()} never shows it, {@link #equals} compares
 * in constant time, and the raw value leaves only through {@link #cookieValue()} (grep for it). Stores never see it:
 * they are keyed by {@link #storeKey()}, its SHA-256.
 */
public final class SessionId {
  private final String value;
  /**
   * The store key, hashed once: a request asks for it to load, to save and to compare. Not volatile: a key is
   * immutable (final fields), so a thread that reads the field sees null or a whole key, and at worst hashes again,
   * as {@code String.hashCode} does; a volatile write here cost a full fence on every request.
   */
  private SessionKey storeKey;

  SessionId(String value) {
    this.value = value;
  }

  /** The raw identifier, for writing the session cookie only. Never log it. */
  public String cookieValue() {
    return value;
  }

  /** The key a store files this session under: SHA-256 of the identifier. */
  public SessionKey storeKey() {
    SessionKey key = storeKey;
    if (key == null) {
      key = SessionKey.of(this);
      storeKey = key;
    }
    return key;
  }

  byte[] bytes() {
    return value.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SessionId other && MessageDigest.isEqual(bytes(), other.bytes());
  }

  @Override
  public int hashCode() {
    return storeKey().hashCode();
  }

  @Override
  public String toString() {
    return "SessionId[redacted]";
  }
}
