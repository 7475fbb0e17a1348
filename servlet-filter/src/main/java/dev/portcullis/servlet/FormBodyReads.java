package dev.portcullis.servlet;

import dev.portcullis.transport.IpAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many requests of each client address the filter is reading a form body for right now: at most
 * {@code PortcullisFilter.Builder.maxFormReadsPerAddress} at once per address (default {@value #PER_ADDRESS}; an IPv4
 * address alone, an IPv6 address by its /64), and at most {@code PortcullisFilter.Builder.maxAnonymousFormReads} at
 * once for requests nobody is logged in to, whatever their addresses (default {@value #ANONYMOUS_AT_ONCE}); the rest
 * are refused without reading.
 *
 * <p><b>Why.</b> A servlet reads a request body on the container's thread, which waits for as long as the client
 * takes to send it. The filter reads the form of every login, and of any other state-changing form that brings its
 * CSRF token in the body, before anyone is known; a client that starts many such forms and sends their bodies a byte
 * at a time holds that many threads for as long as it likes. Over HTTP/2 one connection carries a hundred of them,
 * so two connections held every thread of a default Jetty, and nobody could log in or load a page. A few addresses
 * within their shares did the same over HTTP/1.1, one connection per form.
 *
 * <p><b>Security.</b> One address holds at most its share of the container's threads in the filter's form
 * reads; its other forms are answered at once. Every read of a body the filter makes takes its place before the
 * container reads, whoever in the filter asks ({@link Exchange#readFormBody()}, {@link Exchange#parameter(String)}):
 * the CSRF token and a login's fields, a {@code returnTo} or single sign-on parameter, an audited search's query
 * read after the application; whichever field comes first in the body, whatever the content type the container
 * parses (URL-encoded with or without a charset, or multipart where the servlet has a multipart configuration).
 * Anonymous forms together hold at most
 * {@value #ANONYMOUS_AT_ONCE} threads by default, so that the login page and logged-in users' requests (whose forms
 * are bounded per address only) keep threads of a container that has more than that. Not guaranteed: while slow
 * anonymous forms take every anonymous place, other visitors' logins are refused too (they try again later); a
 * logged-in user's slow forms count against the address's share only; a form read is not timed, so a container
 * without a minimum request data rate lets each held thread wait for as long as the client keeps sending; the
 * application's own reads of a body are not counted. Memory holds one entry per address with a read under way.
 */
final class FormBodyReads {
  /** Forms one client address may be sending at once by default; a browser sends one at a time. */
  static final int PER_ADDRESS = 16;

  /**
   * Anonymous forms read at once by default, whatever their addresses: well under the 200 threads Jetty and Tomcat
   * serve with by default, and far more than the logins a node checks at once.
   */
  static final int ANONYMOUS_AT_ONCE = 32;

  /** Why a form body is not read. */
  enum Refusal {
    /** The client address has all its places taken. */
    ADDRESS("too many form bodies from this address at once"),
    /** Every place for anonymous forms is taken. */
    ANONYMOUS("too many anonymous form bodies at once");

    private final String reason;

    Refusal(String reason) {
      this.reason = reason;
    }

    /** For the audit log. */
    String reason() {
      return reason;
    }
  }

  private static final ByteBuffer UNKNOWN = ByteBuffer.wrap(new byte[0]);

  private final int perAddress;
  private final int anonymousAtOnce;
  private final ConcurrentHashMap<ByteBuffer, Integer> reading = new ConcurrentHashMap<>();
  private final AtomicInteger anonymous = new AtomicInteger();

  FormBodyReads(int perAddress) {
    this(perAddress, ANONYMOUS_AT_ONCE);
  }

  FormBodyReads(int perAddress, int anonymousAtOnce) {
    if (perAddress < 1) {
      throw new IllegalArgumentException("at least one form read per address");
    }
    if (anonymousAtOnce < 1) {
      throw new IllegalArgumentException("at least one anonymous form read");
    }
    this.perAddress = perAddress;
    this.anonymousAtOnce = anonymousAtOnce;
  }

  /**
   * Takes a place for a form of {@code clientAddress}, and one of the anonymous places when nobody is logged in to
   * the request; null when the caller may read the body and must then {@link #leave(String, boolean)} with the same
   * arguments, otherwise why not (nothing is taken).
   */
  Refusal enter(String clientAddress, boolean anonymousForm) {
    if (anonymousForm && anonymous.incrementAndGet() > anonymousAtOnce) {
      anonymous.decrementAndGet();
      return Refusal.ANONYMOUS;
    }
    if (!enter(clientAddress)) {
      if (anonymousForm) {
        anonymous.decrementAndGet();
      }
      return Refusal.ADDRESS;
    }
    return null;
  }

  void leave(String clientAddress, boolean anonymousForm) {
    leave(clientAddress);
    if (anonymousForm) {
      anonymous.decrementAndGet();
    }
  }

  /** Takes a place for {@code clientAddress} alone; true when taken, to be given back by {@link #leave(String)}. */
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

  /** How many anonymous form bodies are read at once, at most. */
  int anonymousAtOnce() {
    return anonymousAtOnce;
  }

  /** How many anonymous form bodies are being read now, for tests. */
  int anonymousReading() {
    return anonymous.get();
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
