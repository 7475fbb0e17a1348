package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FormBodyReadsTest {
  @Test
  void anAddressGetsItsShare_andNoMore_untilOneLeaves() {
    FormBodyReads reads = new FormBodyReads(2);
    assertThat(reads.enter("203.0.113.9")).isTrue();
    assertThat(reads.enter("203.0.113.9")).isTrue();
    assertThat(reads.enter("203.0.113.9")).isFalse();
    assertThat(reads.enter("198.51.100.2"))
        .as("another address has its own share")
        .isTrue();

    reads.leave("203.0.113.9");
    assertThat(reads.enter("203.0.113.9")).isTrue();
    assertThat(reads.enter("203.0.113.9")).isFalse();
  }

  @Test
  void anIpv6Slash64_isOneAddress() {
    FormBodyReads reads = new FormBodyReads(1);
    assertThat(reads.enter("2001:db8:1:2::1")).isTrue();
    assertThat(reads.enter("2001:db8:1:2:ffff::7")).isFalse();
    assertThat(reads.enter("2001:db8:1:3::1")).isTrue();
  }

  @Test
  void textThatIsNoAddress_sharesOneShare() {
    FormBodyReads reads = new FormBodyReads(1);
    assertThat(reads.enter("unknown")).isTrue();
    assertThat(reads.enter("not an address")).isFalse();
    assertThat(reads.enter(null)).isFalse();
  }

  @Test
  void addressesWithNoReadUnderWay_areForgotten() {
    FormBodyReads reads = new FormBodyReads(4);
    for (int i = 1; i <= 100; i++) {
      assertThat(reads.enter("10.0.0." + i)).isTrue();
    }
    assertThat(reads.addresses()).isEqualTo(100);
    for (int i = 1; i <= 100; i++) {
      reads.leave("10.0.0." + i);
    }
    assertThat(reads.addresses()).isZero();
  }

  @Test
  void noShare_isRefusedAtConstruction() {
    assertThatThrownBy(() -> new FormBodyReads(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anonymousForms_areBoundedAcrossAddresses_loggedInOnesPerAddressOnly() {
    FormBodyReads reads = new FormBodyReads(2, 3);
    assertThat(reads.enter("203.0.113.1", true)).isNull();
    assertThat(reads.enter("203.0.113.2", true)).isNull();
    assertThat(reads.enter("203.0.113.3", true)).isNull();
    assertThat(reads.enter("203.0.113.4", true)).isEqualTo(FormBodyReads.Refusal.ANONYMOUS);
    // A logged-in user's form takes no anonymous place.
    assertThat(reads.enter("203.0.113.4", false)).isNull();
    assertThat(reads.anonymousReading()).isEqualTo(3);

    reads.leave("203.0.113.1", true);
    assertThat(reads.enter("203.0.113.4", true)).isNull();
    // The address's share is still its own: full, and the anonymous place it asked for is given
    // back.
    assertThat(reads.enter("203.0.113.4", false)).isEqualTo(FormBodyReads.Refusal.ADDRESS);
    reads.leave("203.0.113.2", true);
    assertThat(reads.enter("203.0.113.4", true)).isEqualTo(FormBodyReads.Refusal.ADDRESS);
    assertThat(reads.anonymousReading()).isEqualTo(2);

    reads.leave("203.0.113.3", true);
    reads.leave("203.0.113.4", true);
    reads.leave("203.0.113.4", false);
    assertThat(reads.anonymousReading()).isZero();
    assertThat(reads.addresses()).isZero();
  }

  @Test
  void noAnonymousPlace_isRefusedAtConstruction() {
    assertThatThrownBy(() -> new FormBodyReads(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
