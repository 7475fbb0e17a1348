package dev.portcullis.login;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.ticket.SessionBinding;
import dev.portcullis.ticket.TicketCheck;
import dev.portcullis.ticket.TicketVerifier;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything about being logged in: the auth-key cookie, the login decision, the paths of the login, logout and
 * terms endpoints, and the check made on every request. The servlet filter translates; this decides.
 *
 * <p>The check on every request: the cookie opens under the key ring (purpose {@code auth-ticket}, bound to the
 * cookie name), has not expired, is bound to the request's session, is not revoked, and names a user who still
 * exists, is enabled and complete. Past half its lifetime a ticket is renewed.
 *
 * <p><b>Security.</b> Fails closed: a revocation store that cannot answer means anonymous. The cookie carries no
 * personal data. Nothing here logs a cookie value or session id.
 */
public final class PortalLogin {
  /** The default auth cookie: {@code __Host-portcullis-auth}, session-scoped. */
  public static final String DEFAULT_AUTH_COOKIE = "__Host-portcullis-auth";
  /** The default cookie-check cookie, set by the login page and required by the login POST. */
  public static final String DEFAULT_COOKIE_CHECK_COOKIE = "__Host-portcullis-cc";

  private final TicketVerifier tickets;
  private final UserDirectory users;
  private final RevocationStore revocations;
  private final LoginService loginService;
  private final InstantSource clock;
  private final CookieSpec authCookie;
  private final CookieSpec cookieCheckCookie;
  private final Duration ticketLifetime;
  private final String loginPath;
  private final String logoutPath;
  private final String logoutEverywherePath;
  private final String termsPath;
  private final String afterLoginPath;

  /**
   * The auth cookie the builder declares when none is given, named {@code name}: session-scoped, with its
   * cookie-notice text. An adapter that changes some attributes starts from this one.
   */
  public static CookieSpec defaultAuthCookie(String name) {
    return CookieSpec.builder(name)
        .purpose("Says that this browser is logged in; encrypted, so only the portal can read it")
        .dataStored("An encrypted authentication key: an opaque account reference, times and a session binding;"
            + " no personal data")
        .duration("Until you log out or close the browser")
        .build();
  }

  /** The cookie-check cookie the builder declares when none is given, named {@code name}. */
  public static CookieSpec defaultCookieCheckCookie(String name) {
    return CookieSpec.builder(name)
        .purpose("Checks that the browser accepts cookies before a login is attempted")
        .dataStored("The value 1")
        .duration("Until you close the browser")
        .build();
  }

  private PortalLogin(Builder b) {
    this.clock = b.clock;
    this.authCookie = b.authCookie;
    this.cookieCheckCookie = b.cookieCheckCookie;
    this.tickets = TicketVerifier.create(b.keyRing, authCookie.name(), b.clock, b.random);
    this.users = b.users;
    this.revocations = b.revocations;
    this.loginService = new LoginService(b.users, b.throttle != null ? b.throttle : LoginThrottle.builder(b.clock)
        .random(b.random).build(), b.termsVersion);
    this.ticketLifetime = b.ticketLifetime;
    this.loginPath = b.loginPath;
    this.logoutPath = b.logoutPath;
    this.logoutEverywherePath = b.logoutEverywherePath;
    this.termsPath = b.termsPath;
    this.afterLoginPath = b.afterLoginPath;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks a request's auth cookie.
   *
   * @param cookieValue the auth cookie, or null when the request had none
   * @param sessionId the raw id of the request's valid session, or null when it has none
   */
  public AuthCheck check(String cookieValue, String sessionId) {
    if (cookieValue == null) {
      return AuthCheck.Anonymous.noCookie();
    }
    TicketCheck result = tickets.verify(cookieValue);
    if (result instanceof TicketCheck.NotValid notValid) {
      return AuthCheck.Anonymous.refused("crypt_decrypt_fail", "auth cookie " + notValid.reason(), null);
    }
    if (result instanceof TicketCheck.Expired expired) {
      return AuthCheck.Anonymous.refused("session_expired", "auth ticket expired", expired.ticket().userHandle());
    }
    AuthTicket ticket = ((TicketCheck.Valid) result).ticket();
    String user = ticket.userHandle();
    if (sessionId == null || !ticket.isBoundTo(SessionBinding.of(sessionId))) {
      return AuthCheck.Anonymous.refused("authn_token_invalid", "auth ticket not bound to this session", user);
    }
    try {
      if (revocations.isRevoked(ticket.ticketIdHex(), user, ticket.issuedAt())) {
        return AuthCheck.Anonymous.refused("authn_token_reuse", "revoked auth ticket presented", user);
      }
    } catch (StoreUnavailableException e) {
      return AuthCheck.Anonymous.refused("authn_token_invalid", "revocation store unavailable", user);
    }
    Optional<PortalUser> found;
    try {
      found = users.findByHandle(user);
    } catch (RuntimeException e) {
      return AuthCheck.Anonymous.refused("authn_token_invalid", "user directory unavailable", user);
    }
    if (found.isEmpty()) {
      return AuthCheck.Anonymous.refused("authn_token_invalid", "user no longer exists", user);
    }
    LoginResult.Reason problem = LoginService.accountProblem(found.get());
    if (problem != null) {
      return AuthCheck.Anonymous.refused("authn_token_invalid", "account " + problem, user);
    }
    String renewed = null;
    if (ticket.isPastHalfLife(clock.instant())) {
      ticket = tickets.renew(ticket, sessionId);
      renewed = tickets.seal(ticket);
    }
    return new AuthCheck.Authenticated(found.get(), ticket, renewed);
  }

  /**
   * The account with {@code userHandle} if it may log in now (it exists, is enabled and has a name, an email and a
   * role); for logins that did not come through the password form, such as single sign-on. The terms are not checked
   * here: the terms gate asks for them after the login.
   *
   * @throws RuntimeException when the user directory cannot answer
   */
  public Optional<PortalUser> findLoginAccount(String userHandle) {
    return users.findByHandle(userHandle).filter(u -> LoginService.accountProblem(u) == null);
  }

  /** Decides a login attempt; see {@link LoginService#login}. */
  public LoginResult login(String username, char[] password, boolean acceptsTerms, String clientAddress) {
    return loginService.login(username, password, acceptsTerms, clientAddress);
  }

  /** A new ticket for a user who just logged in, bound to the session's new id; returns the cookie value. */
  public IssuedTicket issue(PortalUser user, String sessionId) {
    AuthTicket t = tickets.newTicket(user.handle(), user.organisation(), sessionId, ticketLifetime);
    return new IssuedTicket(t, tickets.seal(t));
  }

  /** A ticket and its cookie value. */
  public record IssuedTicket(AuthTicket ticket, String cookieValue) {
    @Override
    public String toString() {
      return "IssuedTicket[" + ticket + "]";
    }
  }

  /** Logout: the ticket opens nothing from now on, on every node sharing the revocation store. */
  public void revoke(AuthTicket ticket) {
    revocations.revoke(ticket.ticketIdHex(), ticket.expiresAt());
  }

  /** "Log out everywhere": every ticket the user holds now is revoked. */
  public void revokeAll(String userHandle) {
    revocations.revokeAllIssuedBefore(userHandle, clock.instant(), clock.instant().plus(ticketLifetime));
  }

  public boolean needsTerms(PortalUser user) {
    return loginService.needsTerms(user);
  }

  public PortalUser acceptTerms(PortalUser user) {
    return loginService.acceptTerms(user);
  }

  public String termsVersion() {
    return loginService.termsVersion();
  }

  public CookieSpec authCookie() {
    return authCookie;
  }

  public CookieSpec cookieCheckCookie() {
    return cookieCheckCookie;
  }

  public String loginPath() {
    return loginPath;
  }

  public String logoutPath() {
    return logoutPath;
  }

  public String logoutEverywherePath() {
    return logoutEverywherePath;
  }

  public String termsPath() {
    return termsPath;
  }

  public String afterLoginPath() {
    return afterLoginPath;
  }

  /**
   * Whether {@code target} is a safe place to send the browser after login: a relative path on this site. Anything
   * with a scheme, a host ({@code //evil}), a backslash or a control character is refused (no open redirects).
   */
  public static boolean isSafeRedirect(String target) {
    if (target == null || target.isEmpty() || target.length() > 1024 || target.charAt(0) != '/') {
      return false;
    }
    if (target.length() > 1 && (target.charAt(1) == '/' || target.charAt(1) == '\\')) {
      return false;
    }
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c < 0x21 || c >= 0x7f || c == '\\') {
        return false;
      }
    }
    return true;
  }

  public static final class Builder {
    private KeyRing keyRing;
    private UserDirectory users;
    private RevocationStore revocations;
    private LoginThrottle throttle;
    private InstantSource clock;
    private SecureRandom random;
    private String termsVersion;
    private CookieSpec authCookie;
    private CookieSpec cookieCheckCookie;
    private Duration ticketLifetime = Duration.ofHours(8);
    private String loginPath = "/login";
    private String logoutPath = "/logout";
    private String logoutEverywherePath = "/logout-everywhere";
    private String termsPath = "/terms";
    private String afterLoginPath = "/";

    private Builder() {}

    public Builder keyRing(KeyRing keyRing) {
      this.keyRing = keyRing;
      return this;
    }

    public Builder users(UserDirectory users) {
      this.users = users;
      return this;
    }

    public Builder revocations(RevocationStore revocations) {
      this.revocations = revocations;
      return this;
    }

    /**
     * Optional; by default 100 password checks per account and 1,000 per address per hour, in memory, with known
     * addresses kept 30 days (see {@link LoginThrottle}).
     */
    public Builder throttle(LoginThrottle throttle) {
      this.throttle = throttle;
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = clock;
      return this;
    }

    public Builder random(SecureRandom random) {
      this.random = random;
      return this;
    }

    /** The current terms-of-use version (required): logging in means accepting it. */
    public Builder termsVersion(String termsVersion) {
      this.termsVersion = termsVersion;
      return this;
    }

    /** The auth cookie; default {@code __Host-portcullis-auth}. Must be session-scoped. */
    public Builder authCookie(CookieSpec authCookie) {
      this.authCookie = authCookie;
      return this;
    }

    public Builder cookieCheckCookie(CookieSpec cookieCheckCookie) {
      this.cookieCheckCookie = cookieCheckCookie;
      return this;
    }

    /** How long a ticket lives before it must be renewed by use; default 8 hours. */
    public Builder ticketLifetime(Duration ticketLifetime) {
      this.ticketLifetime = ticketLifetime;
      return this;
    }

    public Builder loginPath(String path) {
      this.loginPath = path;
      return this;
    }

    public Builder logoutPath(String path) {
      this.logoutPath = path;
      return this;
    }

    public Builder logoutEverywherePath(String path) {
      this.logoutEverywherePath = path;
      return this;
    }

    public Builder termsPath(String path) {
      this.termsPath = path;
      return this;
    }

    /** Where a login without a (safe) return target goes; default {@code /}. */
    public Builder afterLoginPath(String path) {
      this.afterLoginPath = path;
      return this;
    }

    public PortalLogin build() {
      require(keyRing != null, "a key ring is required: Portcullis has no default key");
      require(users != null, "a user directory is required");
      require(revocations != null, "a revocation store is required (RevocationStore.inMemory(clock) on one node)");
      require(clock != null, "a clock is required");
      require(random != null, "a SecureRandom is required");
      require(termsVersion != null && !termsVersion.isBlank(), "the current terms-of-use version is required");
      require(ticketLifetime != null && !ticketLifetime.isNegative() && !ticketLifetime.isZero()
          && ticketLifetime.compareTo(Duration.ofDays(1)) <= 0, "the ticket lifetime must be between 1 ms and 1 day");
      for (String p : new String[] {loginPath, logoutPath, logoutEverywherePath, termsPath, afterLoginPath}) {
        require(isSafeRedirect(p), "endpoint paths must be relative paths such as /login, got '" + p + "'");
      }
      require(new java.util.HashSet<>(java.util.List.of(loginPath, logoutPath, logoutEverywherePath, termsPath))
          .size() == 4, "the login, logout, logout-everywhere and terms paths must differ");
      if (authCookie == null) {
        authCookie = defaultAuthCookie(DEFAULT_AUTH_COOKIE);
      }
      if (cookieCheckCookie == null) {
        cookieCheckCookie = defaultCookieCheckCookie(DEFAULT_COOKIE_CHECK_COOKIE);
      }
      require(authCookie.maxAge().isEmpty(), "the auth cookie must be session-scoped (no Max-Age)");
      require(!authCookie.name().equals(cookieCheckCookie.name()), "the auth and cookie-check cookies need two names");
      Objects.requireNonNull(authCookie);
      return new PortalLogin(this);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalStateException(message);
      }
    }
  }
}
