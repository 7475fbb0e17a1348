package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import dev.portcullis.servlet.OidcClient.TokenProblem;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.util.Date;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The ID token's times against the injected clock (Nimbus checks them again against the system clock), what a
 * refused ID token's audit reason names, and which error codes an audit reason repeats.
 */
class OidcClientTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final OidcClient client = new OidcClient(
      SsoConfig.builder()
          .links(AccountLinkStore.inMemory())
          .replay(ReplayStore.inMemory(clock))
          .provider(URI.create("https://login.example"), "portal", "secret")
          .redirectUri(URI.create("https://portal.example/sso/callback"))
          .build(),
      clock);

  private Date in(Duration d) {
    return Date.from(clock.instant().plus(d));
  }

  @Test
  void currentToken_hasNoTimeProblem() {
    assertThat(client.timeProblem(in(Duration.ofMinutes(5)), in(Duration.ofMinutes(-1)), null))
        .isNull();
  }

  @Test
  void tokenExpiredByThePortalsClock_beyondTheSkew_isRefused() {
    Date expires = in(Duration.ofMinutes(2));
    clock.advance(Duration.ofMinutes(3).minusSeconds(1));
    assertThat(client.timeProblem(expires, in(Duration.ofMinutes(-3)), null)).isNull();
    clock.advance(Duration.ofSeconds(1));
    assertThat(client.timeProblem(expires, in(Duration.ofMinutes(-3)), null)).isEqualTo("expired");
  }

  @Test
  void tokenIssuedInTheFuture_orWithoutTimes_isRefused() {
    assertThat(client.timeProblem(in(Duration.ofHours(1)), in(Duration.ofMinutes(2)), null))
        .isEqualTo("issued in the future");
    assertThat(client.timeProblem(null, in(Duration.ZERO), null)).isEqualTo("expired");
    assertThat(client.timeProblem(in(Duration.ofHours(1)), null, null))
        .isEqualTo("issued in the future");
  }

  @Test
  void tokenNotValidBeforeALaterTime_beyondTheSkew_isRefused() {
    Date expires = in(Duration.ofHours(1));
    Date issued = in(Duration.ZERO);
    assertThat(client.timeProblem(expires, issued, in(Duration.ofSeconds(60)))).isNull();
    assertThat(client.timeProblem(expires, issued, in(Duration.ofSeconds(61))))
        .isEqualTo("not yet valid");
    assertThat(client.timeProblem(expires, issued, in(Duration.ofMinutes(-5)))).isNull();
  }

  /** A signed-looking ID token (the signature is not looked at) with good claims, changed by {@code change}. */
  private SignedJWT token(UnaryOperator<JWTClaimsSet.Builder> change) {
    return new SignedJWT(
        new JWSHeader(JWSAlgorithm.RS256),
        change
            .apply(new JWTClaimsSet.Builder()
                .issuer("https://login.example")
                .subject("sub-alice")
                .audience("portal")
                .issueTime(in(Duration.ofMinutes(-1)))
                .expirationTime(in(Duration.ofMinutes(5)))
                .claim("nonce", "the-nonce"))
            .build());
  }

  private TokenProblem claimsProblem(UnaryOperator<JWTClaimsSet.Builder> change) {
    return client.problemOf(
        token(change), new BadJWTException("the validator's message"), "the-nonce");
  }

  @Test
  void refusedClaims_areNamedByWhatIsWrong_firstInTheValidatorsOrder() {
    assertThat(claimsProblem(c -> c.issuer("https://elsewhere.example")))
        .isEqualTo(TokenProblem.ISSUER);
    assertThat(claimsProblem(c -> c.issuer(null))).isEqualTo(TokenProblem.ISSUER);
    assertThat(claimsProblem(c -> c.audience("another-client"))).isEqualTo(TokenProblem.AUDIENCE);
    assertThat(claimsProblem(c -> c.audience((String) null))).isEqualTo(TokenProblem.AUDIENCE);
    assertThat(claimsProblem(c -> c.claim("azp", 42))).isEqualTo(TokenProblem.AUDIENCE);
    assertThat(claimsProblem(c -> c.expirationTime(in(Duration.ofMinutes(-2)))))
        .isEqualTo(TokenProblem.EXPIRED);
    assertThat(claimsProblem(c -> c.expirationTime(null))).isEqualTo(TokenProblem.EXPIRED);
    assertThat(claimsProblem(c -> c.issueTime(in(Duration.ofMinutes(2)))))
        .isEqualTo(TokenProblem.ISSUED_IN_THE_FUTURE);
    assertThat(claimsProblem(c -> c.claim("nonce", "another-nonce"))).isEqualTo(TokenProblem.NONCE);
    assertThat(claimsProblem(c -> c.claim("nonce", null))).isEqualTo(TokenProblem.NONCE);
    assertThat(claimsProblem(c -> c.subject(null))).isEqualTo(TokenProblem.OTHER);
    assertThat(claimsProblem(c -> c)).isEqualTo(TokenProblem.OTHER);
    // Several problems: the issuer comes first, as in the validator.
    assertThat(claimsProblem(c -> c.issuer("https://elsewhere.example").claim("nonce", "x")))
        .isEqualTo(TokenProblem.ISSUER);
  }

  @Test
  void signatureProblems_andOtherFailures_areNamedByTheirKind() throws Exception {
    SignedJWT good = token(c -> c);
    assertThat(client.problemOf(good, new BadJWSException("bad"), "the-nonce"))
        .isEqualTo(TokenProblem.SIGNATURE);
    assertThat(client.problemOf(good, new BadJOSEException("no matching key"), "the-nonce"))
        .isEqualTo(TokenProblem.SIGNATURE);
    assertThat(client.problemOf(
            new PlainJWT(good.getJWTClaimsSet()), new BadJWTException("unsigned"), "the-nonce"))
        .isEqualTo(TokenProblem.SIGNATURE);
    assertThat(client.problemOf(good, new JOSEException("keys unreachable"), "the-nonce"))
        .isEqualTo(TokenProblem.OTHER);
  }

  @Test
  void errorCodes_areRepeatedOnlyWhenPlainAndTooShortToLookLikeACredential() {
    assertThat(OidcClient.errorCode("access_denied")).isEqualTo("access_denied");
    assertThat(OidcClient.errorCode("unmet_authentication_requirements"))
        .isEqualTo("unmet_authentication_requirements");
    assertThat(OidcClient.errorCode("a".repeat(OidcClient.MAX_ERROR_CODE)))
        .isEqualTo("a".repeat(OidcClient.MAX_ERROR_CODE));
    assertThat(OidcClient.errorCode("a".repeat(OidcClient.MAX_ERROR_CODE + 1)))
        .isEqualTo("(unrecognised)");
    assertThat(OidcClient.errorCode("Fq7Lx2Vb9Nw4Rt6Yh1Kd8Sm3Pz5Cj0GaEuQiTo7WnXy"))
        .isEqualTo("(unrecognised)");
    assertThat(OidcClient.errorCode("denied: see alice@example.org")).isEqualTo("(unrecognised)");
    assertThat(OidcClient.errorCode(null)).isEqualTo("(none)");
  }
}
