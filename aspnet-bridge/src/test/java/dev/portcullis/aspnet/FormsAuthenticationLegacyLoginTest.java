package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.login.LegacyLogin.Result;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.user.PortalUser;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FormsAuthenticationLegacyLoginTest {
  private static final Instant SUNSET = Instant.parse("2026-06-30T00:00:00Z");
  private static final PortalUser ALICE = new PortalUser(
      "u-alice",
      "Alice Adams",
      "alice@example.org",
      Set.of("PROVIDER"),
      "riverside",
      true,
      "2026-01");

  private final MutableClock clock = new MutableClock(Configurations.NOW);
  private final Configurations.Config config = Configurations.all().stream()
      .filter(c -> c.mode() == MachineKey.CompatibilityMode.FRAMEWORK45
          && c.validation() == MachineKey.Validation.HMACSHA256
          && c.decryption() == MachineKey.Decryption.AES)
      .findFirst()
      .orElseThrow();
  private final FormsAuthentication forms = config.forms(clock);

  private FormsAuthenticationLegacyLogin legacy() {
    return FormsAuthenticationLegacyLogin.builder(forms)
        .users(name -> Optional.ofNullable(Map.of("alice@example.org", ALICE).get(name)))
        .sunset(SUNSET)
        .build();
  }

  @Test
  void validCookie_opensToItsUserName_idExpiryAndIssueTime() {
    FormsAuthenticationTicket ticket = Configurations.ticket();
    Result result = legacy().open(forms.seal(ticket));

    assertThat(result).isInstanceOf(Result.Valid.class);
    Result.Valid valid = (Result.Valid) result;
    assertThat(valid.legacyName()).isEqualTo("alice@example.org");
    assertThat(valid.expiresAt()).isEqualTo(ticket.expiration());
    assertThat(valid.issuedAt()).isEqualTo(ticket.issueDate());
    assertThat(valid.cookieId()).hasSize(64);
    assertThat(valid.toString()).doesNotContain("alice");
  }

  @Test
  void cookieId_isTheSameForEitherHexCase_andDiffersBetweenCookies() {
    String cookie = forms.seal(Configurations.ticket());
    String again = forms.seal(Configurations.ticket());

    String id = ((Result.Valid) legacy().open(cookie)).cookieId();

    assertThat(((Result.Valid) legacy().open(cookie.toLowerCase(Locale.ROOT))).cookieId())
        .isEqualTo(id);
    assertThat(((Result.Valid) legacy().open(again)).cookieId()).isNotEqualTo(id);
  }

  @Test
  void expiredCookie_isExpired_withItsUserName() {
    String cookie = forms.seal(Configurations.ticket());
    clock.advance(Duration.ofHours(2));

    Result result = legacy().open(cookie);

    assertThat(result).isInstanceOf(Result.Expired.class);
    assertThat(((Result.Expired) result).legacyName()).isEqualTo("alice@example.org");
  }

  @Test
  void alteredCookie_isNotValid_withTheReason() {
    String cookie = forms.seal(Configurations.ticket());
    char last = cookie.charAt(cookie.length() - 1);
    String altered = cookie.substring(0, cookie.length() - 1) + (last == '0' ? '1' : '0');

    assertThat(legacy().open(altered)).isEqualTo(new Result.NotValid("legacy cookie MAC_MISMATCH"));
    assertThat(legacy().open("not hex")).isEqualTo(new Result.NotValid("legacy cookie NOT_HEX"));
    assertThat(legacy().open("")).isInstanceOf(Result.NotValid.class);
  }

  @Test
  void ticketWithoutAUserName_isNotValid() {
    FormsAuthenticationTicket blank = FormsAuthenticationTicket.builder(
            " ", Configurations.NOW.minusSeconds(5), Configurations.NOW.plusSeconds(600))
        .build();

    assertThat(legacy().open(forms.seal(blank))).isInstanceOf(Result.NotValid.class);
  }

  @Test
  void cookieFromAnotherMachineKey_isNotValid() {
    String foreign = config.forms(clock).seal(Configurations.ticket());

    assertThat(legacy().open(foreign)).isInstanceOf(Result.NotValid.class);
  }

  @Test
  void userMapping_findsTheAccount_andAnUnknownOrNullAnswerIsEmpty() {
    assertThat(legacy().findUser("alice@example.org")).contains(ALICE);
    assertThat(legacy().findUser("mallory")).isEmpty();
    LegacyLogin nullMapping = FormsAuthenticationLegacyLogin.builder(forms)
        .users(name -> null)
        .sunset(SUNSET)
        .build();
    assertThat(nullMapping.findUser("alice@example.org")).isEmpty();
  }

  @Test
  void defaultCookie_isAspxauth_onTheWholeSite_secureAndHttpOnly() {
    CookieSpec cookie = legacy().cookie();

    assertThat(cookie.name()).isEqualTo(".ASPXAUTH");
    assertThat(cookie.path()).isEqualTo("/");
    assertThat(cookie.domain()).isEmpty();
    assertThat(cookie.secure()).isTrue();
    assertThat(cookie.httpOnly()).isTrue();
    assertThat(legacy().sunset()).isEqualTo(SUNSET);
  }

  @Test
  void cookieNameFromWebConfig_isUsed() {
    String xml =
        "<configuration><system.web><machineKey validationKey=\"" + Configurations.randomHex(64)
            + "\" decryptionKey=\"" + Configurations.randomHex(32)
            + "\" validation=\"HMACSHA256\" decryption=\"AES\""
            + " compatibilityMode=\"Framework45\"/><authentication mode=\"Forms\"><forms name=\"PORTALAUTH\"/>"
            + "</authentication></system.web></configuration>";
    WebConfig config =
        WebConfig.read(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    FormsAuthentication fromConfig = FormsAuthentication.builder(config.machineKey())
        .legacyTicketCompatibility(config.legacyTicketCompatibility())
        .clock(clock)
        .random(new java.security.SecureRandom())
        .build();

    LegacyLogin legacy = FormsAuthenticationLegacyLogin.builder(fromConfig)
        .cookieName(config.formsCookieName())
        .users(name -> Optional.empty())
        .sunset(SUNSET)
        .build();

    assertThat(legacy.cookie().name()).isEqualTo("PORTALAUTH");
    assertThat(legacy.open(fromConfig.seal(Configurations.ticket())))
        .isInstanceOf(Result.Valid.class);
  }

  @Test
  void declaredCookie_keepsThePathAndDomainTheOldPortalUsed() {
    CookieSpec spec = CookieSpec.builder(".ASPXAUTH")
        .path("/portal")
        .domain("portal.example.org")
        .purpose("p")
        .dataStored("d")
        .duration("t")
        .build();

    LegacyLogin legacy = FormsAuthenticationLegacyLogin.builder(forms)
        .cookie(spec)
        .users(name -> Optional.empty())
        .sunset(SUNSET)
        .build();

    assertThat(legacy.cookie()).isSameAs(spec);
  }

  @Test
  void builder_refusesAMissingSunsetOrUserMapping() {
    assertThatThrownBy(() -> FormsAuthenticationLegacyLogin.builder(forms)
            .users(name -> Optional.empty())
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sunset");
    assertThatThrownBy(
            () -> FormsAuthenticationLegacyLogin.builder(forms).sunset(SUNSET).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("user mapping");
  }

  @Test
  void adapter_hasNoWayToWriteALegacyCookie() {
    assertThat(FormsAuthenticationLegacyLogin.class.getMethods())
        .noneMatch(m -> m.getName().startsWith("seal") || m.getName().startsWith("issue"));
  }
}
