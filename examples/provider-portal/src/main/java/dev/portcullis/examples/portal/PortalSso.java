package dev.portcullis.examples.portal;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.SsoConfig;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * The portal's single sign-on: the filter's SSO configuration (the upgrade offered after a password login, the link
 * through the provider and its confirmation, SSO login, unlink) and the parts of pages that lead to those endpoints.
 * The filter answers every {@code /sso/...} request itself, including the link confirmation page; the portal's pages
 * only show the forms that post there.
 *
 * <p>Off unless {@link SsoOptions} turns it on: then nothing here adds a cookie, a path or a word to any page.
 *
 * <p><b>Security.</b> Every form posts with the page's CSRF token; the redirect URI is {@code https} on the portal's
 * own name and port, never taken from a request. Account links and the single-use marks of upgrade tokens and provider
 * answers are kept where the sessions are ({@link PortalStores}): in memory, which a restart forgets, or in the
 * database that every node shares, so that an identity unlinked on one node is unlinked on all.
 */
final class PortalSso implements AutoCloseable {
  /**
   * The SSO-upgrade cookie's name in the standard profile ({@link PortalProfile#ssoUpgradeCookie()} names it for each
   * profile). The filter declares, sets and clears the cookie under the profile's name; pages ask
   * {@link #upgradeOffered} rather than naming it again.
   */
  static final String UPGRADE_COOKIE = SsoConfig.DEFAULT_COOKIE;
  /** Where the provider sends the browser back; the redirect URI is this path on the portal's HTTPS address. */
  static final String CALLBACK_PATH = "/sso/callback";

  static final PortalSso OFF = new PortalSso(null, null);

  private final SsoConfig config;
  private final DevelopmentProvider developmentProvider;

  private PortalSso(SsoConfig config, DevelopmentProvider developmentProvider) {
    this.config = config;
    this.developmentProvider = developmentProvider;
  }

  /**
   * Sets single sign-on up as {@code options} say, starting the development provider for {@code dev}.
   *
   * @param dataDir the portal's data folder, where the development provider's login page goes
   * @param upgradeCookie the upgrade cookie, named by the portal's profile
   * @param portalHttps the portal's HTTPS address, such as {@code https://localhost:8443}: the redirect URI is
   *     {@link #CALLBACK_PATH} there
   * @param stores where the account links and the single-use marks are kept: beside the sessions, so that nodes
   *     sharing a database also share them
   * @throws IllegalStateException when the settings do not make a valid SSO configuration
   */
  static PortalSso start(
      SsoOptions options,
      Path dataDir,
      CookieSpec upgradeCookie,
      URI portalHttps,
      PortalStores stores,
      InstantSource clock)
      throws IOException, InterruptedException {
    if (!options.enabled()) {
      return OFF;
    }
    DevelopmentProvider provider =
        options.mode() == SsoOptions.Mode.DEV ? DevelopmentProvider.start(dataDir, clock) : null;
    try {
      SsoConfig.Builder b = SsoConfig.builder()
          .cookie(upgradeCookie)
          .links(stores.links())
          .replay(stores.replay(clock))
          .redirectUri(portalHttps.resolve(CALLBACK_PATH))
          .scopes("openid", "email", "profile");
      if (provider != null) {
        b.provider(
            provider.issuer(), DevelopmentProvider.CLIENT_ID, DevelopmentProvider.CLIENT_SECRET);
      } else {
        b.provider(options.issuer(), options.clientId(), options.clientSecret());
      }
      return new PortalSso(b.build(), provider);
    } catch (RuntimeException e) {
      if (provider != null) {
        provider.close();
      }
      throw e;
    }
  }

  /** Adds single sign-on to the filter, when it is on. */
  PortcullisFilter.Builder addTo(
      PortcullisFilter.Builder filter, KeyRing keys, InstantSource clock) {
    return config == null ? filter : filter.sso(config, keys, clock);
  }

  boolean enabled() {
    return config != null;
  }

  /** The development provider's issuer, when {@code --sso dev} started one. */
  Optional<URI> developmentIssuer() {
    return Optional.ofNullable(developmentProvider).map(DevelopmentProvider::issuer);
  }

  /** The provider's issuer, when single sign-on is on. */
  Optional<URI> issuer() {
    return Optional.ofNullable(config).map(SsoConfig::issuer);
  }

  /** The filter's SSO configuration, when single sign-on is on. */
  Optional<SsoConfig> config() {
    return Optional.ofNullable(config);
  }

  /**
   * Whether to offer this logged-in browser the upgrade, as the filter decides it: the browser holds the upgrade cookie
   * set after a password login, and the account has no linked identity, even if one was linked in another browser
   * since. The cookie is opaque here; the filter checks it when the upgrade form is posted.
   */
  boolean upgradeOffered(HttpServletRequest request) {
    return config != null && PortcullisFilter.ssoUpgradeOffered(request);
  }

  /**
   * The "link your account to single sign-on" offer, or nothing when the browser has no offer. The form's answer
   * redirects to the provider, so the page's {@code form-action} policy names the provider's origin.
   */
  String offer(HttpServletRequest request) {
    if (!upgradeOffered(request)) {
      return "";
    }
    allowFormsToProvider(request);
    return "<section class=\"offer\" aria-labelledby=\"sso-offer\">\n"
        + "<h2 id=\"sso-offer\">Link your account to single sign-on</h2>\n"
        + "<p>You logged in with your password. Link your portal account to your single sign-on account,"
        + " and next time log in with single sign-on instead. The single sign-on provider asks you to sign in,"
        + " then this portal asks you to confirm the link.</p>\n"
        + "<form method=\"post\" action=\"" + Html.escape(config.upgradePath()) + "\">"
        + Html.csrfField(request)
        + "<button type=\"submit\">Link your account to single sign-on</button></form>\n"
        + "</section>\n";
  }

  /**
   * The login page's "log in with single sign-on" form; nothing when single sign-on is off or someone is logged in
   * (the filter refuses an SSO login then).
   */
  String loginForm(HttpServletRequest request) {
    if (config == null || Html.principal(request) != null) {
      return "";
    }
    allowFormsToProvider(request);
    return "<section class=\"aside\" aria-labelledby=\"sso-login\">\n"
        + "<h2 id=\"sso-login\">Single sign-on</h2>\n"
        + "<p>If you have linked your account to single sign-on, log in with it instead of a password.</p>\n"
        + "<form method=\"post\" action=\"" + Html.escape(config.loginPath())
        + "\" class=\"sso-login\">" + Html.csrfField(request)
        + "<button type=\"submit\">Log in with single sign-on</button></form>\n"
        + "</section>\n";
  }

  /**
   * The account page's single sign-on section: the offer when there is one, and each linked identity with a form to
   * unlink it; nothing when single sign-on is off.
   */
  String accountSection(HttpServletRequest request) {
    PortalPrincipal principal = Html.principal(request);
    if (config == null || principal == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(1024)
        .append("<h2 id=\"sso\">Single sign-on</h2>\n")
        .append(offer(request));
    List<AccountLinkStore.LinkedIdentity> links = config.links().linksOf(principal.getName());
    if (links.isEmpty()) {
      b.append("<p>No single sign-on account is linked to your portal account.");
      if (!upgradeOffered(request)) {
        b.append(" After you log in with your password, the portal offers to link one.");
      }
      b.append("</p>\n");
      return b.toString();
    }
    b.append(
            "<p>These single sign-on accounts can log you in. \"Log out everywhere\" also unlinks them.</p>\n")
        .append("<table class=\"links\">\n<thead><tr><th scope=\"col\">Account</th>")
        .append(
            "<th scope=\"col\">Provider</th><th scope=\"col\">Remove</th></tr></thead>\n<tbody>\n");
    for (AccountLinkStore.LinkedIdentity link : links) {
      b.append("<tr><td class=\"subject\">")
          .append(Html.escape(link.subject()))
          .append("</td><td>")
          .append(Html.escape(link.issuer()))
          .append("</td><td><form method=\"post\" action=\"")
          .append(Html.escape(config.unlinkPath()))
          .append("\" class=\"unlink\">")
          .append(Html.csrfField(request))
          .append("<input type=\"hidden\" name=\"issuer\" value=\"")
          .append(Html.escape(link.issuer()))
          .append("\"><input type=\"hidden\" name=\"subject\" value=\"")
          .append(Html.escape(link.subject()))
          // Where to come back to after the unlink, or after logging in again when the login is
          // too old to unlink.
          .append("\"><input type=\"hidden\" name=\"returnTo\" value=\"/account\">")
          .append("<button type=\"submit\">Unlink</button></form></td></tr>\n");
    }
    return b.append("</tbody>\n</table>\n").toString();
  }

  /**
   * Lets this page's forms lead to the provider: its origin, where the authorization endpoint is expected (as at the
   * development provider and the usual providers), joins the page's {@code form-action} policy.
   */
  private void allowFormsToProvider(HttpServletRequest request) {
    URI issuer = config.issuer();
    String origin = issuer.getScheme() + "://" + issuer.getRawAuthority();
    request.setAttribute(Html.FORM_TARGET_ATTRIBUTE, origin);
  }

  /** Stops the development provider, if one was started. */
  @Override
  public void close() {
    if (developmentProvider != null) {
      developmentProvider.close();
    }
  }
}
