package dev.portcullis.user;

import java.util.Optional;

/**
 * Where portal accounts live: the application's user store, an LDAP bridge, or {@link InMemoryUserDirectory} for
 * examples and tests.
 *
 * <p><b>Security.</b> {@link #authenticate} must take about the same time whether or not the username exists (check a
 * dummy hash for unknown users), and must not log the password. Account rules (enabled, name, email, role, terms)
 * are Portcullis's job: return the account even when it is disabled or incomplete, so the refusal reaches the audit
 * log with its reason.
 */
public interface UserDirectory {

  /** The account whose username and password match, or empty. */
  Optional<PortalUser> authenticate(String username, char[] password);

  /** The account with this handle, or empty when it no longer exists. */
  Optional<PortalUser> findByHandle(String handle);

  /** Records that the user accepted terms-of-use {@code version}. */
  void recordTermsAcceptance(String handle, String version);
}
