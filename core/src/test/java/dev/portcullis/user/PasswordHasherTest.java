package dev.portcullis.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private final PasswordHasher hasher = PasswordHasher.forTests();

  @Test
  void hash_isSaltedArgon2idInPhcFormat_andVerifiesOnlyTheRightPassword() {
    String a = hasher.hash("alice-demo-pass".toCharArray());
    String b = hasher.hash("alice-demo-pass".toCharArray());
    assertThat(a).startsWith("$argon2id$v=19$m=64,t=1,p=1$").isNotEqualTo(b);
    assertThat(hasher.verify("alice-demo-pass".toCharArray(), a)).isTrue();
    assertThat(hasher.verify("alice-demo-pasS".toCharArray(), a)).isFalse();
    assertThat(hasher.verify("".toCharArray(), a)).isFalse();
  }

  @Test
  void malformedOrForeignHashes_neverVerify() {
    for (String bad : new String[] {
      null,
      "",
      "plain",
      "$argon2i$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
      "$argon2id$v=19$m=1,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
      // Base64 lengths no encoder writes (4n + 1 characters), in the salt and in the hash
      "$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
      "$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAA"
    }) {
      assertThat(hasher.verify("x".toCharArray(), bad)).as(String.valueOf(bad)).isFalse();
    }
  }

  @Test
  void standardCost_isOwaspMinimum() {
    String h = PasswordHasher.standard(new java.security.SecureRandom()).hash("pw".toCharArray());
    assertThat(h).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
  }

  @Test
  void directory_matchesUsernamesCaseInsensitively_andRecordsTerms() {
    InMemoryUserDirectory dir = new InMemoryUserDirectory(hasher)
        .add(
            "Alice",
            "pw".toCharArray(),
            new PortalUser(
                "u-1", "Alice A", "alice@example.org", Set.of("PROVIDER"), "org-1", true, ""));
    assertThat(dir.authenticate("alice", "pw".toCharArray()))
        .map(PortalUser::handle)
        .contains("u-1");
    assertThat(dir.authenticate("ALICE", "pw".toCharArray())).isPresent();
    assertThat(dir.authenticate("alice", "PW".toCharArray())).isEmpty();
    assertThat(dir.authenticate("bob", "pw".toCharArray())).isEmpty();
    assertThat(dir.authenticate(null, "pw".toCharArray())).isEmpty();

    dir.recordTermsAcceptance("u-1", "2026-01");
    assertThat(dir.findByHandle("u-1")).map(PortalUser::acceptedTermsVersion).contains("2026-01");
    assertThat(dir.authenticate("alice", "pw".toCharArray()))
        .map(PortalUser::acceptedTermsVersion)
        .contains("2026-01");
    assertThat(dir.findByHandle("nobody")).isEmpty();
  }

  @Test
  void portalUser_toStringNamesOnlyTheHandle() {
    PortalUser u =
        new PortalUser("u-9", "Carol Council", "carol@example.org", Set.of("X"), "", true, "");
    assertThat(u.toString()).contains("u-9").doesNotContain("Carol").doesNotContain("carol@");
  }
}
