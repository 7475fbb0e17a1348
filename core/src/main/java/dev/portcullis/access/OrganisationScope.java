package dev.portcullis.access;

import dev.portcullis.user.PortalUser;
import java.util.Objects;
import java.util.Set;

/**
 * Answers "is this resource in the user's own organisation?". Users with one of the cross-organisation roles (for
 * example a council officer) see every organisation; users without an organisation see none.
 *
 * <p><b>Security.</b> Organisations match exactly, letter case and spaces included, so a near miss is a refusal. An
 * organisation that is empty or only white space (a padded database column, a name trimmed away) counts as none: two
 * such users never share resources through it.
 */
public final class OrganisationScope {
  private final Set<String> crossOrganisationRoles;

  /**
   * @throws IllegalArgumentException if a role is empty or only white space: it names nobody the application meant
   */
  public OrganisationScope(Set<String> crossOrganisationRoles) {
    this.crossOrganisationRoles = Set.copyOf(crossOrganisationRoles);
    if (this.crossOrganisationRoles.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException(
          "a cross-organisation role is empty: give role names such as COUNCIL_OFFICER");
    }
  }

  public static OrganisationScope ownOrganisationOnly() {
    return new OrganisationScope(Set.of());
  }

  public boolean permits(PortalUser user, String resourceOrganisation) {
    Objects.requireNonNull(user, "user");
    if (user.roles().stream().anyMatch(crossOrganisationRoles::contains)) {
      return true;
    }
    return !user.organisation().isBlank() && user.organisation().equals(resourceOrganisation);
  }
}
