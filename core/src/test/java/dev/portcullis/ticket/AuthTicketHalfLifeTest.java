package dev.portcullis.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class AuthTicketHalfLifeTest {
  private static AuthTicket ticket(long issued, long lifetime) {
    return TicketCodecTest.ticket("u-1", "", issued, lifetime, 0);
  }

  @Example
  void anOddLifetime_halvesToAHalfMillisecond() {
    AuthTicket t = ticket(1_000, 3);
    Instant issued = Instant.ofEpochMilli(1_000);
    assertThat(t.isPastHalfLife(issued.plusNanos(1_499_999))).isFalse();
    assertThat(t.isPastHalfLife(issued.plusNanos(1_500_000))).isTrue();
  }

  @Property(tries = 2_000)
  void halfLife_isExactlyHalfTheLifetime(
      @ForAll @LongRange(min = 0, max = 4_000_000_000_000L) long issued,
      @ForAll @LongRange(min = 1, max = 400L * 86_400_000) long lifetime) {
    AuthTicket t = ticket(issued, lifetime);
    Instant start = Instant.ofEpochMilli(issued);
    // 2 * elapsed >= lifetime, in nanoseconds: the definition, without dividing.
    long halfNanos = lifetime * 500_000L;
    assertThat(t.isPastHalfLife(start.plusNanos(halfNanos))).isTrue();
    assertThat(t.isPastHalfLife(start.plusNanos(halfNanos - 1))).isFalse();
  }

  /** The verifier's millisecond form agrees with the exact one at every whole millisecond around the half. */
  @Property(tries = 2_000)
  void halfLifeInMilliseconds_agreesWithTheExactOne(
      @ForAll @LongRange(min = 0, max = 4_000_000_000_000L) long issued,
      @ForAll @LongRange(min = 1, max = 400L * 86_400_000) long lifetime,
      @ForAll @LongRange(min = -2, max = 2) long around) {
    AuthTicket t = ticket(issued, lifetime);
    long now = issued + lifetime / 2 + around;
    assertThat(t.isPastHalfLifeAt(now)).isEqualTo(t.isPastHalfLife(Instant.ofEpochMilli(now)));
  }
}
