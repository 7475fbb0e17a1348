package dev.portcullis.sso.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.ticket.TicketVerifier;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UpgradeTokensTest {
  private static final String COOKIE = "__Host-portcullis-sso";
  private final MutableClock clock = MutableClock.startingAt2026();
  private final SecureRandom random = new SecureRandom();
  private final KeyRing ring = KeyRing.builder()
      .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
      .build();
  private final UpgradeTokens tokens = UpgradeTokens.create(
      ring, COOKIE, clock, random, ReplayStore.inMemory(clock), UpgradeTokens.DEFAULT_LIFETIME);

  @Test
  void token_redeemsOnce_thenIsAReplay() {
    String cookie = tokens.issue("u-alice", "sid-1");
    UpgradeTokens.Redemption first = tokens.redeem(cookie, "sid-1");
    assertThat(first).isInstanceOf(UpgradeTokens.Redemption.Redeemed.class);
    assertThat(((UpgradeTokens.Redemption.Redeemed) first).token().userHandle())
        .isEqualTo("u-alice");
    assertThat(tokens.redeem(cookie, "sid-1"))
        .isInstanceOf(UpgradeTokens.Redemption.Replayed.class);
  }

  @Test
  void expiredOtherSessionTamperedOrAuthCookie_areRefused() {
    String cookie = tokens.issue("u-alice", "sid-1");
    assertThat(tokens.redeem(cookie, "sid-2"))
        .isEqualTo(new UpgradeTokens.Redemption.Refused("OTHER_SESSION"));
    char[] c = cookie.toCharArray();
    c[10] = c[10] == 'A' ? 'B' : 'A';
    assertThat(tokens.redeem(new String(c), "sid-1"))
        .isInstanceOf(UpgradeTokens.Redemption.Refused.class);

    TicketVerifier auth = TicketVerifier.create(ring, COOKIE, clock, random);
    String authCookie = auth.seal(auth.newTicket("u-alice", "", "sid-1", Duration.ofHours(1)));
    assertThat(tokens.redeem(authCookie, "sid-1"))
        .isEqualTo(new UpgradeTokens.Redemption.Refused("AUTHENTICATION_FAILED"));

    clock.advance(UpgradeTokens.DEFAULT_LIFETIME.minusMillis(1));
    String fresh = tokens.issue("u-alice", "sid-1");
    clock.advance(Duration.ofMillis(1));
    assertThat(tokens.redeem(cookie, "sid-1"))
        .isEqualTo(new UpgradeTokens.Redemption.Refused("EXPIRED"));
    assertThat(tokens.redeem(fresh, "sid-1")).isInstanceOf(UpgradeTokens.Redemption.Redeemed.class);
  }

  @Test
  void check_refusesWhatARedemptionWould_andSpendsNothing() {
    String cookie = tokens.issue("u-alice", "sid-1");
    UpgradeTokens.Check valid = tokens.check(cookie, "sid-1");
    assertThat(valid).isInstanceOf(UpgradeTokens.Check.Valid.class);
    assertThat(((UpgradeTokens.Check.Valid) valid).token().userHandle()).isEqualTo("u-alice");
    assertThat(tokens.check(cookie, "sid-1")).isInstanceOf(UpgradeTokens.Check.Valid.class);
    assertThat(tokens.check(cookie, "sid-2"))
        .isEqualTo(new UpgradeTokens.Check.Invalid("OTHER_SESSION"));
    char[] c = cookie.toCharArray();
    c[10] = c[10] == 'A' ? 'B' : 'A';
    assertThat(tokens.check(new String(c), "sid-1"))
        .isInstanceOf(UpgradeTokens.Check.Invalid.class);

    assertThat(tokens.redeem(cookie, "sid-1"))
        .as("checked twice, still redeemable once")
        .isInstanceOf(UpgradeTokens.Redemption.Redeemed.class);
    clock.advance(UpgradeTokens.DEFAULT_LIFETIME);
    assertThat(tokens.check(cookie, "sid-1")).isEqualTo(new UpgradeTokens.Check.Invalid("EXPIRED"));
  }

  @Test
  void lifetime_isCappedAtTenMinutes() {
    assertThatThrownBy(() -> UpgradeTokens.create(
            ring, COOKIE, clock, random, ReplayStore.inMemory(clock), Duration.ofMinutes(11)))
        .hasMessageContaining("10 minutes");
  }
}
