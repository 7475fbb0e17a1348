package dev.portcullis.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TicketVerifierTest {
  private static final String COOKIE = "__Host-portcullis-auth";
  private static final SecureRandom RANDOM = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final KeyRing ring = ring(1, 1);
  private final TicketVerifier verifier = TicketVerifier.create(ring, COOKIE, clock, RANDOM);

  static KeyRing ring(int id, int seed) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) seed);
    return KeyRing.builder()
        .add(id, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(k))
        .build();
  }

  @Test
  void issuedTicket_verifiesAsValid_withAllFields() {
    AuthTicket t =
        verifier.newTicket("u-7f3a9c", "org-riverside", "session-id-1", Duration.ofHours(8));
    TicketCheck check = verifier.verify(verifier.seal(t));
    assertThat(check).isInstanceOf(TicketCheck.Valid.class);
    AuthTicket back = ((TicketCheck.Valid) check).ticket();
    assertThat(back).isEqualTo(t);
    assertThat(back.userHandle()).isEqualTo("u-7f3a9c");
    assertThat(back.organisationHandle()).contains("org-riverside");
    assertThat(back.issuedAt()).isEqualTo(clock.instant());
    assertThat(back.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(8)));
    assertThat(back.isBoundTo("session-id-1")).isTrue();
    assertThat(back.isBoundTo("session-id-2")).isFalse();
  }

  @Test
  void rebind_keepsTheLoginsTimes_andBindsToTheNewIdOnly() {
    AuthTicket t =
        verifier.newTicket("u-7f3a9c", "org-riverside", "session-id-1", Duration.ofHours(8));
    clock.advance(Duration.ofHours(3));

    AuthTicket moved = verifier.rebind(t, "session-id-2");

    TicketCheck check = verifier.verify(verifier.seal(moved));
    assertThat(check).isInstanceOf(TicketCheck.Valid.class);
    AuthTicket back = ((TicketCheck.Valid) check).ticket();
    assertThat(back.ticketIdHex()).isNotEqualTo(t.ticketIdHex());
    assertThat(back.userHandle()).isEqualTo("u-7f3a9c");
    assertThat(back.organisationHandle()).contains("org-riverside");
    assertThat(back.issuedAt()).isEqualTo(t.issuedAt());
    assertThat(back.expiresAt()).isEqualTo(t.expiresAt());
    assertThat(back.authTime()).isEqualTo(t.authTime());
    assertThat(back.isBoundTo("session-id-2")).isTrue();
    assertThat(back.isBoundTo("session-id-1")).isFalse();
  }

  /** A login reads the clock once: a clock stepped back between two readings (an NTP correction) still issues. */
  @Test
  void newTicket_readsTheClockOnce_soAClockSteppingBackStillIssues() {
    Instant start = clock.instant();
    AtomicInteger reads = new AtomicInteger();
    InstantSource steppingBack = () -> start.minusMillis(reads.getAndIncrement());
    TicketVerifier v = TicketVerifier.create(ring, COOKIE, steppingBack, RANDOM);

    AuthTicket t = v.newTicket("u-1", "org-1", "session-id-1", Duration.ofHours(8));

    assertThat(reads).hasValue(1);
    assertThat(t.issuedAt()).isEqualTo(start);
    assertThat(t.authTime()).isEqualTo(start);
  }

  @Test
  void expiry_boundaryAtPlusMinusOneMillisecond() {
    String sealed = verifier.seal(verifier.newTicket("u", "", "s", Duration.ofMinutes(30)));
    clock.advance(Duration.ofMinutes(30).minusMillis(1));
    assertThat(verifier.verify(sealed)).isInstanceOf(TicketCheck.Valid.class);
    clock.advance(Duration.ofMillis(1));
    assertThat(verifier.verify(sealed)).isInstanceOf(TicketCheck.Expired.class);
    clock.advance(Duration.ofMillis(1));
    assertThat(verifier.verify(sealed)).isInstanceOf(TicketCheck.Expired.class);
  }

  /** Whether to renew is judged with the expiry: past half the lifetime, to the millisecond, and not before. */
  @Test
  void validTicket_saysWhetherItIsPastItsHalfLife() {
    String sealed = verifier.seal(verifier.newTicket("u", "", "s", Duration.ofMinutes(30)));
    clock.advance(Duration.ofMinutes(15).minusMillis(1));
    assertThat(((TicketCheck.Valid) verifier.verify(sealed)).pastHalfLife()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(((TicketCheck.Valid) verifier.verify(sealed)).pastHalfLife()).isTrue();
  }

  /** An odd lifetime halves to a half millisecond: the ticket is past it only at the next whole millisecond. */
  @Test
  void oddLifetime_isPastItsHalfLifeOnlyAtTheNextWholeMillisecond() {
    String sealed = verifier.seal(verifier.newTicket("u", "", "s", Duration.ofMillis(60_001)));
    clock.advance(Duration.ofMillis(30_000));
    assertThat(((TicketCheck.Valid) verifier.verify(sealed)).pastHalfLife()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(((TicketCheck.Valid) verifier.verify(sealed)).pastHalfLife()).isTrue();
  }

  @Test
  void
      sealedTicket_forAUuidAndAShortOrganisation_staysUnder200Characters_andHoldsNoHandleInClear() {
    String user = "3f2a9c1e-77b4-4d0e-9a61-5b2c8d4e1f00";
    String org = "riverside";
    String sealed = verifier.seal(verifier.newTicket(user, org, "sid", Duration.ofHours(8)));
    assertThat(sealed).hasSize(172); // 96 bytes of padded ticket, 33 of seal
    String twoUuids = verifier.seal(verifier.newTicket(user, user, "sid", Duration.ofHours(8)));
    assertThat(twoUuids).hasSize(215); // the next bucket, 128 bytes
    byte[] raw = Base64.getUrlDecoder().decode(sealed);
    assertThat(new String(raw, StandardCharsets.ISO_8859_1))
        .doesNotContain(user)
        .doesNotContain("riverside");
  }

  @Test
  void cookieLength_doesNotShowTheOrganisation_whenTheHandlesShareABucket() {
    List<Integer> lengths = new ArrayList<>();
    for (String org : List.of("riverside", "hillview", "council", "")) {
      lengths.add(verifier
          .seal(verifier.newTicket("u-1001", org, "sid", Duration.ofHours(8)))
          .length());
    }
    assertThat(lengths).containsOnly(lengths.get(0));
    assertThat(verifier
            .seal(verifier.newTicket(
                "u-1001", "riverside-care-and-support-services", "sid", Duration.ofHours(8)))
            .length())
        .as("a handle 26 bytes longer is in the next bucket")
        .isGreaterThan(lengths.get(0));
  }

  @Test
  void ticketUnderAnotherCookieName_isTampered() {
    String sealed = verifier.seal(verifier.newTicket("u", "", "s", Duration.ofHours(1)));
    TicketVerifier other = TicketVerifier.create(ring, "validPSuser", clock, RANDOM);
    assertThat(reason(other.verify(sealed))).isEqualTo(TicketCheck.Reason.TAMPERED);
  }

  @Test
  void garbageOversizedAndForeignKeys_areNotValid_withReasons() {
    assertThat(reason(verifier.verify("nonsense"))).isEqualTo(TicketCheck.Reason.MALFORMED);
    assertThat(reason(verifier.verify("A".repeat(5000)))).isEqualTo(TicketCheck.Reason.OVERSIZED);
    String foreign = TicketVerifier.create(ring(2, 2), COOKIE, clock, RANDOM)
        .seal(verifier.newTicket("u", "", "s", Duration.ofHours(1)));
    assertThat(reason(verifier.verify(foreign))).isEqualTo(TicketCheck.Reason.UNKNOWN_KEY);
  }

  @Test
  void sealedValueThatIsNotATicket_isMalformed() {
    var sealer = dev.portcullis.crypto.Sealer.create(
        ring, dev.portcullis.crypto.Purpose.AUTH_TICKET, RANDOM);
    assertThat(reason(verifier.verify(sealer.seal(new byte[] {1, 2, 3}, COOKIE))))
        .isEqualTo(TicketCheck.Reason.MALFORMED);
  }

  @Test
  void renewal_keepsUserAndAuthTime_withNewIdTimesAndBinding() {
    AuthTicket first = verifier.newTicket("u", "o", "s1", Duration.ofHours(2));
    assertThat(first.isPastHalfLife(clock.instant().plus(Duration.ofMinutes(59))))
        .isFalse();
    clock.advance(Duration.ofHours(1));
    assertThat(first.isPastHalfLife(clock.instant())).isTrue();
    AuthTicket renewed = verifier.renew(first, "s2");
    assertThat(renewed.ticketIdHex()).isNotEqualTo(first.ticketIdHex());
    assertThat(renewed.userHandle()).isEqualTo("u");
    assertThat(renewed.authTime()).isEqualTo(first.authTime());
    assertThat(renewed.issuedAt()).isEqualTo(clock.instant());
    assertThat(renewed.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(2)));
    assertThat(renewed.isBoundTo("s2")).isTrue();
  }

  private static TicketCheck.Reason reason(TicketCheck check) {
    assertThat(check).isInstanceOf(TicketCheck.NotValid.class);
    return ((TicketCheck.NotValid) check).reason();
  }
}
