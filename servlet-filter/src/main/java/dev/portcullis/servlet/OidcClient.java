package dev.portcullis.servlet;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.portcullis.sso.SsoConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;

/**
 * The OpenID Connect relying party: authorization-code flow with PKCE (S256), state and nonce, with the configured
 * redirect URI and scopes in both the authorization and the token request. The provider's metadata is discovered
 * from the issuer on first use and kept; a failed discovery is tried again next time.
 *
 * <p><b>Security.</b> ID tokens must be signed with RS256 by a key from the provider's JWK set, name the configured
 * issuer, have this client as audience, carry the session's nonce and be unexpired; unsigned ({@code alg: none}) and
 * HMAC-signed tokens are refused because no other algorithm is accepted. Expiry and issue time are checked twice:
 * by Nimbus against the system clock, and here against the injected clock. The client secret and the tokens never go
 * into a log or an audit reason.
 */
final class OidcClient {
  private static final int TIMEOUT_MS = 5_000;
  /** Tolerated difference between the provider's clock and ours. */
  private static final Duration SKEW = Duration.ofSeconds(60);

  /** What the browser must carry to the provider, and what the session keeps for the callback. */
  record Authorization(URI location, String state, String nonce, String verifier) {
    @Override
    public String toString() {
      return "Authorization[...]";
    }
  }

  /** The outcome of a callback. */
  sealed interface Outcome {
    /** A verified ID token's issuer and subject. */
    record Identity(String issuer, String subject) implements Outcome {}

    /** Why not, for the audit log only. */
    record Failed(String reason) implements Outcome {}
  }

  private final SsoConfig config;
  private final InstantSource clock;
  private final ClientID clientId;
  private final Scope scope;
  private volatile Provider provider;

  private record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator) {}

  OidcClient(SsoConfig config, InstantSource clock) {
    this.config = config;
    this.clock = clock;
    this.clientId = new ClientID(config.clientId());
    this.scope = new Scope(config.scopes().toArray(String[]::new));
  }

  /** A fresh authorization request to the provider. */
  Authorization authorize() throws IOException {
    Provider p = provider();
    State state = new State();
    Nonce nonce = new Nonce();
    CodeVerifier verifier = new CodeVerifier();
    URI location = new AuthenticationRequest.Builder(ResponseType.CODE, scope, clientId, config.redirectUri())
        .endpointURI(p.metadata().getAuthorizationEndpointURI())
        .state(state)
        .nonce(nonce)
        .codeChallenge(verifier, CodeChallengeMethod.S256)
        .build()
        .toURI();
    return new Authorization(location, state.getValue(), nonce.getValue(), verifier.getValue());
  }

  /** Exchanges {@code code} for tokens and validates the ID token against {@code nonce}. */
  Outcome finish(String code, String verifier, String nonce) {
    try {
      Provider p = provider();
      TokenRequest request = new TokenRequest(p.metadata().getTokenEndpointURI(),
          new ClientSecretBasic(clientId, new Secret(config.clientSecretForTokenRequest())),
          new AuthorizationCodeGrant(new AuthorizationCode(code), config.redirectUri(),
              new CodeVerifier(verifier)));
      HTTPRequest http = request.toHTTPRequest();
      http.setConnectTimeout(TIMEOUT_MS);
      http.setReadTimeout(TIMEOUT_MS);
      TokenResponse response = OIDCTokenResponseParser.parse(http.send());
      if (!response.indicatesSuccess()) {
        ErrorObject error = response.toErrorResponse().getErrorObject();
        return new Outcome.Failed("token request refused: HTTP " + error.getHTTPStatusCode() + ", error "
            + errorCode(error.getCode()));
      }
      JWT idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
      if (idToken == null) {
        return new Outcome.Failed("no ID token");
      }
      IDTokenClaimsSet claims = p.validator().validate(idToken, new Nonce(nonce));
      String timeProblem = timeProblem(claims.getExpirationTime(), claims.getIssueTime());
      if (timeProblem != null) {
        return new Outcome.Failed("ID token not valid: " + timeProblem);
      }
      return new Outcome.Identity(claims.getIssuer().getValue(), claims.getSubject().getValue());
    } catch (BadJOSEException | JOSEException e) {
      return new Outcome.Failed("ID token not valid: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (ParseException | ClassCastException e) {
      return new Outcome.Failed("token response not valid: " + e.getClass().getSimpleName());
    } catch (IOException | RuntimeException e) {
      return new Outcome.Failed("provider unreachable or failing: " + e.getClass().getSimpleName());
    }
  }

  /**
   * An OAuth error code from the provider or the browser, fit for the audit log: the code itself when it is a plain
   * token (as every registered code is), otherwise a placeholder; never the provider's free-text description.
   */
  static String errorCode(String code) {
    if (code == null || code.isEmpty()) {
      return "(none)";
    }
    boolean plain = code.length() <= 64 && code.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
        || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.');
    return plain ? code : "(unrecognised)";
  }

  /** Why the token's times are not acceptable now by the injected clock, or null. */
  String timeProblem(Date expires, Date issued) {
    Instant now = clock.instant();
    if (expires == null || !now.isBefore(expires.toInstant().plus(SKEW))) {
      return "expired";
    }
    if (issued == null || issued.toInstant().isAfter(now.plus(SKEW))) {
      return "issued in the future";
    }
    return null;
  }

  private Provider provider() throws IOException {
    Provider p = provider;
    if (p != null) {
      return p;
    }
    synchronized (this) {
      if (provider == null) {
        Issuer issuer = new Issuer(config.issuer());
        OIDCProviderMetadata metadata;
        try {
          metadata = OIDCProviderMetadata.resolve(issuer, TIMEOUT_MS, TIMEOUT_MS);
        } catch (com.nimbusds.oauth2.sdk.GeneralException e) {
          throw new IOException("OpenID provider metadata not usable", e);
        }
        if (!metadata.getIssuer().equals(issuer) || metadata.getJWKSetURI() == null
            || metadata.getTokenEndpointURI() == null || metadata.getAuthorizationEndpointURI() == null) {
          throw new IOException("OpenID provider metadata incomplete or for another issuer");
        }
        IDTokenValidator validator = new IDTokenValidator(issuer, clientId, JWSAlgorithm.RS256,
            metadata.getJWKSetURI().toURL(), new DefaultResourceRetriever(TIMEOUT_MS, TIMEOUT_MS, 512 * 1024));
        provider = new Provider(metadata, validator);
      }
      return provider;
    }
  }
}
