package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.transport.TransportConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Regression: Jetty 12 reports an IPv6 client's address in brackets ({@code [0:0:0:0:0:0:0:1]}), which Portcullis'
 * address rule does not read. Every IPv6 client was then counted in one shared bucket by the per-address limits (one
 * client's new anonymous sessions used up every other IPv6 client's share), the login limit counted it by its whole
 * address instead of its /64, an IPv6 proxy was never trusted, development mode refused IPv6 loopback, and the audit
 * log recorded no address. Real Jetty listening on {@code ::1}, real HTTP.
 */
class JettyIpv6ClientAddressTest {
  private static final InetAddress LOOPBACK = loopback();

  @BeforeAll
  static void ipv6LoopbackIsThere() {
    boolean usable = LOOPBACK != null && canConnect(LOOPBACK);
    if (!usable) {
      System.out.println(
          "JettyIpv6ClientAddressTest skipped: this machine has no IPv6 loopback (::1)");
    }
    assumeTrue(usable, "this machine has no IPv6 loopback (::1)");
  }

  @Test
  void developmentMode_servesAnIpv6LoopbackClient() throws Exception {
    try (LoginPortal portal = LoginPortal.on(TestJetty.builder().ipv6Loopback(), (p, f) -> {})) {
      assertThat(portal.base).startsWith("http://[::1]:");
      Browser alice = portal.browser();

      assertThat(alice.openLoginPage().statusCode()).isEqualTo(200);
      assertThat(alice.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      assertThat(alice.whoami()).isEqualTo("u-alice");
    }
  }

  @Test
  void ipv6Client_isAuditedByItsCanonicalAddress() throws Exception {
    try (LoginPortal portal = LoginPortal.on(TestJetty.builder().ipv6Loopback(), (p, f) -> {})) {
      Browser mallory = portal.browser();
      mallory.login("alice", "wrong-pw", false);

      AuditEvent failure = portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
      assertThat(failure.clientAddress()).contains("::1");
    }
  }

  @Test
  void ipv6TrustedProxy_isBelieved() throws Exception {
    try (LoginPortal portal = LoginPortal.on(
        TestJetty.builder().ipv6Loopback(),
        (p, f) -> f.transport(TransportConfig.builder()
            .trustedProxies(List.of("::1"))
            .forwardedHeaders(dev.portcullis.transport.ForwardedHeaders.X_FORWARDED)
            .redirectPlainHttp(false)
            .build()))) {
      Browser viaProxy = portal.browser();
      HttpResponse<String> page = viaProxy.send(HttpRequest.newBuilder(viaProxy.uri("/login"))
          .header("X-Forwarded-For", "2001:db8:0:0::7")
          .header("X-Forwarded-Proto", "https"));
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Strict-Transport-Security")).isPresent();

      HttpResponse<String> plain = portal.browser().get("/login");
      assertThat(plain.statusCode()).isEqualTo(403);
      assertThat(plain.body()).startsWith("This portal only accepts HTTPS.");
    }
  }

  @Test
  void oneIpv6ClientsAnonymousSessions_leaveAnotherIpv6ClientItsOwnShare() throws Exception {
    InetAddress other = otherIpv6Address().orElse(null);
    if (other == null) {
      System.out.println(
          "oneIpv6ClientsAnonymousSessions_leaveAnotherIpv6ClientItsOwnShare skipped: this"
              + " machine has no IPv6 address outside ::1 from which ::1 can be reached");
    }
    assumeTrue(other != null, "this machine has no second IPv6 address that can reach ::1");
    SessionConfig sessions =
        LoginPortal.sessions().anonymousSessionsPerAddress(2).build();
    try (LoginPortal portal = LoginPortal.on(
        TestJetty.builder().ipv6Loopback().https(),
        sessions,
        (p, f) -> f.transport(TransportConfig.defaults()))) {
      int port = URI.create(portal.httpsBase()).getPort();
      String cookie = portal.sessionConfig.cookie().name() + "=";
      SSLSocketFactory tls = portal.clientTls().getSocketFactory();

      // The loopback client uses up its share of new anonymous sessions.
      assertThat(httpsGet(tls, LOOPBACK, port, "/remember")).contains(cookie);
      assertThat(httpsGet(tls, LOOPBACK, port, "/remember")).contains(cookie);
      String third = httpsGet(tls, LOOPBACK, port, "/remember");
      assertThat(third).startsWith("HTTP/1.1 200").contains("remembered").doesNotContain(cookie);

      // A client at another IPv6 address, in another /64, still has its own.
      String elsewhere = httpsGet(tls, other, port, "/remember");
      assertThat(elsewhere).startsWith("HTTP/1.1 200").contains("remembered");
      assertThat(elsewhere).contains(cookie);
    }
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(
          "::1", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    } catch (IOException e) {
      return null;
    }
  }

  /** Whether a connection from {@code from} to a server on {@code ::1} can be made. */
  private static boolean canConnect(InetAddress from) {
    try (java.net.ServerSocket server = new java.net.ServerSocket()) {
      server.bind(new InetSocketAddress(LOOPBACK, 0));
      try (Socket client = new Socket()) {
        client.bind(new InetSocketAddress(from, 0));
        client.connect(server.getLocalSocketAddress(), 5_000);
        return true;
      }
    } catch (IOException e) {
      return false;
    }
  }

  /** A global or unique-local IPv6 address of this machine, outside ::1's /64, from which ::1 is reachable. */
  private static Optional<InetAddress> otherIpv6Address() throws SocketException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet6Address
            && !a.isLoopbackAddress()
            && !a.isLinkLocalAddress()
            && !Arrays.equals(Arrays.copyOf(a.getAddress(), 8), new byte[8])) {
          InetAddress bare;
          try {
            bare = InetAddress.getByAddress(a.getAddress()); // without the interface's scope
          } catch (IOException e) {
            continue;
          }
          if (canConnect(bare)) {
            return Optional.of(bare);
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * An HTTP/1.1 {@code GET} of {@code path} over TLS from a connection bound to {@code from}: the whole response, as
   * text. The test certificate names no IPv6 address, and a bare TLS socket checks no host name.
   */
  private static String httpsGet(SSLSocketFactory tls, InetAddress from, int port, String path)
      throws IOException {
    try (Socket plain = new Socket()) {
      plain.bind(new InetSocketAddress(from, 0));
      plain.connect(new InetSocketAddress(LOOPBACK, port), 10_000);
      plain.setSoTimeout(30_000);
      try (SSLSocket socket = (SSLSocket) tls.createSocket(plain, "::1", port, true)) {
        socket.startHandshake();
        OutputStream out = socket.getOutputStream();
        out.write(
            ("GET " + path + " HTTP/1.1\r\nHost: [::1]:" + port + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      }
    }
  }
}
