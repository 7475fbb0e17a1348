package dev.portcullis.sso;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Links external SSO identities, (issuer, subject), to portal user handles. One identity links to at most one user;
 * linking never happens on an email match alone. A store keeps, beside each identity's user, each user's identities,
 * so that a user's links can be listed and removed together ({@link #unlinkAll}, as "log out everywhere" does).
 */
public interface AccountLinkStore {

  /** The outcome of {@link #link}. */
  enum LinkResult {
    /** Newly linked. */
    LINKED,
    /** This identity was already linked to this user: nothing changed. */
    ALREADY_LINKED,
    /** This identity is linked to another user: refused. */
    CONFLICT
  }

  /**
   * One linked identity at an OpenID provider.
   *
   * @param issuer the provider's issuer identifier
   * @param subject the user's subject at that issuer
   */
  record LinkedIdentity(String issuer, String subject) {
    public LinkedIdentity {
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(subject, "subject");
    }
  }

  /** Links (issuer, subject) to {@code userHandle}, atomically. */
  LinkResult link(String issuer, String subject, String userHandle);

  /** The user linked to (issuer, subject). */
  Optional<String> userFor(String issuer, String subject);

  /** Whether {@code userHandle} has any linked identity (then no upgrade is offered). */
  boolean isLinked(String userHandle);

  /** The identities linked to {@code userHandle}, in no particular order; empty when none. */
  List<LinkedIdentity> linksOf(String userHandle);

  /**
   * Removes the link of (issuer, subject) to {@code userHandle}, atomically; an identity linked to another user is left
   * alone.
   *
   * @return whether the identity was linked to this user (and no longer is)
   */
  boolean unlink(String issuer, String subject, String userHandle);

  /**
   * Removes every link of {@code userHandle}, atomically with respect to {@link #link} and {@link #unlink}.
   *
   * @return how many identities were unlinked
   */
  int unlinkAll(String userHandle);

  /**
   * Whether several nodes can share this store, so that a link made or removed on one node is seen on the others
   * (Redis, PostgreSQL). The default is false, a store in one node's memory such as {@link #inMemory}; a store that
   * nodes share overrides it, and a store that wraps another answers as the wrapped one does.
   *
   * <p><b>Security.</b> Builders that are given a session store shared between nodes refuse a link store that answers
   * false: behind a load balancer, an identity unlinked on one node (or by "log out everywhere") would still log in
   * through the others.
   */
  default boolean sharedBetweenNodes() {
    return false;
  }

  /** The embedded default: in memory, one node. */
  static AccountLinkStore inMemory() {
    return new InMemoryAccountLinkStore();
  }
}
