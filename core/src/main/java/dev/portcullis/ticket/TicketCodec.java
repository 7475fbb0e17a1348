package dev.portcullis.ticket;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * The binary plaintext of an auth ticket, version 1:
 *
 * <pre>
 * version u8 = 1 | ticketId 16 | userLen u8 | user UTF-8 | orgLen u8 | org UTF-8
 *   | issuedAt varint ms since the epoch | lifetime varint ms | authAge varint ms (issuedAt - authTime) | binding 16
 * </pre>
 *
 * Varints are unsigned LEB128 (7 bits a byte, low bits first), at most 9 bytes, minimal length. Times as varints keep
 * a ticket with two 36-character handles under 200 characters once sealed.
 *
 * <p>Decoding is strict: every length is checked, strings must be well-formed UTF-8, varints minimal, the input
 * consumed exactly, and the ticket's own invariants must hold, so that a ticket has exactly one encoding. Anything
 * else is {@link Optional#empty()}.
 */
public final class TicketCodec {
  static final byte VERSION = 1;
  /** The largest encoded ticket; anything longer is refused before parsing. */
  private static final int MAX_VARINT = 9;
  static final int MAX_ENCODED = 1 + AuthTicket.ID_LENGTH + 2 * (1 + AuthTicket.MAX_HANDLE_BYTES)
      + 3 * MAX_VARINT + AuthTicket.BINDING_LENGTH;

  private TicketCodec() {}

  public static byte[] encode(AuthTicket t) {
    byte[] user = t.userHandle().getBytes(StandardCharsets.UTF_8);
    byte[] org = t.organisationHandleRaw().getBytes(StandardCharsets.UTF_8);
    long issued = t.issuedAt().toEpochMilli();
    long lifetime = t.expiresAt().toEpochMilli() - issued;
    long authAge = issued - t.authTime().toEpochMilli();
    if (issued < 0 || authAge < 0) {
      throw new IllegalArgumentException("ticket times before 1970 cannot be encoded");
    }
    ByteBuffer b = ByteBuffer.allocate(1 + AuthTicket.ID_LENGTH + 1 + user.length + 1 + org.length + 3 * MAX_VARINT
        + AuthTicket.BINDING_LENGTH);
    b.put(VERSION).put(t.ticketIdRaw());
    b.put((byte) user.length).put(user);
    b.put((byte) org.length).put(org);
    putVarint(b, issued);
    putVarint(b, lifetime);
    putVarint(b, authAge);
    b.put(t.sessionBindingRaw());
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  /** The ticket in {@code bytes}, or empty when they are not exactly one well-formed version-1 ticket. */
  public static Optional<AuthTicket> decode(byte[] bytes) {
    if (bytes == null || bytes.length > MAX_ENCODED || bytes.length == 0 || bytes[0] != VERSION) {
      return Optional.empty();
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
      byte[] id = new byte[AuthTicket.ID_LENGTH];
      b.get(id);
      String user = string(b);
      String org = string(b);
      long issued = getVarint(b);
      long lifetime = getVarint(b);
      long authAge = getVarint(b);
      byte[] binding = new byte[AuthTicket.BINDING_LENGTH];
      b.get(binding);
      if (b.hasRemaining() || user == null || org == null || issued < 0 || lifetime < 0 || authAge < 0) {
        return Optional.empty();
      }
      long expires = Math.addExact(issued, lifetime);
      long auth = issued - authAge;
      return Optional.of(new AuthTicket(id, user, org, Instant.ofEpochMilli(issued), Instant.ofEpochMilli(expires),
          Instant.ofEpochMilli(auth), binding, false));
    } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException
        | ArithmeticException | java.time.DateTimeException e) {
      return Optional.empty();
    }
  }

  private static void putVarint(ByteBuffer b, long v) {
    while ((v & ~0x7FL) != 0) {
      b.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    b.put((byte) v);
  }

  /** A minimal varint of at most 9 bytes (63 bits), or -1. */
  private static long getVarint(ByteBuffer b) {
    long v = 0;
    for (int i = 0; i < MAX_VARINT; i++) {
      int x = Byte.toUnsignedInt(b.get());
      v |= (long) (x & 0x7F) << (7 * i);
      if ((x & 0x80) == 0) {
        return (x == 0 && i > 0) ? -1 : v; // a trailing zero byte is a non-minimal encoding
      }
    }
    return -1;
  }

  private static String string(ByteBuffer b) {
    int len = Byte.toUnsignedInt(b.get());
    if (len > AuthTicket.MAX_HANDLE_BYTES) {
      return null;
    }
    int start = b.position();
    byte[] array = b.array();
    int from = b.arrayOffset() + start;
    b.position(start + len); // throws when the input is shorter than the length says
    boolean ascii = true;
    for (int i = from; i < from + len && ascii; i++) {
      ascii = array[i] >= 0;
    }
    if (ascii) {
      // ASCII is well-formed UTF-8: the common case needs no decoder.
      return new String(array, from, len, StandardCharsets.ISO_8859_1);
    }
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(array, from, len));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  static void checkHandle(String handle, String what) {
    int bytes;
    try {
      bytes = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(handle)).remaining();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the " + what + " is not valid Unicode");
    }
    if (bytes > AuthTicket.MAX_HANDLE_BYTES) {
      throw new IllegalArgumentException("the " + what + " exceeds " + AuthTicket.MAX_HANDLE_BYTES + " UTF-8 bytes");
    }
    checkControls(handle, what);
  }

  static void checkControls(String handle, String what) {
    for (int i = 0; i < handle.length(); i++) {
      if (Character.isISOControl(handle.charAt(i))) {
        throw new IllegalArgumentException("the " + what + " contains a control character");
      }
    }
  }
}
