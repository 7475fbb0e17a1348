package dev.portcullis.sso;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.sso.internal.UpgradeTokens;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How the single-sign-on upgrade works: the upgrade cookie offered after a local login, its token lifetime, where
 * account links and redeemed tokens are kept, the portal's SSO endpoints and the OpenID Connect client settings.
 * Immutable; built with {@link #builder()}, which checks everything in {@link Builder#build()}.
 *
 * <p><b>Security.</b> The upgrade token lives at most {@link UpgradeTokens#MAX_LIFETIME}; the cookie is
 * session-scoped. The redirect URI is configuration, never taken from the request's {@code Host} header, so a forged
 * header cannot choose where the provider sends the authorization code. The client secret is kept only for the token
 * request: {@link #toString()} never shows it.
 */
public final class SsoConfig {
  /** The upgrade cookie's default name. */
  public static final String DEFAULT_COOKIE = "__Host-portcullis-sso";

  /** The longest {@link Builder#providerTimeout} the builder accepts. */
  private static final Duration MAX_PROVIDER_TIMEOUT = Duration.ofSeconds(60);

  /** The default of {@link Builder#maxConcurrentProviderCalls}. */
  public static final int DEFAULT_MAX_CONCURRENT_PROVIDER_CALLS = 16;

  /** The largest {@link Builder#maxConcurrentProviderCalls} the builder accepts. */
  public static final int MAX_CONCURRENT_PROVIDER_CALLS = 1024;

  private final CookieSpec cookie;
  private final Duration tokenLifetime;
  private final AccountLinkStore links;
  private final ReplayStore replay;
  private final String upgradePath;
  private final String callbackPath;
  private final String loginPath;
  private final URI issuer;
  private final String clientId;
  private final String clientSecret;
  private final URI redirectUri;
  private final List<String> scopes;
  private final Set<String> trustedAudiences;
  private final Duration linkReauthentication;
  private final String linkPath;
  private final String unlinkPath;
  private final Duration pendingLinkLifetime;
  private final boolean keepLinksOnLogoutEverywhere;
  private final Duration providerTimeout;
  private final int maxConcurrentProviderCalls;
  private final Duration maxLoginAge;

  private SsoConfig(SsoConfig o, CookieSpec cookie) {
    this.cookie = cookie;
    this.tokenLifetime = o.tokenLifetime;
    this.links = o.links;
    this.replay = o.replay;
    this.upgradePath = o.upgradePath;
    this.callbackPath = o.callbackPath;
    this.loginPath = o.loginPath;
    this.issuer = o.issuer;
    this.clientId = o.clientId;
    this.clientSecret = o.clientSecret;
    this.redirectUri = o.redirectUri;
    this.scopes = o.scopes;
    this.trustedAudiences = o.trustedAudiences;
    this.linkReauthentication = o.linkReauthentication;
    this.linkPath = o.linkPath;
    this.unlinkPath = o.unlinkPath;
    this.pendingLinkLifetime = o.pendingLinkLifetime;
    this.keepLinksOnLogoutEverywhere = o.keepLinksOnLogoutEverywhere;
    this.providerTimeout = o.providerTimeout;
    this.maxConcurrentProviderCalls = o.maxConcurrentProviderCalls;
    this.maxLoginAge = o.maxLoginAge;
  }

  private SsoConfig(Builder b, String callbackPath) {
    this.cookie = b.cookie;
    this.tokenLifetime = b.tokenLifetime;
    this.links = b.links;
    this.replay = b.replay;
    this.upgradePath = b.upgradePath;
    this.callbackPath = callbackPath;
    this.loginPath = b.loginPath;
    this.issuer = b.issuer;
    this.clientId = b.clientId;
    this.clientSecret = b.clientSecret;
    this.redirectUri = b.redirectUri;
    this.scopes = List.copyOf(b.scopes);
    this.trustedAudiences = Set.copyOf(b.trustedAudiences);
    this.linkReauthentication = b.linkReauthentication;
    this.linkPath = b.linkPath;
    this.unlinkPath = b.unlinkPath;
    this.pendingLinkLifetime = b.pendingLinkLifetime;
    this.keepLinksOnLogoutEverywhere = b.keepLinksOnLogoutEverywhere;
    this.providerTimeout = b.providerTimeout;
    this.maxConcurrentProviderCalls = b.maxConcurrentProviderCalls;
    this.maxLoginAge = b.maxLoginAge;
  }

  /**
   * The upgrade cookie the builder declares when none is given, named {@code name}: session-scoped, Secure, HttpOnly,
   * Lax, with its cookie-notice text. An adapter that only renames the cookie starts from this one.
   */
  public static CookieSpec defaultCookie(String name) {
    return CookieSpec.builder(name)
        .purpose(
            "Lets this browser link its portal account to a single sign-on account shortly after logging in")
        .dataStored(
            "An encrypted, single-use upgrade token: an opaque account reference, a session binding and"
                + " an expiry time; no personal data")
        .duration("At most 10 minutes, or until you log out or close the browser")
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The upgrade cookie's declaration. */
  public CookieSpec cookie() {
    return cookie;
  }

  /**
   * This configuration with the upgrade cookie renamed to {@code name}, its declaration otherwise kept, unless the
   * builder was given a cookie of its own (one not named {@value #DEFAULT_COOKIE}): for an entry point that gives every
   * cookie it makes a prefix of the application's, where a name set by hand wins.
   */
  public SsoConfig withDefaultCookieNamed(String name) {
    Objects.requireNonNull(name, "name");
    if (!cookie.name().equals(DEFAULT_COOKIE) || name.equals(DEFAULT_COOKIE)) {
      return this;
    }
    return new SsoConfig(this, cookie.toBuilder().name(name).build());
  }

  public Duration tokenLifetime() {
    return tokenLifetime;
  }

  public AccountLinkStore links() {
    return links;
  }

  public ReplayStore replay() {
    return replay;
  }

  /** Where a logged-in browser POSTs to start linking its account (default {@code /sso/upgrade}). */
  public String upgradePath() {
    return upgradePath;
  }

  /**
   * Where the provider sends the browser back, relative to the context path: the path of {@link #redirectUri()}
   * unless set explicitly for an application under a context path.
   */
  public String callbackPath() {
    return callbackPath;
  }

  /** Where a browser starts a login through the provider (default {@code /sso/login}). */
  public String loginPath() {
    return loginPath;
  }

  /**
   * The confirmation page of an account link (default {@code /sso/link}): {@code GET} shows the identity the provider
   * authenticated, a {@code POST} with the CSRF token and {@code decision=confirm} links it, {@code decision=cancel}
   * discards it.
   */
  public String linkPath() {
    return linkPath;
  }

  /**
   * Where a logged-in user {@code POST}s (with the CSRF token) the {@code issuer} and {@code subject} of one of their
   * linked identities to unlink it (default {@code /sso/unlink}).
   */
  public String unlinkPath() {
    return unlinkPath;
  }

  /** How long an authenticated but unconfirmed account link waits for the user's confirmation. Default 5 minutes. */
  public Duration pendingLinkLifetime() {
    return pendingLinkLifetime;
  }

  /**
   * Whether "log out everywhere" leaves the user's linked identities in place; by default it removes them, so that
   * whoever linked an identity to a stolen session loses it with the session.
   */
  public boolean keepLinksOnLogoutEverywhere() {
    return keepLinksOnLogoutEverywhere;
  }

  /** The OpenID provider's issuer identifier. */
  public URI issuer() {
    return issuer;
  }

  public String clientId() {
    return clientId;
  }

  /**
   * This portal's callback URL as registered at the provider: sent in the authorization request and again in the
   * token request.
   */
  public URI redirectUri() {
    return redirectUri;
  }

  /** The scopes asked for; always includes {@code openid}. */
  public List<String> scopes() {
    return scopes;
  }

  /**
   * Audiences besides the client id that an ID token may also name (OpenID Connect Core 3.1.3.7); empty by default, so
   * a token issued to this client together with any other party is refused, and a token naming other audiences must
   * also carry {@code azp} equal to the client id.
   */
  public Set<String> trustedAudiences() {
    return trustedAudiences;
  }

  /**
   * How recently the user must have authenticated at the provider for an account link: linking sends
   * {@code prompt=login} and {@code max_age} with this value, and the ID token's {@code auth_time} must fall after the
   * link request was made. Default 5 minutes.
   */
  public Duration linkReauthentication() {
    return linkReauthentication;
  }

  /**
   * How recently the user must have logged in to the portal (the auth ticket's {@code authTime}, which a renewal keeps)
   * to start an account link, confirm one, or unlink an identity. An older login is sent to log in again first, so
   * whoever finds a logged-in browser left open cannot change how the account logs in. Default 10 minutes.
   */
  public Duration maxLoginAge() {
    return maxLoginAge;
  }

  /**
   * The longest one exchange with the OpenID provider (discovery, token request, JWK set) may take as a whole, from
   * connecting to the last byte of the answer; a user's request waits for the provider no longer than about this.
   * Default 5 seconds.
   */
  public Duration providerTimeout() {
    return providerTimeout;
  }

  /**
   * How many requests of this node may wait on the OpenID provider at once: SSO callbacks exchanging their code
   * (token request, JWK set) and requests waiting for the provider's discovery. One more is answered at once with a
   * plain {@code 503} and audited, without a request to the provider. Default {@value
   * #DEFAULT_MAX_CONCURRENT_PROVIDER_CALLS}.
   *
   * <p><b>Security.</b> Each such request holds a request thread for up to {@link #providerTimeout()}; anyone may
   * start logins (bounded per address, not across addresses) and answer each callback with its valid state, so
   * without this bound a slow or hanging provider, or the callbacks of an attacker while it is slow, could hold every
   * request thread of the portal. With it, only single sign-on waits.
   */
  public int maxConcurrentProviderCalls() {
    return maxConcurrentProviderCalls;
  }

  /**
   * The client secret, for the token request only; never log it. Deliberately not a plain getter name so that every
   * use is easy to find.
   */
  public String clientSecretForTokenRequest() {
    return clientSecret;
  }

  @Override
  public String toString() {
    return "SsoConfig[issuer=" + issuer + ", clientId=" + clientId + ", redirectUri=" + redirectUri
        + ", scopes=" + scopes + ", cookie=" + cookie.name() + "]";
  }

  /** Collects the settings; not thread-safe. */
  public static final class Builder {
    private CookieSpec cookie;
    private Duration tokenLifetime = UpgradeTokens.DEFAULT_LIFETIME;
    private AccountLinkStore links;
    private ReplayStore replay;
    private String upgradePath = "/sso/upgrade";
    private String callbackPath;
    private String loginPath = "/sso/login";
    private URI issuer;
    private String clientId;
    private String clientSecret;
    private URI redirectUri;
    private List<String> scopes = List.of("openid");
    private Set<String> trustedAudiences = Set.of();
    private Duration linkReauthentication = Duration.ofMinutes(5);
    private String linkPath = "/sso/link";
    private String unlinkPath = "/sso/unlink";
    private Duration pendingLinkLifetime = Duration.ofMinutes(5);
    private boolean keepLinksOnLogoutEverywhere;
    private Duration providerTimeout = Duration.ofSeconds(5);
    private int maxConcurrentProviderCalls = DEFAULT_MAX_CONCURRENT_PROVIDER_CALLS;
    private Duration maxLoginAge = Duration.ofMinutes(10);

    private Builder() {}

    /**
     * How recently the user must have logged in to the portal to link or unlink a single sign-on identity (see
     * {@link SsoConfig#maxLoginAge()}), between 1 minute and 1 hour; default 10 minutes.
     */
    public Builder maxLoginAge(Duration age) {
      this.maxLoginAge = Objects.requireNonNull(age, "age");
      return this;
    }

    /** The account link's confirmation page; default {@code /sso/link}. */
    public Builder linkPath(String path) {
      this.linkPath = path;
      return this;
    }

    /** Where a user unlinks an identity; default {@code /sso/unlink}. */
    public Builder unlinkPath(String path) {
      this.unlinkPath = path;
      return this;
    }

    /** How long an unconfirmed account link waits, between 1 and 10 minutes; default 5 minutes. */
    public Builder pendingLinkLifetime(Duration lifetime) {
      this.pendingLinkLifetime = Objects.requireNonNull(lifetime, "lifetime");
      return this;
    }

    /** Keep linked identities through "log out everywhere" (by default they are removed). */
    public Builder keepLinksOnLogoutEverywhere(boolean keep) {
      this.keepLinksOnLogoutEverywhere = keep;
      return this;
    }

    /**
     * The longest one exchange with the OpenID provider (discovery, token request, JWK set) may take as a whole, from
     * connecting to the last byte of the answer: above zero and at most 60 seconds; default 5 seconds. A provider that
     * answers slowly, or drips its answer, holds a user's request no longer than about this.
     */
    public Builder providerTimeout(Duration timeout) {
      this.providerTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * How many requests of this node may wait on the OpenID provider at once (see {@link
     * SsoConfig#maxConcurrentProviderCalls()}): 1 to {@value SsoConfig#MAX_CONCURRENT_PROVIDER_CALLS}; default {@value
     * SsoConfig#DEFAULT_MAX_CONCURRENT_PROVIDER_CALLS}. Keep it well below the server's request threads.
     */
    public Builder maxConcurrentProviderCalls(int calls) {
      this.maxConcurrentProviderCalls = calls;
      return this;
    }

    /**
     * Other audiences an ID token may name beside this client (see {@link SsoConfig#trustedAudiences()}); none by
     * default.
     */
    public Builder trustedAudiences(String... audiences) {
      this.trustedAudiences = new LinkedHashSet<>(List.of(audiences));
      return this;
    }

    /**
     * The {@code max_age} of the authentication an account link needs at the provider, between 1 minute and 1 hour;
     * default 5 minutes.
     */
    public Builder linkReauthentication(Duration maxAge) {
      this.linkReauthentication = Objects.requireNonNull(maxAge, "maxAge");
      return this;
    }

    /** The upgrade cookie's declaration; session-scoped. Default: {@value #DEFAULT_COOKIE}, Secure, HttpOnly, Lax. */
    public Builder cookie(CookieSpec cookie) {
      this.cookie = Objects.requireNonNull(cookie, "cookie");
      return this;
    }

    /** The upgrade token's lifetime: 5 minutes by default, at most 10. */
    public Builder tokenLifetime(Duration tokenLifetime) {
      this.tokenLifetime = Objects.requireNonNull(tokenLifetime, "tokenLifetime");
      return this;
    }

    /** Where (issuer, subject) to user links are kept. Required. */
    public Builder links(AccountLinkStore links) {
      this.links = Objects.requireNonNull(links, "links");
      return this;
    }

    /** Remembers redeemed upgrade tokens; shared by every node. Required. */
    public Builder replay(ReplayStore replay) {
      this.replay = Objects.requireNonNull(replay, "replay");
      return this;
    }

    public Builder upgradePath(String path) {
      this.upgradePath = path;
      return this;
    }

    /**
     * The callback path relative to the context path, for an application that does not run at the root context.
     * Default: the path of {@link #redirectUri}; when set, that path must end with it (what comes before is the
     * context path).
     */
    public Builder callbackPath(String path) {
      this.callbackPath = path;
      return this;
    }

    /**
     * This portal's callback URL as registered at the provider, such as {@code https://portal.example/sso/callback}:
     * absolute, https (plain http only for a loopback host), no query or fragment. Required.
     */
    public Builder redirectUri(URI redirectUri) {
      this.redirectUri = Objects.requireNonNull(redirectUri, "redirectUri");
      return this;
    }

    /** The scopes to ask for; must include {@code openid}. Default: {@code openid} alone. */
    public Builder scopes(List<String> scopes) {
      this.scopes = new ArrayList<>(Objects.requireNonNull(scopes, "scopes"));
      return this;
    }

    /** The scopes to ask for; must include {@code openid}. Default: {@code openid} alone. */
    public Builder scopes(String... scopes) {
      return scopes(List.of(scopes));
    }

    public Builder loginPath(String path) {
      this.loginPath = path;
      return this;
    }

    /**
     * The OpenID provider: its issuer identifier, and this portal's client id and secret there. Required.
     */
    public Builder provider(URI issuer, String clientId, String clientSecret) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      this.clientId = Objects.requireNonNull(clientId, "clientId");
      this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
      return this;
    }

    /**
     * Checks the settings and returns the configuration.
     *
     * @throws IllegalStateException when something required is missing or the settings contradict each other
     * @throws IllegalArgumentException when the provider timeout is not above zero or longer than 60 seconds, or the
     *     number of concurrent provider calls is not between 1 and {@value SsoConfig#MAX_CONCURRENT_PROVIDER_CALLS}
     */
    public SsoConfig build() {
      if (maxConcurrentProviderCalls < 1
          || maxConcurrentProviderCalls > MAX_CONCURRENT_PROVIDER_CALLS) {
        throw new IllegalArgumentException(
            "the number of requests that may wait on the OpenID provider at once must be between 1 and "
                + MAX_CONCURRENT_PROVIDER_CALLS + ", got " + maxConcurrentProviderCalls);
      }
      if (providerTimeout.isNegative()
          || providerTimeout.isZero()
          || providerTimeout.compareTo(MAX_PROVIDER_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            "the OpenID provider timeout must be above zero and at most 60 seconds, got "
                + providerTimeout);
      }
      require(links != null, "the account link store is required");
      require(
          replay != null, "the replay store is required: each upgrade token may be redeemed once");
      require(
          !tokenLifetime.isNegative()
              && !tokenLifetime.isZero()
              && tokenLifetime.compareTo(UpgradeTokens.MAX_LIFETIME) <= 0,
          "the upgrade token lifetime must be above zero and at most 10 minutes, got "
              + tokenLifetime);
      if (cookie == null) {
        cookie = defaultCookie(DEFAULT_COOKIE);
      }
      require(cookie.maxAge().isEmpty(), "the upgrade cookie must be session-scoped (no Max-Age)");
      String callback = checkRedirect();
      require(
          plainPath(upgradePath)
              && plainPath(loginPath)
              && plainPath(linkPath)
              && plainPath(unlinkPath),
          "the SSO paths must be plain absolute paths such as /sso/upgrade");
      require(
          new HashSet<>(List.of(upgradePath, callback, loginPath, linkPath, unlinkPath)).size()
              == 5,
          "the upgrade, callback, SSO login, link and unlink paths must differ");
      require(
          pendingLinkLifetime.compareTo(Duration.ofMinutes(1)) >= 0
              && pendingLinkLifetime.compareTo(Duration.ofMinutes(10)) <= 0,
          "the pending link lifetime must be between 1 and 10 minutes, got " + pendingLinkLifetime);
      require(issuer != null, "the OpenID provider (issuer, client id, client secret) is required");
      require(
          httpsEndpoint(issuer),
          "the issuer must be an https URL without query or fragment (plain http only on loopback)");
      require(!clientId.isBlank(), "the client id must not be blank");
      require(!clientSecret.isBlank(), "the client secret must not be blank");
      require(
          !scopes.isEmpty() && scopes.stream().allMatch(Builder::scopeToken),
          "each scope must be a non-empty OAuth scope token (printable ASCII without space, '\"' or '\\'), got "
              + scopes);
      require(scopes.contains("openid"), "the scopes must include openid, got " + scopes);
      require(
          new LinkedHashSet<>(scopes).size() == scopes.size(),
          "the scopes must not repeat, got " + scopes);
      require(
          trustedAudiences.stream().noneMatch(a -> a == null || a.isBlank() || a.equals(clientId)),
          "trusted audiences must be non-blank and other than the client id, got "
              + trustedAudiences);
      require(
          linkReauthentication.compareTo(Duration.ofMinutes(1)) >= 0
              && linkReauthentication.compareTo(Duration.ofHours(1)) <= 0,
          "the link re-authentication age must be between 1 minute and 1 hour, got "
              + linkReauthentication);
      require(
          maxLoginAge.compareTo(Duration.ofMinutes(1)) >= 0
              && maxLoginAge.compareTo(Duration.ofHours(1)) <= 0,
          "the login age for linking and unlinking must be between 1 minute and 1 hour, got "
              + maxLoginAge);
      return new SsoConfig(this, callback);
    }

    /** Checks the redirect URI and returns the callback path: derived from it, or checked to agree with it. */
    private String checkRedirect() {
      require(
          redirectUri != null,
          "the redirect URI (this portal's callback URL registered at the OpenID provider,"
              + " such as https://portal.example/sso/callback) is required");
      require(
          httpsEndpoint(redirectUri) && redirectUri.getRawUserInfo() == null,
          "the redirect URI must be an absolute https URL with a host and without user info, query or fragment"
              + " (plain http only on loopback), got " + redirectUri);
      String redirectPath = redirectUri.getRawPath();
      require(
          plainPath(redirectPath),
          "the redirect URI's path must be a plain absolute path such as" + " /sso/callback, got "
              + redirectUri);
      String callback = callbackPath == null ? redirectPath : callbackPath;
      require(
          plainPath(callback) && redirectPath.endsWith(callback),
          "the callback path " + callback + " must be the end of the redirect URI's path "
              + redirectPath + " (what comes before it is the context path)");
      return callback;
    }

    private static boolean scopeToken(String scope) {
      return scope != null
          && !scope.isEmpty()
          && scope
              .chars()
              .allMatch(c -> c == 0x21 || c >= 0x23 && c <= 0x5B || c >= 0x5D && c <= 0x7E);
    }

    /** Absolute, with a host, no query or fragment, https (plain http only on a loopback host). */
    private static boolean httpsEndpoint(URI uri) {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return uri.isAbsolute()
          && uri.getHost() != null
          && uri.getRawQuery() == null
          && uri.getRawFragment() == null
          && (scheme.equals("https") || scheme.equals("http") && loopback(uri));
    }

    private static boolean loopback(URI uri) {
      String host = uri.getHost();
      return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]");
    }

    private static boolean plainPath(String p) {
      return p != null
          && p.startsWith("/")
          && !p.startsWith("//")
          && p.length() < 200
          && p.chars()
              .allMatch(c ->
                  c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '/' || c == '-' || c == '_')
          && !p.contains("//");
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalStateException(message);
      }
    }
  }
}
