package dev.portcullis.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** The ticket id's hex, the key of every revocation store, is exactly the JDK's lower-case hex of its bytes. */
class AuthTicketHexTest {
  @Property(tries = 2_000)
  void lowerHex_isTheJdksLowerCaseHex(@ForAll @Size(max = 40) byte[] bytes) {
    assertThat(AuthTicket.lowerHex(bytes)).isEqualTo(HexFormat.of().formatHex(bytes));
  }

  @Example
  void everyByteValue_hasItsTwoDigits() {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    assertThat(AuthTicket.lowerHex(all)).isEqualTo(HexFormat.of().formatHex(all));
    assertThat(AuthTicket.lowerHex(new byte[] {(byte) 0xAB, 0x0F})).isEqualTo("ab0f");
  }

  @Example
  void aTicketsIdHex_isItsIdInHex() {
    AuthTicket t = TicketCodecTest.ticket("u-1", "", 1_000, 60_000, 0);
    assertThat(t.ticketIdHex())
        .isEqualTo(HexFormat.of().formatHex(t.ticketId()))
        .hasSize(32);
  }
}
