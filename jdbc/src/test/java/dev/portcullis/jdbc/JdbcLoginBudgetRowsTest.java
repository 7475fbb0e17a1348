package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Regression, weakness "an address past its login limit still added a row per name it tried": the login limit
 * reserved the account's budget before the address's, and gave the account's slot back when the address was over its
 * limit; PostgreSQL keeps a budget's row until its window is over, slots or none. So one client sending logins with a
 * new name each time, long after its address was refused, added one row to {@code portcullis_login_budget} per
 * request for an hour. Now the address is asked first, and a refused address touches no account's budget.
 */
@ExtendWith(SharedPostgres.class)
class JdbcLoginBudgetRowsTest {
  private static final int PER_ADDRESS = 3;
  private static final int NAMES = 30;

  private final SecureRandom random = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final RecordingAuditSink audited = new RecordingAuditSink();
  private final HikariDataSource pool;
  private final JdbcStores stores;
  private final AuditLog audit;
  private final PortalNode node;

  JdbcLoginBudgetRowsTest(PostgresServer server) throws Exception {
    pool = server.freshDataSource();
    stores = JdbcStores.builder(pool, clock).build();
    audit = AuditLog.builder().clock(clock).random(random).auditSink(audited).build();
    node = JdbcPortalNode.throttled(
            stores, clock, random, audit, limit -> limit.maxFailuresPerAddress(PER_ADDRESS))
        .users(PortalNode.aliceAndBob())
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      node.close();
    } finally {
      audit.close();
      stores.close();
      pool.close();
    }
  }

  @Test
  void newNamesFromAnAddressPastItsLimit_addNoLoginBudgetRows() throws Exception {
    TestBrowser attacker = node.browser();
    for (int i = 0; i < NAMES; i++) {
      HttpResponse<String> r = PortalNode.postLogin(attacker, "nobody-" + i, "wrong-pw");
      assertThat(r.statusCode()).as("login %d", i).isEqualTo(303);
    }
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();

    assertThat(audited.events())
        .as("logins refused by the address's limit")
        .anyMatch(e -> e.type() == AuditEventType.AUTHN_LOGIN_LOCK);
    // The address's budget, and one for each name it was allowed to try.
    assertThat(budgetRows()).isEqualTo(PER_ADDRESS + 1);
  }

  private long budgetRows() throws Exception {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM portcullis_login_budget")) {
      r.next();
      return r.getLong(1);
    }
  }
}
