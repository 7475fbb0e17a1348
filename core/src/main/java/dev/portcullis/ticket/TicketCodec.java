package dev.portcullis.ticket;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The binary plaintext of an auth ticket, version 3:
 *
 * <pre>
 * version u8 = 3 | ticketId 16 | userLen u8 | user UTF-8 | orgLen u8 | org UTF-8
 *   | issuedAt varint ms since the epoch | lifetime varint ms | authAge varint ms (issuedAt - authTime) | binding 16
 *   | zero bytes up to the next multiple of 32
 * </pre>
 *
 * Varints are unsigned LEB128 (7 bits a byte, low bits first), at most 9 bytes, minimal length. The zero padding
 * makes every ticket 64, 96, 128, 160 or 192 bytes long, so that the cookie's length does not tell handles of
 * different lengths apart (an organisation from its handle's length, a renewed ticket from a fresh one) unless they
 * fall in different 32-byte buckets: with a lifetime of a day or less and handles of 47 bytes or less together (a
 * 36-character UUID and an 11-character organisation) a ticket is 96 bytes and its cookie 172 characters. Where
 * handle lengths vary more than that, use handles of one length (UUIDs, say).
 *
 * <p>Decoding is strict: every length is checked, strings must be well-formed UTF-8, varints minimal, the padding
 * zero and exactly as long as the encoder writes it, and the ticket's own invariants must hold, so that a ticket has
 * exactly one encoding. Anything else, including a version-1 ticket (unpadded, written before 0.1.0 had a release),
 * is {@link Optional#empty()}: such a cookie reads as "not valid" and its user logs in again.
 *
 * <p>Version 2 has the same layout; only its binding differs ({@link SessionBinding#labelled} rather than {@link
 * SessionBinding#of}). It is still read, so that tickets issued before an upgrade keep their users logged in, and a
 * ticket read from version 2 is written back as version 2.
 */
final class TicketCodec {
  static final byte VERSION = 3;
  /** The previous version: the same layout with a {@link SessionBinding#labelled} binding. */
  static final byte LABELLED_BINDING_VERSION = 2;
  /** Encoded tickets are padded to a multiple of this many bytes. */
  static final int BUCKET = 32;

  private static final int MAX_VARINT = 9;
  /** The largest encoded ticket; anything longer is refused before parsing. */
  static final int MAX_ENCODED = padded(1
      + AuthTicket.ID_LENGTH
      + 2 * (1 + AuthTicket.MAX_HANDLE_BYTES)
      + 3 * MAX_VARINT
      + AuthTicket.BINDING_LENGTH);

  /** The shortest possible ticket: one-byte user handle, empty organisation, one-byte varints; padded. */
  private static final int MIN_ENCODED =
      padded(1 + AuthTicket.ID_LENGTH + 2 + 1 + 3 + AuthTicket.BINDING_LENGTH);

  private TicketCodec() {}

  public static byte[] encode(AuthTicket t) {
    byte[] user = t.userHandle().getBytes(StandardCharsets.UTF_8);
    byte[] org = t.organisationHandleRaw().getBytes(StandardCharsets.UTF_8);
    long issued = t.issuedAtMillis();
    long lifetime = t.expiresAtMillis() - issued;
    long authAge = issued - t.authTimeMillis();
    if (issued < 0 || authAge < 0) {
      throw new IllegalArgumentException("ticket times before 1970 cannot be encoded");
    }
    byte[] out = new byte
        [padded(1
            + AuthTicket.ID_LENGTH
            + 1
            + user.length
            + 1
            + org.length
            + varintLength(issued)
            + varintLength(lifetime)
            + varintLength(authAge)
            + AuthTicket.BINDING_LENGTH)];
    out[0] = t.labelledBinding() ? LABELLED_BINDING_VERSION : VERSION;
    int pos = t.putTicketId(out, 1);
    out[pos++] = (byte) user.length;
    pos = put(out, pos, user);
    out[pos++] = (byte) org.length;
    pos = put(out, pos, org);
    pos = putVarint(out, pos, issued);
    pos = putVarint(out, pos, lifetime);
    pos = putVarint(out, pos, authAge);
    t.putSessionBinding(out, pos);
    return out; // the rest is the zero padding
  }

  /** {@code length} rounded up to the next multiple of {@link #BUCKET}. */
  static int padded(int length) {
    return (length + BUCKET - 1) / BUCKET * BUCKET;
  }

  private static int put(byte[] out, int pos, byte[] bytes) {
    System.arraycopy(bytes, 0, out, pos, bytes.length);
    return pos + bytes.length;
  }

  private static int varintLength(long v) {
    return Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 6) / 7);
  }

  private static int putVarint(byte[] out, int pos, long v) {
    while ((v & ~0x7FL) != 0) {
      out[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[pos++] = (byte) v;
    return pos;
  }

  /** The ticket in {@code bytes}, or empty when they are not exactly one well-formed version-3 or version-2 ticket. */
  public static Optional<AuthTicket> decode(byte[] bytes) {
    // The ticket keeps the array it is decoded from: the caller's own is copied first.
    return Optional.ofNullable(decodeOrNull(bytes == null ? null : bytes.clone()));
  }

  /**
   * {@link #decode} without the {@code Optional} or the copy, for the verifier's per-request path: the ticket keeps
   * {@code bytes} (its id and binding are read from there), so nothing may change them afterwards.
   */
  static AuthTicket decodeOrNull(byte[] bytes) {
    if (bytes == null
        || bytes.length > MAX_ENCODED
        || bytes.length < MIN_ENCODED
        || bytes.length % BUCKET != 0
        || (bytes[0] != VERSION && bytes[0] != LABELLED_BINDING_VERSION)) {
      return null;
    }
    Reader r = new Reader(bytes);
    // The id and the binding stay in the decoded array, which the ticket keeps.
    int idAt = r.skip(AuthTicket.ID_LENGTH);
    String user = r.string();
    // The organisation is made only when asked for (few requests ask), unless it needs decoding.
    int orgAt = r.pos;
    String org = r.stringUnlessAscii();
    long issued = r.varint();
    long lifetime = r.varint();
    long authAge = r.varint();
    int bindingAt = r.skip(AuthTicket.BINDING_LENGTH);
    if (r.failed
        || padded(r.pos) != bytes.length
        || !zeroFrom(bytes, r.pos)
        || issued < 0
        || lifetime <= 0
        || authAge < 0
        || user.isEmpty()
        || issued > Long.MAX_VALUE - lifetime) {
      return null;
    }
    return new AuthTicket(
        bytes,
        idAt,
        user,
        org,
        orgAt,
        issued,
        issued + lifetime,
        issued - authAge,
        bindingAt,
        bytes[0] == LABELLED_BINDING_VERSION);
  }

  private static boolean zeroFrom(byte[] bytes, int from) {
    int any = 0;
    for (int i = from; i < bytes.length; i++) {
      any |= bytes[i];
    }
    return any == 0;
  }

  /**
   * A cursor over an encoded ticket. A read past the end, an oversized or badly formed field sets {@link #failed} and
   * yields a harmless value, so that decoding runs straight through and is judged once at the end.
   */
  private static final class Reader {
    private final byte[] in;
    int pos = 1; // after the version byte
    boolean failed;

    Reader(byte[] in) {
      this.in = in;
    }

    /** The position of the next {@code n} bytes, which the reader passes over; 0 when they are not all there. */
    int skip(int n) {
      if (in.length - pos < n) {
        failed = true;
        return 0;
      }
      int at = pos;
      pos += n;
      return at;
    }

    /** A minimal varint of at most 9 bytes (63 bits). */
    long varint() {
      long v = 0;
      for (int i = 0; i < MAX_VARINT && pos < in.length; i++) {
        int x = in[pos++] & 0xFF;
        v |= (long) (x & 0x7F) << (7 * i);
        if ((x & 0x80) == 0) {
          if (x == 0 && i > 0) {
            failed = true; // a trailing zero byte is a non-minimal encoding
          }
          return v;
        }
      }
      failed = true;
      return 0;
    }

    /** A length-prefixed handle: well-formed UTF-8, no control characters. */
    String string() {
      return string(false);
    }

    /**
     * {@link #string()}, but null for a well-formed handle of printable ASCII, which the caller reads from the array
     * when it needs it: a length byte, then the handle.
     */
    String stringUnlessAscii() {
      return string(true);
    }

    private String string(boolean nullIfAscii) {
      if (pos >= in.length) {
        failed = true;
        return "";
      }
      int len = in[pos++] & 0xFF;
      if (len > AuthTicket.MAX_HANDLE_BYTES || in.length - pos < len) {
        failed = true;
        return "";
      }
      int from = pos;
      pos += len;
      boolean printableAscii = true;
      for (int i = from; i < from + len; i++) {
        int b = in[i];
        printableAscii &= b >= 0x20 && b != 0x7F; // negative: not ASCII
      }
      if (printableAscii) {
        // Printable ASCII is well-formed UTF-8 without controls: the common case needs no decoder.
        return nullIfAscii ? null : new String(in, from, len, StandardCharsets.ISO_8859_1);
      }
      try {
        String s = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(in, from, len))
            .toString();
        if (hasControl(s)) {
          failed = true;
        }
        return s;
      } catch (CharacterCodingException e) {
        failed = true;
        return "";
      }
    }
  }

  static void checkHandle(String handle, String what) {
    int bytes;
    try {
      bytes = StandardCharsets.UTF_8
          .newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(handle))
          .remaining();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the " + what + " is not valid Unicode");
    }
    if (bytes > AuthTicket.MAX_HANDLE_BYTES) {
      throw new IllegalArgumentException(
          "the " + what + " exceeds " + AuthTicket.MAX_HANDLE_BYTES + " UTF-8 bytes");
    }
    if (hasControl(handle)) {
      throw new IllegalArgumentException("the " + what + " contains a control character");
    }
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }
}
