package dev.portcullis.examples.portal;

import dev.portcullis.aspnet.WebConfig;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionIdFormat;
import dev.portcullis.sso.SsoConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which cookies the portal sets, by name and notice text: the library's defaults, or those of a portal ported from
 * ASP.NET WebForms, whose privacy page promises its users exactly its old cookies.
 *
 * <p>{@link #STANDARD}: {@code __Host-portcullis-sid}, {@code __Host-portcullis-auth} and the cookie-check cookie
 * {@code __Host-portcullis-cc} ({@code __Host-portcullis-sso} for the single-sign-on upgrade).
 *
 * <p>{@link #ASPNET}: {@code ASP.NET_SessionId} (24 characters of {@code a-z0-5}, 120 random bits, ASP.NET's format),
 * {@code validPSuser} for the auth-key cookie, and {@code user_name} for the single-sign-on upgrade cookie where single
 * sign-on is configured; no cookie-check cookie (the session cookie does the blocked-cookie check). These names cannot
 * carry the {@code __Host-} prefix; they keep its other promises: Secure, {@code Path=/}, no {@code Domain}, and all
 * end with the browser session.
 *
 * <p>With the old portal's web.config (the cut-over, {@link LegacyCutOver}), {@link #ASPNET} takes that portal's cookie
 * settings ({@code <forms>}, {@code <sessionState>}, {@code <httpCookies>}) through {@link WebConfig#sessions}, {@link
 * WebConfig#authCookie} and {@link WebConfig#ticketLifetime}: a stricter setting shows on the cookies, a weaker one is
 * named in a start-up WARN and not applied. {@link #STANDARD} keeps the library's {@code __Host-} cookies, which a
 * {@code <sessionState cookieName>} would rename, and says so in a WARN.
 */
enum PortalProfile {
  STANDARD("standard"),
  ASPNET("aspnet");

  static final String ASPNET_SESSION_COOKIE = "ASP.NET_SessionId";
  static final String ASPNET_AUTH_COOKIE = "validPSuser";
  static final String ASPNET_SSO_UPGRADE_COOKIE = "user_name";
  private static final Logger LOG = LoggerFactory.getLogger(PortalProfile.class);

  private final String optionName;

  PortalProfile(String optionName) {
    this.optionName = optionName;
  }

  /** The name {@code --profile} takes. */
  String optionName() {
    return optionName;
  }

  /** @throws IllegalArgumentException naming the profiles there are, when {@code name} is none of them */
  static PortalProfile named(String name) {
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    for (PortalProfile p : values()) {
      if (p.optionName.equals(wanted)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown profile '" + name + "': choose one of "
        + Arrays.stream(values()).map(PortalProfile::optionName).collect(Collectors.joining(", ")));
  }

  /**
   * The session settings of this profile over {@code sessions}: its session cookie and id format and, in the ported
   * profile, the old portal's settings of {@code oldPortal} where they are as strict or stricter.
   *
   * @param oldPortal the old portal's web.config, or null without the cut-over
   */
  SessionConfig sessions(SessionConfig.Builder sessions, WebConfig oldPortal) {
    if (this != ASPNET) {
      if (oldPortal != null) {
        LOG.warn(
            "The old portal's cookie settings in its web.config are not applied: the {} profile"
                + " keeps the library's __Host- cookies. Start with --profile {} to carry them over.",
            optionName,
            ASPNET.optionName);
      }
      return sessions.build();
    }
    SessionConfig declared = sessions
        .idFormat(SessionIdFormat.ASPNET)
        .cookie(CookieSpec.builder(ASPNET_SESSION_COOKIE)
            .purpose(
                "Recognises requests from your browser, so that your choices carry over from page to"
                    + " page; the login form checks with it that your browser accepts cookies")
            .dataStored("A generated session identifier; no personal data")
            .duration("Until you log out or close the browser")
            .build())
        .build();
    return oldPortal == null ? declared : oldPortal.sessions(declared);
  }

  /**
   * Sets the auth-key cookie, the ticket lifetime and the cookie check of this profile on {@code login}; in the ported
   * profile with the old portal's settings of {@code oldPortal} where they are as strict or stricter.
   *
   * @param ticketLifetime how long an auth ticket lives without the web.config
   * @param oldPortal the old portal's web.config, or null without the cut-over
   */
  PortalLogin.Builder login(
      PortalLogin.Builder login, Duration ticketLifetime, WebConfig oldPortal) {
    if (this != ASPNET) {
      return login.ticketLifetime(ticketLifetime);
    }
    CookieSpec authCookie = LoginCookies.defaultAuthCookie(ASPNET_AUTH_COOKIE).toBuilder()
        .purpose("Records a successful login and your permission to use the secure area")
        .dataStored(
            "An encrypted authentication key: an opaque account reference, times and a session binding;"
                + " no personal data")
        .build();
    if (oldPortal != null) {
      authCookie = oldPortal.authCookie(authCookie);
      ticketLifetime = oldPortal.ticketLifetime(ticketLifetime);
    }
    return login.authCookie(authCookie).ticketLifetime(ticketLifetime).cookieCheckBySessionCookie();
  }

  /**
   * The single-sign-on upgrade cookie of this profile, for {@link SsoConfig.Builder#cookie} where single sign-on is
   * configured: {@code user_name} in the ported profile.
   */
  CookieSpec ssoUpgradeCookie() {
    if (this == ASPNET) {
      return SsoConfig.defaultCookie(ASPNET_SSO_UPGRADE_COOKIE).toBuilder()
          .purpose(
              "Records a login that may upgrade your account to an external single sign-on account")
          .build();
    }
    return SsoConfig.defaultCookie(PortalSso.UPGRADE_COOKIE);
  }
}
