package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.util.Date;
import org.junit.jupiter.api.Test;

/** The ID token's times against the injected clock (Nimbus checks them again against the system clock). */
class OidcClientTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final OidcClient client = new OidcClient(
      SsoConfig.builder()
          .links(AccountLinkStore.inMemory())
          .replay(ReplayStore.inMemory(clock))
          .provider(URI.create("https://login.example"), "portal", "secret")
          .redirectUri(URI.create("https://portal.example/sso/callback"))
          .build(),
      clock);

  private Date in(Duration d) {
    return Date.from(clock.instant().plus(d));
  }

  @Test
  void currentToken_hasNoTimeProblem() {
    assertThat(client.timeProblem(in(Duration.ofMinutes(5)), in(Duration.ofMinutes(-1))))
        .isNull();
  }

  @Test
  void tokenExpiredByThePortalsClock_beyondTheSkew_isRefused() {
    Date expires = in(Duration.ofMinutes(2));
    clock.advance(Duration.ofMinutes(3).minusSeconds(1));
    assertThat(client.timeProblem(expires, in(Duration.ofMinutes(-3)))).isNull();
    clock.advance(Duration.ofSeconds(1));
    assertThat(client.timeProblem(expires, in(Duration.ofMinutes(-3)))).isEqualTo("expired");
  }

  @Test
  void tokenIssuedInTheFuture_orWithoutTimes_isRefused() {
    assertThat(client.timeProblem(in(Duration.ofHours(1)), in(Duration.ofMinutes(2))))
        .isEqualTo("issued in the future");
    assertThat(client.timeProblem(null, in(Duration.ZERO))).isEqualTo("expired");
    assertThat(client.timeProblem(in(Duration.ofHours(1)), null)).isEqualTo("issued in the future");
  }
}
