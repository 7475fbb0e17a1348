package dev.portcullis.aspnet;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.user.PortalUser;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@link LegacyLogin} of a .NET Framework portal: its Forms Authentication cookie, opened with
 * {@link FormsAuthentication}, so that users logged in on the ASP.NET portal arrive logged in on the Java one.
 *
 * <p>From the old portal's web.config:
 *
 * <pre>{@code
 * WebConfig config;
 * try (InputStream in = Files.newInputStream(Path.of("/etc/portal/web.config"))) {
 *   config = WebConfig.read(in);
 * }
 * FormsAuthentication forms = FormsAuthentication.builder(config.machineKey())
 *     .legacyTicketCompatibility(config.legacyTicketCompatibility())
 *     .clock(clock).random(secureRandom).build();
 * LegacyLogin legacy = FormsAuthenticationLegacyLogin.builder(forms)
 *     .cookie(config.formsCookie())          // <forms name>, path and domain
 *     .users(legacyName -> accounts.findByLegacyName(legacyName))
 *     .sunset(Instant.parse("2027-04-01T00:00:00Z"))
 *     .build();
 * Portcullis.builder()
 *     // keyRing, users, termsVersion, ... as in the README's quick start
 *     .filter(f -> f.legacyLogin(legacy, ReplayStore.inMemory(clock), clock))
 *     .build();
 * }</pre>
 *
 * <p>The main README, "Porting an ASP.NET portal", has the whole set-up with the old portal's cookie names. The
 * Portcullis auth cookie needs a name other than this cookie's while the legacy login reads it.
 *
 * <p>Give {@link Builder#cookie(CookieSpec)} rather than {@link Builder#cookieName} whenever the old portal set its
 * cookie with a {@code path} or {@code domain} in {@code <forms>} ({@link WebConfig#formsCookie()} carries both):
 * the filter removes it with exactly those attributes, and a browser keeps a cookie whose removal names another
 * domain or path.
 *
 * <p><b>Security.</b> A cut-over tool with a sunset: once the sunset passes, the cookie is no longer read, only
 * removed. Until then, a cookie is accepted only if its MAC verifies under the machine key and it has not expired at
 * the clock of the given {@link FormsAuthentication}; refusals carry the reason for the audit log. The legacy
 * cryptography, even DES, 3DES, MD5 or SHA1 where the old portal used them, is only read: this class never writes a
 * legacy cookie, and the user leaves with a Portcullis ticket. Forms Authentication has no revocation; the filter upgrades each cookie once, and
 * refuses one issued before its user's logins were ended ("log out everywhere", {@code PortalLogin.revokeAll}; the
 * ticket's {@code issueDate} is reported for that), but a stolen cookie not yet used by its owner can otherwise be
 * upgraded until it expires or the sunset passes: keep the sunset close. The user mapping
 * receives the name from an authentic ticket and must not log it.
 */
public final class FormsAuthenticationLegacyLogin implements LegacyLogin {
  /** The cookie name ASP.NET uses when {@code <forms name>} is absent. */
  public static final String DEFAULT_COOKIE_NAME = ".ASPXAUTH";

  private final FormsAuthentication forms;
  private final CookieSpec cookie;
  private final Function<String, Optional<PortalUser>> users;
  private final Instant sunset;

  private FormsAuthenticationLegacyLogin(Builder b) {
    this.forms = b.forms;
    this.cookie = b.cookie;
    this.users = b.users;
    this.sunset = b.sunset;
  }

  /** Starts an adapter over {@code forms}; {@link Builder#users} and {@link Builder#sunset} are required. */
  public static Builder builder(FormsAuthentication forms) {
    return new Builder(forms);
  }

  @Override
  public CookieSpec cookie() {
    return cookie;
  }

  @Override
  public Instant sunset() {
    return sunset;
  }

  @Override
  public Result open(String cookieValue) {
    TicketResult opened;
    try {
      opened = forms.open(cookieValue);
    } catch (RuntimeException e) {
      return new Result.NotValid("legacy cookie unreadable: " + e.getClass().getSimpleName());
    }
    if (opened instanceof TicketResult.Valid valid) {
      String name = valid.ticket().name();
      if (name.isBlank()) {
        return new Result.NotValid("legacy ticket without a user name");
      }
      return new Result.Valid(
          name,
          cookieId(cookieValue),
          valid.ticket().expiration(),
          valid.ticket().issueDate());
    }
    if (opened instanceof TicketResult.Expired expired) {
      return new Result.Expired(expired.ticket().name());
    }
    return new Result.NotValid("legacy cookie " + ((TicketResult.NotValid) opened).reason());
  }

  /** SHA-256 of the cookie's bytes: hex digits in either case name the same cookie. */
  private static String cookieId(String cookieValue) {
    byte[] bytes = HexFormat.of().parseHex(cookieValue);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public Optional<PortalUser> findUser(String legacyName) {
    Optional<PortalUser> found = users.apply(legacyName);
    return found == null ? Optional.empty() : found;
  }

  @Override
  public String toString() {
    return "FormsAuthenticationLegacyLogin[" + cookie.name() + ", sunset=" + sunset + "]";
  }

  /** Collects the adapter's parts; {@link #build()} checks them. Not thread-safe. */
  public static final class Builder {
    private final FormsAuthentication forms;
    private CookieSpec cookie;
    private Function<String, Optional<PortalUser>> users;
    private Instant sunset;

    private Builder(FormsAuthentication forms) {
      this.forms = Objects.requireNonNull(forms, "forms");
    }

    /**
     * The cookie's name, as in {@code <forms name>}; default
     * {@value FormsAuthenticationLegacyLogin#DEFAULT_COOKIE_NAME}. Declared with {@code Path=/}, no domain, Secure
     * and HttpOnly: for a web.config, {@link #cookie}{@code (webConfig.formsCookie())} keeps its path and domain too.
     */
    public Builder cookieName(String name) {
      this.cookie = declaration(Objects.requireNonNull(name, "name")).build();
      return this;
    }

    /**
     * The full declaration, for a cookie the old portal set with another path or a domain: {@link
     * WebConfig#formsCookie()}.
     */
    public Builder cookie(CookieSpec cookie) {
      this.cookie = Objects.requireNonNull(cookie, "cookie");
      return this;
    }

    /** Maps the ticket's user name to the portal account; empty (or null) when there is none. Required. */
    public Builder users(Function<String, Optional<PortalUser>> users) {
      this.users = Objects.requireNonNull(users, "users");
      return this;
    }

    /** When the upgrade ends. Required: a legacy login without an end date is not offered. */
    public Builder sunset(Instant sunset) {
      this.sunset = Objects.requireNonNull(sunset, "sunset");
      return this;
    }

    /** @throws IllegalStateException if the user mapping or the sunset is missing */
    public FormsAuthenticationLegacyLogin build() {
      if (users == null) {
        throw new IllegalStateException(
            "a user mapping is required: which portal account is a legacy user name?");
      }
      if (sunset == null) {
        throw new IllegalStateException(
            "a sunset is required: the legacy login must end on a known date");
      }
      if (cookie == null) {
        cookie = declaration(DEFAULT_COOKIE_NAME).build();
      }
      return new FormsAuthenticationLegacyLogin(this);
    }
  }

  /** The declaration of the old login cookie {@code name}, with the notice text; path and domain as given later. */
  static CookieSpec.Builder declaration(String name) {
    return CookieSpec.builder(name)
        .purpose(
            "Kept you logged in on the previous version of this portal; removed on your first visit")
        .dataStored("An encrypted login ticket of the previous portal")
        .duration("Removed on your first visit");
  }
}
