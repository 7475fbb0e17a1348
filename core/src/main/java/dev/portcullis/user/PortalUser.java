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
 * @param roles security roles, e.g. {@code PROVIDER}; may be empty
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
    roles = Set.copyOf(Objects.requireNonNull(roles, "roles"));
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

  /** Names the handle only: names and emails stay out of logs. */
  @Override
  public String toString() {
    return "PortalUser[" + handle + "]";
  }
}
