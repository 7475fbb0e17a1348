package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.aspnet.Configurations.Config;
import dev.portcullis.testing.MutableClock;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Java writes, Java reads: every algorithm, key size, compatibility mode and ticket layout. */
class FormsAuthenticationRoundTripTest {

  static List<Config> configurations() {
    return Configurations.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void sealedCookie_opensToTheSameTicket(Config config) {
    FormsAuthentication forms = config.forms(new MutableClock(Configurations.NOW));
    FormsAuthenticationTicket ticket = Configurations.ticket();

    String cookie = forms.seal(ticket);

    assertThat(cookie).matches("[0-9A-F]+");
    TicketResult result = forms.open(cookie);
    assertThat(result).isInstanceOf(TicketResult.Valid.class);
    assertThat(((TicketResult.Valid) result).ticket()).isEqualTo(ticket);
    assertThat(forms.open(cookie.toLowerCase(Locale.ROOT))).isInstanceOf(TicketResult.Valid.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void sealingTwice_givesDifferentCookies(Config config) {
    FormsAuthentication forms = config.forms(new MutableClock(Configurations.NOW));

    assertThat(forms.seal(Configurations.ticket()))
        .isNotEqualTo(forms.seal(Configurations.ticket()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void everySingleByteFlip_isRejected(Config config) {
    FormsAuthentication forms = config.forms(new MutableClock(Configurations.NOW));
    byte[] cookie = HexFormat.of().parseHex(forms.seal(Configurations.ticket()));

    for (int i = 0; i < cookie.length; i++) {
      for (int mask : new int[] {0x01, 0x80, 0xFF}) {
        byte[] changed = cookie.clone();
        changed[i] ^= (byte) mask;
        TicketResult result = forms.open(HexFormat.of().formatHex(changed));
        assertThat(result)
            .as("byte %d xor %02x", i, mask)
            .isInstanceOf(TicketResult.NotValid.class);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void everyTruncationAndExtension_isRejected(Config config) {
    FormsAuthentication forms = config.forms(new MutableClock(Configurations.NOW));
    String cookie = forms.seal(Configurations.ticket());

    for (int chars = 0; chars < cookie.length(); chars += 2) {
      assertThat(forms.open(cookie.substring(0, chars))).isInstanceOf(TicketResult.NotValid.class);
      assertThat(forms.open(cookie.substring(chars + 2))).isInstanceOf(TicketResult.NotValid.class);
    }
    assertThat(forms.open(cookie + "00")).isInstanceOf(TicketResult.NotValid.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void cookieOfAnotherMachineKey_isRejected(Config config) {
    MutableClock clock = new MutableClock(Configurations.NOW);
    String cookie = config.forms(clock).seal(Configurations.ticket());

    TicketResult result = config.forms(clock).open(cookie);

    assertThat(result).isInstanceOf(TicketResult.NotValid.class);
    assertThat(((TicketResult.NotValid) result).reason())
        .isEqualTo(TicketResult.NotValid.Reason.MAC_MISMATCH);
  }
}
