package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An application without {@code dev.portcullis:portcullis-redis} and {@code dev.portcullis:portcullis-jdbc}, the
 * adapter's optional dependencies (this class runs in a test execution of its own whose class path lacks the modules
 * and Lettuce): without a {@code redis} or {@code jdbc} block it starts as before, and with one it stops at start-up
 * naming the artifact to add.
 */
@Tag("without-redis-module")
class WithoutRedisModuleTest {
  private static DropwizardTestSupport<PortalApp.Config> node(ConfigOverride... extra) {
    return PortalStarts.app(PortalApp.class, extra);
  }

  @Test
  void theModulesAreNotOnThisClassPath() {
    assertThatThrownBy(() -> Class.forName(RedisBlock.MODULE_CLASS))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName(JdbcBlock.MODULE_CLASS))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void withoutTheBlock_theApplicationStarts_withItsStoresInMemory() throws Exception {
    DropwizardTestSupport<PortalApp.Config> node = node();
    node.before();
    try {
      PortalApp app = (PortalApp) node.getApplication();
      assertThat(app.bundle.portcullis().sessionStore().sharedBetweenNodes()).isFalse();
      assertThat(app.bundle.redisStores()).isEmpty();
      assertThat(app.bundle.jdbcStores()).isEmpty();
    } finally {
      node.after();
    }
  }

  @Test
  void withTheBlock_theStartStops_namingTheArtifactToAdd() {
    Throwable failure = PortalStarts.refused(
        node(ConfigOverride.config("portcullis.redis.uri", "redis://127.0.0.1:6379")));

    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "portcullis.redis is set but dev.portcullis:portcullis-redis is not on the class path")
        .hasMessageContaining("Add the dependency dev.portcullis:portcullis-redis");
  }

  @Test
  void withTheJdbcBlock_theStartStops_namingTheArtifactToAdd() {
    Throwable failure =
        PortalStarts.refused(node(ConfigOverride.config("portcullis.jdbc.apply-schema", "false")));

    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "portcullis.jdbc is set but dev.portcullis:portcullis-jdbc is not on the class path")
        .hasMessageContaining("Add the dependency dev.portcullis:portcullis-jdbc");
  }
}
