package dev.portcullis.sso;

import dev.portcullis.cookie.CookieSpec;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How the single-sign-on upgrade works: the upgrade cookie offered after a local login, its token lifetime, where
 * account links and redeemed tokens are kept, the portal's SSO endpoints and the OpenID Connect client settings.
 * Immutable; built with {@link #builder()}, which checks everything in {@link Builder#build()}.
 *
 * <p><b>Security.</b> The upgrade token lives at most {@link UpgradeTokens#MAX_LIFETIME}; the cookie is
 * session-scoped. The client secret is kept only for the token request: {@link #toString()} never shows it.
 */
public final class SsoConfig {
  /** The upgrade cookie's default name. */
  public static final String DEFAULT_COOKIE = "__Host-portcullis-sso";

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

  private SsoConfig(Builder b) {
    this.cookie = b.cookie;
    this.tokenLifetime = b.tokenLifetime;
    this.links = b.links;
    this.replay = b.replay;
    this.upgradePath = b.upgradePath;
    this.callbackPath = b.callbackPath;
    this.loginPath = b.loginPath;
    this.issuer = b.issuer;
    this.clientId = b.clientId;
    this.clientSecret = b.clientSecret;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The upgrade cookie's declaration. */
  public CookieSpec cookie() {
    return cookie;
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

  /** Where the provider sends the browser back (default {@code /sso/callback}). */
  public String callbackPath() {
    return callbackPath;
  }

  /** Where a browser starts a login through the provider (default {@code /sso/login}). */
  public String loginPath() {
    return loginPath;
  }

  /** The OpenID provider's issuer identifier. */
  public URI issuer() {
    return issuer;
  }

  public String clientId() {
    return clientId;
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
    return "SsoConfig[issuer=" + issuer + ", clientId=" + clientId + ", cookie=" + cookie.name() + "]";
  }

  /** Collects the settings; not thread-safe. */
  public static final class Builder {
    private CookieSpec cookie;
    private Duration tokenLifetime = UpgradeTokens.DEFAULT_LIFETIME;
    private AccountLinkStore links;
    private ReplayStore replay;
    private String upgradePath = "/sso/upgrade";
    private String callbackPath = "/sso/callback";
    private String loginPath = "/sso/login";
    private URI issuer;
    private String clientId;
    private String clientSecret;

    private Builder() {}

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

    public Builder callbackPath(String path) {
      this.callbackPath = path;
      return this;
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
     */
    public SsoConfig build() {
      require(links != null, "the account link store is required");
      require(replay != null, "the replay store is required: each upgrade token may be redeemed once");
      require(!tokenLifetime.isNegative() && !tokenLifetime.isZero()
          && tokenLifetime.compareTo(UpgradeTokens.MAX_LIFETIME) <= 0,
          "the upgrade token lifetime must be above zero and at most 10 minutes, got " + tokenLifetime);
      if (cookie == null) {
        cookie = CookieSpec.builder(DEFAULT_COOKIE)
            .purpose("Lets this browser link its portal account to a single sign-on account shortly after logging in")
            .dataStored("An encrypted, single-use upgrade token: an opaque account reference, a session binding and"
                + " an expiry time; no personal data")
            .duration("At most 10 minutes, or until you log out or close the browser")
            .build();
      }
      require(cookie.maxAge().isEmpty(), "the upgrade cookie must be session-scoped (no Max-Age)");
      require(plainPath(upgradePath) && plainPath(callbackPath) && plainPath(loginPath),
          "the SSO paths must be plain absolute paths such as /sso/upgrade");
      require(!upgradePath.equals(callbackPath) && !upgradePath.equals(loginPath) && !callbackPath.equals(loginPath),
          "the upgrade, callback and SSO login paths must differ");
      require(issuer != null, "the OpenID provider (issuer, client id, client secret) is required");
      String scheme = issuer.getScheme() == null ? "" : issuer.getScheme().toLowerCase(Locale.ROOT);
      require(issuer.isAbsolute() && issuer.getHost() != null && issuer.getRawQuery() == null
          && issuer.getRawFragment() == null && (scheme.equals("https") || scheme.equals("http") && loopback(issuer)),
          "the issuer must be an https URL without query or fragment (plain http only on loopback)");
      require(!clientId.isBlank(), "the client id must not be blank");
      require(!clientSecret.isBlank(), "the client secret must not be blank");
      return new SsoConfig(this);
    }

    private static boolean loopback(URI uri) {
      String host = uri.getHost();
      return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]");
    }

    private static boolean plainPath(String p) {
      return p != null && p.startsWith("/") && !p.startsWith("//") && p.length() < 200
          && p.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '/' || c == '-'
              || c == '_')
          && !p.contains("//");
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalStateException(message);
      }
    }
  }
}
