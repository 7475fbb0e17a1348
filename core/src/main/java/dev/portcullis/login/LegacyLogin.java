package dev.portcullis.login;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.user.PortalUser;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A login cookie of the portal Portcullis replaces (for example ASP.NET's {@code .ASPXAUTH}), read once to move its
 * holder onto a Portcullis login during a cut-over. The servlet filter enables the upgrade with
 * {@code PortcullisFilter.builder().legacyLogin(...)}; without it no legacy cookie is ever read.
 *
 * <p>An implementation declares the cookie, opens a cookie value, maps the legacy user name to a portal account and
 * names the sunset: the instant from which the upgrade is off and the cookie is only removed. The filter decides the
 * rest: account rules, session rotation, the Portcullis ticket, the terms gate and the audit events.
 *
 * <p><b>Security.</b> A legacy cookie is a bearer credential without revocation: anyone holding it until it expires
 * can present it. The upgrade therefore ends at {@link #sunset()}, upgrades each cookie only once, refuses a cookie
 * issued at or before a cut-off of its user's logins ("log out everywhere", {@link PortalLogin#revokeAll}), applies
 * Portcullis's own account rules to the mapped user, and has the browser drop the legacy cookie once it was read. Implementations must verify the cookie's
 * integrity before they report it {@link Result.Valid}, must never throw for any cookie value, and must not log the
 * value or the user name.
 */
public interface LegacyLogin {

  /**
   * The legacy cookie with the name, path and domain it was set with, so that the filter can remove it exactly
   * ({@code Max-Age=0}). Portcullis never gives it a value.
   */
  CookieSpec cookie();

  /** From this instant on the upgrade is off: the legacy cookie is ignored and removed. */
  Instant sunset();

  /**
   * Opens a legacy cookie value at the implementation's clock.
   *
   * @param cookieValue the value as the browser sent it; never null
   * @return {@link Result.Valid}, {@link Result.Expired} or {@link Result.NotValid}; never throws
   */
  Result open(String cookieValue);

  /**
   * The portal account behind a legacy user name, as found in a valid cookie; empty when there is none. Return
   * disabled or incomplete accounts too: the filter refuses them with the reason in the audit log.
   */
  Optional<PortalUser> findUser(String legacyName);

  /**
   * What {@link #open} found. Only {@link Valid} may log anyone in; the reasons are for the audit log, never the
   * client. The user name stays out of {@code toString()}.
   */
  sealed interface Result permits Result.Valid, Result.Expired, Result.NotValid {

    /**
     * An authentic, unexpired cookie.
     *
     * @param legacyName the user name the old portal wrote into it
     * @param cookieId the same for every encoding of this one cookie (for example upper- and lower-case hex), and
     *     different for any other cookie: the filter upgrades each cookie once
     * @param expiresAt when the cookie itself expires
     * @param issuedAt when the old portal issued the cookie: a cookie issued at or before a cut-off of its user's
     *     logins ("log out everywhere", {@link PortalLogin#revokeAll}) logs nobody in; {@link Instant#EPOCH} when the
     *     cookie does not say, so that any cut-off of the user refuses it
     */
    record Valid(String legacyName, String cookieId, Instant expiresAt, Instant issuedAt)
        implements Result {
      public Valid {
        Objects.requireNonNull(legacyName, "legacyName");
        Objects.requireNonNull(cookieId, "cookieId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(issuedAt, "issuedAt");
        if (cookieId.isEmpty() || cookieId.length() > 128) {
          throw new IllegalArgumentException("a legacy cookie id has 1 to 128 characters");
        }
      }

      /**
       * A cookie that does not say when it was issued: any cut-off of its user's logins refuses it ({@code issuedAt}
       * is {@link Instant#EPOCH}).
       */
      public Valid(String legacyName, String cookieId, Instant expiresAt) {
        this(legacyName, cookieId, expiresAt, Instant.EPOCH);
      }

      @Override
      public String toString() {
        return "Valid[legacy name withheld]";
      }
    }

    /** An authentic cookie whose time has passed; it says who it was for, for the audit log only. */
    record Expired(String legacyName) implements Result {
      public Expired {
        Objects.requireNonNull(legacyName, "legacyName");
      }

      @Override
      public String toString() {
        return "Expired[legacy name withheld]";
      }
    }

    /** No usable cookie: altered, forged, made with another key, malformed. */
    record NotValid(String reason) implements Result {
      public NotValid {
        Objects.requireNonNull(reason, "reason");
      }
    }
  }
}
