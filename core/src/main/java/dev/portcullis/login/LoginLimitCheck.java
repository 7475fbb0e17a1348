package dev.portcullis.login;

/**
 * Whether the login limit suits the session store beside it, as {@link PortalLogin#loginLimitCheck} answers: a session
 * store that nodes share ({@link dev.portcullis.session.SessionStore#sharedBetweenNodes()}) needs a login limit that
 * they share too ({@link PortalLogin#loginLimitSharedBetweenNodes()}), unless the application has accepted one limit
 * per node. The adapters (the servlet entry point, with it the Dropwizard bundle, and the Spring Boot starter) act on
 * the answer in their own words and with their own exception; the decision is made here only.
 *
 * <p><b>Security.</b> Behind a load balancer, N nodes that each keep the limit in memory give a password guesser N
 * budgets. {@link #REFUSED} keeps that from happening unnoticed; {@link #PER_NODE_ACCEPTED} lets it happen only when
 * asked for, and the adapters log it.
 */
public enum LoginLimitCheck {
  /** Nothing to say: the sessions are this node's own, or the login limit is shared as they are. */
  FINE,

  /**
   * One limit per node was accepted and the limit is in this node's memory: start, with a warning that each node gives
   * a password guesser a budget of its own.
   */
  PER_NODE_ACCEPTED,

  /**
   * One limit per node was accepted, but the limit is kept in a store the nodes share: the acceptance contradicts the
   * configuration and is refused, so that it does not outlive the shared limit unnoticed.
   */
  CONTRADICTION,

  /**
   * The session store is shared between nodes, the login limit is kept in this node's memory, and one limit per node
   * was not accepted: refused.
   */
  REFUSED;

  /**
   * The decision.
   *
   * @param sessionsShared whether the session store is shared between nodes
   * @param limitShared whether the login limit is kept in a store the nodes share
   * @param perNodeAccepted whether the application accepted one limit per node
   */
  static LoginLimitCheck of(boolean sessionsShared, boolean limitShared, boolean perNodeAccepted) {
    if (perNodeAccepted) {
      return limitShared ? CONTRADICTION : PER_NODE_ACCEPTED;
    }
    return sessionsShared && !limitShared ? REFUSED : FINE;
  }
}
