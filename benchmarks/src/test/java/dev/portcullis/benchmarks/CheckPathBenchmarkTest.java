package dev.portcullis.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.login.AuthCheck;
import dev.portcullis.session.SessionLookup;
import dev.portcullis.ticket.TicketCheck;
import org.junit.jupiter.api.Test;

/** Every method of {@link CheckPathBenchmark} measures the path that finds the logged-in user, not a refusal. */
class CheckPathBenchmarkTest {
  @Test
  void everyMethod_findsTheLoggedInUser() throws Exception {
    CheckPathBenchmark bench = new CheckPathBenchmark();
    bench.start();

    AuthCheck auth = bench.portcullis().auth();
    assertThat(auth).isInstanceOf(AuthCheck.Authenticated.class);
    assertThat(((AuthCheck.Authenticated) auth).user().handle()).isEqualTo("u-alice");
    assertThat(bench.portcullis().session()).isInstanceOf(SessionLookup.Found.class);
    assertThat(bench.portcullisTicket()).isInstanceOf(TicketCheck.Valid.class);
    assertThat(bench.portcullisSession()).isInstanceOf(SessionLookup.Found.class);
    assertThat(bench.floor()).isEqualTo("u-alice");
    assertThat(bench.floorTicket()).isEqualTo("u-alice");
    assertThat(bench.floorSession()).isNotNull();
  }
}
