package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.ForgedHostOverTls;
import dev.portcullis.testing.TestTls;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundle behind Dropwizard's own HTTPS connector ({@code type: https}, {@code portcullis-https.yml}), and requests
 * whose SNI name and {@code Host} header disagree ({@link ForgedHostOverTls}), with Jetty's SNI host check on (the
 * connector's default) and off ({@code disableSniHostCheck: true}, as behind a proxy that connects by address): nothing
 * Portcullis, Jersey or Jetty answers (the login redirect, the login page and its cookie, the login and its cookies, a
 * resource's relative {@code seeOther}, a refusal) names the host or port the client chose or scopes a cookie to it.
 */
class ForgedHostOverTlsTest {
  private static final Pattern TOKEN =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");

  @TempDir
  Path dir;

  @ParameterizedTest(name = "disableSniHostCheck={0}")
  @ValueSource(booleans = {false, true})
  void aHostTheClientChose_isNamedByNoResponse_andScopesNoCookie(boolean disableSniHostCheck)
      throws Exception {
    TestTls tls = TestTls.make(dir, ForgedHostOverTls.CANONICAL);
    DropwizardTestSupport<PortalApp.Config> app = PortalStarts.app(
        PortalApp.class,
        "portcullis-https.yml",
        ConfigOverride.config(
            "server.applicationConnectors[0].keyStorePath", tls.keyStore().toString()),
        ConfigOverride.config(
            "server.applicationConnectors[0].disableSniHostCheck",
            String.valueOf(disableSniHostCheck)));
    app.before();
    ForgedHostOverTls.Outcome outcome;
    try {
      outcome = ForgedHostOverTls.probe(
          tls.client(),
          app.getLocalPort(),
          ForgedHostOverTls.CANONICAL,
          List.of("/reports", "/status/moved", "/nowhere"),
          "/login",
          "/login",
          TOKEN,
          Map.of("username", "alice", "password", "alice-pw"),
          List.of("/reports", "/status/moved", "/nowhere", "/admin"));
    } finally {
      app.after();
    }

    outcome.assertNothingReflected("Dropwizard, disableSniHostCheck=" + disableSniHostCheck);
    if (disableSniHostCheck) {
      assertThat(outcome.forgedHost())
          .containsEntry("GET /reports", 303)
          .containsEntry("POST /login", 303)
          .containsEntry("GET /reports logged in", 200)
          .containsEntry("GET /status/moved logged in", 303);
    } else {
      assertThat(outcome.forgedHost()).containsEntry("GET /login", 400);
    }
    assertThat(outcome.forgedSni()).containsEntry("GET /reports logged in", 200);
  }
}
