package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.ForgedHostOverTls;
import dev.portcullis.testing.TestTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter in the Spring MVC test portal on embedded Tomcat serving HTTPS itself ({@code server.ssl.*}), and
 * requests whose SNI name and {@code Host} header disagree ({@link ForgedHostOverTls}): nothing Portcullis, Spring
 * or Tomcat answers (the login redirect, the login page and its cookie, the login and its cookies, Spring MVC's
 * {@code RedirectView}, Spring Boot's error page) names the host or port the client chose or scopes a cookie to it.
 * Tomcat makes no check of the {@code Host} against the SNI name or the certificate, so these requests all reach
 * the application.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "server.ssl.key-store-type=PKCS12",
      "server.ssl.key-store-password=" + TestTls.PASSWORD,
      "server.ssl.key-alias=" + TestTls.ALIAS,
      "portcullis.transport.canonical-host=" + ForgedHostOverTls.CANONICAL,
      "portcullis.login.terms-version=2026-01"
    })
class ForgedHostOverTlsTest {
  private static final Pattern TOKEN = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");
  private static TestTls tls;

  @LocalServerPort
  int port;

  @DynamicPropertySource
  static void keyStore(DynamicPropertyRegistry registry) throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "tls");
    tls = TestTls.make(dir, ForgedHostOverTls.CANONICAL);
    registry.add("server.ssl.key-store", () -> tls.keyStore().toString());
  }

  @Test
  void aHostTheClientChose_isNamedByNoResponse_andScopesNoCookie() throws Exception {
    ForgedHostOverTls.Outcome outcome = ForgedHostOverTls.probe(
        tls.client(),
        port,
        ForgedHostOverTls.CANONICAL,
        List.of("/council", "/nowhere"),
        "/login",
        "/login",
        TOKEN,
        Map.of("username", "carol", "password", "carol-pw"),
        List.of("/council", "/to-report/1", "/nowhere"));

    assertThat(outcome.assertNothingReflected("Tomcat under Spring Boot").forgedHost())
        .containsEntry("GET /council", 303)
        .containsEntry("POST /login", 303)
        .containsEntry("GET /council logged in", 200)
        .containsEntry("GET /to-report/1 logged in", 302)
        .containsEntry("GET /nowhere logged in", 404);
  }
}
