package dev.portcullis.aspnet;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * The byte layouts of a Forms Authentication ticket, before encryption. Reading never throws on bad input: it returns
 * {@code null}, and every length is checked against what is left.
 */
enum TicketFormat {
  /**
   * The managed serializer of .NET 4: {@code 0x01 | version | issue ticks | 0xFE | expiration ticks | persistent |
   * name | userData | cookiePath | 0xFF}, integers little-endian, each string a 7-bit encoded count of UTF-16 code
   * units followed by those units, little-endian.
   */
  SERIALIZED {
    @Override
    byte[] write(FormsAuthenticationTicket ticket, SecureRandom random) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(64);
      out.write(FORMAT_VERSION);
      out.write(ticket.version());
      writeInt64(out, DotNetTicks.fromInstant(ticket.issueDate()));
      out.write(SPACER);
      writeInt64(out, DotNetTicks.fromInstant(ticket.expiration()));
      out.write(ticket.persistent() ? 1 : 0);
      writeCountedString(out, ticket.name());
      writeCountedString(out, ticket.userData());
      writeCountedString(out, ticket.cookiePath());
      out.write(FOOTER);
      return out.toByteArray();
    }

    @Override
    FormsAuthenticationTicket read(byte[] data) {
      try {
        Reader in = new Reader(data);
        in.expect(FORMAT_VERSION);
        int version = in.u8();
        long issue = in.int64();
        in.expect(SPACER);
        long expiration = in.int64();
        boolean persistent = in.bool();
        String name = in.countedString();
        String userData = in.countedString();
        String cookiePath = in.countedString();
        in.expect(FOOTER);
        in.expectEnd();
        return ticket(version, name, issue, expiration, persistent, userData, cookiePath);
      } catch (Malformed | IllegalArgumentException e) {
        return null;
      }
    }
  },

  /**
   * The native layout that .NET 4 still writes when the appSetting
   * {@code aspnet:UseLegacyFormsAuthenticationTicketCompatibility} is true: 8 random bytes, version, name, issue time,
   * persistent, expiration time, userData, cookiePath; times are little-endian Windows FILETIMEs, strings UTF-16LE
   * ending in a NUL.
   */
  LEGACY_NATIVE {
    @Override
    byte[] write(FormsAuthenticationTicket ticket, SecureRandom random) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(64);
      byte[] header = new byte[8];
      random.nextBytes(header);
      out.writeBytes(header);
      out.write(ticket.version());
      writeTerminatedString(out, "name", ticket.name());
      writeInt64(out, DotNetTicks.toFileTime(DotNetTicks.fromInstant(ticket.issueDate())));
      out.write(ticket.persistent() ? 1 : 0);
      writeInt64(out, DotNetTicks.toFileTime(DotNetTicks.fromInstant(ticket.expiration())));
      writeTerminatedString(out, "userData", ticket.userData());
      writeTerminatedString(out, "cookiePath", ticket.cookiePath());
      return out.toByteArray();
    }

    @Override
    FormsAuthenticationTicket read(byte[] data) {
      try {
        Reader in = new Reader(data);
        in.skip(8);
        int version = in.u8();
        String name = in.terminatedString();
        long issue = DotNetTicks.fromFileTime(in.int64());
        boolean persistent = in.bool();
        long expiration = DotNetTicks.fromFileTime(in.int64());
        String userData = in.terminatedString();
        String cookiePath = in.terminatedString();
        in.expectEnd();
        return ticket(version, name, issue, expiration, persistent, userData, cookiePath);
      } catch (Malformed | IllegalArgumentException e) {
        return null;
      }
    }
  };

  private static final int FORMAT_VERSION = 0x01;
  private static final int SPACER = 0xFE;
  private static final int FOOTER = 0xFF;

  /**
   * The ticket's bytes.
   *
   * @throws IllegalArgumentException if this layout cannot hold the ticket
   */
  abstract byte[] write(FormsAuthenticationTicket ticket, SecureRandom random);

  /** The ticket, or {@code null} if the bytes are not exactly one well-formed ticket. */
  abstract FormsAuthenticationTicket read(byte[] data);

  private static FormsAuthenticationTicket ticket(
      int version,
      String name,
      long issueTicks,
      long expirationTicks,
      boolean persistent,
      String userData,
      String cookiePath)
      throws Malformed {
    if (!DotNetTicks.inRange(issueTicks) || !DotNetTicks.inRange(expirationTicks)) {
      throw Malformed.INSTANCE;
    }
    Instant issue = DotNetTicks.toInstant(issueTicks);
    Instant expiration = DotNetTicks.toInstant(expirationTicks);
    return FormsAuthenticationTicket.builder(name, issue, expiration)
        .version(version)
        .persistent(persistent)
        .userData(userData)
        .cookiePath(cookiePath)
        .build();
  }

  private static void writeInt64(ByteArrayOutputStream out, long value) {
    for (int i = 0; i < 8; i++) {
      out.write((int) (value >>> (8 * i)));
    }
  }

  private static void writeCountedString(ByteArrayOutputStream out, String s) {
    int count = s.length();
    while (count >= 0x80) {
      out.write((count & 0x7F) | 0x80);
      count >>>= 7;
    }
    out.write(count);
    writeUnits(out, s);
  }

  private static void writeTerminatedString(ByteArrayOutputStream out, String what, String s) {
    if (s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "a legacy ticket cannot hold a NUL character in its " + what);
    }
    writeUnits(out, s);
    out.write(0);
    out.write(0);
  }

  private static void writeUnits(ByteArrayOutputStream out, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.write(c);
      out.write(c >>> 8);
    }
  }

  /** Bad input inside a reader; never leaves this class. */
  private static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;
    static final Malformed INSTANCE = new Malformed();

    private Malformed() {
      super(null, null, false, false);
    }
  }

  private static final class Reader {
    private final byte[] data;
    private int pos;

    Reader(byte[] data) {
      this.data = data;
    }

    int u8() throws Malformed {
      if (pos >= data.length) {
        throw Malformed.INSTANCE;
      }
      return data[pos++] & 0xFF;
    }

    void expect(int value) throws Malformed {
      if (u8() != value) {
        throw Malformed.INSTANCE;
      }
    }

    void expectEnd() throws Malformed {
      if (pos != data.length) {
        throw Malformed.INSTANCE;
      }
    }

    void skip(int n) throws Malformed {
      if (data.length - pos < n) {
        throw Malformed.INSTANCE;
      }
      pos += n;
    }

    boolean bool() throws Malformed {
      int b = u8();
      if (b > 1) {
        throw Malformed.INSTANCE;
      }
      return b == 1;
    }

    long int64() throws Malformed {
      if (data.length - pos < 8) {
        throw Malformed.INSTANCE;
      }
      long v = 0;
      for (int i = 7; i >= 0; i--) {
        v = (v << 8) | (data[pos + i] & 0xFF);
      }
      pos += 8;
      return v;
    }

    /** A count in 7-bit groups, least significant first: at most five bytes, never negative, never overlong. */
    int count() throws Malformed {
      int value = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        int b = u8();
        if (shift == 28 && b > 0x07) {
          throw Malformed.INSTANCE;
        }
        value |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          if (b == 0 && shift > 0) {
            throw Malformed.INSTANCE;
          }
          return value;
        }
      }
      throw Malformed.INSTANCE;
    }

    String countedString() throws Malformed {
      int count = count();
      if (count > FormsAuthenticationTicket.MAX_STRING_LENGTH
          || (long) count * 2 > data.length - pos) {
        throw Malformed.INSTANCE;
      }
      char[] chars = new char[count];
      for (int i = 0; i < count; i++) {
        chars[i] = (char) ((data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8);
        pos += 2;
      }
      return new String(chars);
    }

    String terminatedString() throws Malformed {
      StringBuilder s = new StringBuilder();
      while (true) {
        if (data.length - pos < 2) {
          throw Malformed.INSTANCE;
        }
        char c = (char) ((data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8);
        pos += 2;
        if (c == 0) {
          return s.toString();
        }
        if (s.length() == FormsAuthenticationTicket.MAX_STRING_LENGTH) {
          throw Malformed.INSTANCE;
        }
        s.append(c);
      }
    }
  }
}
