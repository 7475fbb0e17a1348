package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LoginCookies;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The portal over real HTTPS with a plain HTTP client: everything that needs no rendering. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalHttpTest {
  private static final Pattern COOKIE_ROW =
      Pattern.compile("<tr><th scope=\"row\"><code>(.*?)</code></th><td>(.*?)"
          + "</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>");

  Path dataDir;
  RunningPortal portal;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    this.dataDir = dataDir;
    portal = new RunningPortal(dataDir);
  }

  @AfterAll
  void stop() throws Exception {
    portal.close();
  }

  private static String location(HttpResponse<?> r) {
    return r.headers().firstValue("Location").orElse("");
  }

  @Test
  void plainHttpGet_isRedirectedToTheSamePathOnHttps_atTheCanonicalHost_uncached()
      throws Exception {
    HttpResponse<String> r = portal.client().plainHttp("GET", "/reports/101?view=full");
    assertThat(r.statusCode()).isEqualTo(308);
    assertThat(location(r))
        .isEqualTo("https://localhost:" + portal.portal.httpsPort() + "/reports/101?view=full");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void plainHttpGet_withAForgedHostHeader_isNeverRedirectedToTheForgedHost() throws Exception {
    RawHttp.Response r = RawHttp.plain(
        portal.portal.httpPort(),
        "GET / HTTP/1.1\r\nHost: evil.example\r\n" + "Connection: close\r\n\r\n");
    assertThat(r.status()).isEqualTo(308);
    assertThat(r.header("location"))
        .isEqualTo("https://localhost:" + portal.portal.httpsPort() + "/")
        .doesNotContain("evil");
    assertThat(r.header("cache-control")).isEqualTo("no-store");
  }

  @Test
  void plainHttpPost_isRefusedAndNotRedirected() throws Exception {
    HttpResponse<String> r = portal.client().plainHttp("POST", "/login");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Location")).isEmpty();
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
  }

  /**
   * A request line naming an https URL (an absolute-form target, which Jetty reports as {@code isSecure()}) over the
   * plain-HTTP port is still plain HTTP: the login page is redirected, the login form is refused (no cookies, nobody
   * logged in), and a logged-in user's report is redirected rather than served.
   */
  @Test
  void plainHttp_withARequestLineNamingAnHttpsUrl_isRedirectedOrRefused_neverServed()
      throws Exception {
    PortalClient alice = portal.client();
    alice.get("/login");
    String form = "username=alice&password=alice-demo-pass&acceptTerms=yes&_csrf=" + alice.lastCsrf;
    String https = "https://localhost:" + portal.portal.httpsPort();

    RawHttp.Response loginPage = RawHttp.plain(
        portal.portal.httpPort(),
        "GET https://localhost/login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    RawHttp.Response loginPost = RawHttp.plain(
        portal.portal.httpPort(),
        "POST https://localhost/login HTTP/1.1\r\nHost: localhost\r\n"
            + "Cookie: " + alice.cookieHeader() + "\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: " + form.length() + "\r\nConnection: close\r\n\r\n" + form);

    assertThat(loginPage.status()).isEqualTo(308);
    assertThat(loginPage.header("location")).isEqualTo(https + "/login");
    assertThat(loginPage.body()).doesNotContain("password");
    assertThat(loginPost.status()).isEqualTo(403);
    assertThat(loginPost.header("set-cookie")).isNull();
    assertThat(loginPost.header("location")).isNull();

    assertThat(alice.loginAs("alice").statusCode())
        .as("the same login over HTTPS")
        .isEqualTo(303);
    assertThat(alice.get("/reports/101").statusCode()).isEqualTo(200);
    RawHttp.Response report = RawHttp.plain(
        portal.portal.httpPort(),
        "GET https://localhost/reports/101 HTTP/1.1\r\nHost: localhost\r\n" + "Cookie: "
            + alice.cookieHeader() + "\r\nConnection: close\r\n\r\n");
    assertThat(report.status()).isEqualTo(308);
    assertThat(report.header("location")).isEqualTo(https + "/reports/101");
    assertThat(report.body()).doesNotContain("101");
  }

  @Test
  void anonymousRequestForAProtectedPage_isSentToLoginWithReturnTo() throws Exception {
    PortalClient c = portal.client();
    for (String page : List.of("/reports", "/reports/101", "/account")) {
      HttpResponse<String> r = c.get(page);
      assertThat(r.statusCode()).as(page).isEqualTo(303);
      assertThat(location(r)).as(page).isEqualTo("/login?returnTo=" + page.replace("/", "%2F"));
    }
  }

  @Test
  void publicPages_needNoLogin() throws Exception {
    PortalClient c = portal.client();
    for (String page :
        List.of("/", "/login", "/privacy", "/cookies.json", "/search?q=home", "/terms")) {
      assertThat(c.get(page).statusCode()).as(page).isEqualTo(200);
    }
  }

  @Test
  void unknownPage_is404WithoutEchoingThePath() throws Exception {
    HttpResponse<String> r = portal.client().get("/no-such-page-xyz");
    // Anonymous: the access rules ask for a login before saying whether a page exists.
    assertThat(r.statusCode()).isEqualTo(303);
    PortalClient alice = portal.client();
    alice.loginAs("alice");
    HttpResponse<String> found = alice.get("/no-such-page-xyz");
    assertThat(found.statusCode()).isEqualTo(404);
    assertThat(found.body()).doesNotContain("no-such-page-xyz");
  }

  @Test
  void loginPage_offersTheFormWithCsrfTermsAndReturnTo() throws Exception {
    PortalClient c = portal.client();
    HttpResponse<String> r = c.get("/login?returnTo=%2Freports%2F102");
    String body = r.body();
    assertThat(body)
        .contains(
            "<form method=\"post\" action=\"/login\"",
            "<label for=\"username\">",
            "name=\"username\"",
            "<label for=\"password\">",
            "name=\"password\" type=\"password\"",
            "name=\"acceptTerms\" type=\"checkbox\" value=\"yes\"",
            "<label for=\"acceptTerms\">",
            "href=\"/terms\"",
            "name=\"returnTo\" value=\"/reports/102\"");
    assertThat(c.lastCsrf).hasSize(43);
    assertThat(c.cookies()).containsKey("__Host-portcullis-cc");
    assertThat(body).doesNotContain("could not be logged in");
  }

  @Test
  void loginPage_dropsAReturnToThatLeavesTheSite() throws Exception {
    String body = portal.client().get("/login?returnTo=%2F%2Fevil.example%2F").body();
    assertThat(body).doesNotContain("name=\"returnTo\"").doesNotContain("evil.example");
  }

  @Test
  void login_goesToTheReturnToPage() throws Exception {
    PortalClient c = portal.client();
    c.get("/login");
    HttpResponse<String> r = c.post(
        "/login",
        Map.of(
            "username",
            "alice",
            "password",
            "alice-demo-pass",
            "acceptTerms",
            "yes",
            "_csrf",
            c.lastCsrf,
            "returnTo",
            "/reports/102"));
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(location(r)).isEqualTo("/reports/102");
    assertThat(c.get("/reports/102").statusCode()).isEqualTo(200);
  }

  @Test
  void login_withoutReturnTo_goesToTheReports() throws Exception {
    HttpResponse<String> r = portal.client().loginAs("bob");
    assertThat(location(r)).isEqualTo("/reports");
  }

  @Test
  void dave_withoutAnEmailAddress_isRefusedAtLogin() throws Exception {
    PortalClient c = portal.client();
    HttpResponse<String> r = c.loginAs("dave");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(location(r)).isEqualTo("/login?error=1");
    assertThat(c.cookies()).doesNotContainKey("__Host-portcullis-auth");
    assertThat(c.get("/login?error=1").body())
        .contains("role=\"alert\"", "You could not be logged in");
    assertThat(c.get("/reports").statusCode()).isEqualTo(303);
  }

  @Test
  void firstLogin_withoutAcceptingTheTerms_isRefused_andOnceAcceptedTheyNeedNoSecondTick(
      @TempDir Path own) throws Exception {
    // A portal of its own: the other tests' logins have accepted the terms for their users already.
    try (RunningPortal fresh = new RunningPortal(own)) {
      PortalClient c = fresh.client();
      assertThat(location(c.login("alice", "alice-demo-pass", false))).isEqualTo("/login?error=1");
      assertThat(c.cookies()).doesNotContainKey("__Host-portcullis-auth");
      assertThat(location(c.login("alice", "alice-demo-pass", true))).isEqualTo("/reports");
      assertThat(location(fresh.client().login("alice", "alice-demo-pass", false)))
          .isEqualTo("/reports");
    }
  }

  @Test
  void login_withAWrongPassword_isRefused() throws Exception {
    PortalClient c = portal.client();
    assertThat(location(c.login("alice", "bob-demo-pass", true))).isEqualTo("/login?error=1");
    assertThat(c.cookies()).doesNotContainKey("__Host-portcullis-auth");
  }

  @Test
  void loginPost_withoutTheCookieCheckCookie_saysTheBrowserBlocksCookies() throws Exception {
    PortalClient c = portal.client();
    c.get("/login");
    String csrf = c.lastCsrf;
    c.cookies().clear();
    HttpResponse<String> r = c.post(
        "/login",
        Map.of(
            "username",
            "alice",
            "password",
            "alice-demo-pass",
            "acceptTerms",
            "yes",
            "_csrf",
            csrf));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("blocking cookies");
    assertThat(c.cookies()).doesNotContainKey("__Host-portcullis-auth");
  }

  @Test
  void provider_seesOnlyTheirOwnOrganisationsReports() throws Exception {
    PortalClient alice = portal.client();
    alice.loginAs("alice");
    String body = alice.get("/reports").body();
    assertThat(body)
        .contains("href=\"/reports/101\"", "href=\"/reports/102\"", "href=\"/reports/103\"")
        .doesNotContain("/reports/201", "/reports/202", "/reports/203", "Hillview Homes</td>");
  }

  @Test
  void councilOfficer_seesEveryOrganisationsReports() throws Exception {
    PortalClient carol = portal.client();
    carol.loginAs("carol");
    assertThat(carol.get("/reports").body())
        .contains("/reports/101", "/reports/103", "/reports/201", "/reports/203");
    assertThat(carol.get("/reports/201").statusCode()).isEqualTo(200);
    assertThat(carol.get("/reports/102").statusCode()).isEqualTo(200);
  }

  @Test
  void report_isShownInItsOwnOrganisation_andAnotherOrganisationsIsAnsweredExactlyLikeAMissingOne()
      throws Exception {
    PortalClient alice = portal.client();
    alice.loginAs("alice");
    HttpResponse<String> own = alice.get("/reports/101");
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.body()).contains("<h1>Annual quality review</h1>", "Riverside Care");
    HttpResponse<String> other = alice.get("/reports/201");
    HttpResponse<String> missing = alice.get("/reports/999");
    // Enumerating ids must not tell another organisation's reports from unused ids: same status,
    // same page.
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(other.body())
        .isEqualTo(missing.body())
        .doesNotContain("fluid intake", "another organisation");
    assertThat(alice.get("/reports/abc").statusCode()).isEqualTo(404);

    PortalClient bob = portal.client();
    bob.loginAs("bob");
    assertThat(bob.get("/reports/101").statusCode()).isEqualTo(404);
    assertThat(bob.get("/reports/201").statusCode()).isEqualTo(200);
  }

  @Test
  void account_showsWhoYouAreAndBothLogoutForms() throws Exception {
    PortalClient carol = portal.client();
    carol.loginAs("carol");
    String body = carol.get("/account").body();
    assertThat(body)
        .contains(
            "Carol Clark",
            "carol@westmoor.example",
            "Westmoor Council",
            "COUNCIL_OFFICER",
            "action=\"/logout\"",
            "action=\"/logout-everywhere\"",
            "name=\"_csrf\"");
  }

  @Test
  void logout_expiresEveryDeclaredCookie_andTheSessionEnds() throws Exception {
    PortalClient alice = portal.client();
    alice.loginAs("alice");
    assertThat(alice.cookies()).containsKeys("__Host-portcullis-sid", "__Host-portcullis-auth");
    Map<String, String> before = Map.copyOf(alice.cookies());
    int seen = alice.setCookieHeaders().size();
    HttpResponse<String> r = alice.logout();
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(location(r)).isEqualTo("/login");
    assertThat(r.headers().firstValue("Clear-Site-Data")).hasValue("\"cookies\"");
    List<String> expired =
        alice.setCookieHeaders().subList(seen, alice.setCookieHeaders().size()).stream()
            .filter(h -> h.contains("Max-Age=0"))
            .map(h -> h.substring(0, h.indexOf('=')))
            .toList();
    assertThat(expired)
        .containsAll(portal.portal.cookies().stream().map(CookieSpec::name).toList());
    assertThat(alice.cookies()).isEmpty();
    // The old cookies, replayed, open nothing.
    alice.cookies().putAll(before);
    assertThat(alice.get("/reports").statusCode()).isEqualTo(303);
  }

  @Test
  void logoutEverywhere_endsTheUsersOtherSessions() throws Exception {
    PortalClient first = portal.client();
    PortalClient second = portal.client();
    first.loginAs("bob");
    second.loginAs("bob");
    first.get("/account");
    assertThat(first.post("/logout-everywhere", Map.of("_csrf", first.lastCsrf)).statusCode())
        .isEqualTo(303);
    assertThat(second.get("/reports").statusCode()).isEqualTo(303);
  }

  @Test
  void search_findsServices_andEscapesWhatWasTyped() throws Exception {
    PortalClient c = portal.client();
    String found = c.get("/search?q=home+care").body();
    assertThat(found).contains("Riverside Home Care").doesNotContain("Westmoor Day Centre");
    String hostile = c.get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22").body();
    assertThat(hostile)
        .doesNotContain("<script>")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;");
  }

  @Test
  void htmlPages_forbidScriptsAndCaching() throws Exception {
    HttpResponse<String> r = portal.client().get("/login");
    assertThat(r.headers().firstValue("Content-Security-Policy"))
        .hasValue(Html.CONTENT_SECURITY_POLICY);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.body()).doesNotContain("<script");
  }

  @Test
  void privacyPage_cookieTable_isGeneratedFromTheDeclarations_ofEveryCookieTheFilterSets()
      throws Exception {
    PortalClient c = portal.client();
    c.loginAs("alice");
    Set<String> actuallySet = new LinkedHashSet<>();
    c.setCookieHeaders().forEach(h -> actuallySet.add(h.substring(0, h.indexOf('='))));

    Matcher m = COOKIE_ROW.matcher(c.get("/privacy").body());
    List<String> rows = new ArrayList<>();
    while (m.find()) {
      CookieSpec spec = portal.portal.cookies().stream()
          .filter(s -> Html.escape(s.name()).equals(m.group(1)))
          .findFirst()
          .orElseThrow(() -> new AssertionError("row for an undeclared cookie " + m.group(1)));
      assertThat(m.group(2)).isEqualTo(Html.escape(spec.purpose()));
      assertThat(m.group(3)).isEqualTo(Html.escape(spec.dataStored()));
      assertThat(m.group(4)).isEqualTo(Html.escape(spec.duration()));
      assertThat(m.group(5)).isEqualTo(Html.escape(CookieNotice.moreInformation(spec)));
      rows.add(m.group(1));
    }
    assertThat(rows)
        .containsExactlyElementsOf(
            portal.portal.cookies().stream().map(CookieSpec::name).toList());
    assertThat(rows).containsAll(actuallySet);
  }

  @Test
  void cookiesJson_listsTheSameDeclarationsAsThePrivacyPage() throws Exception {
    HttpResponse<String> r = portal.client().get("/cookies.json");
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode cookies = new ObjectMapper().readTree(r.body()).get("cookies");
    List<CookieSpec> specs = portal.portal.cookies();
    assertThat(cookies.size()).isEqualTo(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      CookieSpec s = specs.get(i);
      JsonNode j = cookies.get(i);
      assertThat(j.get("name").asText()).isEqualTo(s.name());
      assertThat(j.get("purpose").asText()).isEqualTo(s.purpose());
      assertThat(j.get("dataStored").asText()).isEqualTo(s.dataStored());
      assertThat(j.get("duration").asText()).isEqualTo(s.duration());
      assertThat(j.get("moreInformation").asText()).isEqualTo(CookieNotice.moreInformation(s));
      assertThat(j.get("secure").asBoolean()).isEqualTo(s.secure());
      assertThat(j.get("httpOnly").asBoolean()).isEqualTo(s.httpOnly());
      assertThat(j.get("sameSite").asText()).isEqualTo(s.sameSite().attributeValue());
      assertThat(j.get("path").asText()).isEqualTo(s.path());
      assertThat(j.get("domain").isNull()).isEqualTo(s.domain().isEmpty());
      assertThat(j.get("sessionScoped").asBoolean()).isEqualTo(s.sessionScoped());
    }
  }

  @Test
  void cookiesSetByThePortal_carryTheDeclaredAttributes() throws Exception {
    PortalClient c = portal.client();
    c.loginAs("alice");
    assertThat(c.setCookieHeaders()).isNotEmpty();
    for (String header : c.setCookieHeaders()) {
      String name = header.substring(0, header.indexOf('='));
      CookieSpec spec = portal.portal.cookies().stream()
          .filter(s -> s.name().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("undeclared cookie " + name));
      assertThat(header)
          .contains(
              "; Path=/",
              "; Secure",
              "; HttpOnly",
              "; SameSite=" + spec.sameSite().attributeValue())
          .doesNotContain("Domain=", "Expires");
      if (header.startsWith(name + "=;")) {
        // A removal: the login removes the cookie-check cookie the login page set.
        assertThat(name).isEqualTo(LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE);
        assertThat(header).startsWith(name + "=; Max-Age=0;");
      } else {
        assertThat(header).doesNotContain("Max-Age");
      }
    }
  }
}
