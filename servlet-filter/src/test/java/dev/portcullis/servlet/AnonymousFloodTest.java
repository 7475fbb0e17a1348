package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.audit.AuditEvent;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression, attack "an anonymous flood logs everyone out": every anonymous {@code GET /login} used to make a stored
 * session, so 130,000 requests from one client filled the store (100,000 sessions by default), evicted a logged-in
 * user's session and wrote a {@code session_created} audit line each. Over real HTTP (Jetty on loopback, keep-alive
 * HTTP/1.1 connections from several threads, no cookies kept), against a store of {@value #MAX_SESSIONS} sessions:
 * {@value #REQUESTS} anonymous requests from one address, half of them the login page and half a page that writes to
 * the session, so that either half alone would fill the store twice over. Alice, logged in before, is still logged in
 * after; the store holds no more than alice's session and the address's share of anonymous ones; every request is
 * answered, the ones past the share without a session cookie; the audit file grows by less than 1 MB.
 */
class AnonymousFloodTest {
  /** The session store's size: the flood is measured against it, not against the default's 100,000. */
  private static final int MAX_SESSIONS = 5_000;

  private static final int REQUESTS = 4 * MAX_SESSIONS;
  private static final int THREADS = 4;
  private static final long MAX_AUDIT_GROWTH = 1024 * 1024;
  private static final String[] PAGES = {"/login", "/remember"};
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void anonymousFlood_fromOneAddress_keepsAliceLoggedIn_theStoreBounded_andTheAuditLogSmall()
      throws Exception {
    Path auditFile = dir.resolve("audit.jsonl");
    try (LoginPortal portal = LoginPortal.withSessions(
        LoginPortal.sessions().maxSessions(MAX_SESSIONS).build(),
        AuditSink.hashChained(auditFile))) {
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

  /**
   * Regression, attack "an anonymous flood fills the audit log": every refused anonymous request (a state change
   * without a CSRF token, a path that could be read two ways, an auth cookie that does not open) wrote an audit line,
   * about 660 a second from one connection to the example portal, so one client could fill the disk under the audit
   * file (and with it stop every audited page, refused with 503 while the log cannot write) and bury the log's other
   * entries. Now the address writes its share of each event type ({@code AuditLog.Builder.anonymousEventsPerAddress},
   * 60 a minute); the rest are counted as withheld, and a logged-in user's events are all written.
   */
  @Test
  void refusedAnonymousFlood_fromOneAddress_writesItsShareOfAuditLines_andAlicesEventsStill()
      throws Exception {
    try (LoginPortal portal = LoginPortal.withDefaultAccess((p, filter) -> {})) {
      Browser alice = portal.browser();
      assertThat(alice.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      int before = portal.flushedSink().events().size();

      String authCookie = portal.login.cookies().authCookie().name();
      URI base = URI.create(portal.base);
      String[][] requests = {
        {"POST", "/action", "Content-Length: 0\r\n", "403"},
        {"GET", "/reports;x=1", "", "400"},
        {"GET", "/whoami", "Cookie: " + authCookie + "=not-a-ticket\r\n", "303"},
      };
      Connection c = new Connection(base);
      try {
        for (int i = 0; i < 900; i++) {
          String[] r = requests[i % requests.length];
          Connection.Response response = c.send(r[0], r[1], r[2]);
          assertThat(response.status()).isEqualTo(Integer.parseInt(r[3]));
          if (response.closed()) {
            c.close();
            c = new Connection(base);
          }
        }
      } finally {
        c.close();
      }
      assertThat(alice.get("/reports/riverside/7").statusCode()).isEqualTo(200);
      assertThat(alice.post("/action", Map.of()).statusCode())
          .as("alice's own refused request")
          .isEqualTo(403);

      List<AuditEvent> flood =
          portal.flushedSink().events().subList(before, portal.sink.events().size());
      assertThat(flood.stream().filter(e -> e.actor().isEmpty()))
          .as("anonymous audit lines written for 900 refused requests from one address")
          .extracting(e -> e.type().name())
          .hasSize(3 * 60)
          .containsOnly("csrf_fail", "access_denied", "crypt_decrypt_fail")
          .filteredOn("csrf_fail"::equals)
          .hasSize(60);
      assertThat(portal.audit.stats().withheld()).isEqualTo(900 - 3 * 60);
      assertThat(flood)
          .as("alice's events after the flood")
          .filteredOn(e -> e.actor().isPresent())
          .extracting(e -> e.type().name())
          .containsExactly("report_view", "csrf_fail");

      portal.clock.advance(Duration.ofMinutes(1));
      Connection later = new Connection(base);
      try {
        assertThat(later.send("POST", "/action", "Content-Length: 0\r\n").status())
            .isEqualTo(403);
      } finally {
        later.close();
      }
      assertThat(portal.flushedSink().events())
          .as("a minute later the address has a new share")
          .last()
          .satisfies(e -> {
            assertThat(e.type().name()).isEqualTo("csrf_fail");
            assertThat(e.actor()).isEmpty();
          });
    }
  }

  /**
   * Regression, "withheld audit events leave no trace in the audit log": past an address's share its refused
   * anonymous requests were only counted (a metric, a WARN line in the application log), so an operator reading the
   * audit trail could not see that a flood had happened, from where or of what. Now, when the address's window
   * closes, the hash-chained audit file itself gets one {@code audit_withheld} record naming the event type, the
   * address, how many were withheld and the window.
   */
  @Test
  void refusedAnonymousFlood_leavesItsShareAndOneSummaryOfTheRest_inTheAuditFile()
      throws Exception {
    Path auditFile = dir.resolve("audit.jsonl");
    try (LoginPortal portal = new LoginPortal(AuditSink.hashChained(auditFile))) {
      Instant windowStart = portal.clock.instant();
      URI base = URI.create(portal.base);
      Connection c = new Connection(base);
      try {
        for (int i = 0; i < 200; i++) {
          Connection.Response response = c.send("POST", "/action", "Content-Length: 0\r\n");
          assertThat(response.status()).isEqualTo(403);
          if (response.closed()) {
            c.close();
            c = new Connection(base);
          }
        }
      } finally {
        c.close();
      }
      portal.flushedSink();
      assertThat(records(auditFile))
          .as("while the window is open")
          .noneMatch(r -> r.get("type").asText().equals("audit_withheld"));

      portal.clock.advance(Duration.ofMinutes(1));
      portal.flushedSink();

      List<JsonNode> records = records(auditFile);
      assertThat(records)
          .filteredOn(r -> r.get("type").asText().equals("csrf_fail"))
          .as("the address's share of refusals, written as they came")
          .hasSize(60)
          .allSatisfy(r -> {
            assertThat(r.get("client_address").asText()).isEqualTo("127.0.0.1");
            assertThat(r.has("user")).isFalse();
          });
      assertThat(records)
          .filteredOn(r -> r.get("type").asText().equals("audit_withheld"))
          .as("one summary of the rest")
          .singleElement()
          .satisfies(r -> {
            assertThat(r.get("action").asText()).isEqualTo("csrf_fail");
            assertThat(r.get("client_address").asText()).isEqualTo("127.0.0.1");
            assertThat(r.get("outcome").asText()).isEqualTo("failure");
            assertThat(r.get("reason").asText())
                .isEqualTo(
                    "140 csrf_fail events from 127.0.0.1 withheld past its share of 60 in the"
                        + " window " + windowStart + " to "
                        + windowStart.plus(Duration.ofMinutes(1)));
          });
      assertThat(portal.audit.stats().withheld()).isEqualTo(140);
      assertThat(AuditChainVerifier.verify(auditFile).intact()).isTrue();
    }
  }

  private static List<JsonNode> records(Path file) throws IOException {
    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      records.add(JSON.readTree(line));
    }
    return records;
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
      return send("GET", path, "");
    }

    /** @param extraHeaders more header lines, each ending in CRLF */
    Response send(String method, String path, String extraHeaders) throws IOException {
      out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: flood\r\n"
              + extraHeaders + "\r\n")
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
