package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionLookup;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * What the tests of the shared stores (PostgreSQL, Redis) start from and check: a portal's auto-configuration with
 * users, access rules, terms and a key file, single sign-on properties that need the replay and account-link stores,
 * and the check that every store came from the chosen backend and works.
 */
final class SharedStoresFixture {
  /** Single sign-on on, so that the replay and account-link stores are made too. */
  static final String[] SSO = {
    "portcullis.sso.enabled=true",
    "portcullis.sso.issuer=https://login.example",
    "portcullis.sso.client-id=portal",
    "portcullis.sso.client-secret=secret-value",
    "portcullis.sso.redirect-uri=https://portal.example/sso/callback"
  };

  private SharedStoresFixture() {}

  /** A runner of the auto-configuration for a portal whose key file is written under {@code dir}. */
  static WebApplicationContextRunner runner(Path dir) throws IOException {
    return new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class))
        .withInitializer(PortcullisAutoConfigurationTest.processEnvironment(Map.of()))
        .withUserConfiguration(TestUsers.class)
        .withPropertyValues(TestUsers.ACCESS)
        .withPropertyValues(
            "portcullis.login.terms-version=" + TestUsers.TERMS,
            "portcullis.keys.file=" + TestKeys.file(dir),
            "portcullis.transport.canonical-host=portal.example");
  }

  /**
   * Checks that the session, revocation, replay and account-link stores are all {@code prefix}'s (by class name),
   * that a revocation written through the store reads back, and that single sign-on uses the same replay and
   * account-link stores.
   */
  static void assertEveryStoreFrom(AssertableWebApplicationContext context, String prefix) {
    for (Class<?> store : new Class<?>[] {
      SessionStore.class, RevocationStore.class, ReplayStore.class, AccountLinkStore.class
    }) {
      assertThat(context.getBean(store).getClass().getSimpleName())
          .as(store.getSimpleName())
          .startsWith(prefix);
    }
    RevocationStore revocations = context.getBean(RevocationStore.class);
    revocations.revoke("00112233445566778899aabbccddeeff", Instant.parse("2100-01-01T00:00:00Z"));
    assertThat(revocations.isRevoked("00112233445566778899aabbccddeeff", "u-1", Instant.EPOCH))
        .isTrue();
    SsoConfig sso = context.getBean(SsoConfig.class);
    assertThat(sso.links()).isSameAs(context.getBean(AccountLinkStore.class));
    assertThat(sso.replay()).isSameAs(context.getBean(ReplayStore.class));
  }

  /** Checks that a session saved through the application's session registry reads back by its cookie value. */
  static void assertSessionReadsBack(AssertableWebApplicationContext context) {
    SessionRegistry sessions = context.getBean(SessionRegistry.class);
    Session session = sessions.create();
    session.setAttribute("theme", "dark");
    assertThat(sessions.save(session)).isTrue();
    SessionLookup lookup = sessions.open(session.id().cookieValue());
    assertThat(lookup).isInstanceOf(SessionLookup.Found.class);
    assertThat(((SessionLookup.Found) lookup).session().getAttribute("theme")).isEqualTo("dark");
  }
}
