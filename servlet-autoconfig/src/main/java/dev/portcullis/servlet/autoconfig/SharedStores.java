package dev.portcullis.servlet.autoconfig;

import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import java.time.InstantSource;
import java.util.function.Function;

/**
 * The stores that the nodes of a portal share (sessions, revoked tickets, the login limit's budgets, and for single
 * sign-on the account links and the single-use marks of redeemed upgrade tokens), made from the settings: what {@link
 * PortcullisAssembly} uses instead of this node's memory.
 *
 * @param sessionStores the session store for a session configuration
 * @param connection closed when the context stops, after the filter no longer uses the stores
 */
record SharedStores(
    Function<SessionConfig, SessionStore> sessionStores,
    RevocationStore revocationStore,
    LoginAttemptStore loginAttemptStore,
    AccountLinkStore accountLinkStore,
    ReplayStore replayStore,
    AutoCloseable connection) {

  /** Connects when the filter starts; the settings were read at deployment. */
  interface Connection {
    /**
     * @param contextAttributes the servlet context's attributes, where the application may have put what the stores
     *     need (its {@code DataSource})
     * @throws IllegalStateException when the stores cannot be made now, with the deployment error to show
     */
    SharedStores open(InstantSource clock, Function<String, Object> contextAttributes);
  }
}
