package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.portcullis.jdbc.PostgresServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portal on PostgreSQL while the database stops and comes back: logged-in users' requests become anonymous (sent
 * to the login page, never a server error) while it is down, and the same cookies work again once it answers, with no
 * restart of the portal. Prints the time each step took: run with
 * {@code -Dtest=PortalDatabaseOutageTest} and read {@code target/surefire-reports/*-output.txt}.
 */
@EnabledIf(value = "postgresInstalled", disabledReason = PostgresServer.MISSING)
class PortalDatabaseOutageTest {
  /** Far above the portal's timeouts (1 s for a connection, 2 s for an answer): a guard against hanging. */
  private static final Duration HANG = Duration.ofSeconds(15);

  static boolean postgresInstalled() {
    return PostgresServer.binaries().isPresent();
  }

  @Test
  void databaseStops_requestsFailClosedToTheLoginPage_andTheSameCookiesWorkWhenItReturns(
      @TempDir Path dataDir) throws Exception {
    try (PostgresServer database = PostgresServer.create();
        RunningPortal portal = PortalOnPostgresTest.onDatabase(database, dataDir)) {
      PortalClient alice = portal.client();
      alice.loginAs("alice");
      assertThat(alice.get("/reports").statusCode()).isEqualTo(200);

      database.stop();

      long slowestNanos = 0;
      for (int i = 0; i < 3; i++) {
        long start = System.nanoTime();
        HttpResponse<String> r = assertTimeoutPreemptively(HANG, () -> alice.get("/reports/101"));
        slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
        assertThat(r.statusCode()).as("anonymous while the database is down").isEqualTo(303);
        assertThat(r.headers().firstValue("Location"))
            .hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
      }
      for (String page : List.of("/", "/login")) {
        HttpResponse<String> r = assertTimeoutPreemptively(HANG, () -> alice.get(page));
        assertThat(r.statusCode()).as(page).isEqualTo(200);
        assertThat(r.body()).doesNotContain("Exception", "at dev.portcullis");
      }
      System.out.printf(
          "database down: slowest request answered (fail closed) in %d ms%n",
          slowestNanos / 1_000_000);

      database.start();
      long back = System.nanoTime();
      int status = assertTimeoutPreemptively(HANG, () -> {
        while (true) {
          int s = alice.get("/reports/101").statusCode();
          if (s == 200) {
            return s;
          }
          Thread.sleep(50);
        }
      });
      assertThat(status).as("the same cookies, no restart").isEqualTo(200);
      System.out.printf(
          "database back: same cookies served again %d ms after it answered%n",
          (System.nanoTime() - back) / 1_000_000);
    }
  }
}
