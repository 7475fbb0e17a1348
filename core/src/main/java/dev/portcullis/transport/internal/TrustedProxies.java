package dev.portcullis.transport.internal;

import dev.portcullis.transport.ForwardedHeaders;
import dev.portcullis.transport.IpAddress;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Decides the client address and whether the client's connection was HTTPS, believing {@code Forwarded} (RFC 7239)
 * or {@code X-Forwarded-For}/{@code X-Forwarded-Proto} only when the immediate peer is a configured proxy.
 *
 * <p>The forwarded chain is read from the right: each hop that is itself a trusted proxy is skipped, and the first
 * untrusted hop is the client. The protocol comes from the nearest proxy's entry. With no trusted proxies (the
 * default) the headers are ignored entirely.
 *
 * <p>Which kinds are read is configured ({@link ForwardedHeaders}): only {@code X-Forwarded-*}, only {@code
 * Forwarded}, or both. When both are read, a request that carries both {@code Forwarded} and {@code X-Forwarded-For}
 * or {@code X-Forwarded-Proto} is believed only when the two give the same client address and protocol; otherwise it
 * counts as the proxy's own, over the connection's own security, and the answer carries a {@link Disagreement} with
 * what each kind gave. A proxy writes one of the two kinds and passes the other on as the client wrote it, so
 * believing either one alone would let a client behind a proxy that writes the other name any address and protocol it
 * likes. A kind that is not read is ignored entirely, whatever it says.
 *
 * <p>The client address is the canonical text of an {@link IpAddress} (the same rule the audit log reads it by), or
 * the peer's own address as the connection gave it.
 *
 * <p><b>Security.</b> Addresses are read by {@link IpAddress}'s rule only (no leading zeros in IPv4 parts, no zones);
 * nothing here performs a DNS lookup. A malformed header from a trusted proxy, including an address that rule refuses,
 * yields the proxy's own address and the connection's own security, never a guess. Only the part the trusted proxies
 * wrote counts: the chain is read from the right up to its first untrusted hop, and what lies further left (written
 * by the client, which may write anything) is never read, so a client cannot make its request the proxy's own with
 * a malformed element or with more hops than {@value #MAX_HOPS} there.
 *
 * <p>A client inside a trusted range chooses its own address and whether it used HTTPS, so the ranges are bounded:
 * all of them together may hold at most {@value #MAX_PUBLIC_IPV4_BITS} bits of public IPv4 space (2,097,152
 * addresses, a {@code /11}) and {@value #MAX_PUBLIC_IPV6_BITS} bits of public IPv6 space (a {@code /24}), which fits a
 * provider's published proxy ranges but refuses a {@code /8} of public space, {@code 0.0.0.0/1} or {@code ::/1}.
 * Addresses that the internet does not route to a server (private {@code 10.0.0.0/8}, {@code 172.16.0.0/12}, {@code
 * 192.168.0.0/16}, shared {@code 100.64.0.0/10}, loopback, link-local and IPv6 unique-local {@code fc00::/7}) do not
 * count: ranges of them may be of any size.
 */
public final class TrustedProxies {
  private static final int MAX_HOPS = 20;

  /** The public IPv4 space all trusted ranges together may hold, as bits of address: a {@code /11}. */
  static final int MAX_PUBLIC_IPV4_BITS = 21;

  /** The public IPv6 space all trusted ranges together may hold, as bits of address: a {@code /24}. */
  static final int MAX_PUBLIC_IPV6_BITS = 104;

  /** Blocks the internet does not route to a server; trusted ranges inside them may be of any size. */
  private static final List<Cidr> NOT_PUBLIC = List.of(
      Cidr.of("10.0.0.0", 8),
      Cidr.of("172.16.0.0", 12),
      Cidr.of("192.168.0.0", 16),
      Cidr.of("100.64.0.0", 10),
      Cidr.of("127.0.0.0", 8),
      Cidr.of("169.254.0.0", 16),
      Cidr.of("::1", 128),
      Cidr.of("fc00::", 7),
      Cidr.of("fe80::", 10));

  private record Cidr(byte[] network, int prefix) {
    static Cidr of(String address, int prefix) {
      return new Cidr(IpAddress.parse(address).orElseThrow().bytes(), prefix);
    }

    /** Whether every address of {@code other} is in this block. */
    boolean covers(Cidr other) {
      return prefix <= other.prefix && contains(other.network);
    }

    /** How many addresses of this block are public: its size less the {@link #NOT_PUBLIC} blocks inside it. */
    BigInteger publicSize() {
      int bits = network.length * 8;
      BigInteger size = BigInteger.ONE.shiftLeft(bits - prefix);
      for (Cidr n : NOT_PUBLIC) {
        if (n.network.length != network.length) {
          continue;
        }
        if (n.covers(this)) {
          return BigInteger.ZERO;
        }
        if (covers(n)) {
          size = size.subtract(BigInteger.ONE.shiftLeft(bits - n.prefix));
        }
      }
      return size;
    }

    boolean contains(byte[] addr) {
      if (addr.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (addr[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xFF << (8 - rest) & 0xFF;
      return (addr[full] & mask) == (network[full] & mask);
    }
  }

  /**
   * Where a request came from, after proxy resolution.
   *
   * @param address the client's address
   * @param secure whether the client's connection was HTTPS
   * @param disagreement when both kinds of forwarding header are read and a trusted proxy's request carried both
   *     giving different answers, what each gave (the request then counts as the proxy's own); otherwise null
   */
  public record Client(String address, boolean secure, Disagreement disagreement) {
    /** A client whose forwarding headers, if any, did not disagree. */
    public Client(String address, boolean secure) {
      this(address, secure, null);
    }
  }

  /**
   * What {@code Forwarded} and {@code X-Forwarded-*} each gave for one request, when they disagreed: a client address
   * (the canonical text of an {@link IpAddress}, or the proxy's own when that kind could not be read) and a protocol.
   */
  public record Disagreement(Client byForwarded, Client byXForwarded) {}

  private final List<Cidr> proxies;
  private final boolean readForwarded;
  private final boolean readXForwarded;

  /**
   * The last peer address found trusted, exactly as the connection gave it: behind a proxy nearly every request comes
   * from the same few addresses, and the configuration never changes, so a repeat needs no parse.
   */
  private volatile String lastTrustedPeer;

  private TrustedProxies(List<Cidr> proxies, ForwardedHeaders read) {
    this.proxies = List.copyOf(proxies);
    this.readForwarded = read != ForwardedHeaders.X_FORWARDED;
    this.readXForwarded = read != ForwardedHeaders.FORWARDED;
  }

  /** Trusts no proxy: forwarding headers are ignored. */
  public static TrustedProxies none() {
    return new TrustedProxies(List.of(), ForwardedHeaders.BOTH);
  }

  /**
   * Trusts the peers in {@code cidrs}, reading both kinds of forwarding header from them ({@link
   * ForwardedHeaders#BOTH}).
   *
   * @throws IllegalArgumentException naming the first entry that is not an IP literal or CIDR
   */
  public static TrustedProxies of(List<String> cidrs) {
    return of(cidrs, ForwardedHeaders.BOTH);
  }

  /**
   * Trusts the peers in {@code cidrs} (e.g. {@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code fd00::/8}), reading the
   * kinds of forwarding header {@code read} names from them.
   *
   * @throws IllegalArgumentException naming the first entry that is not an IP literal or CIDR, or that is every
   *     address ({@code 0.0.0.0/0}, {@code ::/0})
   */
  public static TrustedProxies of(List<String> cidrs, ForwardedHeaders read) {
    Objects.requireNonNull(read, "read");
    List<Cidr> out = new ArrayList<>();
    for (String c : cidrs) {
      String s = c.strip();
      int slash = s.indexOf('/');
      IpAddress parsed = IpAddress.parse(slash < 0 ? s : s.substring(0, slash)).orElse(null);
      if (parsed == null) {
        throw new IllegalArgumentException("trusted proxy '" + c
            + "' is not an IP address or CIDR (IPv4 parts" + " without leading zeros)");
      }
      byte[] addr = parsed.bytes();
      int prefix = addr.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > addr.length * 8) {
          throw new IllegalArgumentException("trusted proxy '" + c + "' has a bad prefix length");
        }
        if (prefix == 0) {
          // Every client would be a proxy: its own X-Forwarded-Proto would make plain HTTP count as
          // HTTPS, and its X-Forwarded-For would pick the address the login limit and the audit log
          // see.
          throw new IllegalArgumentException(
              "trusted proxy '" + c + "' is every address, so any client's"
                  + " forwarding headers would be believed (plain HTTP taken for HTTPS, any client address claimed):"
                  + " list the proxies' own addresses or their network, such as 10.0.0.0/8");
        }
      }
      out.add(new Cidr(addr, prefix));
    }
    requireLittlePublicSpace(
        cidrs, out, 4, MAX_PUBLIC_IPV4_BITS, "IPv4 space than a /11 (2,097,152 addresses)");
    requireLittlePublicSpace(cidrs, out, 16, MAX_PUBLIC_IPV6_BITS, "IPv6 space than a /24");
    return new TrustedProxies(out, read);
  }

  /**
   * Refuses the ranges of one address family ({@code length} bytes) when, together, they hold more than {@code 2^bits}
   * public addresses ({@code limit} says so in words): every client there could claim any address and HTTPS.
   */
  private static void requireLittlePublicSpace(
      List<String> entries, List<Cidr> ranges, int length, int bits, String limit) {
    BigInteger total = BigInteger.ZERO;
    BigInteger widest = BigInteger.ZERO;
    String widestEntry = null;
    for (int i = 0; i < ranges.size(); i++) {
      Cidr range = ranges.get(i);
      if (range.network.length != length || coveredByAnother(ranges, i)) {
        continue;
      }
      BigInteger size = range.publicSize();
      total = total.add(size);
      if (size.compareTo(widest) > 0) {
        widest = size;
        widestEntry = entries.get(i);
      }
    }
    if (total.compareTo(BigInteger.ONE.shiftLeft(bits)) > 0) {
      throw new IllegalArgumentException("trusted proxies hold more public " + limit
          + ", more than any set of proxies needs; the widest entry is '" + widestEntry
          + "'. A client at any of those addresses would choose its own address and claim HTTPS with"
          + " forwarding headers: list the proxies' own addresses, or their provider's published ranges."
          + " Private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7), loopback and"
          + " link-local ranges may be of any size");
    }
  }

  /** Whether the range at {@code index} lies inside another of {@code ranges} (the first of equal ones counts). */
  private static boolean coveredByAnother(List<Cidr> ranges, int index) {
    Cidr range = ranges.get(index);
    for (int j = 0; j < ranges.size(); j++) {
      Cidr other = ranges.get(j);
      if (j != index
          && other.network.length == range.network.length
          && other.covers(range)
          && (other.prefix < range.prefix || j < index)) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return proxies.isEmpty();
  }

  /** Whether {@code Forwarded} headers are read from a trusted proxy; when not, they need not be passed. */
  public boolean readsForwarded() {
    return readForwarded;
  }

  /**
   * Whether {@code X-Forwarded-For}/{@code -Proto} headers are read from a trusted proxy; when not, they need not be
   * passed.
   */
  public boolean readsXForwarded() {
    return readXForwarded;
  }

  /**
   * @param peer the connection's remote address
   * @param connectionSecure whether the connection itself is TLS
   * @param forwarded the {@code Forwarded} header values, in order (empty list when absent)
   * @param xForwardedFor the {@code X-Forwarded-For} header values
   * @param xForwardedProto the {@code X-Forwarded-Proto} header values
   */
  public Client resolve(
      String peer,
      boolean connectionSecure,
      List<String> forwarded,
      List<String> xForwardedFor,
      List<String> xForwardedProto) {
    Objects.requireNonNull(peer, "peer");
    if (!peer.equals(lastTrustedPeer)) {
      if (!isTrusted(peer)) {
        return new Client(peer, connectionSecure);
      }
      lastTrustedPeer = peer;
    }
    if (!readForwarded) {
      return chain(peer, connectionSecure, List.of(), xForwardedFor, xForwardedProto);
    }
    if (!readXForwarded) {
      return chain(peer, connectionSecure, forwarded, List.of(), List.of());
    }
    if (!forwarded.isEmpty() && !(xForwardedFor.isEmpty() && xForwardedProto.isEmpty())) {
      // A proxy writes one kind and passes the other on as the client sent it: believed only when
      // both tell the same.
      Client byForwarded = chain(peer, connectionSecure, forwarded, List.of(), List.of());
      Client byXForwarded =
          chain(peer, connectionSecure, List.of(), xForwardedFor, xForwardedProto);
      return byForwarded.equals(byXForwarded)
          ? byForwarded
          : new Client(peer, connectionSecure, new Disagreement(byForwarded, byXForwarded));
    }
    return chain(peer, connectionSecure, forwarded, xForwardedFor, xForwardedProto);
  }

  /** {@link #resolve} for a trusted peer, from {@code forwarded} if given, else from the {@code X-Forwarded-*} ones. */
  private Client chain(
      String peer,
      boolean connectionSecure,
      List<String> forwarded,
      List<String> xForwardedFor,
      List<String> xForwardedProto) {
    if (forwarded.isEmpty() && xForwardedFor.size() <= 1 && xForwardedProto.size() <= 1) {
      String xff = xForwardedFor.isEmpty() ? null : xForwardedFor.get(0);
      String xfp = xForwardedProto.isEmpty() ? null : xForwardedProto.get(0);
      if ((xff == null || xff.indexOf(',') < 0) && (xfp == null || xfp.indexOf(',') < 0)) {
        // The usual request through one proxy: at most one hop, read without lists.
        return oneHop(
            peer,
            connectionSecure,
            xff == null ? null : xff.strip(),
            xfp == null ? null : xfp.strip().toLowerCase(Locale.ROOT));
      }
    }
    // The chain is read from the right, and only as far as its first untrusted hop: what lies left
    // of that was written by the client, which may write anything there (a malformed element, more
    // hops than any chain of proxies has) without making the request the proxy's own.
    boolean fromForwarded = !forwarded.isEmpty();
    List<String> hops = new ArrayList<>(); // Forwarded elements, or X-Forwarded-For addresses
    String xForwardedNearestProto = null;
    if (fromForwarded) {
      for (String header : forwarded) {
        for (String element : parts(header, ',')) {
          hops.add(element);
        }
      }
    } else {
      for (String h : xForwardedFor) {
        for (String a : parts(h, ',')) {
          hops.add(a.strip());
        }
      }
      List<String> protos = new ArrayList<>();
      for (String h : xForwardedProto) {
        for (String p : parts(h, ',')) {
          protos.add(p.strip().toLowerCase(Locale.ROOT));
        }
      }
      xForwardedNearestProto = protos.isEmpty() ? null : protos.get(protos.size() - 1);
      if (hops.isEmpty()) {
        // A protocol without an address: the proxy's own connection, over what it says.
        return xForwardedNearestProto == null || !knownProto(xForwardedNearestProto)
            ? new Client(peer, connectionSecure)
            : new Client(peer, xForwardedNearestProto.equals("https"));
      }
    }
    String client = peer;
    boolean secure = connectionSecure;
    int addresses = 0;
    for (int i = hops.size() - 1; i >= 0; i--) {
      String addr;
      String proto;
      if (fromForwarded) {
        String[] element = forwardedElement(hops.get(i));
        if (element == null) {
          return new Client(peer, connectionSecure);
        }
        addr = element[0];
        proto = element[1];
      } else {
        addr = hops.get(i);
        proto = i == hops.size() - 1 ? xForwardedNearestProto : null;
      }
      if (i == hops.size() - 1) {
        // The protocol comes from the nearest proxy's entry.
        if (proto != null && !knownProto(proto)) {
          return new Client(peer, connectionSecure);
        }
        secure = proto == null ? connectionSecure : proto.equals("https");
      }
      if (addr == null) {
        break;
      }
      if (++addresses > MAX_HOPS) {
        // More trusted proxies in a row than any deployment chains.
        return new Client(peer, connectionSecure);
      }
      IpAddress hop = IpAddress.parse(stripPort(addr)).orElse(null);
      if (hop == null) {
        return new Client(peer, connectionSecure);
      }
      client = hop.toString();
      if (!isTrusted(hop)) {
        break;
      }
    }
    return new Client(client, secure);
  }

  private static boolean knownProto(String proto) {
    return proto.equals("https") || proto.equals("http");
  }

  /**
   * One element of a {@code Forwarded} header as {@code {for, proto}} (either null when absent; the protocol in lower
   * case), or null when it is malformed (a part without {@code =}).
   */
  private static String[] forwardedElement(String element) {
    String forAddr = null;
    String proto = null;
    for (String pair : parts(element, ';')) {
      int eq = pair.indexOf('=');
      if (eq < 0) {
        return null;
      }
      String name = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String value = unquote(pair.substring(eq + 1).strip());
      if (name.equals("for")) {
        forAddr = value;
      } else if (name.equals("proto")) {
        proto = value.toLowerCase(Locale.ROOT);
      }
    }
    return new String[] {forAddr, proto};
  }

  /**
   * {@link #resolve} for at most one forwarding hop (one address, one protocol, either possibly absent), with the
   * same answers as the general path gives for it.
   */
  private static Client oneHop(String peer, boolean connectionSecure, String addr, String proto) {
    if (addr == null && proto == null) {
      return new Client(peer, connectionSecure);
    }
    if (proto != null && !proto.equals("https") && !proto.equals("http")) {
      return new Client(peer, connectionSecure);
    }
    boolean secure = proto == null ? connectionSecure : proto.equals("https");
    if (addr == null) {
      return new Client(peer, secure);
    }
    IpAddress hop = IpAddress.parse(stripPort(addr)).orElse(null);
    return hop == null ? new Client(peer, connectionSecure) : new Client(hop.toString(), secure);
  }

  /** Whether {@code address} is an IP address ({@link IpAddress}'s rule) inside a trusted block. */
  public boolean isTrusted(String address) {
    if (proxies.isEmpty()) {
      return false; // the default: no per-request parsing at all
    }
    IpAddress a = IpAddress.parse(address).orElse(null);
    return a != null && isTrusted(a);
  }

  /** Whether {@code address} is inside a trusted block. */
  public boolean isTrusted(IpAddress address) {
    byte[] bytes = address.bytes();
    for (Cidr c : proxies) {
      if (c.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code text} split at every {@code separator}, empty parts kept (as {@code split} with a limit of -1 does); the
   * usual header of one part is not copied.
   */
  private static String[] parts(String text, char separator) {
    return text.indexOf(separator) < 0
        ? new String[] {text}
        : text.split(String.valueOf(separator), -1);
  }

  private static String unquote(String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
        ? v.substring(1, v.length() - 1)
        : v;
  }

  private static String stripPort(String addr) {
    if (addr.startsWith("[")) {
      int end = addr.indexOf(']');
      return end < 0 ? addr : addr.substring(1, end);
    }
    int colon = addr.indexOf(':');
    return colon >= 0 && addr.indexOf(':', colon + 1) < 0 ? addr.substring(0, colon) : addr;
  }
}
