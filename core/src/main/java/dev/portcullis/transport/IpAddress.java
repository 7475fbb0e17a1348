package dev.portcullis.transport;

import java.util.Arrays;
import java.util.Optional;

/**
 * An IPv4 or IPv6 address read from its text form by the one rule Portcullis uses wherever it reads an address: the
 * trusted-proxy list, forwarding headers, development mode's loopback check and the client address of an audit
 * event. Immutable; equal when the addresses are equal, whatever text they were read from.
 *
 * <p>The rule:
 *
 * <ul>
 *   <li>IPv4: four decimal parts of one to three ASCII digits separated by dots, each at most 255, and <b>no leading
 *       zero</b> ({@code 0} alone is fine; {@code 010.0.0.1} is refused). Some parsers read a leading zero as octal
 *       ({@code 010} = 8), others as decimal; an address two readers may take for two different hosts is not an
 *       address here. Short forms ({@code 127.1}), hexadecimal and octal forms are refused too.
 *   <li>IPv6: RFC 4291 section 2.2 text form: eight groups of one to four hexadecimal digits, or fewer with one
 *       {@code ::}; the last two groups may be written as an IPv4 address by the rule above. Leading zeros in a group
 *       are fine (hexadecimal is unambiguous). No zone ({@code %eth0}), no brackets, no port.
 *   <li>An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) is the IPv4 address it maps, as the JDK and dual-stack
 *       sockets treat it, so a trusted-proxy block written in IPv4 covers it.
 * </ul>
 *
 * <p>{@link #toString()} is the canonical text: dotted decimal for IPv4, RFC 5952 for IPv6 (lower case, no leading
 * zeros, the longest run of two or more zero groups as {@code ::}).
 *
 * <p><b>Security.</b> Parsing never resolves a name and never touches the network; it is linear in the input, and
 * text longer than 45 characters is refused before it is read. What is not an address by the rule above is refused
 * as a whole, never guessed at.
 */
public final class IpAddress {
  /** The longest IPv6 text form (eight groups with an embedded IPv4 address). */
  private static final int MAX_TEXT = 45;

  private static final byte[] MAPPED_PREFIX = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF
  };

  private final byte[] bytes;
  private final String text;

  private IpAddress(byte[] bytes) {
    this(bytes, bytes.length == 4 ? ipv4Text(bytes) : ipv6Text(bytes));
  }

  private IpAddress(byte[] bytes, String text) {
    this.bytes = bytes;
    this.text = text;
  }

  /**
   * The address {@code text} names, or empty when it is not an IP address by the rule in the class description.
   *
   * @param text the address as written, or null
   */
  public static Optional<IpAddress> parse(String text) {
    return Optional.ofNullable(parseOrNull(text));
  }

  /** {@link #parse} without the {@code Optional}, for per-request paths. */
  static IpAddress parseOrNull(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_TEXT) {
      return null;
    }
    if (text.indexOf(':') < 0) {
      byte[] b = ipv4(text, 0, text.length());
      // Dotted decimal without leading zeros is the only IPv4 text accepted, and it is the
      // canonical text: kept as sent rather than formatted again.
      return b == null ? null : new IpAddress(b, text);
    }
    byte[] b = ipv6(text);
    if (b == null) {
      return null;
    }
    if (b.length == 16 && Arrays.equals(b, 0, 12, MAPPED_PREFIX, 0, 12)) {
      b = Arrays.copyOfRange(b, 12, 16);
    }
    return new IpAddress(b);
  }

  /** The address of raw bytes: 4 for IPv4, 16 for IPv6 (an IPv4-mapped one becomes IPv4). */
  public static IpAddress of(byte[] address) {
    if (address == null || (address.length != 4 && address.length != 16)) {
      throw new IllegalArgumentException("an IP address has 4 or 16 bytes");
    }
    byte[] b = address.length == 16 && Arrays.equals(address, 0, 12, MAPPED_PREFIX, 0, 12)
        ? Arrays.copyOfRange(address, 12, 16)
        : address.clone();
    return new IpAddress(b);
  }

  /** The address as bytes: 4 for IPv4, 16 for IPv6. A copy. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The bytes without a copy, for matching inside this package. */
  byte[] rawBytes() {
    return bytes;
  }

  public boolean isIpv4() {
    return bytes.length == 4;
  }

  /**
   * The part of the address that stands for one client, as per-client limits count it: all 4 bytes of an IPv4
   * address, the first 8 (the /64, one subscriber's usual allocation) of an IPv6 one, inside which a client can take a
   * new address at will. A copy.
   */
  public byte[] clientPrefix() {
    return Arrays.copyOf(bytes, bytes.length == 4 ? 4 : 8);
  }

  /** Whether this is a loopback address: 127.0.0.0/8 or {@code ::1}. */
  public boolean isLoopback() {
    if (bytes.length == 4) {
      return bytes[0] == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[15] == 1;
  }

  /** The canonical text: dotted decimal, or RFC 5952 for IPv6. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpAddress other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Four decimal parts of one to three ASCII digits, each at most 255, without a leading zero; otherwise null. */
  private static byte[] ipv4(String s, int from, int to) {
    byte[] b = new byte[4];
    int part = 0;
    int digits = 0;
    int value = 0;
    for (int i = from; i < to; i++) {
      char ch = s.charAt(i);
      if (ch >= '0' && ch <= '9') {
        if (digits == 3 || (digits == 1 && value == 0)) {
          return null; // a fourth digit, or a digit after a leading zero
        }
        value = value * 10 + (ch - '0');
        digits++;
      } else if (ch == '.' && digits > 0 && part < 3 && value <= 255) {
        b[part++] = (byte) value;
        value = 0;
        digits = 0;
      } else {
        return null;
      }
    }
    if (part != 3 || digits == 0 || value > 255) {
      return null;
    }
    b[3] = (byte) value;
    return b;
  }

  /** RFC 4291 section 2.2 text, without zone, brackets or port; otherwise null. */
  private static byte[] ipv6(String s) {
    int[] groups = new int[8];
    int count = 0;
    int gap = -1; // the group index where "::" stands
    int i = 0;
    int n = s.length();
    if (s.startsWith("::")) {
      gap = 0;
      i = 2;
      if (i == n) {
        return new byte[16];
      }
    } else if (s.charAt(0) == ':') {
      return null;
    }
    while (i < n) {
      int start = i;
      int value = 0;
      while (i < n && i - start < 5 && hex(s.charAt(i)) >= 0) {
        value = value * 16 + hex(s.charAt(i));
        i++;
      }
      int len = i - start;
      if (i < n && s.charAt(i) == '.') {
        // The embedded IPv4 address: the rest of the text, in place of the last two groups.
        if (count > 6) {
          return null;
        }
        byte[] v4 = ipv4(s, start, n);
        if (v4 == null) {
          return null;
        }
        groups[count++] = (v4[0] & 0xFF) << 8 | (v4[1] & 0xFF);
        groups[count++] = (v4[2] & 0xFF) << 8 | (v4[3] & 0xFF);
        i = n;
        break;
      }
      if (len == 0 || len > 4 || count == 8) {
        return null;
      }
      groups[count++] = value;
      if (i == n) {
        break;
      }
      if (s.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i < n && s.charAt(i) == ':') {
        if (gap >= 0) {
          return null; // a second "::"
        }
        gap = count;
        i++;
        if (i == n) {
          break;
        }
      } else if (i == n) {
        return null; // a single trailing ':'
      }
    }
    if (gap < 0 ? count != 8 : count > 7) {
      return null;
    }
    byte[] b = new byte[16];
    int tail = gap < 0 ? 0 : count - gap;
    int head = count - tail;
    for (int g = 0; g < head; g++) {
      b[2 * g] = (byte) (groups[g] >> 8);
      b[2 * g + 1] = (byte) groups[g];
    }
    for (int g = 0; g < tail; g++) {
      int at = 8 - tail + g;
      b[2 * at] = (byte) (groups[head + g] >> 8);
      b[2 * at + 1] = (byte) groups[head + g];
    }
    return b;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static String ipv4Text(byte[] b) {
    return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
  }

  private static String ipv6Text(byte[] b) {
    int bestStart = -1;
    int bestLen = 1; // RFC 5952 4.2.2: a single zero group is not shortened
    for (int g = 0; g < 8; ) {
      if (group(b, g) != 0) {
        g++;
        continue;
      }
      int start = g;
      while (g < 8 && group(b, g) == 0) {
        g++;
      }
      if (g - start > bestLen) {
        bestStart = start;
        bestLen = g - start;
      }
    }
    StringBuilder out = new StringBuilder(39);
    for (int g = 0; g < 8; g++) {
      if (g == bestStart) {
        out.append("::");
        g += bestLen - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(group(b, g)));
    }
    return out.toString();
  }

  private static int group(byte[] b, int g) {
    return (b[2 * g] & 0xFF) << 8 | (b[2 * g + 1] & 0xFF);
  }
}
