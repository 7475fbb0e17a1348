package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.crypto.Opened;
import dev.portcullis.crypto.Purpose;
import dev.portcullis.crypto.Sealer;
import dev.portcullis.login.AuthCheck;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.ticket.TicketCheck;
import dev.portcullis.ticket.TicketEncoding;
import dev.portcullis.ticket.TicketVerifier;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Login, the auth-key cookie and logout through the real filter on a real Jetty, over HTTP. */
class LoginFlowTest {
  private LoginPortal portal;
  private String authName;
  private String sidName;

  @BeforeEach
  void start() throws Exception {
    portal = new LoginPortal();
    authName = LoginCookies.DEFAULT_AUTH_COOKIE;
    sidName = SessionConfig.defaults().cookie().name();
  }

  @AfterEach
  void stop() throws Exception {
    portal.close();
  }

  private static boolean isFailureFor(AuditEvent e, String reason) {
    return e.reason().orElse("").equals(reason);
  }

  @Test
  void login_succeeds_rotatesTheSessionId_andTheOldIdIsDead() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();
    assertThat(b.cookies()).as("the login page makes no session").doesNotContainKey(sidName);
    assertThat(b.get("/remember").body()).isEqualTo("remembered");
    String before = b.cookies().get(sidName);
    assertThat(before).as("a session made by the application before the login").isNotNull();
    HttpResponse<String> r = b.login("alice", "alice-pw", false);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).contains("/");
    String after = b.cookies().get(sidName);
    assertThat(after).isNotNull().isNotEqualTo(before);
    assertThat(b.cookies()).containsKey(authName);
    assertThat(b.whoami()).isEqualTo("u-alice");

    // The pre-login session id opens nothing, even together with the new auth cookie.
    Browser thief = portal.browser();
    thief.cookies().put(sidName, before);
    thief.cookies().put(authName, b.cookies().get(authName));
    assertThat(thief.whoami()).isEqualTo("anonymous");

    portal
        .flushedSink()
        .assertOnce(
            AuditEventType.AUTHN_LOGIN_SUCCESS,
            e -> e.actor().map(AuditEvent.Actor::userHandle).orElse("").equals("u-alice")
                && e.clientAddress().orElse("").equals("127.0.0.1"));
  }

  /**
   * Regression: only a logged-in user's pages said {@code Cache-Control: no-store}. A shared cache could keep the login
   * page (its form token bound to one browser's cookie) and a response that sets a session cookie, and hand the cookie
   * to every browser it served. A page that sets no cookie for an anonymous visitor is left to the application.
   */
  @Test
  void loginPage_andAnyResponseThatSetsACookie_areNotToBeStored() throws Exception {
    Browser b = portal.browser();
    HttpResponse<String> first = b.openLoginPage();
    assertThat(first.headers().allValues("Set-Cookie")).isNotEmpty();
    assertThat(first.headers().allValues("Cache-Control")).containsExactly("no-store");
    HttpResponse<String> again = b.openLoginPage();
    assertThat(again.headers().allValues("Set-Cookie")).as("the cookie is kept").isEmpty();
    assertThat(again.headers().allValues("Cache-Control"))
        .as("the page still shows this browser's token")
        .containsExactly("no-store");

    Browser visitor = portal.browser();
    HttpResponse<String> anonymous = visitor.get("/whoami");
    assertThat(anonymous.body()).isEqualTo("anonymous");
    assertThat(anonymous.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(anonymous.headers().allValues("Cache-Control")).isEmpty();
    HttpResponse<String> remembered = visitor.get("/remember");
    assertThat(remembered.headers().allValues("Set-Cookie"))
        .anySatisfy(c -> assertThat(c).startsWith(sidName + "="));
    assertThat(remembered.headers().allValues("Cache-Control")).containsExactly("no-store");
  }

  @Test
  void loginPage_makesNoSession_andItsTokenIsBoundToTheCookieCheckCookie() throws Exception {
    String ccName = LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE;
    Browser b = portal.browser();
    HttpResponse<String> page = b.openLoginPage();
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(b.cookies()).doesNotContainKey(sidName).containsKey(ccName);
    assertThat(b.cookies().get(ccName)).matches("[A-Za-z0-9_-]{43}");
    assertThat(b.csrf).isNotNull();
    portal.sessionStore.cleanUp();
    assertThat(portal.sessionStore.estimatedSize()).isZero();
    String firstValue = b.cookies().get(ccName);
    String firstToken = b.csrf;
    b.openLoginPage();
    assertThat(b.cookies().get(ccName))
        .as("a second login page keeps the cookie")
        .isEqualTo(firstValue);
    assertThat(b.csrf).as("and so the token").isEqualTo(firstToken);

    // Another browser's token does not fit this browser's cookie, nor this token another cookie.
    Browser other = portal.browser();
    other.openLoginPage();
    Map<String, String> form =
        Map.of("username", "alice", "password", "alice-pw", "_csrf", other.csrf);
    assertThat(b.post("/login", form).statusCode()).isEqualTo(403);
    Browser swapped = portal.browser();
    swapped.cookies().put(ccName, other.cookies().get(ccName));
    assertThat(swapped
            .post(
                "/login", Map.of("username", "alice", "password", "alice-pw", "_csrf", firstToken))
            .statusCode())
        .isEqualTo(403);
    assertThat(b.cookies()).doesNotContainKey(authName);

    // The page's own token logs in.
    HttpResponse<String> ok =
        b.post("/login", Map.of("username", "alice", "password", "alice-pw", "_csrf", firstToken));
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(ok.headers().firstValue("Location")).hasValue("/");
    assertThat(b.whoami()).isEqualTo("u-alice");
    assertThat(b.cookies()).containsKey(sidName);

    // Logged in, only the session's own token counts: the form token from before the login is
    // refused.
    assertThat(b.post("/action", Map.of("_csrf", firstToken)).statusCode()).isEqualTo(403);
    assertThat(b.post("/action", Map.of("_csrf", b.pageCsrf())).body()).isEqualTo("done");
    assertThat(portal.flushedSink().events())
        .filteredOn(e -> e.type().equals(AuditEventType.CSRF_FAIL))
        .hasSize(3);
  }

  @Test
  void login_expiresTheCookieCheckCookie_aFormOpenFromBeforeIsRefusedByCsrf_notAsBlockedCookies()
      throws Exception {
    String ccName = LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE;
    Browser b = portal.browser();
    b.openLoginPage();
    String otherTabsToken = b.csrf; // a second login form, open in another tab
    assertThat(b.login("alice", "wrong", false).statusCode()).isEqualTo(303);
    assertThat(b.cookies()).as("a refused login keeps it").containsKey(ccName);

    HttpResponse<String> ok = b.login("alice", "alice-pw", false);
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(ok.headers().allValues("Set-Cookie"))
        .anySatisfy(h -> assertThat(h).startsWith(ccName + "=; Max-Age=0; Path=/; Secure"));
    assertThat(b.cookies())
        .as("a logged-in browser holds the session and auth cookies only")
        .containsOnlyKeys(sidName, authName);
    assertThat(b.whoami()).isEqualTo("u-alice");

    HttpResponse<String> stale = b.post(
        "/login", Map.of("username", "alice", "password", "alice-pw", "_csrf", otherTabsToken));
    assertThat(stale.statusCode()).isEqualTo(403);
    assertThat(stale.body()).doesNotContain("blocking cookies");
    assertThat(b.whoami()).as("still logged in").isEqualTo("u-alice");

    // After the logout the login page sets a fresh one, and the next login works.
    assertThat(b.logout().statusCode()).isEqualTo(303);
    b.openLoginPage();
    assertThat(b.cookies().get(ccName)).matches("[A-Za-z0-9_-]{43}");
    assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
    assertThat(b.cookies()).doesNotContainKey(ccName);
    portal.flushedSink().assertOnce(AuditEventType.CSRF_FAIL);
  }

  @Test
  void anonymousStateChange_withTheLoginPagesToken_needsNoSession() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();
    assertThat(b.post("/action", Map.of("_csrf", b.csrf)).body()).isEqualTo("done");
    assertThat(b.post("/action", Map.of()).statusCode()).isEqualTo(403);
    assertThat(b.cookies()).doesNotContainKey(sidName);
  }

  @Test
  void returnTo_isHonouredOnlyWhenRelative() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();
    HttpResponse<String> ok = b.post(
        "/login",
        Map.of(
            "username",
            "alice",
            "password",
            "alice-pw",
            "_csrf",
            b.csrf,
            "returnTo",
            "/reports/riverside/7"));
    assertThat(ok.headers().firstValue("Location")).contains("/reports/riverside/7");
    // Where the same login goes without a returnTo: where every refused one must go.
    Browser plain = portal.browser();
    plain.openLoginPage();
    String afterLogin = plain
        .post("/login", Map.of("username", "bob", "password", "bob-pw", "_csrf", plain.csrf))
        .headers()
        .firstValue("Location")
        .orElseThrow();
    for (String evil : new String[] {
      "//evil.example/x",
      "https://evil.example/",
      "/\\evil.example",
      "javascript:x",
      "/ok\r\nSet-Cookie: x=y",
      // The browser would remove the dot segment and land on this site's path //evil.example.
      "/.//evil.example",
      "/a/%2e%2e//evil.example",
      "/%2F%2Fevil.example"
    }) {
      Browser c = portal.browser();
      c.openLoginPage();
      HttpResponse<String> r = c.post(
          "/login",
          Map.of("username", "bob", "password", "bob-pw", "_csrf", c.csrf, "returnTo", evil));
      assertThat(r.statusCode()).as(evil).isEqualTo(303);
      assertThat(r.headers().firstValue("Location")).as(evil).contains(afterLogin);
    }
  }

  @Test
  void wrongPasswordAndUnknownUser_failTheSameWay() throws Exception {
    Browser b = portal.browser();
    HttpResponse<String> wrong = b.login("alice", "nope", true);
    Browser c = portal.browser();
    HttpResponse<String> unknown = c.login("mallory", "nope", true);
    for (HttpResponse<String> r : java.util.List.of(wrong, unknown)) {
      assertThat(r.statusCode()).isEqualTo(303);
      assertThat(r.headers().firstValue("Location")).contains("/login?error=1");
    }
    assertThat(b.cookies()).doesNotContainKey(authName);
    assertThat(c.cookies()).doesNotContainKey(authName);
    var sink = portal.flushedSink();
    assertThat(sink.events())
        .filteredOn(e ->
            e.type().equals(AuditEventType.AUTHN_LOGIN_FAIL) && isFailureFor(e, "BAD_CREDENTIALS"))
        .hasSize(2);
  }

  @Test
  void incompleteDisabledAndUnacceptedTerms_areRefused_withTheReasonAudited() throws Exception {
    Map<String, String> cases =
        Map.of("dave", "MISSING_EMAIL", "eve", "DISABLED", "newbie", "TERMS_NOT_ACCEPTED");
    for (var c : cases.entrySet()) {
      Browser b = portal.browser();
      HttpResponse<String> r = b.login(c.getKey(), c.getKey() + "-pw", false);
      assertThat(r.headers().firstValue("Location")).as(c.getKey()).contains("/login?error=1");
      assertThat(b.cookies()).as(c.getKey()).doesNotContainKey(authName);
      assertThat(r.body()).doesNotContain(c.getValue());
    }
    var sink = portal.flushedSink();
    for (var c : cases.entrySet()) {
      sink.assertOnce(
          AuditEventType.AUTHN_LOGIN_FAIL,
          e -> isFailureFor(e, c.getValue())
              && e.actor().map(AuditEvent.Actor::userHandle).orElse("").equals("u-" + c.getKey()));
    }
  }

  @Test
  void acceptingTheTermsOnTheLoginForm_logsIn_andIsRecorded() throws Exception {
    Browser b = portal.browser();
    assertThat(b.login("newbie", "newbie-pw", true).statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-newbie");
    assertThat(portal.users.findByHandle("u-newbie").orElseThrow().acceptedTermsVersion())
        .isEqualTo(LoginPortal.TERMS);
    portal.flushedSink().assertOnce(AuditEventType.TERMS_ACCEPTED);
  }

  @Test
  void cookiesBlocked_getsAPlainMessage_notARedirectLoop() throws Exception {
    Browser b = portal.browser();
    b.blockCookies(true);
    HttpResponse<String> r = b.login("alice", "alice-pw", true);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Your browser is blocking cookies, so you cannot log in");
    assertThat(r.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void missingOrWrongCsrf_isRefused() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();
    HttpResponse<String> none =
        b.post("/login", Map.of("username", "alice", "password", "alice-pw"));
    assertThat(none.statusCode()).isEqualTo(403);
    HttpResponse<String> wrong = b.post(
        "/login", Map.of("username", "alice", "password", "alice-pw", "_csrf", "A".repeat(43)));
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(b.cookies()).doesNotContainKey(authName);

    // Any state-changing request of the application needs the token too.
    b.login("alice", "alice-pw", false);
    assertThat(b.post("/action", Map.of()).statusCode()).isEqualTo(403);
    assertThat(b.post("/action", Map.of("_csrf", b.pageCsrf())).body()).isEqualTo("done");
    assertThat(portal.flushedSink().events())
        .filteredOn(e -> e.type().equals(AuditEventType.CSRF_FAIL))
        .hasSize(3);
  }

  @Test
  void everySingleByteChangeOfTheAuthCookie_isAnonymous() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    String good = b.cookies().get(authName);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < good.length(); i++) {
      char c = good.charAt(i);
      char other = alphabet.charAt((alphabet.indexOf(c) + 1 + i % 63) % 64);
      b.cookies().put(authName, good.substring(0, i) + other + good.substring(i + 1));
      assertThat(b.whoami()).as("position %d", i).isEqualTo("anonymous");
      // A refused cookie is cleared in the browser; put the session back for the next round.
    }
    b.cookies().put(authName, good);
    // Same keep-alive connection as the tampered requests: the original must still be seen exactly.
    assertThat(b.whoami()).isEqualTo("u-alice");
    long tampered = portal.flushedSink().events().stream()
        .filter(e -> e.type().equals(AuditEventType.CRYPT_DECRYPT_FAIL))
        .count();
    // Each refusal is anonymous: the audit log writes the address's share (60 a minute) and counts
    // the rest as withheld.
    assertThat(tampered).isEqualTo(Math.min(60, good.length()));
    assertThat(tampered + portal.audit.stats().withheld()).isEqualTo(good.length());
  }

  @Test
  void authCookieWithAnotherSessionsId_isAnonymous() throws Exception {
    Browser alice = portal.browser();
    alice.login("alice", "alice-pw", false);
    Browser bob = portal.browser();
    bob.login("bob", "bob-pw", false);
    Browser mixed = portal.browser();
    mixed.cookies().put(sidName, bob.cookies().get(sidName));
    mixed.cookies().put(authName, alice.cookies().get(authName));
    assertThat(mixed.whoami()).isEqualTo("anonymous");
    portal
        .flushedSink()
        .assertOnce(
            AuditEventType.AUTHN_TOKEN_INVALID, e -> e.reason().orElse("").contains("not bound"));
  }

  @Test
  void aVersionTwoAuthCookie_fromBeforeAnUpgrade_staysLoggedIn_andRenewsAsTheCurrentVersion()
      throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    String session = b.cookies().get(sidName);
    // What an earlier release sealed for this login: the same ticket, its binding labelled (v2).
    Sealer sealer = Sealer.create(portal.ring, Purpose.AUTH_TICKET, new SecureRandom());
    AuthTicket current = TicketEncoding.decode(
            ((Opened.Ok) sealer.open(b.cookies().get(authName), authName)).plaintext())
        .orElseThrow();
    String v2 = sealer.seal(TicketEncoding.asVersion2(current, session), authName);
    b.cookies().put(authName, v2);
    assertThat(b.whoami()).isEqualTo("u-alice");

    // Bound to its own session only, as before.
    Browser bob = portal.browser();
    bob.login("bob", "bob-pw", false);
    Browser mixed = portal.browser();
    mixed.cookies().put(sidName, bob.cookies().get(sidName));
    mixed.cookies().put(authName, v2);
    assertThat(mixed.whoami()).isEqualTo("anonymous");

    // Past half-life it is renewed as a current ticket, still bound to the session.
    for (int i = 0; i < 12; i++) {
      portal.clock.advance(Duration.ofMinutes(20));
      assertThat(b.whoami()).isEqualTo("u-alice");
    }
    String renewed = b.cookies().get(authName);
    assertThat(renewed).isNotEqualTo(v2);
    byte[] plain = ((Opened.Ok) sealer.open(renewed, authName)).plaintext();
    assertThat(plain[0]).as("version byte of the renewed ticket").isEqualTo((byte) 3);
    assertThat(TicketEncoding.decode(plain).orElseThrow().isBoundTo(session)).isTrue();
  }

  @Test
  void afterLogout_replayingTheOldCookies_isAnonymous_thoughUnexpired() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    Map<String, String> saved = Map.copyOf(b.cookies());
    HttpResponse<String> out = b.logout();
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().firstValue("Clear-Site-Data")).contains("\"cookies\"");
    assertThat(b.cookies()).doesNotContainKeys(authName, sidName);

    Browser replay = portal.browser();
    replay.cookies().putAll(saved);
    assertThat(replay.whoami()).isEqualTo("anonymous");
    var sink = portal.flushedSink();
    sink.assertOnce(AuditEventType.LOGOUT);
  }

  /** A logout expires each Portcullis cookie once: one Set-Cookie a name, not the session cookie's expiry twice. */
  @Test
  void logout_expiresEachCookieOnce() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);

    HttpResponse<String> out = b.logout();

    assertThat(out.statusCode()).isEqualTo(303);
    List<String> names = out.headers().allValues("Set-Cookie").stream()
        .map(c -> c.substring(0, c.indexOf('=')))
        .toList();
    assertThat(names).contains(sidName, authName).doesNotHaveDuplicates();
    assertThat(out.headers().allValues("Set-Cookie"))
        .allSatisfy(c -> assertThat(c).contains("Max-Age=0"));
  }

  @Test
  void revokedTicket_withItsSessionStillAlive_isReuse() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    PortalLogin login = portal.login;
    // Revoke out of band (another node's logout); the session itself still exists.
    var check = login.check(List.of(b.cookies().get(authName)), b.cookies().get(sidName));
    AuthTicket ticket = ((AuthCheck.Authenticated) check).ticket();
    portal.revocations.revoke(ticket.ticketIdHex(), ticket.expiresAt());
    assertThat(b.whoami()).isEqualTo("anonymous");
    portal.flushedSink().assertOnce(AuditEventType.AUTHN_TOKEN_REUSE);
  }

  @Test
  void logoutEverywhere_endsTheOtherBrowsersToo() throws Exception {
    Browser one = portal.browser();
    one.login("alice", "alice-pw", false);
    Browser two = portal.browser();
    two.login("alice", "alice-pw", false);
    assertThat(two.whoami()).isEqualTo("u-alice");
    assertThat(one.post("/logout-everywhere", Map.of("_csrf", one.pageCsrf())).statusCode())
        .isEqualTo(303);
    assertThat(one.whoami()).isEqualTo("anonymous");
    assertThat(two.whoami()).isEqualTo("anonymous");
    portal.flushedSink().assertOnce(AuditEventType.SESSION_REVOKED);
  }

  @Test
  void organisationScope_aUserOfOneOrganisationGets403OnAnothers() throws Exception {
    Browser alice = portal.browser();
    alice.login("alice", "alice-pw", false);
    assertThat(alice.get("/reports/riverside/1").body()).isEqualTo("report 1 of riverside");
    assertThat(alice.get("/reports/hillview/2").statusCode()).isEqualTo(403);
    Browser carol = portal.browser();
    carol.login("carol", "carol-pw", false);
    assertThat(carol.get("/reports/hillview/2").statusCode()).isEqualTo(200);
  }

  @Test
  void everySetCookie_isSecureHttpOnlySameSitePathRoot_andAuthAndSessionAreSessionScoped()
      throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    b.logout();
    assertThat(b.setCookieHeaders()).isNotEmpty();
    for (String h : b.setCookieHeaders()) {
      assertThat(h)
          .as(h)
          .contains("; Secure", "; HttpOnly", "; SameSite=", "; Path=/")
          .doesNotContain("Domain=");
      boolean deletion = h.contains("Max-Age=0");
      if ((h.startsWith(authName + "=") || h.startsWith(sidName + "=")) && !deletion) {
        assertThat(h).as(h).doesNotContain("Max-Age").doesNotContain("Expires");
      }
    }
    String auth = b.setCookieHeaders().stream()
        .filter(h -> h.startsWith(authName + "=") && !h.contains("Max-Age=0"))
        .findFirst()
        .orElseThrow();
    String value = auth.substring(authName.length() + 1, auth.indexOf(';'));
    String decoded = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.ISO_8859_1);
    for (String secret : new String[] {"alice", "Alice", "riverside.example", "u-alice"}) {
      assertThat(value).doesNotContain(secret);
      assertThat(decoded).doesNotContain(secret);
    }
  }

  @Test
  void the101stFailureInAnHour_isRefusedEvenWithTheRightPassword() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();
    for (int i = 0; i < 100; i++) {
      b.post("/login", Map.of("username", "bob", "password", "wrong-" + i, "_csrf", b.csrf));
    }
    HttpResponse<String> r =
        b.post("/login", Map.of("username", "bob", "password", "bob-pw", "_csrf", b.csrf));
    assertThat(r.headers().firstValue("Location")).contains("/login?error=1");
    assertThat(b.cookies()).doesNotContainKey(authName);
    portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_LOCK);
    portal.clock.advance(Duration.ofHours(1).plusSeconds(1));
    b.openLoginPage(); // the old session has timed out meanwhile
    assertThat(b.post("/login", Map.of("username", "bob", "password", "bob-pw", "_csrf", b.csrf))
            .headers()
            .firstValue("Location"))
        .contains("/");
    assertThat(b.whoami()).isEqualTo("u-bob");
  }

  @Test
  void slidingRenewal_issuesANewCookiePastHalfLife_andTheUserStaysIn() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    String first = b.cookies().get(authName);
    // Active use keeps the session alive (idle timeout 30 min); the ticket lives 8 h and renews at
    // 4 h.
    for (int i = 0; i < 11; i++) {
      portal.clock.advance(Duration.ofMinutes(20));
      assertThat(b.whoami()).isEqualTo("u-alice");
    }
    assertThat(b.cookies().get(authName)).as("3 h 40 min: not renewed yet").isEqualTo(first);
    portal.clock.advance(Duration.ofMinutes(20));
    assertThat(b.whoami()).isEqualTo("u-alice");
    assertThat(b.cookies().get(authName)).as("4 h: renewed").isNotEqualTo(first);
    for (int i = 0; i < 15; i++) {
      portal.clock.advance(Duration.ofMinutes(20));
      assertThat(b.whoami())
          .as("renewed ticket still valid %d min after login", 260 + 20 * i)
          .isEqualTo("u-alice");
    }
    // Without renewal, the first cookie is dead by now.
    Browser old = portal.browser();
    old.cookies().putAll(b.cookies());
    old.cookies().put(authName, first);
    assertThat(old.whoami()).isEqualTo("anonymous");
  }

  /**
   * A logout with a ticket past half life revokes the ticket the browser presented (which a copy of the cookie would
   * carry), not only a renewal minted for the logout request, and sends no renewed cookie.
   */
  @Test
  void logoutPastHalfLife_revokesThePresentedTicket_andSendsNoRenewedCookie() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    for (int i = 0; i < 11; i++) {
      portal.clock.advance(Duration.ofMinutes(20));
      assertThat(b.whoami()).isEqualTo("u-alice");
    }
    String token = b.pageCsrf();
    String presented = b.cookies().get(authName);
    portal.clock.advance(Duration.ofMinutes(21)); // 4 h 1 min: past half life, not renewed yet

    HttpResponse<String> out = b.post("/logout", Map.of("_csrf", token));

    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().allValues("Set-Cookie"))
        .filteredOn(c -> c.startsWith(authName + "="))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c).startsWith(authName + "=;").contains("Max-Age=0"));
    AuthTicket ticket = ((TicketCheck.Valid)
            TicketVerifier.create(portal.ring, authName, portal.clock, new SecureRandom())
                .verify(presented))
        .ticket();
    assertThat(portal.revocations.isRevoked(
            ticket.ticketIdHex(), ticket.userHandle(), ticket.issuedAt()))
        .as("the presented ticket is revoked")
        .isTrue();
  }

  /**
   * A sibling host of the site can set the login cookies for the whole site when their names lack the {@code __Host-}
   * prefix (cookie tossing), and a narrower {@code Path} has them sent first. The request that carries such a copy
   * beside the user's own is refused; its answer must make the browser drop the tossed copies too, not only the
   * user's own, or the browser is left sending the tosser's cookies alone, logged in as the tosser.
   */
  @Test
  void tossedCopiesOfTheLoginCookies_areClearedWithTheUsersOwn_soTheTossersLoginIsNotLeftBehind()
      throws Exception {
    Browser victim = portal.browser();
    victim.login("alice", "alice-pw", false);
    Browser tosser = portal.browser();
    tosser.login("bob", "bob-pw", false);
    String tossedSid = sidName + "=" + tosser.cookies().get(sidName);
    String tossedAuth = authName + "=" + tosser.cookies().get(authName);
    String own = victim.cookieHeader();

    for (String sent : List.of(
        tossedSid + "; " + tossedAuth + "; " + own,
        tossedAuth + "; " + own,
        tossedSid + "; " + own,
        own + "; " + tossedSid + "; " + tossedAuth)) {
      HttpResponse<String> r = victim
          .client()
          .send(
              HttpRequest.newBuilder(victim.uri("/whoami"))
                  .header("Cookie", sent)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(r.body()).as(sent).isEqualTo("anonymous");
      assertThat(r.headers().allValues("Clear-Site-Data")).as(sent).containsExactly("\"cookies\"");
    }
    HttpResponse<String> alone = victim.get("/whoami");
    assertThat(alone.body()).startsWith("u-alice");
    assertThat(alone.headers().allValues("Clear-Site-Data"))
        .as("the user's own cookies, each once")
        .isEmpty();
  }

  /**
   * A request checked before a logout may renew the auth ticket, and its answer may reach the browser after the
   * logout's: the renewed cookie, bound to the session the logout ended, logs nobody in, with or without that
   * session's cookie.
   */
  @Test
  void ticketRenewedByARequestRacingTheLogout_logsNobodyInAfterIt() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    for (int i = 0; i < 11; i++) {
      portal.clock.advance(Duration.ofMinutes(20));
      assertThat(b.whoami()).isEqualTo("u-alice");
    }
    String token = b.pageCsrf();
    String sid = b.cookies().get(sidName);
    String before = b.cookieHeader();
    portal.clock.advance(Duration.ofMinutes(21)); // past half life: the next check renews
    HttpResponse<String> racing = b.client()
        .send(
            HttpRequest.newBuilder(b.uri("/whoami"))
                .header("Cookie", before)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String renewed = racing.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith(authName + "=") && !c.contains("Max-Age=0"))
        .map(c -> c.substring(authName.length() + 1, c.indexOf(';')))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no renewed auth cookie"));

    assertThat(b.post("/logout", Map.of("_csrf", token)).statusCode()).isEqualTo(303);

    Browser withoutSession = portal.browser();
    withoutSession.cookies().put(authName, renewed);
    assertThat(withoutSession.whoami()).isEqualTo("anonymous");
    Browser withTheEndedSession = portal.browser();
    withTheEndedSession.cookies().put(sidName, sid);
    withTheEndedSession.cookies().put(authName, renewed);
    assertThat(withTheEndedSession.whoami()).isEqualTo("anonymous");
  }

  @Test
  void newTermsVersion_sendsTheUserToTheTermsPage_untilAccepted() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    portal.users.recordTermsAcceptance("u-alice", "older");
    HttpResponse<String> r = b.get("/reports/riverside/1");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).contains("/terms");
    assertThat(b.get("/whoami").statusCode()).as("every other page is gated").isEqualTo(303);
    String termsPage = b.get("/terms").body();
    assertThat(termsPage).startsWith("terms page csrf=");
    String token = termsPage.substring("terms page csrf=".length());
    assertThat(b.post("/terms", Map.of("acceptTerms", "no", "_csrf", token)).body())
        .startsWith("terms page");
    assertThat(b.get("/reports/riverside/1").statusCode()).isEqualTo(303);
    r = b.post("/terms", Map.of("acceptTerms", "yes", "_csrf", token));
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(b.get("/reports/riverside/1").body()).isEqualTo("report 1 of riverside");
  }
}
