package dev.portcullis.servlet;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
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
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.Prompt;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.portcullis.internal.DaemonThreads;
import dev.portcullis.sso.SsoConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenID Connect relying party: authorization-code flow with PKCE (S256), state and nonce, with the configured
 * redirect URI and scopes in both the authorization and the token request.
 *
 * <p><b>Discovery.</b> The provider's metadata is discovered from the issuer in the background when the filter is
 * built ({@link #startDiscovery()}) and kept; should that warm-up fail, the first request that needs the provider
 * tries again. No lock is held during the network call: requests that arrive while a
 * discovery is under way wait for that one (no longer than it may take) instead of starting their own, and a failed
 * discovery is remembered and not tried again before a back-off (1 second, doubling up to 5 minutes) has passed, so a
 * hanging or failing issuer cannot queue up requests or be hammered by them. The provider's signing keys come from its JWK set
 * through Nimbus' caching, rate-limited key source (a refresh at most every 30 seconds, for an unknown key id).
 * Every exchange with the provider (discovery, token request, JWK set) goes through {@link ProviderHttp} and is
 * bounded as a whole by the timeout ({@link SsoConfig#providerTimeout()}, 5 seconds unless set), not per socket read,
 * so a provider that drips its answer cannot hold a request thread longer.
 *
 * <p><b>Security.</b> ID tokens must be signed with RS256 by a key from the provider's JWK set, name the configured
 * issuer, have this client as audience, carry the session's nonce and be unexpired; unsigned ({@code alg: none}) and
 * HMAC-signed tokens are refused because no other algorithm is accepted. Expiry and issue time are checked twice:
 * by Nimbus against the system clock, and here against the injected clock; {@code nbf}, when present, here only. A token that names any audience besides
 * this client that is not in {@link SsoConfig#trustedAudiences()} is refused, and one that names several audiences or
 * carries {@code azp} must have {@code azp} equal to the client id (OpenID Connect Core 3.1.3.7). Every endpoint the
 * discovery document names must be https (plain http only on loopback). An account link asks the provider to
 * authenticate the user again ({@code prompt=login}, {@code max_age}) and requires an {@code auth_time} after the
 * link request, so an identity that merely has a session at the provider is not linked unseen. The client secret and
 * the tokens never go into a log or an audit reason, and neither do the validator's messages, which repeat the
 * token's claims: a refused ID token's reason is a fixed {@link TokenProblem}, and a refusal by the provider or the
 * browser names only a plain error code ({@link #errorCode}).
 */
final class OidcClient {
  private static final Logger log = LoggerFactory.getLogger(OidcClient.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  /** Tolerated difference between the provider's clock and ours. */
  private static final Duration SKEW = Duration.ofSeconds(60);
  /**
   * The longest error code an audit reason repeats: shorter than the shortest run of characters the audit log refuses
   * as credential-shaped (40), and longer than every registered OAuth and OpenID Connect error code.
   */
  static final int MAX_ERROR_CODE = 39;

  /** What the browser must carry to the provider, and what the session keeps for the callback. */
  record Authorization(URI location, String state, String nonce, String verifier) {
    @Override
    public String toString() {
      return "Authorization[...]";
    }
  }

  /** The outcome of a callback. */
  sealed interface Outcome {
    /**
     * A verified ID token's issuer and subject, and a label to show the user: its {@code email}, {@code name} or
     * {@code preferred_username} claim (the first present), untrusted text, or null.
     */
    record Identity(String issuer, String subject, String label) implements Outcome {}

    /**
     * Why not, for the audit log only: fixed text, with at most a plain error code ({@link OidcClient#errorCode});
     * never a claim value or an exception's message.
     */
    record Failed(String reason) implements Outcome {}
  }

  /**
   * What was wrong with an ID token the validator refused: a fixed word for the audit reason, derived from the
   * exception's type and, for a problem with the claims, from the claims themselves, never from the exception's
   * message (Nimbus repeats the token's nonce, issuer and audiences there, which the provider or an attacker chose).
   */
  enum TokenProblem {
    /** Not signed ({@code alg: none}), another algorithm than RS256, no key of the provider's, or a bad signature. */
    SIGNATURE("signature"),
    /** Not the configured issuer, or none. */
    ISSUER("issuer"),
    /** This client is not among the audiences, or {@code azp} is not a string. */
    AUDIENCE("audience"),
    /** No expiry, or expired beyond the clock skew. */
    EXPIRED("expired"),
    /** No issue time, or one in the future beyond the clock skew. */
    ISSUED_IN_THE_FUTURE("issued in the future"),
    /** Not the nonce of this browser's authorization, or none: a token from another login. */
    NONCE("nonce"),
    /** Anything else: an encrypted token, claims that cannot be read, no subject, the provider's keys unreachable. */
    OTHER("other");

    private final String label;

    TokenProblem(String label) {
      this.label = label;
    }

    /** The word for the audit reason. */
    String label() {
      return label;
    }
  }

  private final SsoConfig config;
  private final InstantSource clock;
  private final ClientID clientId;
  private final Scope scope;
  private final Duration timeout;
  private final ProviderHttp http;
  /** Requests that may wait on the provider at once: {@link SsoConfig#maxConcurrentProviderCalls()}. */
  private final Semaphore calls;

  private final AtomicReference<Discovery> discovery =
      new AtomicReference<>(new Discovery.NotYet());

  private record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator) {}

  /** Where the discovery of the provider's metadata stands. */
  private sealed interface Discovery {
    record NotYet() implements Discovery {}

    record Ready(Provider provider) implements Discovery {}

    record InFlight(CompletableFuture<Provider> result) implements Discovery {}

    record Failed(Instant retryAt, Duration backoff, String reason) implements Discovery {}
  }

  /**
   * @param config the provider and client settings; its {@link SsoConfig#providerTimeout()} is the longest one exchange
   *     with the provider (discovery, token request, JWK set) may take as a whole ({@link ProviderHttp})
   */
  OidcClient(SsoConfig config, InstantSource clock) {
    this.config = config;
    this.clock = clock;
    this.clientId = new ClientID(config.clientId());
    this.scope = new Scope(config.scopes().toArray(String[]::new));
    this.timeout = config.providerTimeout();
    this.http = new ProviderHttp(timeout);
    this.calls = new Semaphore(config.maxConcurrentProviderCalls());
  }

  /**
   * One of the {@link SsoConfig#maxConcurrentProviderCalls()} places of requests that wait on the provider; closing
   * it frees the place (once).
   */
  final class ProviderCall implements AutoCloseable {
    private final AtomicBoolean open = new AtomicBoolean(true);

    private ProviderCall() {}

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        calls.release();
      }
    }
  }

  /**
   * A place for a request about to wait on the provider ({@link #finish}), or null when {@link
   * SsoConfig#maxConcurrentProviderCalls()} requests already wait: the caller answers without asking the provider.
   * Never waits for a place.
   */
  ProviderCall tryCall() {
    return calls.tryAcquire() ? new ProviderCall() : null;
  }

  /**
   * No place for one more request waiting on the provider ({@link #tryCall()}); the discovery a login start needs
   * was not awaited.
   */
  static final class ProviderBusyException extends IOException {
    ProviderBusyException() {
      super("too many requests waiting on the OpenID provider");
    }
  }

  /**
   * Starts discovering the provider's metadata on a background daemon thread with Portcullis' class loader as its
   * context loader ({@link DaemonThreads}), so that no request has to wait for it. A failed warm-up is not held
   * against the provider: the first request that needs it tries again, and only failures met by requests start the
   * back-off.
   */
  void startDiscovery() {
    DaemonThreads.of("portcullis-oidc-discovery", () -> {
          try {
            provider(false);
          } catch (IOException | RuntimeException e) {
            // Reported by the request that next needs the provider, which tries again.
          }
        })
        .start();
  }

  /**
   * A fresh authorization request to the provider.
   *
   * @param reauthenticate for an account link: the provider must authenticate the user again ({@code prompt=login})
   *     within this age ({@code max_age}); null for a login
   */
  Authorization authorize(Duration reauthenticate) throws IOException {
    Provider p = readyProvider();
    State state = new State();
    Nonce nonce = new Nonce();
    CodeVerifier verifier = new CodeVerifier();
    AuthenticationRequest.Builder request = new AuthenticationRequest.Builder(
            ResponseType.CODE, scope, clientId, config.redirectUri())
        .endpointURI(p.metadata().getAuthorizationEndpointURI())
        .state(state)
        .nonce(nonce)
        .codeChallenge(verifier, CodeChallengeMethod.S256);
    if (reauthenticate != null) {
      request.prompt(new Prompt(Prompt.Type.LOGIN)).maxAge((int) reauthenticate.toSeconds());
    }
    URI location = request.build().toURI();
    return new Authorization(location, state.getValue(), nonce.getValue(), verifier.getValue());
  }

  /**
   * Exchanges {@code code} for tokens and validates the ID token against {@code nonce}. The caller holds a place of
   * {@link #tryCall()} for the call.
   *
   * @param authenticatedAfter for an account link: when the link was requested; the ID token's {@code auth_time} must
   *     not be earlier (less the clock skew). Null for a login.
   */
  Outcome finish(String code, String verifier, String nonce, Instant authenticatedAfter) {
    JWT idToken = null;
    try {
      Provider p = provider();
      TokenRequest request = new TokenRequest(
          p.metadata().getTokenEndpointURI(),
          new ClientSecretBasic(clientId, new Secret(config.clientSecretForTokenRequest())),
          new AuthorizationCodeGrant(
              new AuthorizationCode(code), config.redirectUri(), new CodeVerifier(verifier)));
      TokenResponse response =
          OIDCTokenResponseParser.parse(request.toHTTPRequest().send(http));
      if (!response.indicatesSuccess()) {
        ErrorObject error = response.toErrorResponse().getErrorObject();
        return new Outcome.Failed("token request refused: HTTP " + error.getHTTPStatusCode()
            + ", error " + errorCode(error.getCode()));
      }
      idToken =
          ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
      if (idToken == null) {
        return new Outcome.Failed("no ID token");
      }
      IDTokenClaimsSet claims = p.validator().validate(idToken, new Nonce(nonce));
      String timeProblem = timeProblem(
          claims.getExpirationTime(), claims.getIssueTime(), claims.getDateClaim("nbf"));
      if (timeProblem != null) {
        return new Outcome.Failed("ID token not valid: " + timeProblem);
      }
      String audienceProblem = audienceProblem(claims.getAudience(), claims.getStringClaim("azp"));
      if (audienceProblem != null) {
        return new Outcome.Failed("ID token not valid: " + audienceProblem);
      }
      if (authenticatedAfter != null) {
        Date authTime = claims.getAuthenticationTime();
        if (authTime == null) {
          return new Outcome.Failed("ID token not valid: no auth_time for an account link");
        }
        if (authTime.toInstant().isBefore(authenticatedAfter.minus(SKEW))) {
          return new Outcome.Failed(
              "ID token not valid: the provider did not authenticate the user again for the"
                  + " account link");
        }
      }
      return new Outcome.Identity(
          claims.getIssuer().getValue(), claims.getSubject().getValue(), label(claims));
    } catch (BadJOSEException | JOSEException e) {
      TokenProblem problem = problemOf(idToken, e, nonce);
      // Never the message: it repeats claim values the token chose.
      log.info("ID token refused: {} ({})", problem.label(), e.getClass().getSimpleName());
      return new Outcome.Failed("ID token not valid: " + problem.label());
    } catch (ParseException | ClassCastException e) {
      return new Outcome.Failed("token response not valid: " + e.getClass().getSimpleName());
    } catch (IOException | RuntimeException e) {
      return new Outcome.Failed(
          "provider unreachable or failing: " + e.getClass().getSimpleName());
    }
  }

  /**
   * What the validator found wrong with {@code idToken}. A claims problem ({@link BadJWTException}) comes after a good
   * signature; the claims are then checked here in the validator's order (issuer, subject, audience, {@code azp},
   * expiry, issue time, nonce), so the first one it refused is the one named.
   */
  TokenProblem problemOf(JWT idToken, Exception e, String expectedNonce) {
    if (idToken instanceof PlainJWT) {
      return TokenProblem.SIGNATURE;
    }
    if (!(idToken instanceof SignedJWT)) {
      return TokenProblem.OTHER;
    }
    if (e instanceof BadJOSEException && !(e instanceof BadJWTException)) {
      // A bad signature (BadJWSException), another algorithm, no matching key of the provider's, an
      // unexpected type.
      return TokenProblem.SIGNATURE;
    }
    if (!(e instanceof BadJWTException)) {
      return TokenProblem.OTHER; // a JOSEException: the provider's keys could not be fetched, say
    }
    JWTClaimsSet claims;
    try {
      claims = idToken.getJWTClaimsSet();
    } catch (java.text.ParseException unreadable) {
      return TokenProblem.OTHER;
    }
    if (!config.issuer().toString().equals(claims.getIssuer())) {
      return TokenProblem.ISSUER;
    }
    if (claims.getSubject() == null) {
      return TokenProblem.OTHER;
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(clientId.getValue())) {
      return TokenProblem.AUDIENCE;
    }
    Object azp = claims.getClaim("azp");
    if (azp != null && !(azp instanceof String)) {
      return TokenProblem.AUDIENCE;
    }
    // The validator reads the system clock; the injected one is that clock outside tests.
    Instant now = clock.instant();
    Date expires = claims.getExpirationTime();
    if (expires == null || !now.isBefore(expires.toInstant().plus(SKEW))) {
      return TokenProblem.EXPIRED;
    }
    Date issued = claims.getIssueTime();
    if (issued == null || issued.toInstant().isAfter(now.plus(SKEW))) {
      return TokenProblem.ISSUED_IN_THE_FUTURE;
    }
    if (!(claims.getClaim("nonce") instanceof String tokenNonce)
        || !tokenNonce.equals(expectedNonce)) {
      return TokenProblem.NONCE;
    }
    return TokenProblem.OTHER;
  }

  /** The first of the {@code email}, {@code name} and {@code preferred_username} claims that is a string, or null. */
  private static String label(IDTokenClaimsSet claims) {
    for (String name : List.of("email", "name", "preferred_username")) {
      if (claims.getClaim(name) instanceof String value && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }

  /**
   * An OAuth error code from the provider or the browser, fit for the audit log: the code itself when it is a plain
   * token (as every registered code is) of at most {@link #MAX_ERROR_CODE} characters, so that it cannot look like a
   * credential to the audit log, otherwise a placeholder; never the provider's free-text description.
   */
  static String errorCode(String code) {
    if (code == null || code.isEmpty()) {
      return "(none)";
    }
    boolean plain = code.length() <= MAX_ERROR_CODE
        && code.chars()
            .allMatch(c -> c >= 'a' && c <= 'z'
                || c >= 'A' && c <= 'Z'
                || c >= '0' && c <= '9'
                || c == '_'
                || c == '-'
                || c == '.');
    return plain ? code : "(unrecognised)";
  }

  /**
   * Why the token's times are not acceptable now by the injected clock, or null. The validator checks no
   * {@code nbf} at all, so a token not valid before a later time (beyond the clock skew) is refused here only.
   *
   * @param notBefore the token's {@code nbf}, or null when it has none (the claim is optional)
   */
  String timeProblem(Date expires, Date issued, Date notBefore) {
    Instant now = clock.instant();
    if (expires == null || !now.isBefore(expires.toInstant().plus(SKEW))) {
      return "expired";
    }
    if (issued == null || issued.toInstant().isAfter(now.plus(SKEW))) {
      return "issued in the future";
    }
    if (notBefore != null && notBefore.toInstant().isAfter(now.plus(SKEW))) {
      return "not yet valid";
    }
    return null;
  }

  /**
   * Why the token's audiences are not acceptable, or null: every audience is this client or a trusted one, and with
   * several audiences, or whenever {@code azp} is present, {@code azp} is this client.
   */
  String audienceProblem(List<Audience> audiences, String azp) {
    for (Audience a : audiences) {
      String value = a.getValue();
      if (!value.equals(clientId.getValue()) && !config.trustedAudiences().contains(value)) {
        return "untrusted extra audience";
      }
    }
    if ((audiences.size() > 1 || azp != null) && !clientId.getValue().equals(azp)) {
      return azp == null ? "several audiences without azp" : "azp is another client";
    }
    return null;
  }

  /**
   * The discovered provider: the one already known, the result of a discovery under way (waiting no longer than it
   * may take), or a new discovery made by this caller without holding any lock; refused at once while a failed
   * discovery's back-off lasts.
   */
  private Provider provider() throws IOException {
    return provider(true);
  }

  /**
   * The provider, discovered already or discovered (or awaited) in one of the places of {@link #tryCall()}.
   *
   * @throws ProviderBusyException when it is not discovered yet and no place is free
   */
  private Provider readyProvider() throws IOException {
    if (discovery.get() instanceof Discovery.Ready ready) {
      return ready.provider();
    }
    try (ProviderCall call = tryCall()) {
      if (call == null) {
        throw new ProviderBusyException();
      }
      return provider();
    }
  }

  /** @param backoff whether a failure starts (or lengthens) the back-off; otherwise it leaves no trace */
  private Provider provider(boolean backoff) throws IOException {
    while (true) {
      Discovery d = discovery.get();
      if (d instanceof Discovery.Ready ready) {
        return ready.provider();
      }
      if (d instanceof Discovery.InFlight inFlight) {
        return await(inFlight.result());
      }
      Duration wait = FIRST_BACKOFF;
      if (d instanceof Discovery.Failed failed) {
        if (clock.instant().isBefore(failed.retryAt())) {
          throw new IOException("OpenID provider discovery failed (" + failed.reason()
              + "); next try after " + failed.retryAt());
        }
        wait = failed.backoff().multipliedBy(2);
        if (wait.compareTo(MAX_BACKOFF) > 0) {
          wait = MAX_BACKOFF;
        }
      }
      Discovery.InFlight mine = new Discovery.InFlight(new CompletableFuture<>());
      if (!discovery.compareAndSet(d, mine)) {
        continue;
      }
      try {
        Provider p = discover();
        discovery.set(new Discovery.Ready(p));
        mine.result().complete(p);
        return p;
      } catch (IOException | RuntimeException e) {
        discovery.set(
            backoff
                ? new Discovery.Failed(
                    clock.instant().plus(wait), wait, e.getClass().getSimpleName())
                : d);
        mine.result().completeExceptionally(e);
        throw e;
      }
    }
  }

  private Provider await(CompletableFuture<Provider> result) throws IOException {
    try {
      // About as long as one discovery may take: its one exchange with the provider, and the
      // time to set up its key source.
      return result.get(3 * timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IOException("OpenID provider discovery still under way", e);
    } catch (ExecutionException e) {
      throw new IOException("OpenID provider discovery failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for OpenID provider discovery", e);
    }
  }

  private Provider discover() throws IOException {
    Issuer issuer = new Issuer(config.issuer());
    OIDCProviderMetadata metadata;
    try {
      HTTPResponse response = new HTTPRequest(
              HTTPRequest.Method.GET, OIDCProviderMetadata.resolveURL(issuer))
          .send(http);
      if (response.getStatusCode() != HTTPResponse.SC_OK) {
        throw new IOException(
            "OpenID provider metadata not available: HTTP " + response.getStatusCode());
      }
      metadata = OIDCProviderMetadata.parse(response.getBodyAsJSONObject());
    } catch (com.nimbusds.oauth2.sdk.GeneralException e) {
      throw new IOException("OpenID provider metadata not usable", e);
    }
    if (!metadata.getIssuer().equals(issuer)
        || metadata.getJWKSetURI() == null
        || metadata.getTokenEndpointURI() == null
        || metadata.getAuthorizationEndpointURI() == null) {
      throw new IOException("OpenID provider metadata incomplete or for another issuer");
    }
    for (URI endpoint : List.of(
        metadata.getAuthorizationEndpointURI(),
        metadata.getTokenEndpointURI(),
        metadata.getJWKSetURI())) {
      if (!secureEndpoint(endpoint)) {
        throw new IOException("OpenID provider metadata names an endpoint that is not https");
      }
    }
    JWKSource<SecurityContext> keys =
        JWKSourceBuilder.create(metadata.getJWKSetURI().toURL(), http).build();
    IDTokenValidator validator = new IDTokenValidator(
        issuer, clientId, new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys), null);
    validator.setMaxClockSkew((int) SKEW.toSeconds());
    return new Provider(metadata, validator);
  }

  /** Absolute with a host, and https; plain http only on a loopback host (development and tests). */
  static boolean secureEndpoint(URI uri) {
    if (uri == null || !uri.isAbsolute() || uri.getHost() == null) {
      return false;
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    return scheme.equals("https")
        || scheme.equals("http")
            && (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"));
  }
}
