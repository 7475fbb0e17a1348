package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.jdbc.PostgresServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression, weakness "a login flood can take the example's 10 pooled PostgreSQL connections": the portal on
 * PostgreSQL ({@code --database-url}, a pool of {@value PortalStores#POOL_SIZE}) under {@value #ATTACKERS} anonymous
 * logins at once with wrong passwords for unknown names, over HTTPS from one browser's login form, while a logged-in
 * user reads a page every 100 ms. Each login ran its Argon2id check as soon as it came, so on two cores the checks took
 * the processors, and the threads holding a pooled connection for the login limit (whose reservations from one
 * address take turns on one row) waited for a core with it: every connection taken, twenty requests waiting for one,
 * and the logged-in user's pages took 5 to 9 s. Now the login checks so many passwords at once and refuses the rest
 * at once, audited as {@code authn_login_busy} with the reason {@code BUSY}.
 *
 * <p>Prints the figures: run with {@code -Dtest=PortalLoginFloodTest} and read
 * {@code target/surefire-reports/*PortalLoginFloodTest-output.txt}.
 */
@EnabledIf(value = "postgresInstalled", disabledReason = PostgresServer.MISSING)
class PortalLoginFloodTest {
  private static final int ATTACKERS = 60;
  /**
   * How long alice keeps reading pages while the flood runs. Without the bound on checks at once, every pooled
   * connection was taken within the flood's first seconds and her pages took 5 to 9 s each; a page is timed to its
   * end even when the flood's time is up while it waits, so a few seconds catch that as surely as more would.
   */
  private static final Duration FLOOD = Duration.ofSeconds(4);
  /** What a logged-in user's page may take during the flood. */
  private static final Duration BOUND = Duration.ofSeconds(2);
  /** A login of the flood that got no HTTP answer. */
  private static final String NO_ANSWER = "no answer";

  static boolean postgresInstalled() {
    return PostgresServer.binaries().isPresent();
  }

  @Test
  void aFloodOfBadLogins_keepsALoggedInUsersPagesServed(@TempDir Path dataDir) throws Exception {
    List<String> late = new ArrayList<>();
    Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    AtomicInteger sent = new AtomicInteger();
    long slowest = 0;
    int pages = 0;
    try (PostgresServer database = PostgresServer.create();
        RunningPortal portal = PortalOnPostgresTest.onDatabase(database, dataDir)) {
      PortalClient alice = portal.client();
      assertThat(alice.loginAs("alice").statusCode()).isEqualTo(303);
      assertThat(alice.get("/reports").statusCode()).isEqualTo(200);

      PortalClient attacker = portal.client();
      attacker.get("/login");
      String cookie = attacker.cookieHeader();
      String token = attacker.lastCsrf;
      HttpClient client = attacker.client();
      ExecutorService attackers = Executors.newFixedThreadPool(ATTACKERS);
      AtomicBoolean stop = new AtomicBoolean();
      List<Future<?>> running = new ArrayList<>();
      try {
        // Their TLS connections first, so that the flood measures logins, not handshakes.
        List<Future<HttpResponse<String>>> connected = new ArrayList<>();
        for (int i = 0; i < ATTACKERS; i++) {
          connected.add(
              attackers.submit(() -> client.send(request(attacker, cookie).GET().build(), body())));
        }
        for (Future<HttpResponse<String>> c : connected) {
          assertThat(c.get(1, TimeUnit.MINUTES).statusCode()).isEqualTo(200);
        }
        for (int i = 0; i < ATTACKERS; i++) {
          running.add(attackers.submit(() -> {
            while (!stop.get()) {
              int n = sent.incrementAndGet();
              String form = PortalClient.form(
                  Map.of("username", "nobody-" + n, "password", "guess-" + n, "_csrf", token));
              String answer;
              try {
                HttpResponse<String> r = client.send(
                    request(attacker, cookie)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                    body());
                answer =
                    r.statusCode() + " " + r.headers().firstValue("Location").orElse("");
              } catch (IOException e) {
                // No answer at all (on a loaded machine the JDK client has reported "connection
                // closed locally"): it tells nothing of any account.
                answer = NO_ANSWER;
              }
              answers.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
            }
            return null;
          }));
        }
        long end = System.nanoTime() + FLOOD.toNanos();
        while (System.nanoTime() < end) {
          long start = System.nanoTime();
          String answer;
          try {
            HttpResponse<String> page = alice.get("/reports");
            answer =
                page.statusCode() + " " + page.headers().firstValue("Location").orElse("");
          } catch (HttpTimeoutException e) {
            answer = "no answer";
          }
          long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          slowest = Math.max(slowest, took);
          pages++;
          if (!answer.equals("200 ") || took > BOUND.toMillis()) {
            late.add("page " + pages + ": " + answer.strip() + " in " + took + " ms");
          }
          Thread.sleep(100);
        }
      } finally {
        stop.set(true);
        attackers.shutdown();
      }
      for (Future<?> f : running) {
        f.get(2, TimeUnit.MINUTES);
      }
      assertThat(portal.portal.flushAudit(Duration.ofSeconds(30))).isTrue();
    }
    System.out.printf(
        "login flood on PostgreSQL: %d at once, %d logins sent %s; alice's %d pages, slowest %d"
            + " ms%n",
        ATTACKERS, sent.get(), answers, pages, slowest);

    assertThat(late)
        .as("alice's pages during the flood: each 200 within %s", BOUND)
        .isEmpty();
    // Past 16 form bodies read at once from one address (FormBodyReads), a login is a plain 503
    // before its body is read: the same for every account, so it tells nothing of one.
    assertThat(answers.keySet())
        .as("every login refused as any wrong password is, or unread past the address's share")
        .contains("303 /login?error=1")
        .isSubsetOf("303 /login?error=1", "503 ", NO_ANSWER);
    ObjectMapper json = new ObjectMapper();
    long busy = 0;
    long unread = 0;
    for (String line :
        Files.readAllLines(dataDir.resolve(Portal.AUDIT_FILE), StandardCharsets.UTF_8)) {
      JsonNode event = json.readTree(line);
      if (event.path("type").asText().equals("authn_login_busy")
          && event.path("reason").asText().equals("BUSY")) {
        busy++;
      }
      if (event.path("type").asText().equals("access_denied")
          && event.path("reason").asText().startsWith("form body not read: too many")) {
        unread++;
      }
    }
    assertThat(busy).as("logins refused without a check, audited").isPositive();
    if (answers.containsKey("503 ")) {
      assertThat(unread)
          .as(
              "a 503 only as the share of form bodies being read at once (the address's or the anonymous forms'), audited")
          .isPositive();
    }
  }

  private static HttpRequest.Builder request(PortalClient attacker, String cookie) {
    return HttpRequest.newBuilder(attacker.uri("/login"))
        .header("Cookie", cookie)
        .timeout(Duration.ofMinutes(1));
  }

  private static HttpResponse.BodyHandler<String> body() {
    return HttpResponse.BodyHandlers.ofString();
  }
}
