package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.cookie.CookieSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionConfigTest {
  @Test
  void defaults_useTheHostPrefixedSessionCookieAndBase64UrlIds() {
    SessionConfig config = SessionConfig.defaults();

    assertThat(config.cookie().name()).isEqualTo("__Host-portcullis-sid");
    assertThat(config.cookie().sessionScoped()).isTrue();
    assertThat(config.idFormat()).isEqualTo(SessionIdFormat.BASE64URL);
    assertThat(config.absoluteTimeout()).isGreaterThan(config.idleTimeout());
    assertThat(config.anonymousSessionsPerAddress()).isEqualTo(60);
    assertThat(config.anonymousSessionWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.trackedAddresses()).isEqualTo(100_000);
  }

  @Test
  void absoluteTimeout_mustExceedIdleTimeout() {
    assertThatThrownBy(() -> SessionConfig.builder()
            .idleTimeout(Duration.ofHours(1))
            .absoluteTimeout(Duration.ofHours(1))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("absolute");
    assertThat(SessionConfig.builder()
            .idleTimeout(Duration.ofHours(1))
            .absoluteTimeout(Duration.ofMinutes(61))
            .build()
            .absoluteTimeout())
        .isEqualTo(Duration.ofMinutes(61));
  }

  @Test
  void missingOrNonPositiveValues_areRefused() {
    assertThatThrownBy(() -> SessionConfig.builder().idleTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SessionConfig.builder().idleTimeout(null).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SessionConfig.builder().maxSessions(0).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () -> SessionConfig.builder().anonymousSessionsPerAddress(0).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () -> SessionConfig.builder().anonymousSessionWindow(Duration.ZERO).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SessionConfig.builder().trackedAddresses(0).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SessionConfig.builder().idFormat(null).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SessionConfig.builder().cookie(null).build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void persistentSessionCookie_isRefused() {
    CookieSpec persistent = SessionConfig.defaultCookie("sid").toBuilder()
        .maxAge(Duration.ofDays(30))
        .build();

    assertThatThrownBy(() -> SessionConfig.builder().cookie(persistent).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("session-scoped");
  }

  @Test
  void portedPortal_canUseTheAspNetCookieNameAndIdFormat() {
    SessionConfig config = SessionConfig.builder()
        .cookie(SessionConfig.defaultCookie("ASP.NET_SessionId"))
        .idFormat(SessionIdFormat.ASPNET)
        .build();

    assertThat(config.cookie().name()).isEqualTo("ASP.NET_SessionId");
    assertThat(config.idFormat().length()).isEqualTo(24);
  }
}
