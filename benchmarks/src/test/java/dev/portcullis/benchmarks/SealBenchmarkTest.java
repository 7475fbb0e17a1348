package dev.portcullis.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.ticket.TicketCheck;
import dev.portcullis.ticket.TicketEncoding;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import org.apache.shiro.crypto.CryptoException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.web.authentication.rememberme.InvalidCookieException;

/** Every variant of {@link SealBenchmark} does the work it claims: it opens what it sealed and rejects a change. */
class SealBenchmarkTest {
  private final SealBenchmark bench = new SealBenchmark();

  @BeforeEach
  void setUp() throws GeneralSecurityException {
    bench.setUp();
  }

  @Test
  void portcullis_opensItsOwnTicket() {
    assertThat(bench.portcullisSealAndOpen())
        .isInstanceOfSatisfying(
            TicketCheck.Valid.class,
            v -> assertThat(v.ticket().userHandle()).isEqualTo(SealBenchmark.USER));
    assertThat(bench.portcullisOpen()).isInstanceOf(TicketCheck.Valid.class);
  }

  @Test
  void rawGcm_opensToTheTicketPlaintext() throws GeneralSecurityException {
    assertThat(TicketEncoding.decode(bench.rawGcmSealAndOpen()))
        .map(AuthTicket::userHandle)
        .contains(SealBenchmark.USER);
    assertThat(TicketEncoding.decode(bench.rawGcmOpen()).flatMap(AuthTicket::organisationHandle))
        .contains(SealBenchmark.ORGANISATION);
  }

  @Test
  void shiro_opensToTheSamePrincipals() {
    // Shiro's asList() is a raw List.
    assertThat(bench.shiroSealAndOpen().asList().toArray())
        .containsExactly(
            SealBenchmark.USER,
            SealBenchmark.ORGANISATION,
            bench.ticket.issuedAt(),
            bench.ticket.expiresAt());
    assertThat(bench.shiroOpen().getPrimaryPrincipal()).isEqualTo(SealBenchmark.USER);
  }

  @Test
  void springRememberMe_checksOutToTheSameUser() {
    assertThat(bench.springRememberMeSignAndCheck().getUsername()).isEqualTo(SealBenchmark.USER);
    assertThat(bench.springRememberMeCheck().getAuthorities())
        .extracting(Object::toString)
        .containsExactly("org:" + SealBenchmark.ORGANISATION);
  }

  @Test
  void tink_opensToTheTicketPlaintext() throws GeneralSecurityException {
    assertThat(bench.tinkSealAndOpen().userHandle()).isEqualTo(SealBenchmark.USER);
    assertThat(bench.tinkOpen().userHandle()).isEqualTo(SealBenchmark.USER);
  }

  @Test
  void changedCookie_isRejectedByEveryVariant() {
    assertThat(bench.verifier.verify(changed(bench.cookie)))
        .isInstanceOf(TicketCheck.NotValid.class);
    assertThatThrownBy(() -> bench.shiro.open(changed(bench.shiroCookie)))
        .isInstanceOf(CryptoException.class);
    assertThatThrownBy(() ->
            bench.tink.decrypt(Base64.getUrlDecoder().decode(changed(bench.tinkCookie)), bench.aad))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void springCookieSignedOverAnotherPassword_isRejected() {
    UserDetails impostor =
        User.withUserDetails(bench.springUser).password("{noop}guessed").build();
    String forged = bench.spring.sign(impostor, bench.ticket.expiresAt().toEpochMilli());

    assertThatThrownBy(() -> bench.spring.check(forged)).isInstanceOf(InvalidCookieException.class);
  }

  @Test
  void expiredSpringCookie_isRejectedAgainstTheInjectedClock() {
    long expiry = bench.ticket.issuedAt().toEpochMilli() - 1;
    String expired = bench.spring.sign(bench.springUser, expiry);
    SealBenchmark.SpringRememberMeCookie atExpiry = new SealBenchmark.SpringRememberMeCookie(
        bench.spring.getKey(),
        name -> bench.springUser,
        InstantSource.fixed(Instant.ofEpochMilli(expiry)));

    assertThat(atExpiry.check(expired).getUsername()).isEqualTo(SealBenchmark.USER);
    assertThatThrownBy(() -> bench.spring.check(expired))
        .isInstanceOf(InvalidCookieException.class);
  }

  @Test
  void cookieLengths_followFromEachFormat() {
    Map<String, Integer> lengths = bench.cookieLengths();
    int plaintext = TicketEncoding.encode(bench.ticket).length;

    // Raw: 12-byte nonce and 16-byte tag around the plaintext; Tink adds its 5-byte key-id prefix
    // to that.
    assertThat(lengths)
        .containsEntry("rawGcm", base64UrlLength(plaintext + 12 + 16))
        .containsEntry("tink", base64UrlLength(plaintext + 5 + 12 + 16));
    // Spring's cookie is user name, expiry, algorithm and hex SHA-256 signature, readable once
    // base64-decoded.
    String spring =
        new String(Base64.getDecoder().decode(padded(bench.springCookie)), StandardCharsets.UTF_8);
    assertThat(spring)
        .matches(SealBenchmark.USER + ":" + bench.ticket.expiresAt().toEpochMilli()
            + ":SHA256:[0-9a-f]{64}");
    // Java serialization costs Shiro's cookie several times the size of a codec's ticket.
    assertThat(lengths.get("shiro")).isGreaterThan(2 * lengths.get("portcullis"));
  }

  private static int base64UrlLength(int bytes) {
    return (bytes * 4 + 2) / 3;
  }

  private static String padded(String base64) {
    return base64 + "=".repeat((4 - base64.length() % 4) % 4);
  }

  /** {@code value} with one character in the middle replaced by another base64 character. */
  private static String changed(String value) {
    int i = value.length() / 2;
    char replacement = value.charAt(i) == 'A' ? 'B' : 'A';
    return value.substring(0, i) + replacement + value.substring(i + 1);
  }
}
