package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.cookie.CookieSpec;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single sign-on in the portal over HTTPS, without a browser: off by default, with no trace of it in cookies or pages;
 * with the development provider, the upgrade cookie after a password login, the forms that lead to the filter's SSO
 * endpoints, and a redirect URI on the portal's own HTTPS port.
 */
class PortalSsoHttpTest {
  private static boolean anySetCookieNamed(PortalClient client, String name) {
    return client.setCookieHeaders().stream().anyMatch(h -> h.startsWith(name + "="));
  }

  @Test
  void defaultStart_hasNoSingleSignOn_andNeverSetsTheUpgradeCookie(@TempDir Path dir)
      throws Exception {
    try (RunningPortal portal = new RunningPortal(dir)) {
      assertThat(portal.portal.sso().enabled()).isFalse();
      assertThat(portal.portal.cookies())
          .extracting(CookieSpec::name)
          .doesNotContain(PortalSso.UPGRADE_COOKIE)
          .noneMatch(name -> name.contains("sso"));

      PortalClient alice = portal.client();
      HttpResponse<String> loginPage = alice.get("/login");
      assertThat(loginPage.body())
          .doesNotContainIgnoringCase("single sign-on")
          .doesNotContain("/sso/");
      assertThat(alice.loginAs("alice").statusCode()).isEqualTo(303);
      for (String path : new String[] {"/", "/account", "/reports"}) {
        HttpResponse<String> page = alice.get(path);
        assertThat(page.statusCode()).as(path).isEqualTo(200);
        assertThat(page.body()).as(path).doesNotContainIgnoringCase("single sign-on");
      }
      HttpResponse<String> upgrade = alice.post("/sso/upgrade", Map.of("_csrf", alice.lastCsrf));
      assertThat(upgrade.statusCode()).as("no SSO endpoint").isNotEqualTo(303);
      assertThat(upgrade.headers().firstValue("Location")).isEmpty();
      alice.logout();
      alice.loginAs("alice");
      alice.logout();

      assertThat(alice.setCookieHeaders()).isNotEmpty();
      assertThat(anySetCookieNamed(alice, PortalSso.UPGRADE_COOKIE)).isFalse();
      // Names only: a random cookie value contains "sso" in some letter case once in a few
      // hundred cookies.
      assertThat(alice.setCookieHeaders())
          .noneMatch(h -> h.substring(0, Math.max(0, h.indexOf('=')))
              .toLowerCase(Locale.ROOT)
              .contains("sso"));
    }
  }

  @Test
  void developmentProvider_offersTheUpgrade_andSendsTheBrowserToIt(@TempDir Path dir)
      throws Exception {
    try (RunningPortal portal = new RunningPortal(dir, SsoOptions.DEV)) {
      PortalSso sso = portal.portal.sso();
      assertThat(sso.enabled()).isTrue();
      URI issuer = sso.developmentIssuer().orElseThrow();
      assertThat(issuer.getScheme()).isEqualTo("http");
      assertThat(issuer.getHost()).isIn("localhost", "127.0.0.1");
      assertThat(portal.portal.cookies())
          .extracting(CookieSpec::name)
          .contains(PortalSso.UPGRADE_COOKIE);
      assertThat(sso.config().orElseThrow().redirectUri())
          .isEqualTo(URI.create(
              "https://localhost:" + portal.portal.httpsPort() + PortalSso.CALLBACK_PATH));

      PortalClient alice = portal.client();
      assertThat(alice.get("/login").body())
          .contains("action=\"/sso/login\"", "Log in with single sign-on", "name=\"_csrf\"");
      HttpResponse<String> loggedIn = alice.loginAs("alice");
      assertThat(loggedIn.statusCode()).isEqualTo(303);
      assertThat(anySetCookieNamed(alice, PortalSso.UPGRADE_COOKIE))
          .as("upgrade cookie offered after a password login")
          .isTrue();
      assertThat(alice.get("/").body())
          .contains("Link your account to single sign-on", "action=\"/sso/upgrade\"");
      HttpResponse<String> account = alice.get("/account");
      assertThat(account.body())
          .contains("Link your account to single sign-on", "No single sign-on account is linked");
      assertThat(alice.get("/login").body())
          .as("no SSO login while logged in")
          .doesNotContain("action=\"/sso/login\"");

      HttpResponse<String> toProvider = alice.post("/sso/upgrade", Map.of("_csrf", alice.lastCsrf));
      assertThat(toProvider.statusCode()).isEqualTo(303);
      String location = toProvider.headers().firstValue("Location").orElseThrow();
      assertThat(location).startsWith(issuer + "/authorize?").contains("prompt=login");
      assertThat(query(location, "redirect_uri"))
          .isEqualTo("https://localhost:" + portal.portal.httpsPort() + "/sso/callback");
      assertThat(query(location, "client_id")).isEqualTo(DevelopmentProvider.CLIENT_ID);
    }
  }

  /**
   * The upgrade cookie lives as long as the browser. Alice, offered the upgrade here, links her account elsewhere (in
   * another browser, say): this browser's pages must stop offering it, and the stale cookie goes.
   */
  @Test
  void upgradeCookie_ofAnAccountLinkedSince_showsNoOffer_andIsExpired(@TempDir Path dir)
      throws Exception {
    try (RunningPortal portal = new RunningPortal(dir, SsoOptions.DEV)) {
      PortalSso sso = portal.portal.sso();
      PortalClient alice = portal.client();
      assertThat(alice.loginAs("alice").statusCode()).isEqualTo(303);
      assertThat(alice.get("/").body()).contains("Link your account to single sign-on");

      sso.config()
          .orElseThrow()
          .links()
          .link(sso.issuer().orElseThrow().toString(), "sub-alice", "u-1001");
      HttpResponse<String> home = alice.get("/");

      assertThat(home.statusCode()).isEqualTo(200);
      assertThat(home.body())
          .doesNotContain("Link your account to single sign-on")
          .doesNotContain("action=\"/sso/upgrade\"");
      assertThat(home.headers().allValues("Set-Cookie"))
          .filteredOn(h -> h.startsWith(PortalSso.UPGRADE_COOKIE + "="))
          .as("the stale upgrade cookie expired")
          .singleElement()
          .satisfies(h -> assertThat(h.toLowerCase(Locale.ROOT)).contains("max-age=0"));
      assertThat(alice.cookies()).doesNotContainKey(PortalSso.UPGRADE_COOKIE);
      HttpResponse<String> account = alice.get("/account");
      assertThat(account.body())
          .doesNotContain("Link your account to single sign-on")
          .contains("sub-alice", "action=\"/sso/unlink\"");
    }
  }

  @Test
  void aspnetProfile_namesTheUpgradeCookieUserName(@TempDir Path dir) throws Exception {
    PortalOptions options = new PortalOptions(0, 0, dir, PortalProfile.ASPNET, SsoOptions.DEV);
    try (RunningPortal portal = new RunningPortal(options, Map.of())) {
      assertThat(portal.portal.sso().config().orElseThrow().cookie().name())
          .isEqualTo(PortalProfile.ASPNET_SSO_UPGRADE_COOKIE)
          .isEqualTo("user_name");
      assertThat(portal.portal.cookies())
          .extracting(CookieSpec::name)
          .contains("user_name")
          .doesNotContain(PortalSso.UPGRADE_COOKIE);
      assertThat(portal.client().get("/privacy").body()).contains("user_name");

      PortalClient alice = portal.client();
      assertThat(alice.loginAs("alice").statusCode()).isEqualTo(303);
      assertThat(alice.setCookieHeaders())
          .filteredOn(h -> h.startsWith("user_name="))
          .as("upgrade cookie offered after a password login, under the profile's name")
          .singleElement()
          .satisfies(h -> assertThat(h.toLowerCase(Locale.ROOT))
              .contains("; secure", "; httponly", "; path=/")
              .doesNotContain("domain="));
      assertThat(anySetCookieNamed(alice, PortalSso.UPGRADE_COOKIE)).isFalse();
      assertThat(alice.get("/").body())
          .contains("Link your account to single sign-on", "action=\"/sso/upgrade\"");

      HttpResponse<String> toProvider = alice.post("/sso/upgrade", Map.of("_csrf", alice.lastCsrf));
      assertThat(toProvider.statusCode()).isEqualTo(303);
      assertThat(toProvider.headers().firstValue("Location").orElseThrow())
          .startsWith(portal.portal.sso().developmentIssuer().orElseThrow() + "/authorize?");
    }
  }

  private static String query(String url, String name) {
    for (String pair : URI.create(url).getRawQuery().split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
