package dev.portcullis.ticket;

import dev.portcullis.session.SessionId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * What the authentication-key cookie says: which opaque user handle is logged in, for how long, and to which
 * session it is bound. It holds no personal data: the handle is an opaque id from the user directory, never a
 * username or email.
 *
 * <p>Times have millisecond precision (the codec stores epoch milliseconds).
 */
public final class AuthTicket {
  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** Length of {@link #ticketId()} in bytes. */
  public static final int ID_LENGTH = 16;
  /** Length of {@link #sessionBinding()} in bytes. */
  public static final int BINDING_LENGTH = 16;
  /** Longest user or organisation handle, in UTF-8 bytes, so that the cookie stays small. */
  public static final int MAX_HANDLE_BYTES = 64;

  /**
   * The ticket id's and the session binding's bytes, at {@link #idAt} and {@link #bindingAt}: the decoded cookie's own
   * array (made for this ticket alone), so that a request's ticket copies neither out, or an array of the two alone.
   */
  private final byte[] bytes;

  private final int idAt;
  private final int bindingAt;
  private final String userHandle;
  /**
   * The organisation handle; for a decoded ticket whose handle is printable ASCII, null until first asked for and read
   * from {@link #bytes} at {@link #organisationAt} (its length byte, the handle after it), as few requests ask.
   */
  private String organisationHandle;

  /** Where the organisation handle's length byte is in {@link #bytes}, while the handle is not made; else -1. */
  private final int organisationAt;
  // Epoch milliseconds: an Instant is made only when asked for.
  private final long issuedAt;
  private final long expiresAt;
  private final long authTime;
  /**
   * Whether {@link #sessionBinding} is {@link SessionBinding#labelled} (a version-2 ticket) rather than {@link
   * SessionBinding#of}.
   */
  private final boolean labelledBinding;
  /** {@link #ticketIdHex()}, made on first use (the revocation check asks on every request). */
  private String ticketIdHex;

  /**
   * @param organisationHandle empty string when the user belongs to no organisation
   * @throws IllegalArgumentException on wrong lengths, an empty or oversized handle, or times out of order
   *     ({@code authTime <= issuedAt < expiresAt})
   */
  public AuthTicket(
      byte[] ticketId,
      String userHandle,
      String organisationHandle,
      Instant issuedAt,
      Instant expiresAt,
      Instant authTime,
      byte[] sessionBinding) {
    Objects.requireNonNull(ticketId, "ticketId");
    Objects.requireNonNull(userHandle, "userHandle");
    Objects.requireNonNull(organisationHandle, "organisationHandle");
    Objects.requireNonNull(sessionBinding, "sessionBinding");
    if (ticketId.length != ID_LENGTH) {
      throw new IllegalArgumentException("a ticket id has " + ID_LENGTH + " bytes");
    }
    if (sessionBinding.length != BINDING_LENGTH) {
      throw new IllegalArgumentException("a session binding has " + BINDING_LENGTH + " bytes");
    }
    if (userHandle.isEmpty()) {
      throw new IllegalArgumentException("the user handle is empty");
    }
    TicketCodec.checkHandle(userHandle, "user handle");
    TicketCodec.checkHandle(organisationHandle, "organisation handle");
    this.issuedAt = Objects.requireNonNull(issuedAt, "issuedAt").toEpochMilli();
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt").toEpochMilli();
    this.authTime = Objects.requireNonNull(authTime, "authTime").toEpochMilli();
    if (this.expiresAt <= this.issuedAt || this.authTime > this.issuedAt) {
      throw new IllegalArgumentException(
          "times out of order: need authTime <= issuedAt < expiresAt");
    }
    byte[] both = new byte[ID_LENGTH + BINDING_LENGTH];
    System.arraycopy(ticketId, 0, both, 0, ID_LENGTH);
    System.arraycopy(sessionBinding, 0, both, ID_LENGTH, BINDING_LENGTH);
    this.bytes = both;
    this.idAt = 0;
    this.bindingAt = ID_LENGTH;
    this.userHandle = userHandle;
    this.organisationHandle = organisationHandle;
    this.organisationAt = -1;
    this.labelledBinding = false;
  }

  /**
   * For {@link TicketCodec#decode}, which hands over an array made for this ticket alone, holding the id at {@code
   * idAt} and the binding at {@code bindingAt}, and has already checked everything the public constructor checks:
   * lengths, UTF-8 and control characters of the handles, a non-empty user handle, and {@code authTime <= issuedAt <
   * expiresAt}. {@code organisationHandle} may be null when the array holds it as printable ASCII (a length byte at
   * {@code organisationAt}, then the handle), to be read from there when asked for.
   */
  AuthTicket(
      byte[] bytes,
      int idAt,
      String userHandle,
      String organisationHandle,
      int organisationAt,
      long issuedAt,
      long expiresAt,
      long authTime,
      int bindingAt,
      boolean labelledBinding) {
    this.bytes = bytes;
    this.idAt = idAt;
    this.bindingAt = bindingAt;
    this.userHandle = userHandle;
    this.organisationHandle = organisationHandle;
    this.organisationAt = organisationHandle == null ? organisationAt : -1;
    this.issuedAt = issuedAt;
    this.expiresAt = expiresAt;
    this.authTime = authTime;
    this.labelledBinding = labelledBinding;
  }

  /** 16 random bytes naming this ticket, for revocation. */
  public byte[] ticketId() {
    return Arrays.copyOfRange(bytes, idAt, idAt + ID_LENGTH);
  }

  /** {@link #ticketId()} as 32 lower-case hex digits: the key for revocation stores. */
  public String ticketIdHex() {
    String hex = ticketIdHex;
    if (hex == null) {
      hex = lowerHex(bytes, idAt, ID_LENGTH);
      ticketIdHex = hex;
    }
    return hex;
  }

  /**
   * {@code bytes} as lower-case hex, as {@code HexFormat.of().formatHex} writes it; by table into one array, as every
   * authenticated request asks (the JDK 17 formatter appends digit by digit to a builder).
   */
  static String lowerHex(byte[] bytes) {
    return lowerHex(bytes, 0, bytes.length);
  }

  private static String lowerHex(byte[] bytes, int from, int length) {
    byte[] out = new byte[length * 2];
    for (int i = 0; i < length; i++) {
      int b = bytes[from + i] & 0xFF;
      out[2 * i] = HEX_DIGITS[b >>> 4];
      out[2 * i + 1] = HEX_DIGITS[b & 0x0F];
    }
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  public String userHandle() {
    return userHandle;
  }

  /**
   * The user's organisation when the login issued the ticket; a renewal keeps it. An administrator may have moved the
   * user since: decide with the account as the directory has it now ({@code PortalPrincipal.user().organisation()}),
   * never with this.
   */
  public Optional<String> organisationHandle() {
    String organisation = organisationHandleRaw();
    return organisation.isEmpty() ? Optional.empty() : Optional.of(organisation);
  }

  public Instant issuedAt() {
    return Instant.ofEpochMilli(issuedAt);
  }

  public Instant expiresAt() {
    return Instant.ofEpochMilli(expiresAt);
  }

  /** When the user last proved who they are (a renewal keeps it). */
  public Instant authTime() {
    return Instant.ofEpochMilli(authTime);
  }

  /** A digest of the session id the ticket belongs to; see {@link SessionBinding}. */
  public byte[] sessionBinding() {
    return Arrays.copyOfRange(bytes, bindingAt, bindingAt + BINDING_LENGTH);
  }

  /** Whether this ticket is bound to the session whose id is {@code sessionId}, compared in constant time. */
  public boolean isBoundTo(String sessionId) {
    byte[] expected =
        labelledBinding ? SessionBinding.labelled(sessionId) : SessionBinding.of(sessionId);
    if (expected.length != BINDING_LENGTH) {
      return false;
    }
    // No early exit: the time does not depend on where the bytes differ.
    int diff = 0;
    for (int i = 0; i < BINDING_LENGTH; i++) {
      diff |= bytes[bindingAt + i] ^ expected[i];
    }
    return diff == 0;
  }

  /**
   * {@link #isBoundTo(String)} for a session id whose store key the request has already computed: a ticket of the
   * current format compares its binding with the key, with no second hash of the id.
   */
  public boolean isBoundTo(SessionId sessionId) {
    return labelledBinding
        ? isBoundTo(sessionId.cookieValue())
        : sessionId.storeKey().startsWith(bytes, bindingAt, BINDING_LENGTH);
  }

  /** Whether the binding is {@link SessionBinding#labelled}: a ticket decoded from version 2, re-encoded as such. */
  boolean labelledBinding() {
    return labelledBinding;
  }

  public Duration lifetime() {
    return Duration.ofMillis(expiresAt - issuedAt);
  }

  /** True once at least half of the lifetime has passed at {@code now}: time for a sliding renewal. */
  public boolean isPastHalfLife(Instant now) {
    long lifetime = expiresAt - issuedAt;
    // Half the lifetime, exactly (an odd number of milliseconds halves to a half millisecond).
    Instant half = Instant.ofEpochMilli(issuedAt + lifetime / 2).plusNanos(lifetime % 2 * 500_000);
    return !now.isBefore(half);
  }

  /** {@link #isPastHalfLife} at {@code nowMillis} (milliseconds since the epoch), without an {@code Instant}. */
  boolean isPastHalfLifeAt(long nowMillis) {
    long lifetime = expiresAt - issuedAt;
    // Past the exact half: an odd lifetime halves to a half millisecond, which a whole millisecond
    // reaches only at the next one, hence the rounding up.
    return nowMillis - issuedAt >= lifetime / 2 + lifetime % 2;
  }

  /** The organisation handle, empty for none; made from the decoded bytes on first use. */
  String organisationHandleRaw() {
    String organisation = organisationHandle;
    if (organisation == null) {
      // A racy single check, as String.hashCode: the bytes never change, so every thread makes
      // the same string.
      organisation = new String(
          bytes, organisationAt + 1, bytes[organisationAt] & 0xFF, StandardCharsets.ISO_8859_1);
      organisationHandle = organisation;
    }
    return organisation;
  }

  long issuedAtMillis() {
    return issuedAt;
  }

  long expiresAtMillis() {
    return expiresAt;
  }

  long authTimeMillis() {
    return authTime;
  }

  /** Writes the ticket id's bytes into {@code out} at {@code pos}; the position after them. */
  int putTicketId(byte[] out, int pos) {
    System.arraycopy(bytes, idAt, out, pos, ID_LENGTH);
    return pos + ID_LENGTH;
  }

  /** Writes the session binding's bytes into {@code out} at {@code pos}; the position after them. */
  int putSessionBinding(byte[] out, int pos) {
    System.arraycopy(bytes, bindingAt, out, pos, BINDING_LENGTH);
    return pos + BINDING_LENGTH;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuthTicket t
        && Arrays.equals(bytes, idAt, idAt + ID_LENGTH, t.bytes, t.idAt, t.idAt + ID_LENGTH)
        && userHandle.equals(t.userHandle)
        && organisationHandleRaw().equals(t.organisationHandleRaw())
        && issuedAt == t.issuedAt
        && expiresAt == t.expiresAt
        && authTime == t.authTime
        && Arrays.equals(
            bytes,
            bindingAt,
            bindingAt + BINDING_LENGTH,
            t.bytes,
            t.bindingAt,
            t.bindingAt + BINDING_LENGTH)
        && labelledBinding == t.labelledBinding;
  }

  /**
   * {@code Arrays.hashCode} of the ticket id's 16 bytes. The in-memory revocation store computes the same hash from
   * {@link #ticketIdHex()} to skip its lookup while no revoked id shares it: keep the two in step.
   */
  @Override
  public int hashCode() {
    int hash = 1;
    for (int i = idAt; i < idAt + ID_LENGTH; i++) {
      hash = 31 * hash + bytes[i];
    }
    return hash;
  }

  /** Shows the ticket id and times; not the handles, which are for the audit log's structured fields. */
  @Override
  public String toString() {
    return "AuthTicket[" + ticketIdHex() + ", issued " + issuedAt() + ", expires " + expiresAt()
        + "]";
  }
}
