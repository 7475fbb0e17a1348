package dev.portcullis.sso;

import java.util.Optional;

/**
 * Links external SSO identities, (issuer, subject), to portal user handles. One identity links to at most one user;
 * linking never happens on an email match alone.
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

  /** Links (issuer, subject) to {@code userHandle}, atomically. */
  LinkResult link(String issuer, String subject, String userHandle);

  /** The user linked to (issuer, subject). */
  Optional<String> userFor(String issuer, String subject);

  /** Whether {@code userHandle} has any linked identity (then no upgrade is offered). */
  boolean isLinked(String userHandle);

  static AccountLinkStore inMemory() {
    return new InMemoryAccountLinkStore();
  }
}
