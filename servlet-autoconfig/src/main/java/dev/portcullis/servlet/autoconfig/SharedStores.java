package dev.portcullis.servlet.autoconfig;

import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import java.time.InstantSource;

/**
 * The stores that the nodes of a portal share (sessions, revoked tickets, the login limit's budgets), made from the
 * settings: what {@link PortcullisAssembly} uses instead of this node's memory. Closed when the context stops, after
 * the filter no longer uses them.
 */
interface SharedStores extends AutoCloseable {
  SessionStore sessionStore(SessionConfig config);

  RevocationStore revocationStore();

  LoginAttemptStore loginAttemptStore();

  @Override
  void close();

  /** Connects when the filter starts; the settings were checked at deployment. */
  interface Connection {
    /**
     * @throws IllegalStateException when the stores cannot be reached now, with the deployment error to show
     */
    SharedStores open(InstantSource clock);
  }
}
