package dev.portcullis.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;

/**
 * Key names and expiry arithmetic shared by the Redis stores.
 *
 * <p>Every key that would hold an identifier (ticket id, token id, user handle, SSO subject) holds its SHA-256
 * instead, with a purpose label in front so that equal strings of different kinds give different keys. A key dump
 * shows which kinds of record exist and how many, not whose they are.
 */
final class Keys {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  /** Longest a record is kept, whatever the caller asks; also keeps the millisecond arithmetic far from overflow. */
  private static final long LONGEST_MILLIS = Duration.ofDays(3650).toMillis();

  private final String prefix;
  private final InstantSource clock;
  private final long skewMillis;

  Keys(String prefix, InstantSource clock, Duration clockSkew) {
    this.prefix = prefix;
    this.clock = clock;
    this.skewMillis = clockSkew.toMillis();
  }

  String revokedTicket(String ticketId) {
    return prefix + "rv:t:" + hash("ticket", ticketId);
  }

  String userCutOff(String userHandle) {
    return prefix + "rv:u:" + hash("user", userHandle);
  }

  String usedToken(String tokenId) {
    return prefix + "rp:" + hash("token", tokenId);
  }

  String identity(String issuer, String subject) {
    // The issuer's length in front keeps ("ab", "c") and ("a", "bc") apart.
    return prefix + "al:i:" + hash("identity", issuer.length() + ":" + issuer + subject);
  }

  String linkedUser(String userHandle) {
    return prefix + "al:u:" + hash("user", userHandle);
  }

  String loginBudget(String budget) {
    return prefix + "la:b:" + hash("login-budget", budget);
  }

  String knownAddress(String known) {
    return prefix + "la:k:" + hash("known-address", known);
  }

  String session(byte[] sessionKey) {
    // Already a SHA-256 of the session id (SessionKey); hashing again would add nothing.
    return prefix + "s:" + B64.encodeToString(sessionKey);
  }

  String sessionsOf(String userHandle) {
    return prefix + "su:" + hash("user", userHandle);
  }

  Instant now() {
    return clock.instant();
  }

  /**
   * Milliseconds Redis keeps a record that the SPI lets go at {@code until}: the time left by the injected clock, plus
   * the configured clock skew; zero or less when even a node whose clock is behind by the skew would have let it go.
   */
  long ttlMillis(Instant until) {
    long left;
    try {
      left = Duration.between(clock.instant(), until).toMillis();
    } catch (ArithmeticException e) {
      left = until.isAfter(clock.instant()) ? LONGEST_MILLIS : -LONGEST_MILLIS;
    }
    return Math.min(LONGEST_MILLIS, Math.max(-LONGEST_MILLIS, left) + skewMillis);
  }

  /** {@code t} in epoch milliseconds, rounded up so that a record never ends before its instant. */
  static long ceilMillis(Instant t) {
    long ms;
    try {
      ms = t.toEpochMilli();
    } catch (ArithmeticException e) {
      return t.isAfter(Instant.EPOCH) ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return t.getNano() % 1_000_000 == 0 ? ms : ms + 1;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] ascii(long n) {
    return ascii(Long.toString(n));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String hash(String purpose, String value) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
    sha256.update(utf8(purpose));
    sha256.update((byte) 0);
    return B64.encodeToString(sha256.digest(utf8(value)));
  }
}
