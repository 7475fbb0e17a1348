package dev.portcullis.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemoryUserDirectoryTest {
  private final InMemoryUserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests())
      .add(
          "Alice",
          "alice-pw".toCharArray(),
          new PortalUser(
              "u-alice",
              "Alice Adams",
              "alice@riverside.example",
              Set.of("PROVIDER"),
              "riverside",
              true,
              "2026-01"));

  @Test
  void withers_changeOneFieldEach_andKeepTheRest() {
    PortalUser alice = users.findByHandle("u-alice").orElseThrow();

    PortalUser changed = alice
        .withDisplayName("A. Adams")
        .withEmail("a@hillview.example")
        .withRoles(Set.of("OFFICER"))
        .withOrganisation("hillview")
        .withEnabled(false);

    assertThat(changed)
        .isEqualTo(new PortalUser(
            "u-alice",
            "A. Adams",
            "a@hillview.example",
            Set.of("OFFICER"),
            "hillview",
            false,
            "2026-01"));
    assertThat(alice.withOrganisation("hillview"))
        .isEqualTo(new PortalUser(
            "u-alice",
            "Alice Adams",
            "alice@riverside.example",
            Set.of("PROVIDER"),
            "hillview",
            true,
            "2026-01"));
  }

  @Test
  void update_changesTheAccount_andKeepsTheUsernameAndPassword() {
    assertThat(users.update("u-alice", u -> u.withOrganisation("hillview"))).isTrue();

    assertThat(users.findByHandle("u-alice").orElseThrow().organisation()).isEqualTo("hillview");
    assertThat(users.authenticate("alice", "alice-pw".toCharArray()))
        .hasValueSatisfying(u -> assertThat(u.organisation()).isEqualTo("hillview"));
    assertThat(users.update("u-nobody", u -> u)).isFalse();
  }

  @Test
  void update_thatChangesTheHandle_isRefused_andChangesNothing() {
    assertThatThrownBy(() -> users.update(
            "u-alice",
            u -> new PortalUser(
                "u-other", u.displayName(), u.email(), u.roles(), u.organisation(), true, "")))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(users.findByHandle("u-other")).isEmpty();
    assertThat(users.findByHandle("u-alice").orElseThrow().acceptedTermsVersion())
        .isEqualTo("2026-01");
  }

  @Test
  void setPassword_replacesThePassword() {
    assertThat(users.setPassword("u-alice", "new-pw".toCharArray())).isTrue();

    assertThat(users.authenticate("alice", "alice-pw".toCharArray())).isEmpty();
    assertThat(users.authenticate("ALICE", "new-pw".toCharArray())).isPresent();
    assertThat(users.setPassword("u-nobody", "x".toCharArray())).isFalse();
  }

  @Test
  void remove_endsLookupsAndLogins_andFreesTheUsername() {
    assertThat(users.remove("u-alice")).isTrue();

    assertThat(users.findByHandle("u-alice")).isEmpty();
    assertThat(users.authenticate("alice", "alice-pw".toCharArray())).isEmpty();
    users.recordTermsAcceptance("u-alice", "2027-01");
    assertThat(users.findByHandle("u-alice")).as("no acceptance brings it back").isEmpty();
    assertThat(users.remove("u-alice")).isFalse();
    users.add(
        "alice",
        "other-pw".toCharArray(),
        new PortalUser(
            "u-alice-2", "Alice Adams", "a@x.example", Set.of("PROVIDER"), "council", true, ""));
    assertThat(users.authenticate("alice", "other-pw".toCharArray()))
        .hasValueSatisfying(u -> assertThat(u.handle()).isEqualTo("u-alice-2"));
  }

  @Test
  void recordTermsAcceptance_isSeenByLoginAndLookup() {
    users.recordTermsAcceptance("u-alice", "2027-01");

    assertThat(users.findByHandle("u-alice").orElseThrow().acceptedTermsVersion())
        .isEqualTo("2027-01");
    assertThat(users.authenticate("alice", "alice-pw".toCharArray()).orElseThrow())
        .extracting(PortalUser::acceptedTermsVersion)
        .isEqualTo("2027-01");
  }
}
