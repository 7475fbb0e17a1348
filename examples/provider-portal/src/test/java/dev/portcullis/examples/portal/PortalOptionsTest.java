package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortalOptionsTest {
  @Test
  void noArguments_meanHttps8443_http8080_andPortalDataHere() {
    assertThat(PortalOptions.parse(new String[0], Map.of()))
        .isEqualTo(new PortalOptions(8443, 8080, Path.of("portal-data")));
  }

  @Test
  void environmentVariables_replaceTheDefaults() {
    assertThat(PortalOptions.parse(
            new String[0],
            Map.of(
                "PORTAL_HTTPS_PORT",
                "9443",
                "PORTAL_HTTP_PORT",
                "9080",
                "PORTAL_DATA_DIR",
                "/var/tmp/p")))
        .isEqualTo(new PortalOptions(9443, 9080, Path.of("/var/tmp/p")));
  }

  @Test
  void arguments_winOverTheEnvironment_inBothSpellings() {
    assertThat(PortalOptions.parse(
            new String[] {"--https-port", "7443", "--http-port=7080", "--data-dir", "d"},
            Map.of("PORTAL_HTTPS_PORT", "9443", "PORTAL_DATA_DIR", "e")))
        .isEqualTo(new PortalOptions(7443, 7080, Path.of("d")));
  }

  @Test
  void unknownOption_isRefusedWithTheUsage() {
    assertThatThrownBy(() -> PortalOptions.parse(new String[] {"--port", "1"}, Map.of()))
        .hasMessageContaining("unknown option --port")
        .hasMessageContaining("--https-port");
  }

  @Test
  void malformedOrOutOfRangePorts_areRefused() {
    assertThatThrownBy(() -> PortalOptions.parse(new String[] {"--https-port", "x"}, Map.of()))
        .hasMessageContaining("must be a number");
    assertThatThrownBy(() -> PortalOptions.parse(new String[] {"--http-port", "70000"}, Map.of()))
        .hasMessageContaining("0 to 65535");
    assertThatThrownBy(() -> PortalOptions.parse(new String[] {"--https-port", "8080"}, Map.of()))
        .hasMessageContaining("must differ");
    assertThatThrownBy(() -> PortalOptions.parse(new String[] {"--data-dir"}, Map.of()))
        .hasMessageContaining("missing value");
  }

  @Test
  void profile_isStandardByDefault_andAspnetFromTheArgumentOrTheEnvironment() {
    assertThat(PortalOptions.parse(new String[0], Map.of()).profile())
        .isEqualTo(PortalProfile.STANDARD);
    assertThat(
            PortalOptions.parse(new String[] {"--profile", "aspnet"}, Map.of()).profile())
        .isEqualTo(PortalProfile.ASPNET);
    assertThat(PortalOptions.parse(new String[] {"--profile=aspnet"}, Map.of()).profile())
        .isEqualTo(PortalProfile.ASPNET);
    assertThat(PortalOptions.parse(new String[0], Map.of("PORTAL_PROFILE", "aspnet"))
            .profile())
        .isEqualTo(PortalProfile.ASPNET);
    assertThat(PortalOptions.parse(
                new String[] {"--profile", "standard"}, Map.of("PORTAL_PROFILE", "aspnet"))
            .profile())
        .as("the argument wins")
        .isEqualTo(PortalProfile.STANDARD);
    assertThat(PortalOptions.parse(
            new String[] {"--profile", "aspnet", "--https-port", "7443"}, Map.of()))
        .isEqualTo(new PortalOptions(7443, 8080, Path.of("portal-data"), PortalProfile.ASPNET));
  }

  @Test
  void unknownProfile_isRefusedNamingTheProfilesThereAre() {
    assertThatThrownBy(() -> PortalOptions.parse(new String[] {"--profile", "iis"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown profile 'iis'")
        .hasMessageContaining("standard, aspnet")
        .hasMessageContaining("--profile");
    assertThatThrownBy(() -> PortalOptions.parse(new String[0], Map.of("PORTAL_PROFILE", "")))
        .hasMessageContaining("unknown profile");
  }

  @Test
  void databaseUrl_fromTheArgumentOrTheEnvironment_defaultsToNone() {
    assertThat(PortalOptions.parse(new String[0], Map.of()).databaseUrl()).isNull();
    assertThat(PortalOptions.parse(
                new String[0], Map.of("PORTAL_DATABASE_URL", "jdbc:postgresql://db:5432/portal"))
            .databaseUrl())
        .isEqualTo("jdbc:postgresql://db:5432/portal");
    assertThat(PortalOptions.parse(
                new String[] {"--database-url", "jdbc:postgresql://other/portal"},
                Map.of("PORTAL_DATABASE_URL", "jdbc:postgresql://db:5432/portal"))
            .databaseUrl())
        .isEqualTo("jdbc:postgresql://other/portal");
  }

  @Test
  void databaseUrl_thatIsNotPostgres_orHoldsAPassword_isRefused() {
    assertThatThrownBy(() -> PortalOptions.parse(
            new String[] {"--database-url", "jdbc:mysql://db/portal"}, Map.of()))
        .hasMessageContaining("jdbc:postgresql://");
    assertThatThrownBy(() -> PortalOptions.parse(
            new String[] {"--database-url", "jdbc:postgresql://db/portal?user=p&password=s3cret"},
            Map.of()))
        .hasMessageContaining("PORTAL_DATABASE_PASSWORD")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void legacyCutOver_isOffByDefault_andNeedsTheWebConfigAndASunsetTogether() {
    assertThat(PortalOptions.parse(new String[0], Map.of()).legacy()).isNull();
    assertThat(PortalOptions.parse(
                new String[] {
                  "--legacy-web-config", "/etc/portal/web.config", "--legacy-sunset=2027-04-01"
                },
                Map.of())
            .legacy())
        .isEqualTo(new LegacyOptions(
            Path.of("/etc/portal/web.config"), Instant.parse("2027-04-01T00:00:00Z")));
    assertThat(PortalOptions.parse(
                new String[] {"--legacy-sunset", "2027-05-01"},
                Map.of(
                    "PORTAL_LEGACY_WEB_CONFIG", "w.config", "PORTAL_LEGACY_SUNSET", "2027-04-01"))
            .legacy())
        .isEqualTo(new LegacyOptions(Path.of("w.config"), Instant.parse("2027-05-01T00:00:00Z")));
    assertThatThrownBy(() -> PortalOptions.parse(
            new String[] {"--legacy-web-config", "/etc/portal/web.config"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--legacy-sunset");
    assertThatThrownBy(
            () -> PortalOptions.parse(new String[0], Map.of("PORTAL_LEGACY_SUNSET", "2027-04-01")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--legacy-web-config");
    assertThatThrownBy(() -> PortalOptions.parse(
            new String[] {"--legacy-web-config", "w.config", "--legacy-sunset", "1 April 2027"},
            Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2027-04-01");
  }
}
