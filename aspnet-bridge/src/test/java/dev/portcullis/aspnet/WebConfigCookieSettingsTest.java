package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.cookie.SameSite;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.CapturingLogger;
import dev.portcullis.testing.FakeSharedStores;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/**
 * What the cookie settings of a web.config become on the ported portal's cookies: applied when as strict as the
 * declaration or stricter, named in a warning when weaker, refused when they put cookies in URLs. The filter's view of
 * the same, on Jetty, is {@code PortedPortalCookieSettingsTest} in servlet-filter.
 */
class WebConfigCookieSettingsTest {
  private static final Duration EIGHT_HOURS = Duration.ofHours(8);

  private final CapturingLogger log = new CapturingLogger("dev.portcullis.aspnet.WebConfig");

  private static WebConfig read(String formsAttributes, String systemWeb) {
    String xml = "<configuration><system.web><machineKey validationKey=\""
        + Configurations.randomHex(64) + "\" decryptionKey=\"" + Configurations.randomHex(32)
        + "\"/>" + systemWeb + "<authentication mode=\"Forms\"><forms " + formsAttributes
        + "/></authentication></system.web></configuration>";
    return WebConfig.read(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static CookieSpec auth(String name) {
    return CookieSpec.builder(name).purpose("p").dataStored("d").duration("t").build();
  }

  @Test
  void noCookieSettings_changeNothing_andSayNothing() {
    WebConfig config = read("", "");
    SessionConfig declared = SessionConfig.defaults();

    SessionConfig sessions = config.sessions(declared, log);
    CookieSpec cookie = config.authCookie(auth("validPSuser"), log);

    assertThat(sessions.cookie().name()).isEqualTo(declared.cookie().name());
    assertThat(sessions.idleTimeout()).isEqualTo(declared.idleTimeout());
    assertThat(sessions.absoluteTimeout()).isEqualTo(declared.absoluteTimeout());
    assertThat(cookie.sameSite()).isEqualTo(SameSite.LAX);
    assertThat(cookie.path()).isEqualTo("/");
    assertThat(config.ticketLifetime(EIGHT_HOURS, log)).isEqualTo(EIGHT_HOURS);
    assertThat(log.events()).isEmpty();
  }

  @Test
  void theSameValuesAsPortcullis_sayNothing() {
    WebConfig config = read(
        "requireSSL=\"true\" cookieSameSite=\"Lax\" path=\"/\" slidingExpiration=\"true\""
            + " cookieless=\"UseCookies\" timeout=\"480\"",
        "<httpCookies requireSSL=\"true\" httpOnlyCookies=\"true\" sameSite=\"Lax\"/>"
            + "<sessionState timeout=\"20\" cookieSameSite=\"Lax\" cookieless=\"false\"/>");

    config.sessions(SessionConfig.defaults(), log);
    config.authCookie(auth("validPSuser"), log);
    config.ticketLifetime(EIGHT_HOURS, log);

    assertThat(log.events()).isEmpty();
  }

  @Test
  void stricterSameSiteOfHttpCookies_appliesToBothCookies_andTheStricterOfTwoWins() {
    WebConfig config =
        read("cookieSameSite=\"Lax\"", "<httpCookies sameSite=\"Strict\"/><sessionState/>");

    assertThat(config.authCookie(auth("validPSuser"), log).sameSite()).isEqualTo(SameSite.STRICT);
    assertThat(config.sessions(SessionConfig.defaults(), log).cookie().sameSite())
        .isEqualTo(SameSite.STRICT);
    assertThat(log.events()).isEmpty();
  }

  @Test
  void aDeclarationStricterThanTheWebConfig_isKept_andTheWeakerValueNamed() {
    WebConfig config = read("cookieSameSite=\"Lax\"", "");
    CookieSpec strict =
        auth("validPSuser").toBuilder().sameSite(SameSite.STRICT).build();

    assertThat(config.authCookie(strict, log).sameSite()).isEqualTo(SameSite.STRICT);
    assertThat(log.output())
        .contains("<forms cookieSameSite=\"Lax\"> is not applied to the auth cookie validPSuser")
        .contains("it keeps SameSite=Strict");
  }

  @Test
  void unspecifiedSameSite_isWeakerThanLax() {
    WebConfig config = read("cookieSameSite=\"Unspecified\"", "");

    assertThat(config.authCookie(auth("validPSuser"), log).sameSite()).isEqualTo(SameSite.LAX);
    assertThat(log.output()).contains("<forms cookieSameSite=\"Unspecified\"> is not applied");
  }

  @Test
  void aNarrowerPath_isApplied_butNotToAHostPrefixedName_norAPathOutsideTheDeclaredOne() {
    WebConfig config = read("path=\"/portal\"", "");

    assertThat(config.authCookie(auth("validPSuser"), log).path()).isEqualTo("/portal");
    assertThat(log.events()).isEmpty();
    assertThat(config.authCookie(auth("__Host-auth"), log).path()).isEqualTo("/");
    assertThat(log.output()).contains("which its __Host- name requires");
    CookieSpec underApp = auth("validPSuser").toBuilder().path("/app").build();
    assertThat(config.authCookie(underApp, log).path()).isEqualTo("/app");
    assertThat(log.output()).contains("it keeps Path=/app");
    CookieSpec underPort = auth("validPSuser").toBuilder().path("/port").build();
    assertThat(config.authCookie(underPort, log).path())
        .as("/portal is not within /port")
        .isEqualTo("/port");
  }

  @Test
  void formsTimeout_shortensTheTicketLifetime_neverLengthensIt() {
    assertThat(read("timeout=\"30\"", "").ticketLifetime(EIGHT_HOURS, log))
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(log.events()).isEmpty();

    assertThat(read("timeout=\"600\"", "").ticketLifetime(EIGHT_HOURS, log)).isEqualTo(EIGHT_HOURS);
    assertThat(log.output())
        .contains("<forms timeout=\"600\"> is not applied to the login")
        .contains("480 minutes");
  }

  @Test
  void slidingExpirationOff_boundsTheSessionByTheFormsTimeout_thirtyMinutesWhenAbsent() {
    SessionConfig declared = SessionConfig.defaults();

    SessionConfig withTimeout =
        read("slidingExpiration=\"false\" timeout=\"60\"", "").sessions(declared, log);
    SessionConfig withoutTimeout = read("slidingExpiration=\"false\"", "").sessions(declared, log);
    SessionConfig shorterThanIdle =
        read("slidingExpiration=\"false\" timeout=\"5\"", "").sessions(declared, log);

    assertThat(withTimeout.absoluteTimeout()).isEqualTo(Duration.ofMinutes(60));
    assertThat(withTimeout.idleTimeout()).isEqualTo(declared.idleTimeout());
    assertThat(withoutTimeout.absoluteTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(shorterThanIdle.absoluteTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(shorterThanIdle.idleTimeout()).isLessThan(Duration.ofMinutes(5));
    assertThat(log.events()).isEmpty();
  }

  @Test
  void sessionStateTimeout_shortensTheIdleTimeout_neverLengthensIt() {
    assertThat(read("", "<sessionState timeout=\"5\"/>")
            .sessions(SessionConfig.defaults(), log)
            .idleTimeout())
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(log.events()).isEmpty();

    assertThat(read("", "<sessionState timeout=\"60\"/>")
            .sessions(SessionConfig.defaults(), log)
            .idleTimeout())
        .isEqualTo(SessionConfig.defaults().idleTimeout());
    assertThat(log.output()).contains("<sessionState timeout=\"60\"> is not applied to sessions");
  }

  @Test
  void aDeclarationWithoutSecure_isMadeSecure_byRequireSsl() {
    CookieSpec plain = auth("validPSuser").toBuilder().secure(false).build();

    assertThat(read("requireSSL=\"true\"", "").authCookie(plain, log).secure()).isTrue();
    assertThat(read("", "<httpCookies requireSSL=\"true\"/>")
            .authCookie(plain, log)
            .secure())
        .isTrue();
  }

  @Test
  void valuesAspNetWouldRefuse_stopTheRead_namingTheAttribute() {
    assertThatThrownBy(() -> read("requireSSL=\"yes\"", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<forms requireSSL=\"yes\">");
    assertThatThrownBy(() -> read("cookieSameSite=\"Sometimes\"", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<forms cookieSameSite=\"Sometimes\">");
    assertThatThrownBy(() -> read("timeout=\"0\"", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<forms timeout=\"0\">");
    assertThatThrownBy(() -> read("cookieless=\"true\"", ""))
        .as("true is a value of <sessionState cookieless> only")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<forms cookieless=\"true\">");
    assertThatThrownBy(() -> read("", "<sessionState cookieName=\"a b\"/>"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<sessionState cookieName=\"a b\">");
    assertThatThrownBy(() -> read("", "<httpCookies/><httpCookies/>"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than one <httpCookies>");
  }

  @Test
  void cookiesInUrls_stopTheRead_sayingWhyAndWhatToChange() {
    assertThatThrownBy(() -> read("cookieless=\"UseUri\"", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<forms cookieless=\"UseUri\"> puts login tickets in URLs")
        .hasMessageContaining("cookieless=\"UseCookies\"");
    assertThatThrownBy(() -> read("", "<sessionState cookieless=\"true\"/>"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<sessionState cookieless=\"true\"> puts session ids in URLs");
  }

  @Test
  void aWarning_staysOneLine_whateverTheValue() {
    WebConfig config = read("", "<httpCookies domain=\"example.com&#10;forged line\"/>");

    config.authCookie(auth("validPSuser"), log);

    assertThat(log.events()).hasSize(1);
    assertThat(log.events().get(0).message())
        .contains("<httpCookies domain=\"example.com?forged line\">")
        .doesNotContain("\n");
  }

  @Test
  void regenerateExpiredSessionIdFalse_isNamedOnce_andTrueSaysNothing() {
    read("", "<sessionState regenerateExpiredSessionId=\"true\"/>")
        .sessions(SessionConfig.defaults(), log);
    assertThat(log.events()).isEmpty();

    read("", "<sessionState regenerateExpiredSessionId=\"false\"/>")
        .sessions(SessionConfig.defaults(), log);

    assertThat(log.events()).hasSize(1);
    assertThat(log.output())
        .contains("<sessionState regenerateExpiredSessionId=\"false\">")
        .contains("new id");
  }

  @Test
  void sessionStateModeOff_isNamed_andTheSessionsStayAsDeclared() {
    SessionConfig sessions =
        read("", "<sessionState mode=\"Off\"/>").sessions(SessionConfig.defaults(), log);

    assertThat(sessions.cookie().name())
        .isEqualTo(SessionConfig.defaults().cookie().name());
    assertThat(log.events()).hasSize(1);
    assertThat(log.output()).contains("<sessionState mode=\"Off\">");
  }

  @Test
  void sharedSessionsOfTheOldPortal_areNamed_onlyWhenTheStoreIsPerNode() {
    SessionStore perNode = CaffeineSessionStore.builder(
            SessionConfig.defaults(), InstantSource.system())
        .build();
    WebConfig config = read(
        "",
        "<sessionState mode=\"SQLServer\""
            + " sqlConnectionString=\"Server=db;User ID=portal;Password=s3cret-Pw\"/>");

    assertThat(config.sessionStore(FakeSharedStores.sessions(perNode), log)).isNotNull();
    assertThat(log.events()).isEmpty();
    assertThat(read("", "<sessionState mode=\"InProc\"/>").sessionStore(perNode, log))
        .isSameAs(perNode);
    assertThat(log.events()).isEmpty();

    assertThat(config.sessionStore(perNode, log)).isSameAs(perNode);

    assertThat(log.events()).hasSize(1);
    assertThat(log.output())
        .contains("<sessionState mode=\"SQLServer\">")
        .contains("RedisStores")
        .contains("JdbcStores")
        .doesNotContain("s3cret-Pw");
  }

  @Test
  void ticketCompatibilityMode_takesFramework20And40_andRefusesOtherValues() {
    read("ticketCompatibilityMode=\"Framework20\"", "");
    read("ticketCompatibilityMode=\"Framework40\"", "");

    assertThatThrownBy(() -> read("ticketCompatibilityMode=\"Framework45\"", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<forms ticketCompatibilityMode=\"Framework45\">");
  }
}
