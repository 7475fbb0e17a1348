package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
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
    ConfigOverride[] all = new ConfigOverride[extra.length + 1];
    all[0] = ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString());
    System.arraycopy(extra, 0, all, 1, extra.length);
    return new DropwizardTestSupport<>(
        PortalApp.class, ResourceHelpers.resourceFilePath("portcullis-app.yml"), all);
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
    DropwizardTestSupport<PortalApp.Config> node =
        node(ConfigOverride.config("portcullis.redis.uri", "redis://127.0.0.1:6379"));
    try {
      Throwable failure = catchThrowable(node::before);

      assertThat(failure)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(
              "portcullis.redis is set but dev.portcullis:portcullis-redis is not on the class path")
          .hasMessageContaining("Add the dependency dev.portcullis:portcullis-redis");
    } finally {
      node.after();
    }
  }

  @Test
  void withTheJdbcBlock_theStartStops_namingTheArtifactToAdd() {
    DropwizardTestSupport<PortalApp.Config> node =
        node(ConfigOverride.config("portcullis.jdbc.apply-schema", "false"));
    try {
      Throwable failure = catchThrowable(node::before);

      assertThat(failure)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(
              "portcullis.jdbc is set but dev.portcullis:portcullis-jdbc is not on the class path")
          .hasMessageContaining("Add the dependency dev.portcullis:portcullis-jdbc");
    } finally {
      node.after();
    }
  }
}
