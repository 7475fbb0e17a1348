package dev.portcullis.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
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

  /**
   * A stored hash carries its own cost. One changed in the user table must not make a login attempt allocate
   * gigabytes: it never matches, and checking it costs no more than a dummy check.
   */
  @Test
  void storedHashAskingForMoreThanTheBound_neverMatches_andIsNotComputed() {
    String real = hasher.hash("pw".toCharArray());
    String rest = real.substring(real.indexOf("$", "$argon2id$v=19$".length()));
    for (String cost : new String[] {
      "m=" + (PasswordHasher.MAX_MEMORY_KIB + 1) + ",t=1,p=1",
      "m=" + PasswordHasher.MAX_MEMORY_KIB + ",t=3,p=1",
      "m=4194304,t=99,p=1"
    }) {
      String tampered = "$argon2id$v=19$" + cost + rest;
      long before = allocatedBytes();
      boolean matched = hasher.verify("pw".toCharArray(), tampered);
      long allocated = allocatedBytes() - before;
      assertThat(matched).as(cost).isFalse();
      assertThat(allocated).as(cost + ": bytes allocated").isLessThan(16L << 20);
    }
  }

  @Test
  void storedHashWithinTheBound_stillMatches() {
    // 64 KiB with 99 passes: the most passes the format allows, at a cost well inside the bound.
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(64)
        .withIterations(99)
        .withParallelism(1)
        .withSalt(salt)
        .build());
    byte[] out = new byte[32];
    gen.generateBytes("pw".getBytes(StandardCharsets.UTF_8), out);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    String phc =
        "$argon2id$v=19$m=64,t=99,p=1$" + b64.encodeToString(salt) + "$" + b64.encodeToString(out);
    assertThat(hasher.verify("pw".toCharArray(), phc)).isTrue();
    assertThat(hasher.verify("pW".toCharArray(), phc)).isFalse();
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  @Test
  void standardCost_isOwaspMinimum() {
    String h = PasswordHasher.standard(new SecureRandom()).hash("pw".toCharArray());
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
