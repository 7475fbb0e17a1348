package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A logout whose session store fails to delete the session, through the real filter on a real Jetty: the ticket is
 * still revoked and the browser's cookies expired, but the audit trail says the logout failed, since the session and
 * what it remembers outlive it on the server until the pending logout deletes it (see
 * {@link LogoutDuringStoreOutageTest}).
 */
class LogoutSessionDeleteFailureTest {

  @Test
  void logout_whenTheStoreFailsToDeleteTheSession_isAuditedAsAFailure_andStillRevokesTheTicket()
      throws Exception {
    AtomicBoolean deletesFail = new AtomicBoolean();
    try (LoginPortal portal = portal(deletesFail)) {
      Browser b = portal.browser();
      b.openLoginPage();
      assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      assertThat(b.whoami()).isEqualTo("u-alice");
      Map<String, String> copied = Map.copyOf(b.cookies());

      deletesFail.set(true);
      HttpResponse<String> out = b.logout();
      deletesFail.set(false);

      assertThat(out.statusCode()).as("the browser is still logged out").isEqualTo(303);
      assertThat(out.headers().allValues("Set-Cookie"))
          .as("its cookies expired")
          .anySatisfy(c -> assertThat(c).containsIgnoringCase("Max-Age=0"));
      Browser thief = portal.browser();
      thief.cookies().putAll(copied);
      assertThat(thief.whoami()).as("the revoked ticket logs nobody in").isEqualTo("anonymous");

      AuditEvent logout = portal.flushedSink().assertOnce(AuditEventType.LOGOUT);
      assertThat(logout.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(logout.reason())
          .hasValueSatisfying(r -> assertThat(r)
              .startsWith("session store failed to delete the session")
              .contains("pending"));
      assertThat(logout.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
    }
  }

  @Test
  void logout_whenTheStoreDeletes_isAuditedAsASuccess() throws Exception {
    AtomicBoolean deletesFail = new AtomicBoolean();
    try (LoginPortal portal = portal(deletesFail)) {
      Browser b = portal.browser();
      b.openLoginPage();
      assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      assertThat(b.logout().statusCode()).isEqualTo(303);

      AuditEvent logout = portal.flushedSink().assertOnce(AuditEventType.LOGOUT);
      assertThat(logout.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
      assertThat(logout.reason()).isEmpty();
    }
  }

  /** The login portal over its own session store, whose deletes throw while {@code deletesFail} is set. */
  private static LoginPortal portal(AtomicBoolean deletesFail) throws Exception {
    return new LoginPortal((p, filter) -> filter.sessions(SessionRegistry.create(
        p.sessionConfig,
        failingDeletes(p.sessionStore, deletesFail),
        p.random,
        p.clock,
        new SessionAudit(p.audit))));
  }

  /** {@code store}, whose deletes throw while {@code fail} is set. */
  private static SessionStore failingDeletes(SessionStore store, AtomicBoolean fail) {
    return (SessionStore) Proxy.newProxyInstance(
        SessionStore.class.getClassLoader(), new Class<?>[] {SessionStore.class}, (p, m, args) -> {
          if (fail.get() && m.getName().equals("delete")) {
            throw new StoreUnavailableException("session store failed on delete (test)", null);
          }
          try {
            return m.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
