package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.FakeSharedStores;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Regression: the bundle took a session store shared between nodes through {@code customize} and kept the login
 * limit in each node's memory, one budget per node for a password guesser behind a load balancer. Such an application
 * now stops at start-up with what to do, and starts once the login limit is in a store the nodes share too, or once
 * {@code portcullis.login.per-node-login-limit: true} accepts one limit per node (which beside a shared limit is a
 * contradiction that stops the start).
 */
class SharedStoresTest {
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");

  /** The example application with its sessions in a store nodes share, and the login limit left as it was. */
  public static class SharedSessionsApp extends PortalApp {
    final SessionStore sessions = FakeSharedStores.sessions(
        CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build());

    public SharedSessionsApp() {
      bundle.customize((config, builder) -> builder.auditSink(sink).sessionStore(sessions));
    }
  }

  /** The same, with the login limit in a store the nodes share as well. */
  public static class SharedSessionsAndLoginLimitApp extends PortalApp {
    final SessionStore sessions = FakeSharedStores.sessions(
        CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build());
    final LoginAttemptStore attempts =
        FakeSharedStores.loginAttempts(LoginAttemptStore.inMemory(clock));

    public SharedSessionsAndLoginLimitApp() {
      bundle.customize((config, builder) ->
          builder.auditSink(sink).sessionStore(sessions).loginAttemptStore(attempts));
    }
  }

  private static DropwizardTestSupport<PortalApp.Config> support(
      Class<? extends PortalApp> app, ConfigOverride... more) {
    return PortalStarts.app(app, more);
  }

  private static final ConfigOverride PER_NODE_LOGIN_LIMIT =
      ConfigOverride.config("portcullis.login.per-node-login-limit", "true");

  @Test
  void aSharedSessionStore_withTheLoginLimitInMemory_stopsTheStart_sayingWhatToDo() {
    Throwable failure = PortalStarts.refused(support(SharedSessionsApp.class));

    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the session store is shared between nodes")
        .hasMessageContaining("loginAttemptStore(redis.loginAttemptStore())")
        .hasMessageContaining("perNodeLoginLimit()")
        .hasMessageContaining("portcullis.login.per-node-login-limit: true");
  }

  @Test
  void aSharedSessionStore_withTheLoginLimitInMemory_startsWithPerNodeLoginLimit()
      throws Exception {
    DropwizardTestSupport<PortalApp.Config> support =
        support(SharedSessionsApp.class, PER_NODE_LOGIN_LIMIT);
    support.before();
    try {
      SharedSessionsApp app = (SharedSessionsApp) support.getApplication();
      assertThat(app.bundle.portcullis().sessionStore()).isSameAs(app.sessions);
      TestBrowser browser = new TestBrowser("http://127.0.0.1:" + support.getLocalPort());
      assertThat(browser.get("/login").statusCode()).isEqualTo(200);
    } finally {
      support.after();
    }
  }

  @Test
  void perNodeLoginLimit_besideALoginLimitTheNodesShare_stopsTheStart_namingTheSetting() {
    DropwizardTestSupport<PortalApp.Config> support =
        support(SharedSessionsAndLoginLimitApp.class, PER_NODE_LOGIN_LIMIT);
    try {
      assertThat(catchThrowable(support::before))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("contradict each other")
          .hasMessageContaining("portcullis.login.per-node-login-limit: true");
    } finally {
      support.after();
    }
  }

  /** The table's size is for the limit in this node's memory; the store given in customize bounds itself. */
  @Test
  void maxTracked_besideALoginLimitTheNodesShare_stopsTheStart_namingTheSetting() {
    Throwable failure = PortalStarts.refused(support(
        SharedSessionsAndLoginLimitApp.class,
        ConfigOverride.config("portcullis.login.limit.max-tracked", "5000")));

    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxTracked bounds the default in-memory store")
        .hasMessageContaining("portcullis.login.limit.max-tracked");
  }

  @Test
  void aSharedSessionStore_withTheLoginLimitInASharedStore_starts_andLogsIn() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = support(SharedSessionsAndLoginLimitApp.class);
    support.before();
    try {
      SharedSessionsAndLoginLimitApp app =
          (SharedSessionsAndLoginLimitApp) support.getApplication();
      assertThat(app.bundle.portcullis().sessionStore()).isSameAs(app.sessions);

      TestBrowser browser = new TestBrowser("http://127.0.0.1:" + support.getLocalPort());
      String csrf =
          TestBrowser.csrfToken(FORM_CSRF, browser.get("/login").body()).orElse("");
      Map<String, String> form = new LinkedHashMap<>();
      form.put("username", "alice");
      form.put("password", "alice-pw");
      form.put("_csrf", csrf);
      HttpResponse<String> login = browser.post("/login", form);

      assertThat(login.headers().firstValue("Location")).hasValue("/");
      assertThat(browser.get("/reports").body()).isEqualTo("reports for u-alice");
    } finally {
      support.after();
    }
  }
}
