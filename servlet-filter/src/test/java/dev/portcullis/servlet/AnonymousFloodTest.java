package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditSink;
import dev.portcullis.session.SessionConfig;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression, attack "an anonymous flood logs everyone out": every anonymous {@code GET /login} used to make a stored
 * session, so 130,000 requests from one client filled the store, evicted a logged-in user's session and wrote a
 * {@code session_created} audit line each. Over real HTTP (Jetty on loopback, keep-alive HTTP/1.1 connections from
 * several threads, no cookies kept): 200,000 anonymous requests from one address, half of them the login page and half
 * a page that writes to the session. Alice, logged in before, is still logged in after; the store holds no more than
 * alice's session and the address's share of anonymous ones; every request is answered, the ones past the share
 * without a session cookie; the audit file grows by less than 1 MB.
 */
class AnonymousFloodTest {
  private static final int REQUESTS = 200_000;
  private static final int THREADS = 4;
  private static final long MAX_AUDIT_GROWTH = 1024 * 1024;
  private static final String[] PAGES = {"/login", "/remember"};

  @TempDir
  Path dir;

  @Test
  void anonymousFlood_fromOneAddress_keepsAliceLoggedIn_theStoreBounded_andTheAuditLogSmall()
      throws Exception {
    Path auditFile = dir.resolve("audit.jsonl");
    try (LoginPortal portal = new LoginPortal(AuditSink.hashChained(auditFile))) {
      Browser alice = portal.browser();
      assertThat(alice.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      assertThat(alice.whoami()).isEqualTo("u-alice");
      assertThat(portal.audit.flush(Duration.ofSeconds(10))).isTrue();
      long auditBefore = Files.size(auditFile);

      long started = System.nanoTime();
      Flood flood = flood(URI.create(portal.base), portal.sessionConfig.cookie().name());
      long millis = (System.nanoTime() - started) / 1_000_000;

      assertThat(portal.audit.flush(Duration.ofSeconds(30))).isTrue();
      long auditGrowth = Files.size(auditFile) - auditBefore;
      portal.sessionStore.cleanUp();
      long stored = portal.sessionStore.estimatedSize();
      String aliceAfter = alice.whoami();
      System.out.printf(
          Locale.ROOT,
          "anonymous flood: %d requests in %d ms, %d answered 200, %d session cookies"
              + " handed out, %d sessions stored, audit file +%d bytes, alice after: %s%n",
          flood.requests(),
          millis,
          flood.ok(),
          flood.sessionCookies(),
          stored,
          auditGrowth,
          aliceAfter);

      int share = portal.sessionConfig.anonymousSessionsPerAddress();
      assertThat(flood.requests()).isEqualTo(REQUESTS);
      assertThat(flood.ok())
          .as("every request is answered, past the limit too")
          .isEqualTo(REQUESTS);
      assertThat(aliceAfter).as("alice is still logged in").isEqualTo("u-alice");
      assertThat(stored)
          .as("stored sessions: alice's and the address's share")
          .isLessThanOrEqualTo(share + 1);
      assertThat(flood.sessionCookies())
          .as("session cookies handed out to the flood")
          .isLessThanOrEqualTo(share);
      assertThat(auditGrowth).as("audit file growth in bytes").isLessThan(MAX_AUDIT_GROWTH);
      assertThat(alice.logout().statusCode())
          .as("alice's session still works for a state change")
          .isEqualTo(303);
    }
  }

  @Test
  void defaults_limitNewAnonymousSessionsPerAddress() {
    SessionConfig defaults = SessionConfig.defaults();
    assertThat(defaults.anonymousSessionsPerAddress()).isEqualTo(60);
    assertThat(defaults.anonymousSessionWindow()).isEqualTo(Duration.ofMinutes(1));
  }

  record Flood(long requests, long ok, long sessionCookies) {}

  /** {@value #REQUESTS} anonymous GETs over {@value #THREADS} keep-alive connections, keeping no cookie. */
  private static Flood flood(URI base, String sessionCookie) throws Exception {
    AtomicLong requests = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong cookies = new AtomicLong();
    String cookiePrefix = "set-cookie: " + sessionCookie.toLowerCase(Locale.ROOT) + "=";
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int share = REQUESTS / THREADS + (t < REQUESTS % THREADS ? 1 : 0);
        done.add(pool.submit(() -> {
          Connection c = new Connection(base);
          try {
            for (int i = 0; i < share; i++) {
              Connection.Response r = c.get(PAGES[i % PAGES.length]);
              requests.incrementAndGet();
              if (r.status() == 200) {
                ok.incrementAndGet();
              }
              if (r.hasHeaderStarting(cookiePrefix)) {
                cookies.incrementAndGet();
              }
              if (r.closed()) {
                c.close();
                c = new Connection(base);
              }
            }
          } finally {
            c.close();
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return new Flood(requests.get(), ok.get(), cookies.get());
  }

  /** One keep-alive HTTP/1.1 connection: GETs one after another, reading each whole response. */
  private static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String host;

    record Response(int status, List<String> headers, boolean closed) {
      boolean hasHeaderStarting(String lowerCasePrefix) {
        for (String h : headers) {
          if (h.toLowerCase(Locale.ROOT).startsWith(lowerCasePrefix)) {
            return true;
          }
        }
        return false;
      }
    }

    Connection(URI base) throws IOException {
      this.socket = new Socket(base.getHost(), base.getPort());
      socket.setTcpNoDelay(true);
      this.out = socket.getOutputStream();
      this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      this.host = base.getHost() + ":" + base.getPort();
    }

    Response get(String path) throws IOException {
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: flood\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String statusLine = line();
      int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
      List<String> headers = new ArrayList<>();
      long length = -1;
      boolean chunked = false;
      boolean closed = false;
      for (String h = line(); !h.isEmpty(); h = line()) {
        headers.add(h);
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(h.substring(15).strip());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          closed = true;
        }
      }
      if (chunked) {
        for (long size = Long.parseLong(line().split(";")[0].strip(), 16);
            size > 0;
            size = Long.parseLong(line().split(";")[0].strip(), 16)) {
          skip(size);
          line();
        }
        while (!line().isEmpty()) {
          // trailers
        }
      } else if (length > 0) {
        skip(length);
      }
      return new Response(status, headers, closed);
    }

    private void skip(long n) throws IOException {
      long left = n;
      while (left > 0) {
        long skipped = in.skip(left);
        if (skipped <= 0) {
          if (in.read() < 0) {
            throw new IOException("connection closed mid-response");
          }
          skipped = 1;
        }
        left -= skipped;
      }
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream(64);
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed mid-response");
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing a test connection
      }
    }
  }
}
