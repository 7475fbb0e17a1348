package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.cookie.CookieSpec;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ported (ASP.NET) profile over real HTTPS: the original cookie names, exactly the declared cookies through a
 * whole visit, and the privacy page generated from the same declarations.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortedProfileHttpTest {
  private static final String SESSION = PortalProfile.ASPNET_SESSION_COOKIE;
  private static final String AUTH = PortalProfile.ASPNET_AUTH_COOKIE;
  private static final Pattern ASPNET_ID = Pattern.compile("[a-z0-5]{24}");
  private static final Pattern COOKIE_ROW =
      Pattern.compile("<tr><th scope=\"row\"><code>(.*?)</code></th>(<td>.*?</td>){4}</tr>");

  RunningPortal portal;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    portal = new RunningPortal(dataDir, PortalProfile.ASPNET);
  }

  @AfterAll
  void stop() {
    portal.close();
  }

  private static String name(String setCookie) {
    return setCookie.substring(0, setCookie.indexOf('='));
  }

  /** Session-scoped, HttpOnly, Secure, SameSite=Lax, Path=/, host-only; or a removal of the cookie. */
  private static void assertAttributes(String setCookie) {
    assertThat(setCookie)
        .as(setCookie)
        .contains("; Path=/;", "; Secure", "; HttpOnly", "; SameSite=Lax")
        .doesNotContain("Domain=", "Expires=");
    if (setCookie.contains("Max-Age=")) {
      assertThat(setCookie).as("only a removal has a Max-Age").contains("=; Max-Age=0;");
    }
  }

  @Test
  void declaredCookies_areTheSessionIdAndTheAuthKey_allSessionScoped() {
    assertThat(portal.portal.cookies()).extracting(CookieSpec::name).containsExactly(SESSION, AUTH);
    assertThat(portal.portal.cookies()).allMatch(CookieSpec::sessionScoped);
    assertThat(portal.portal.cookies()).allMatch(c -> c.secure() && c.httpOnly());
  }

  @Test
  void loginPage_givesAnAspNetSessionId_only_andKeepsItOnTheNextVisit() throws Exception {
    PortalClient c = portal.client();
    HttpResponse<String> page = c.get("/login");
    assertThat(page.statusCode()).isEqualTo(200);
    List<String> set = page.headers().allValues("Set-Cookie");
    assertThat(set).extracting(PortedProfileHttpTest::name).containsExactly(SESSION);
    assertAttributes(set.get(0));
    String id = c.cookies().get(SESSION);
    assertThat(id).matches(ASPNET_ID);
    assertThat(c.lastCsrf).isNotNull();

    HttpResponse<String> stylesheet = c.get("/portal.css");
    HttpResponse<String> again = c.get("/login");
    assertThat(stylesheet.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(again.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(c.cookies()).containsOnlyKeys(SESSION).containsEntry(SESSION, id);
  }

  @Test
  void loginAndLogout_setExactlyTheDeclaredCookies_withTheirAttributes() throws Exception {
    PortalClient c = portal.client();
    HttpResponse<String> login = c.loginAs("alice");
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(login.headers().firstValue("Location")).hasValue("/reports");
    assertThat(c.cookies()).containsOnlyKeys(SESSION, AUTH);
    assertThat(c.cookies().get(SESSION)).matches(ASPNET_ID);
    assertThat(c.get("/reports").statusCode()).isEqualTo(200);

    HttpResponse<String> logout = c.logout();
    assertThat(logout.statusCode()).isEqualTo(303);
    assertThat(c.cookies()).doesNotContainKey(AUTH);
    c.get("/login");

    List<String> everySetCookie = c.setCookieHeaders();
    assertThat(everySetCookie)
        .extracting(PortedProfileHttpTest::name)
        .as("every cookie the visit ever set")
        .containsOnly(SESSION, AUTH)
        .contains(SESSION, AUTH);
    everySetCookie.forEach(PortedProfileHttpTest::assertAttributes);
  }

  /**
   * The ported names carry no {@code __Host-} prefix, so another host of the site can set them for the whole site
   * (cookie tossing), with a narrower path that has them sent first. A request with another user's session and auth
   * cookies beside the user's own is anonymous; its answer expires the user's own, and must make the browser drop
   * the other copies too, or the browser is left with the other user's login alone.
   */
  @Test
  void anotherUsersCookiesTossedBesideTheUsersOwn_areClearedWithThem() throws Exception {
    PortalClient victim = portal.client();
    victim.loginAs("alice");
    PortalClient tosser = portal.client();
    tosser.loginAs("bob");
    String tossed = SESSION + "=" + tosser.cookies().get(SESSION) + "; " + AUTH + "="
        + tosser.cookies().get(AUTH);

    HttpResponse<String> r = victim
        .client()
        .send(
            HttpRequest.newBuilder(victim.uri("/reports"))
                .header("Cookie", tossed + "; " + victim.cookieHeader())
                .timeout(PortalClient.REQUEST_TIMEOUT)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/login?returnTo=%2Freports");
    assertThat(r.headers().allValues("Clear-Site-Data")).containsExactly("\"cookies\"");
    assertThat(victim.get("/reports").statusCode())
        .as("the user's own cookies alone")
        .isEqualTo(200);
  }

  @Test
  void loginSendsTheBrowserToANewSessionId() throws Exception {
    PortalClient c = portal.client();
    c.get("/login");
    String before = c.cookies().get(SESSION);
    c.loginAs("bob");
    assertThat(c.cookies().get(SESSION)).matches(ASPNET_ID).isNotEqualTo(before);
  }

  @Test
  void browserThatBlocksCookies_getsThePlainMessage() throws Exception {
    PortalClient c = portal.client();
    c.blockCookies(true);
    HttpResponse<String> r = c.loginAs("alice");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Your browser is blocking cookies");
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
  }

  @Test
  void privacyPage_listsExactlyTheDeclaredCookies_andSaysHowManyAreRequired() throws Exception {
    String html = portal.client().get("/privacy").body();
    List<String> names = new ArrayList<>();
    Matcher m = COOKIE_ROW.matcher(html);
    while (m.find()) {
      names.add(m.group(1));
    }
    assertThat(names).containsExactly(SESSION, AUTH);
    assertThat(html)
        .contains("Two cookies are required for the operation of this site.")
        .contains(
            "<th scope=\"col\">Name</th><th scope=\"col\">Purpose</th><th scope=\"col\">Data stored</th>"
                + "<th scope=\"col\">Duration</th><th scope=\"col\">More information</th>")
        .contains("A generated session identifier")
        .contains("Records a successful login and your permission to use the secure area")
        .doesNotContain("__Host-");
  }

  @Test
  void ssoUpgradeCookie_ofThePortedProfile_isUserName_sessionScoped_andSecure() {
    CookieSpec sso = PortalProfile.ASPNET.ssoUpgradeCookie();
    assertThat(sso.name()).isEqualTo("user_name");
    assertThat(sso.sessionScoped()).isTrue();
    assertThat(sso.secure()).isTrue();
    assertThat(sso.httpOnly()).isTrue();
    assertThat(sso.domain()).isEmpty();
    assertThat(PortalProfile.STANDARD.ssoUpgradeCookie().name()).isEqualTo("__Host-portcullis-sso");
  }
}
