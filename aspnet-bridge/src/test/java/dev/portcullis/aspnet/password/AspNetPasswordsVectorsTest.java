package dev.portcullis.aspnet.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.TestVectors;
import dev.portcullis.user.PasswordHasher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Real ASP.NET Identity and SqlMembershipProvider hashes from {@code aspnet/password-hashes.json} in the shared vectors
 * folder: every case gives its {@code verify} answer, and every matching case is refused when the password is wrong,
 * the hash is tampered with, cut short or carries another version marker.
 */
class AspNetPasswordsVectorsTest {
  private static final String FILE = "aspnet/password-hashes.json";
  private static final PasswordHasher HASHER = PasswordHasher.forTests();
  private static final AspNetPasswords PASSWORDS =
      AspNetPasswords.builder(HASHER).build();

  @Test
  void vectorFile_holdsMatchingAndNonMatchingCases() {
    JsonNode json = TestVectors.json(FILE);
    List<Case> cases = cases(json);
    // Pinned so that a shrinking or unreadable file cannot pass silently.
    assertThat(cases.stream().filter(c -> c.format == AspNetHashFormat.IDENTITY))
        .hasSize(13);
    assertThat(cases.stream().filter(c -> c.format != AspNetHashFormat.IDENTITY))
        .hasSize(5);
    assertThat(cases.stream().filter(c -> c.verify)).hasSize(12);
    assertThat(cases.stream().filter(c -> !c.verify)).hasSize(6);
  }

  @TestFactory
  List<DynamicTest> everyCase_givesItsVerifyAnswer() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : cases(TestVectors.json(FILE))) {
      tests.add(dynamicTest(c.name(), () -> {
        PasswordCheck check = PASSWORDS.verify(c.password.toCharArray(), c.hash, c.salt, c.format);
        assertThat(check.matched()).as(check.toString()).isEqualTo(c.verify);
        if (c.verify) {
          String fresh = ((PasswordCheck.Matched) check).newHash();
          assertThat(fresh).startsWith("$argon2id$");
          assertThat(HASHER.verify(c.password.toCharArray(), fresh)).isTrue();
          assertThat(HASHER.verify("not the password".toCharArray(), fresh)).isFalse();
        }
      }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyMatchingCase_refusesAWrongPassword() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : matching()) {
      tests.add(dynamicTest(c.name(), () -> {
        for (String wrong : List.of(c.password + "x", c.password.substring(1), "", "MY PASSWORD")) {
          assertThat(PASSWORDS.verify(wrong.toCharArray(), c.hash, c.salt, c.format))
              .as(wrong)
              .isNotInstanceOf(PasswordCheck.Matched.class);
        }
        if (c.salt != null) {
          String otherSalt = Base64.getEncoder().encodeToString(new byte[16]);
          assertThat(PASSWORDS.verify(c.password.toCharArray(), c.hash, otherSalt, c.format))
              .as("another salt")
              .isInstanceOf(PasswordCheck.NotMatched.class);
        }
      }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyMatchingCase_tamperedInItsSaltOrHash_isNotMatched() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : matching()) {
      tests.add(dynamicTest(c.name(), () -> {
        byte[] raw = Base64.getDecoder().decode(c.hash);
        // Identity's header (marker, PRF, iterations, salt length) is covered by the marker and
        // length cases.
        int first = c.format != AspNetHashFormat.IDENTITY ? 0 : raw[0] == 0 ? 1 : 13;
        int saltEnd = c.format != AspNetHashFormat.IDENTITY ? 0 : raw[0] == 0 ? 17 : 13 + raw[12];
        for (int i :
            new int[] {first, saltEnd - 1, saltEnd, (saltEnd + raw.length) / 2, raw.length - 1}) {
          if (i < first) {
            continue;
          }
          byte[] tampered = raw.clone();
          tampered[i] ^= 0x01;
          PasswordCheck check =
              PASSWORDS.verify(c.password.toCharArray(), b64(tampered), c.salt, c.format);
          assertThat(check).as("byte " + i).isInstanceOf(PasswordCheck.NotMatched.class);
        }
        if (c.salt != null) {
          byte[] salt = Base64.getDecoder().decode(c.salt);
          salt[salt.length - 1] ^= 0x01;
          assertThat(PASSWORDS.verify(c.password.toCharArray(), c.hash, b64(salt), c.format))
              .as("tampered salt")
              .isInstanceOf(PasswordCheck.NotMatched.class);
        }
      }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyMatchingCase_truncated_isRefused() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : matching()) {
      tests.add(dynamicTest(c.name(), () -> {
        byte[] raw = Base64.getDecoder().decode(c.hash);
        boolean v3 = c.format == AspNetHashFormat.IDENTITY && raw[0] == 1;
        List<Integer> lengths = new ArrayList<>(List.of(0, 1, 12, 13));
        if (v3) {
          // The V3 subkey is whatever follows the salt, as in ASP.NET: refused below 128 bits.
          lengths.add(13 + raw[12] + 15);
        } else {
          lengths.addAll(List.of(raw.length / 2, raw.length - 1, raw.length + 1));
        }
        for (int length : lengths) {
          byte[] cut = Arrays.copyOf(raw, length);
          assertThat(PASSWORDS.verify(c.password.toCharArray(), b64(cut), c.salt, c.format))
              .as("cut to " + length)
              .isInstanceOf(PasswordCheck.Refused.class);
        }
        if (c.salt != null) {
          assertThat(PASSWORDS.verify(c.password.toCharArray(), c.hash, "", c.format))
              .isInstanceOf(PasswordCheck.Refused.class);
          assertThat(PASSWORDS.verify(c.password.toCharArray(), c.hash, "not base64!", c.format))
              .isInstanceOf(PasswordCheck.Refused.class);
        }
      }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyIdentityCase_withAnotherMarker_isNotMatched() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : matching()) {
      if (c.format != AspNetHashFormat.IDENTITY) {
        continue;
      }
      tests.add(dynamicTest(c.name(), () -> {
        byte[] raw = Base64.getDecoder().decode(c.hash);
        for (int marker : new int[] {0x00, 0x01, 0x02, 0x03, 0x7f, 0xff}) {
          if (marker == raw[0]) {
            continue;
          }
          byte[] swapped = raw.clone();
          swapped[0] = (byte) marker;
          assertThat(PASSWORDS.verify(c.password.toCharArray(), b64(swapped), null, c.format))
              .as("marker " + marker)
              .isNotInstanceOf(PasswordCheck.Matched.class);
        }
      }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyMembershipCase_checkedAsAnotherAlgorithm_isNotMatched() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : matching()) {
      if (c.format == AspNetHashFormat.IDENTITY) {
        continue;
      }
      tests.add(dynamicTest(c.name(), () -> {
        for (AspNetHashFormat other : AspNetHashFormat.values()) {
          if (other != c.format) {
            assertThat(PASSWORDS.verify(c.password.toCharArray(), c.hash, c.salt, other))
                .as(other.name())
                .isNotInstanceOf(PasswordCheck.Matched.class);
          }
        }
        assertThat(PASSWORDS.verify(
                c.password.toCharArray(), c.hash, c.salt, AspNetHashFormat.MEMBERSHIP_CLEAR))
            .hasToString("Refused[UNSUPPORTED_FORMAT]");
      }));
    }
    return tests;
  }

  private record Case(
      String note,
      String password,
      String hash,
      String salt,
      AspNetHashFormat format,
      boolean verify) {
    String name() {
      return format + " " + note + " (" + hash + ")";
    }
  }

  private static List<Case> matching() {
    return cases(TestVectors.json(FILE)).stream().filter(c -> c.verify).toList();
  }

  private static List<Case> cases(JsonNode json) {
    List<Case> cases = new ArrayList<>();
    JsonNode identity = json.path("identity");
    for (JsonNode c : identity.path("cases")) {
      cases.add(new Case(
          c.path("note").asText(),
          identity.path("password").asText(),
          c.path("hash").asText(),
          null,
          AspNetHashFormat.IDENTITY,
          c.path("verify").asBoolean()));
    }
    JsonNode membership = json.path("membership");
    for (JsonNode c : membership.path("cases")) {
      cases.add(new Case(
          c.path("note").asText(c.path("algorithm").asText()),
          membership.path("password").asText(),
          c.path("hash").asText(),
          membership.path("salt").asText(),
          AspNetHashFormat.membership(1, c.path("algorithm").asText()),
          c.path("verify").asBoolean()));
    }
    return cases;
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
