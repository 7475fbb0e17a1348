package dev.portcullis.servlet;

import dev.portcullis.transport.IpAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many requests of each client address the filter is reading a form body for right now: at most
 * {@code PortcullisFilter.Builder.maxFormReadsPerAddress} at once per address (default {@value #PER_ADDRESS}; an IPv4
 * address alone, an IPv6 address by its /64), the rest refused without reading.
 *
 * <p><b>Why.</b> A servlet reads a request body on the container's thread, which waits for as long as the client
 * takes to send it. The filter reads the form of every login, and of any other state-changing form that brings its
 * CSRF token in the body, before anyone is known; a client that starts many such forms and sends their bodies a byte
 * at a time holds that many threads for as long as it likes. Over HTTP/2 one connection carries a hundred of them,
 * so two connections held every thread of a default Jetty, and nobody could log in or load a page.
 *
 * <p><b>Security.</b> One address holds at most its share of the container's threads in the filter's form
 * reads; its other forms are answered at once. Not guaranteed: many addresses together can still hold every thread
 * (the container's own limits, such as a minimum data rate or connections per address, are the answer to that); the
 * application's own reads of a body are not counted. Memory holds one entry per address with a read under way.
 */
final class FormBodyReads {
  /** Forms one client address may be sending at once by default; a browser sends one at a time. */
  static final int PER_ADDRESS = 16;

  private static final ByteBuffer UNKNOWN = ByteBuffer.wrap(new byte[0]);

  private final int perAddress;
  private final ConcurrentHashMap<ByteBuffer, Integer> reading = new ConcurrentHashMap<>();

  FormBodyReads(int perAddress) {
    if (perAddress < 1) {
      throw new IllegalArgumentException("at least one form read per address");
    }
    this.perAddress = perAddress;
  }

  /**
   * Takes a place for {@code clientAddress}; true when the caller may read the body and must then {@link
   * #leave(String)}, false when the address has all its places taken.
   */
  boolean enter(String clientAddress) {
    boolean[] entered = new boolean[1];
    reading.compute(key(clientAddress), (k, n) -> {
      int now = n == null ? 0 : n;
      if (now >= perAddress) {
        return n;
      }
      entered[0] = true;
      return now + 1;
    });
    return entered[0];
  }

  void leave(String clientAddress) {
    reading.computeIfPresent(key(clientAddress), (k, n) -> n <= 1 ? null : n - 1);
  }

  /** How many form bodies of one address are read at once, at most. */
  int perAddress() {
    return perAddress;
  }

  /** How many addresses have a read under way, for tests. */
  int addresses() {
    return reading.size();
  }

  private static ByteBuffer key(String clientAddress) {
    // Text that is not an address (a proxy's odd header) shares one key, so it cannot escape the
    // bound.
    return IpAddress.parse(clientAddress == null ? "" : clientAddress)
        .map(a -> ByteBuffer.wrap(a.clientPrefix()))
        .orElse(UNKNOWN);
  }
}
