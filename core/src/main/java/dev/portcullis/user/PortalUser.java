package dev.portcullis.user;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A portal account as the {@link UserDirectory} knows it.
 *
 * @param handle opaque, stable id: what cookies and audit events carry instead of the username or email
 * @param displayName the person's name; empty when the directory has none
 * @param email empty when the directory has none
 * @param roles security roles, e.g. {@code PROVIDER}; never null or holding null. An account without a role, or
 *     with a role that is empty or only white space, is refused at login and on every request (the audit log says
 *     {@code MISSING_ROLE} or {@code BLANK_ROLE})
 * @param organisation the handle of the user's organisation; empty when none
 * @param enabled disabled accounts cannot log in
 * @param acceptedTermsVersion the terms-of-use version the user last accepted; empty when never
 */
public record PortalUser(
    String handle,
    String displayName,
    String email,
    Set<String> roles,
    String organisation,
    boolean enabled,
    String acceptedTermsVersion) {

  public PortalUser {
    Objects.requireNonNull(handle, "handle");
    if (handle.isBlank()) {
      throw new IllegalArgumentException("a user handle cannot be blank");
    }
    displayName = Objects.requireNonNullElse(displayName, "");
    email = Objects.requireNonNullElse(email, "");
    Objects.requireNonNull(roles, "roles");
    for (String role : roles) {
      Objects.requireNonNull(role, "roles holds a null role");
    }
    roles = Set.copyOf(roles);
    organisation = Objects.requireNonNullElse(organisation, "");
    acceptedTermsVersion = Objects.requireNonNullElse(acceptedTermsVersion, "");
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  public Optional<String> organisationHandle() {
    return organisation.isEmpty() ? Optional.empty() : Optional.of(organisation);
  }

  public PortalUser withAcceptedTerms(String version) {
    return new PortalUser(handle, displayName, email, roles, organisation, enabled, version);
  }

  /** This account with another name; for an administrator's change ({@link InMemoryUserDirectory#update}, say). */
  public PortalUser withDisplayName(String displayName) {
    return new PortalUser(
        handle, displayName, email, roles, organisation, enabled, acceptedTermsVersion);
  }

  /** This account with another email. */
  public PortalUser withEmail(String email) {
    return new PortalUser(
        handle, displayName, email, roles, organisation, enabled, acceptedTermsVersion);
  }

  /** This account with these roles instead of its own. */
  public PortalUser withRoles(Set<String> roles) {
    return new PortalUser(
        handle, displayName, email, roles, organisation, enabled, acceptedTermsVersion);
  }

  /** This account in another organisation (its handle; empty for none). */
  public PortalUser withOrganisation(String organisation) {
    return new PortalUser(
        handle, displayName, email, roles, organisation, enabled, acceptedTermsVersion);
  }

  /** This account enabled or disabled. */
  public PortalUser withEnabled(boolean enabled) {
    return new PortalUser(
        handle, displayName, email, roles, organisation, enabled, acceptedTermsVersion);
  }

  /** Names the handle only: names and emails stay out of logs. */
  @Override
  public String toString() {
    return "PortalUser[" + handle + "]";
  }
}
