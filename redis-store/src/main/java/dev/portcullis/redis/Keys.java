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
 *
 * <p>On a Redis Cluster every key carries a hash tag (the part in braces, which alone decides the key's slot), so that
 * the keys one script touches share a slot: a session's hash is tagged by its session key; a user's session index and
 * revocation cut-off by the user's hash; a login budget or known address by its own hash; and every account-link key
 * by one tag for the prefix, because linking touches an identity key and its user's hash, and unlinking every
 * identity of a user deletes keys named in that hash (links are few and written only at single sign-on, so one slot
 * holds them well). Standalone and Sentinel keys have no tags: their names are those of earlier versions.
 */
final class Keys {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  /** Longest a record is kept, whatever the caller asks; also keeps the millisecond arithmetic far from overflow. */
  private static final long LONGEST_MILLIS = Duration.ofDays(3650).toMillis();

  /** The hash tag of every account-link key on a cluster. */
  private static final String LINK_TAG = "{al}";

  private final String prefix;
  private final InstantSource clock;
  private final long skewMillis;
  private final boolean cluster;

  /** Key names for standalone Redis or Sentinel: no hash tags. */
  Keys(String prefix, InstantSource clock, Duration clockSkew) {
    this(prefix, clock, clockSkew, false);
  }

  /** Key names with hash tags when {@code cluster}; the prefix then holds no braces ({@link RedisStoreConfig}). */
  Keys(String prefix, InstantSource clock, Duration clockSkew, boolean cluster) {
    this.prefix = prefix;
    this.clock = clock;
    this.skewMillis = clockSkew.toMillis();
    this.cluster = cluster;
  }

  /** Whether these are a cluster's keys: then no script may touch keys of two tags. */
  boolean cluster() {
    return cluster;
  }

  String revokedTicket(String ticketId) {
    return prefix + "rv:t:" + tagged(hash("ticket", ticketId));
  }

  String userCutOff(String userHandle) {
    return prefix + "rv:u:" + tagged(hash("user", userHandle));
  }

  String usedToken(String tokenId) {
    return prefix + "rp:" + tagged(hash("token", tokenId));
  }

  String identity(String issuer, String subject) {
    // The issuer's length in front keeps ("ab", "c") and ("a", "bc") apart.
    return prefix + links() + "i:" + hash("identity", issuer.length() + ":" + issuer + subject);
  }

  String linkedUser(String userHandle) {
    return prefix + links() + "u:" + hash("user", userHandle);
  }

  String loginBudget(String budget) {
    return prefix + "la:b:" + tagged(hash("login-budget", budget));
  }

  String knownAddress(String known) {
    return prefix + "la:k:" + tagged(hash("known-address", known));
  }

  String session(byte[] sessionKey) {
    // Already a SHA-256 of the session id (SessionKey); hashing again would add nothing.
    return sessionPrefix() + tagged(B64.encodeToString(sessionKey));
  }

  /** The session key whose name {@link #session} gave, from that name. */
  byte[] sessionKeyOf(String name) {
    String encoded = name.substring(sessionPrefix().length());
    if (cluster) {
      encoded = encoded.substring(1, encoded.length() - 1);
    }
    return Base64.getUrlDecoder().decode(encoded);
  }

  private String sessionPrefix() {
    return prefix + "s:";
  }

  String sessionsOf(String userHandle) {
    return prefix + "su:" + tagged(hash("user", userHandle));
  }

  private String tagged(String name) {
    return cluster ? "{" + name + "}" : name;
  }

  private String links() {
    return cluster ? LINK_TAG + ":" : "al:";
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
