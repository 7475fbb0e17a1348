package dev.portcullis.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.user.PortalUser;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OrganisationScopeTest {
  private final OrganisationScope scope = new OrganisationScope(Set.of("COUNCIL_OFFICER"));

  private static PortalUser user(String role, String organisation) {
    return new PortalUser("u-" + role, "N", "n@x", Set.of(role), organisation, true, "");
  }

  @Test
  void blankOrganisation_isNoOrganisation_andSeesNothing() {
    // A padded CHAR column or a trimmed-away name leaves blanks where no organisation was meant.
    PortalUser padded = user("PROVIDER", "   ");
    assertThat(scope.permits(padded, "   ")).isFalse();
    assertThat(scope.permits(user("PROVIDER", "\t"), "\t")).isFalse();
    assertThat(scope.permits(padded, "")).isFalse();
  }

  @Test
  void organisation_matchesExactlyOnly() {
    PortalUser alice = user("PROVIDER", "riverside");
    assertThat(scope.permits(alice, "riverside")).isTrue();
    assertThat(scope.permits(alice, "Riverside")).isFalse();
    assertThat(scope.permits(alice, "riverside ")).isFalse();
    assertThat(scope.permits(alice, " riverside")).isFalse();
    assertThat(scope.permits(alice, "riverside\u0000")).isFalse();
    assertThat(scope.permits(alice, "RIVERSIDE")).isFalse();
    assertThat(scope.permits(alice, "riversıde")).isFalse(); // dotless i
    assertThat(scope.permits(alice, "")).isFalse();
    assertThat(scope.permits(alice, null)).isFalse();
  }

  @Test
  void crossOrganisationRole_matchesExactlyOnly() {
    assertThat(scope.permits(user("COUNCIL_OFFICER", ""), "hillview")).isTrue();
    assertThat(scope.permits(user("council_officer", "council"), "hillview")).isFalse();
    assertThat(scope.permits(user("ROLE_COUNCIL_OFFICER", "council"), "hillview"))
        .isFalse();
    assertThat(scope.permits(user("COUNCIL_OFFICER ", "council"), "hillview")).isFalse();
  }

  @Test
  void ownOrganisationOnly_hasNoCrossOrganisationRole() {
    OrganisationScope own = OrganisationScope.ownOrganisationOnly();
    assertThat(own.permits(user("COUNCIL_OFFICER", "council"), "hillview")).isFalse();
    assertThat(own.permits(user("COUNCIL_OFFICER", "council"), "council")).isTrue();
  }

  @Test
  void nullUser_isRefused() {
    assertThatThrownBy(() -> scope.permits(null, "riverside"))
        .isInstanceOf(NullPointerException.class);
  }
}
