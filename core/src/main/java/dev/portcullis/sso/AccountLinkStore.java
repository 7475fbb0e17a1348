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

  static AccountLinkStore inMemory() {
    return new InMemoryAccountLinkStore();
  }
}
