package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.MutableClock;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The scheduled clean-up's thread, seen from the clean-up itself (the {@code DataSource} it asks for a connection):
 * a daemon named for Portcullis whose context class loader is Portcullis' own, whatever loader the thread that built
 * the stores had. A container builds them with the web application's loader as the context loader; a thread holding
 * it would keep a stopped application's classes alive. No database is needed: the connection is refused, which the
 * clean-up survives.
 */
class JdbcCleanUpThreadTest {
  /** What the clean-up's thread was, read on that thread. */
  private record Seen(String name, boolean daemon, ClassLoader contextLoader) {}

  @Test
  void cleanUpThread_isADaemonWithPortcullisLoader_notTheBuildingThreadsContextLoader()
      throws Exception {
    CompletableFuture<Seen> seen = new CompletableFuture<>();
    DataSource recording = (DataSource) Proxy.newProxyInstance(
        DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class},
        (self, method, args) -> {
          if (method.getName().equals("getConnection")) {
            Thread t = Thread.currentThread();
            seen.complete(new Seen(t.getName(), t.isDaemon(), t.getContextClassLoader()));
            throw new SQLException("no database in this test", "08001");
          }
          throw new UnsupportedOperationException(method.getName());
        });
    ClassLoader applications = new URLClassLoader(new URL[0], null);
    Thread building = Thread.currentThread();
    ClassLoader before = building.getContextClassLoader();
    JdbcStores jdbc;
    building.setContextClassLoader(applications);
    try {
      jdbc = JdbcStores.builder(recording, MutableClock.startingAt2026())
          .cleanUpEvery(Duration.ofSeconds(1))
          .build();
    } finally {
      building.setContextClassLoader(before);
    }
    try {
      Seen cleanUp = seen.get(60, TimeUnit.SECONDS);
      assertThat(cleanUp.name()).isEqualTo("portcullis-jdbc-clean-up");
      assertThat(cleanUp.daemon()).isTrue();
      assertThat(cleanUp.contextLoader())
          .isNotSameAs(applications)
          .isSameAs(JdbcStores.class.getClassLoader());
    } finally {
      jdbc.close();
    }
  }
}
