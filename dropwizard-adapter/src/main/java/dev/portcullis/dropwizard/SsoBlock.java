package dev.portcullis.dropwizard;

import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The {@code portcullis.sso} block turned into {@link SsoConfig}, with the Spring Boot starter's checks: the core
 * decides, and its refusals are repeated with the settings of the block they are about.
 *
 * <p><b>Security.</b> No message repeats the client secret; the core's own messages never name it either.
 */
final class SsoBlock {
  /** A class of {@code oauth2-oidc-sdk}, looked up to tell whether the library is on the class path. */
  static final String LIBRARY_CLASS = "com.nimbusds.openid.connect.sdk.Nonce";

  /**
   * Words of the core's refusals, and the settings of the block that hold what they are about, with the rule. The
   * first words that match name the setting; several may match one message.
   */
  private static final List<Map.Entry<String, String>> SETTINGS = List.of(
      Map.entry(
          "provider timeout",
          "portcullis.sso.provider-timeout is above zero and at most 60 seconds"),
      Map.entry(
          "wait on the OpenID provider",
          "portcullis.sso.max-concurrent-provider-calls is 1 to "
              + SsoConfig.MAX_CONCURRENT_PROVIDER_CALLS),
      Map.entry(
          "upgrade token lifetime",
          "portcullis.sso.token-lifetime is above zero and at most 10 minutes"),
      Map.entry(
          "the issuer",
          "portcullis.sso.issuer is an https URL (plain http only on loopback) without query or fragment"),
      Map.entry(
          "redirect URI",
          "portcullis.sso.redirect-uri is this portal's callback URL registered at the provider, an https URL"
              + " (plain http only on loopback) with a plain path and without query or fragment"),
      Map.entry(
          "callback path",
          "portcullis.sso.callback-path is the end of portcullis.sso.redirect-uri's path (what comes before is the"
              + " context path)"),
      Map.entry(
          "SSO paths",
          "portcullis.sso.upgrade-path, login-path, link-path and unlink-path are plain lower-case absolute paths"
              + " such as /sso/upgrade"),
      Map.entry(
          "paths must differ",
          "portcullis.sso.upgrade-path, login-path, link-path, unlink-path and the callback path differ"),
      Map.entry("pending link lifetime", "portcullis.sso.pending-link-lifetime is 1 to 10 minutes"),
      Map.entry("client id", "portcullis.sso.client-id is not blank"),
      Map.entry("client secret", "portcullis.sso.client-secret is not blank"),
      Map.entry(
          "scope",
          "portcullis.sso.scopes are OAuth scope tokens, include openid and do not repeat"),
      Map.entry(
          "trusted audiences",
          "portcullis.sso.trusted-audiences are not blank and other than portcullis.sso.client-id"),
      Map.entry("re-authentication", "portcullis.sso.link-reauthentication is 1 minute to 1 hour"),
      Map.entry("login age", "portcullis.sso.max-login-age is 1 minute to 1 hour"));

  private SsoBlock() {}

  /**
   * @throws IllegalStateException naming the artifact to add when {@code className} cannot be loaded
   */
  static void requireLibrary(String className, ClassLoader loader) {
    try {
      Class.forName(className, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "portcullis.sso is set but com.nimbusds:oauth2-oidc-sdk, which single sign-on needs, is not on the class"
              + " path. Add the dependency com.nimbusds:oauth2-oidc-sdk, or remove portcullis.sso (or set"
              + " portcullis.sso.enabled: false).",
          e);
    }
  }

  /**
   * The core's configuration from the block, keeping account links in {@code links} and redeemed tokens in
   * {@code replay}.
   *
   * @throws IllegalStateException when the core refuses a setting, with its reason and the settings to fix
   */
  static SsoConfig config(PortcullisFactory.Sso block, AccountLinkStore links, ReplayStore replay) {
    String cookieName = block.getCookieName();
    SsoConfig.Builder b;
    try {
      b = SsoConfig.builder()
          .links(links)
          .replay(replay)
          .provider(block.getIssuer(), block.getClientId(), block.clientSecretForConfig())
          .redirectUri(block.getRedirectUri());
      if (cookieName != null) {
        // The core's own declaration of the cookie (with its cookie-notice text), renamed.
        b.cookie(SsoConfig.defaultCookie(cookieName));
      }
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      throw new IllegalStateException(
          "portcullis.sso was refused: " + e.getMessage()
              + ". In the YAML: portcullis.sso.cookie-name is"
              + " a cookie name (an RFC 6265 token), portcullis.sso.issuer, client-id, client-secret and"
              + " redirect-uri are set.",
          e);
    }
    if (block.getScopes() != null) {
      b.scopes(block.getScopes());
    }
    if (block.getTokenLifetime() != null) {
      b.tokenLifetime(block.getTokenLifetime().toJavaDuration());
    }
    if (block.getUpgradePath() != null) {
      b.upgradePath(block.getUpgradePath());
    }
    if (block.getCallbackPath() != null) {
      b.callbackPath(block.getCallbackPath());
    }
    if (block.getLoginPath() != null) {
      b.loginPath(block.getLoginPath());
    }
    if (block.getLinkPath() != null) {
      b.linkPath(block.getLinkPath());
    }
    if (block.getUnlinkPath() != null) {
      b.unlinkPath(block.getUnlinkPath());
    }
    if (block.getPendingLinkLifetime() != null) {
      b.pendingLinkLifetime(block.getPendingLinkLifetime().toJavaDuration());
    }
    if (block.getKeepLinksOnLogoutEverywhere() != null) {
      b.keepLinksOnLogoutEverywhere(block.getKeepLinksOnLogoutEverywhere());
    }
    if (block.getTrustedAudiences() != null) {
      b.trustedAudiences(block.getTrustedAudiences().toArray(String[]::new));
    }
    if (block.getLinkReauthentication() != null) {
      b.linkReauthentication(block.getLinkReauthentication().toJavaDuration());
    }
    if (block.getMaxLoginAge() != null) {
      b.maxLoginAge(block.getMaxLoginAge().toJavaDuration());
    }
    if (block.getProviderTimeout() != null) {
      b.providerTimeout(block.getProviderTimeout().toJavaDuration());
    }
    if (block.getMaxConcurrentProviderCalls() != null) {
      b.maxConcurrentProviderCalls(block.getMaxConcurrentProviderCalls());
    }
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException(
          "portcullis.sso was refused: " + inYamlTerms(e.getMessage()), e);
    }
  }

  /** {@code refusal}, a message of the core's {@code SsoConfig.Builder}, followed by the settings it is about. */
  static String inYamlTerms(String refusal) {
    String message = String.valueOf(refusal);
    StringJoiner settings = new StringJoiner("; ", ". In the YAML: ", ".");
    settings.setEmptyValue(". Check the settings under portcullis.sso.");
    for (Map.Entry<String, String> setting : SETTINGS) {
      if (message.contains(setting.getKey())) {
        settings.add(setting.getValue());
      }
    }
    return message + settings;
  }
}
