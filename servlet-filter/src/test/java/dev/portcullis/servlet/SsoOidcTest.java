package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Linking and logging in through an OpenID provider (mock-oauth2-server on loopback) with the real filter on Jetty. */
class SsoOidcTest {
  private static final String SSO = SsoConfig.DEFAULT_COOKIE;
  private static final String CLIENT = "portal";
  private static final String SECRET = "a-client-secret-of-more-than-32-bytes";
  private final AccountLinkStore links = AccountLinkStore.inMemory();
  private final HttpClient provider =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  /** An ID token the provider's token endpoint answers with once, instead of its own. */
  private final AtomicReference<String> forgedIdToken = new AtomicReference<>();
  /** The form bodies of every token request the provider received. */
  private final List<String> tokenRequests = new java.util.concurrent.CopyOnWriteArrayList<>();

  private MockOAuth2Server server;
  private String issuer;
  private LoginPortal portal;

  @BeforeEach
  void start() throws Exception {
    server = new MockOAuth2Server(new ForgedTokenRoute());
    server.start(InetAddress.getLoopbackAddress(), 0);
    issuer = server.issuerUrl("default").toString();
    // The provider signs with the real time; the portal's clock starts there and moves only when a
    // test moves it.
    portal = new LoginPortal((p, filter) -> {
      p.clock.set(Instant.ofEpochMilli(System.currentTimeMillis()));
      filter.sso(
          SsoConfig.builder()
              .links(links)
              .replay(ReplayStore.inMemory(p.clock))
              .provider(URI.create(issuer), CLIENT, SECRET)
              .redirectUri(URI.create(p.base + "/sso/callback"))
              .scopes("openid", "profile")
              .build(),
          p.ring,
          p.clock);
    });
  }

  @AfterEach
  void stop() throws Exception {
    portal.close();
    server.shutdown();
  }

  /** Who signs in at the provider's login page when an account link asks for it (prompt=login). */
  private volatile String reauthenticatingSubject = "sub-alice";

  private void providerSignsIn(String subject, List<String> audience, Map<String, Object> claims) {
    reauthenticatingSubject = subject;
    server.enqueueCallback(
        new DefaultOAuth2TokenCallback("default", subject, "JWT", audience, claims, 3600));
  }

  /** Follows the portal's redirect to the provider and the provider's back to the portal's callback. */
  private HttpResponse<String> viaProvider(Browser b, HttpResponse<String> toProvider)
      throws Exception {
    assertThat(toProvider.statusCode()).isEqualTo(303);
    String location = toProvider.headers().firstValue("Location").orElseThrow();
    assertThat(location)
        .startsWith(issuer + "/authorize?")
        .contains("code_challenge_method=S256")
        .contains("state=")
        .contains("nonce=")
        .doesNotContain(SECRET);
    return b.get(callbackFrom(location));
  }

  private String callbackFrom(String authorizeUrl) throws Exception {
    HttpResponse<String> back = provider.send(
        HttpRequest.newBuilder(URI.create(authorizeUrl)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (SsoPortal.queryParameter(authorizeUrl, "prompt") != null) {
      back = ProviderLogin.signIn(provider, authorizeUrl, back, reauthenticatingSubject);
    }
    assertThat(back.statusCode()).isEqualTo(302);
    URI callback = URI.create(back.headers().firstValue("Location").orElseThrow());
    assertThat(callback.getPath()).isEqualTo("/sso/callback");
    return callback.getRawPath() + "?" + callback.getRawQuery();
  }

  private HttpResponse<String> upgrade(Browser b) throws Exception {
    return b.post("/sso/upgrade", Map.of("_csrf", b.pageCsrf()));
  }

  private Browser linkedAlice() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    providerSignsIn("sub-alice", List.of(CLIENT), Map.of());
    assertThat(b.answerLinkPage(viaProvider(b, upgrade(b)), "confirm").statusCode())
        .isEqualTo(303);
    return b;
  }

  private List<AuditEvent> events(AuditEventType type) throws Exception {
    return portal.flushedSink().events().stream()
        .filter(e -> e.type().equals(type))
        .toList();
  }

  @Test
  void upgrade_linksTheProviderIdentity_andDeletesTheUpgradeCookie() throws Exception {
    Browser b = linkedAlice();
    assertThat(links.userFor(issuer, "sub-alice")).contains("u-alice");
    assertThat(b.cookies()).doesNotContainKey(SSO);
    assertThat(b.whoami()).isEqualTo("u-alice");
    AuditEvent link = portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(link.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
    assertThat(link.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
  }

  @Test
  void ssoLoginOfLinkedIdentity_logsInTheLinkedUser_withANewSession() throws Exception {
    linkedAlice();
    Browser b = portal.browser();
    HttpResponse<String> toProvider = b.startSsoLogin();
    String sessionBefore = b.cookies().get(SessionConfig.defaults().cookie().name());
    providerSignsIn("sub-alice", List.of(CLIENT), Map.of());
    HttpResponse<String> done = viaProvider(b, toProvider);
    assertThat(done.statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
    assertThat(b.cookies().get(SessionConfig.defaults().cookie().name()))
        .isNotNull()
        .isNotEqualTo(sessionBefore);
    assertThat(events(AuditEventType.AUTHN_LOGIN_SUCCESS))
        .anyMatch(e -> e.action().equals(java.util.Optional.of("sso_login")));
    assertThat(b.cookies()).doesNotContainKey(SSO);
  }

  @Test
  void ssoLoginOfUnlinkedIdentity_withAMatchingEmail_isRefused() throws Exception {
    Browser b = portal.browser();
    providerSignsIn("sub-stranger", List.of(CLIENT), Map.of("email", "alice@riverside.example"));
    HttpResponse<String> r = viaProvider(b, b.startSsoLogin());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(b.whoami()).isEqualTo("anonymous");
    assertThat(links.isLinked("u-alice")).isFalse();
  }

  @Test
  void identityLinkedToAnotherUser_isAConflict() throws Exception {
    links.link(issuer, "sub-shared", "u-bob");
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    providerSignsIn("sub-shared", List.of(CLIENT), Map.of());
    assertThat(b.answerLinkPage(viaProvider(b, upgrade(b)), "confirm").statusCode())
        .isEqualTo(403);
    assertThat(links.isLinked("u-alice")).isFalse();
    AuditEvent link = portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(link.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
  }

  @Test
  void link_asksTheProviderToAuthenticateAgain_butLoginDoesNot() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    String link = upgrade(b).headers().firstValue("Location").orElseThrow();
    assertThat(SsoPortal.queryParameter(link, "prompt")).isEqualTo("login");
    assertThat(SsoPortal.queryParameter(link, "max_age")).isEqualTo("300");
    String login =
        portal.browser().startSsoLogin().headers().firstValue("Location").orElseThrow();
    assertThat(SsoPortal.queryParameter(login, "prompt")).isNull();
    assertThat(SsoPortal.queryParameter(login, "max_age")).isNull();
  }

  /** The provider's own session answered the link: no auth_time, or one from before the link was asked for. */
  @Test
  void linkAnsweredWithoutFreshAuthentication_isRefused_andLinksNothing() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    for (long authTime : new long[] {-1, now - 600}) {
      Browser b = portal.browser();
      b.login("alice", "alice-pw", false);
      providerSignsIn("sub-alice", List.of(CLIENT), Map.of());
      String location = upgrade(b).headers().firstValue("Location").orElseThrow();
      HttpResponse<String> page = provider.send(
          HttpRequest.newBuilder(URI.create(location)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> back =
          ProviderLogin.signIn(provider, location, page, "sub-alice", authTime);
      URI callback = URI.create(back.headers().firstValue("Location").orElseThrow());
      HttpResponse<String> r = b.get(callback.getRawPath() + "?" + callback.getRawQuery());
      assertThat(r.statusCode()).as("auth_time " + authTime).isEqualTo(403);
      assertThat(links.isLinked("u-alice")).as("auth_time " + authTime).isFalse();
    }
    // A failed link is a failed sso_link of the user who asked, not a failed login.
    assertThat(events(AuditEventType.AUTHN_LOGIN_FAIL)).isEmpty();
    assertThat(events(AuditEventType.SSO_LINK))
        .allSatisfy(e -> {
          assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
          assertThat(e.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
        })
        .extracting(e -> e.reason().orElse(""))
        .containsExactly(
            "ID token not valid: no auth_time for an account link",
            "ID token not valid: the provider did not authenticate the user again for the account link");
    // The same steps with a fresh authentication link the account: the refusals above were about
    // auth_time alone.
    linkedAlice();
    assertThat(links.userFor(issuer, "sub-alice")).contains("u-alice");
  }

  /** OpenID Connect Core 3.1.3.7: a token also issued to another party, or on behalf of another client. */
  @Test
  void idTokenWithAnUntrustedExtraAudience_orAForeignAzp_isRefused() throws Exception {
    linkedAlice();
    List<Map<String, Object>> variants = List.of(
        Map.of("aud", List.of(CLIENT, "another-api")),
        Map.of("aud", List.of(CLIENT, "another-api"), "azp", CLIENT),
        Map.of("azp", "another-client"));
    for (Map<String, Object> variant : variants) {
      Browser b = portal.browser();
      String[] started = startSsoLogin(b);
      Map<String, Object> claims =
          new java.util.HashMap<>(Map.of("sub", "sub-alice", "aud", CLIENT, "nonce", started[1]));
      claims.putAll(variant);
      forgedIdToken.set(server.anyToken(server.issuerUrl("default"), claims).serialize());
      assertThat(b.get(started[0]).statusCode()).as(variant.toString()).isEqualTo(403);
      assertThat(b.whoami()).as(variant.toString()).isEqualTo("anonymous");
    }
    assertThat(events(AuditEventType.AUTHN_LOGIN_FAIL))
        .extracting(e -> e.reason().orElse(""))
        .containsExactly(
            "ID token not valid: untrusted extra audience",
            "ID token not valid: untrusted extra audience",
            "ID token not valid: azp is another client");
  }

  /** Answers the token request with {@link #forgedIdToken} when one is set. */
  private final class ForgedTokenRoute implements Route {
    @Override
    public boolean match(OAuth2HttpRequest request) {
      if (request.getMethod().equals("POST") && request.getUrl().encodedPath().endsWith("/token")) {
        tokenRequests.add(request.getBody());
      }
      return forgedIdToken.get() != null
          && request.getMethod().equals("POST")
          && request.getUrl().encodedPath().endsWith("/token");
    }

    @Override
    public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
      String body =
          "{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"expires_in\":60,\"id_token\":\""
              + forgedIdToken.getAndSet(null) + "\"}";
      return new OAuth2HttpResponse(
          Headers.of("Content-Type", "application/json"), 200, body, null);
    }
  }

  /** Starts an SSO login and returns the callback URL and the nonce the portal sent. */
  private String[] startSsoLogin(Browser b) throws Exception {
    String location = b.startSsoLogin().headers().firstValue("Location").orElseThrow();
    String nonce = URLDecoder.decode(
        location.replaceFirst(".*[?&]nonce=([^&]+).*", "$1"), StandardCharsets.UTF_8);
    return new String[] {callbackFrom(location), nonce};
  }

  @Test
  void providerSignedIdTokens_withWrongAudienceNonceOrIssuer_areRefused() throws Exception {
    linkedAlice();
    HttpUrl ours = server.issuerUrl("default");
    HttpUrl elsewhere = server.issuerUrl("elsewhere");
    List<Map.Entry<HttpUrl, Map<String, Object>>> variants = List.of(
        Map.entry(ours, Map.of("aud", "another-client")),
        Map.entry(ours, Map.of("nonce", "another-nonce")),
        Map.entry(elsewhere, Map.of()));
    for (Map.Entry<HttpUrl, Map<String, Object>> variant : variants) {
      Browser b = portal.browser();
      String[] started = startSsoLogin(b);
      Map<String, Object> claims =
          new java.util.HashMap<>(Map.of("sub", "sub-alice", "aud", CLIENT, "nonce", started[1]));
      claims.putAll(variant.getValue());
      SignedJWT token = server.anyToken(variant.getKey(), claims);
      assertThat(token.getJWTClaimsSet().getIssuer()).isEqualTo(variant.getKey().toString());
      forgedIdToken.set(token.serialize());
      assertThat(b.get(started[0]).statusCode()).as(variant.toString()).isEqualTo(403);
      assertThat(b.whoami()).as(variant.toString()).isEqualTo("anonymous");
    }
    // Signed with the provider's own key, but naming another issuer.
    Browser b = portal.browser();
    String[] started = startSsoLogin(b);
    forgedIdToken.set(server
        .getConfig()
        .getTokenProvider()
        .jwt(
            Map.of(
                "iss",
                elsewhere.toString(),
                "sub",
                "sub-alice",
                "aud",
                CLIENT,
                "nonce",
                started[1]),
            Duration.ofMinutes(10),
            "default")
        .serialize());
    assertThat(b.get(started[0]).statusCode()).isEqualTo(403);
    assertThat(b.whoami()).isEqualTo("anonymous");
    // What was wrong, never the claim values; the other issuer's key is not among the provider's.
    assertThat(events(AuditEventType.AUTHN_LOGIN_FAIL))
        .extracting(e -> e.reason().orElse(""))
        .containsExactly(
            "ID token not valid: audience",
            "ID token not valid: nonce",
            "ID token not valid: signature",
            "ID token not valid: issuer");
  }

  /**
   * A correctly signed ID token for this client and a linked identity, but with another browser's nonce: what an ID
   * token taken from another login and injected into this one looks like. Refused, and recorded as a nonce problem
   * without either nonce (43 random characters each, which the audit log refuses as credential-shaped).
   */
  @Test
  void idTokenWithAnotherLoginsNonce_isRefused_andAuditedWithoutTheNonces() throws Exception {
    links.link(issuer, "sub-alice", "u-alice");
    Browser other = portal.browser();
    String otherNonce = SsoPortal.queryParameter(
        other.startSsoLogin().headers().firstValue("Location").orElseThrow(), "nonce");
    Browser b = portal.browser();
    String[] started = startSsoLogin(b);
    assertThat(otherNonce).hasSize(43).isNotEqualTo(started[1]);
    forgedIdToken.set(server
        .anyToken(
            server.issuerUrl("default"),
            Map.of("sub", "sub-alice", "aud", CLIENT, "nonce", otherNonce))
        .serialize());

    assertThat(b.get(started[0]).statusCode()).isEqualTo(403);

    assertThat(b.whoami()).isEqualTo("anonymous");
    AuditEvent refused = portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(refused.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(refused.reason())
        .hasValueSatisfying(reason -> assertThat(reason)
            .isEqualTo("ID token not valid: nonce")
            .doesNotContain(otherNonce)
            .doesNotContain(started[1]));
  }

  /**
   * The error code in the provider's redirect comes from whoever sent the browser there: one shaped like a credential
   * is recorded as unrecognised rather than costing the refusal its audit record.
   */
  @Test
  void callbackWithACredentialShapedErrorCode_isRefused_andAudited() throws Exception {
    Browser b = portal.browser();
    String location = b.startSsoLogin().headers().firstValue("Location").orElseThrow();
    String state = SsoPortal.queryParameter(location, "state");
    String error = "Fq7Lx2Vb9Nw4Rt6Yh1Kd8Sm3Pz5Cj0GaEuQiTo7WnXy";

    HttpResponse<String> r = b.get("/sso/callback?state="
        + URLEncoder.encode(state, StandardCharsets.UTF_8) + "&error=" + error);

    assertThat(r.statusCode()).isEqualTo(403);
    AuditEvent refused = portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(refused.reason()).contains("provider returned an error: (unrecognised)");
  }

  @Test
  void ssoLoginOfUserWhoOwesTheTerms_passesTheTermsGate() throws Exception {
    links.link(issuer, "sub-newbie", "u-newbie");
    Browser b = portal.browser();
    providerSignsIn("sub-newbie", List.of(CLIENT), Map.of());
    assertThat(viaProvider(b, b.startSsoLogin()).statusCode()).isEqualTo(303);
    HttpResponse<String> page = b.get("/reports/riverside/1");
    assertThat(page.statusCode()).isEqualTo(303);
    assertThat(page.headers().firstValue("Location")).contains("/terms");
  }

  @Test
  void theSameProviderSignedToken_withTheRightClaims_isAccepted() throws Exception {
    linkedAlice();
    Browser b = portal.browser();
    String[] started = startSsoLogin(b);
    forgedIdToken.set(server
        .anyToken(
            server.issuerUrl("default"),
            Map.of("sub", "sub-alice", "aud", CLIENT, "nonce", started[1]))
        .serialize());
    assertThat(b.get(started[0]).statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
  }

  @Test
  void callbackWithAnotherState_orTwice_isRefused() throws Exception {
    Browser b = portal.browser();
    providerSignsIn("sub-alice", List.of(CLIENT), Map.of());
    String location = b.startSsoLogin().headers().firstValue("Location").orElseThrow();
    String callback = callbackFrom(location);
    assertThat(b.get(callback.replaceFirst("state=[^&]+", "state=forged")).statusCode())
        .isEqualTo(403);
    // The forged attempt used up the authorization: the genuine callback no longer works either.
    assertThat(b.get(callback).statusCode()).isEqualTo(403);
    assertThat(b.whoami()).isEqualTo("anonymous");
  }

  @Test
  void unsignedOrHmacIdTokens_areRefused() throws Exception {
    linkedAlice();
    for (String alg : List.of("none", "HS256")) {
      Browser b = portal.browser();
      String[] started = startSsoLogin(b);
      String callback = started[0];
      String nonce = started[1];
      JWTClaimsSet claims = new JWTClaimsSet.Builder()
          .issuer(issuer)
          .subject("sub-alice")
          .audience(CLIENT)
          .issueTime(new Date())
          .expirationTime(new Date(System.currentTimeMillis() + 600_000))
          .claim("nonce", nonce)
          .build();
      String idToken;
      if (alg.equals("none")) {
        idToken = new PlainJWT(claims).serialize();
      } else {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        idToken = jwt.serialize();
      }
      forgedIdToken.set(idToken);
      assertThat(b.get(callback).statusCode()).as(alg).isEqualTo(403);
      assertThat(b.whoami()).as(alg).isEqualTo("anonymous");
    }
    assertThat(events(AuditEventType.AUTHN_LOGIN_FAIL))
        .extracting(e -> e.reason().orElse(""))
        .containsExactly("ID token not valid: signature", "ID token not valid: signature");
  }

  /** One form or query parameter, decoded; null when absent. */
  private static String parameter(String query, String name) {
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0
          && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /**
   * Sends {@code POST path} with the given Host header, cookies and form body over a raw socket (HttpClient will not
   * forge Host).
   */
  private Map<String, List<String>> postWithHost(
      String path, String host, String cookies, String form) throws Exception {
    URI base = URI.create(portal.base);
    try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nCookie: " + cookies
                  + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                  + form.length()
                  + "\r\nConnection: close\r\n\r\n" + form)
              .getBytes(StandardCharsets.US_ASCII));
      String response =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      String[] lines = response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n");
      Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      headers.put(":status", List.of(lines[0].split(" ")[1]));
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers
            .computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new java.util.ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
      return headers;
    }
  }

  @Test
  void forgedHostHeader_stillSendsTheProviderTheConfiguredRedirectUri() throws Exception {
    linkedAlice();
    String configured = portal.base + "/sso/callback";
    Browser b = portal.browser();
    b.openLoginPage();
    String sid = SessionConfig.defaults().cookie().name();
    Map<String, List<String>> started = postWithHost(
        "/sso/login",
        "attacker.example:8443",
        b.cookies().entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(java.util.stream.Collectors.joining("; ")),
        "_csrf=" + b.csrf);
    assertThat(started.get(":status")).containsExactly("303");
    URI location = URI.create(started.get("Location").get(0));
    assertThat(location.toString()).startsWith(issuer + "/authorize?").doesNotContain("attacker");
    assertThat(parameter(location.getRawQuery(), "redirect_uri")).isEqualTo(configured);
    assertThat(parameter(location.getRawQuery(), "scope")).isEqualTo("openid profile");

    // The same browser finishes the login: the token request names the configured redirect URI as
    // well.
    started.getOrDefault("Set-Cookie", List.of()).stream()
        .filter(h -> h.startsWith(sid + "="))
        .findFirst()
        .ifPresent(h -> b.cookies().put(sid, h.substring(sid.length() + 1, h.indexOf(';'))));
    providerSignsIn("sub-alice", List.of(CLIENT), Map.of());
    tokenRequests.clear();
    assertThat(b.get(callbackFrom(location.toString())).statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
    assertThat(tokenRequests).hasSize(1);
    assertThat(parameter(tokenRequests.get(0), "redirect_uri")).isEqualTo(configured);
  }

  @Test
  void redirectUriOutsideThisContext_isRefusedBeforeReachingTheProvider() throws Exception {
    try (LoginPortal other = new LoginPortal((p, filter) -> filter.sso(
        SsoConfig.builder()
            .links(links)
            .replay(ReplayStore.inMemory(p.clock))
            .provider(URI.create(issuer), CLIENT, SECRET)
            .redirectUri(URI.create(p.base + "/portal/sso/callback"))
            .callbackPath("/sso/callback")
            .build(),
        p.ring,
        p.clock))) {
      HttpResponse<String> r = other.browser().startSsoLogin();
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body().strip()).isEqualTo(SsoStage.SSO_FAILED);
      assertThat(other.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL).reason())
          .hasValueSatisfying(reason -> assertThat(reason).contains("misconfigured"));
    }
  }

  @Test
  void redirectUriOutsideThisContext_refusesTheUpgradeWithoutSpendingTheToken() throws Exception {
    AtomicInteger redemptions = new AtomicInteger();
    try (LoginPortal other = new LoginPortal((p, filter) -> {
      ReplayStore replay = ReplayStore.inMemory(p.clock);
      filter.sso(
          SsoConfig.builder()
              .links(links)
              .replay((id, keepUntil) -> {
                redemptions.incrementAndGet();
                return replay.markUsed(id, keepUntil);
              })
              .provider(URI.create(issuer), CLIENT, SECRET)
              .redirectUri(URI.create(p.base + "/portal/sso/callback"))
              .callbackPath("/sso/callback")
              .build(),
          p.ring,
          p.clock);
    })) {
      Browser b = other.browser();
      b.login("alice", "alice-pw", false);
      assertThat(b.cookies()).containsKey(SsoConfig.DEFAULT_COOKIE);

      HttpResponse<String> r = upgrade(b);

      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body().strip()).isEqualTo(SsoStage.SSO_FAILED);
      assertThat(redemptions).hasValue(0);
      // The link could not start: a failed sso_link of alice, and no redemption recorded.
      AuditEvent refused = other.flushedSink().assertOnce(AuditEventType.SSO_LINK);
      assertThat(refused.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(refused.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
      assertThat(refused.reason())
          .hasValueSatisfying(reason -> assertThat(reason).contains("misconfigured"));
      other.flushedSink().assertNone(AuditEventType.SSO_UPGRADE_REDEEMED);
      other.flushedSink().assertNone(AuditEventType.AUTHN_LOGIN_FAIL);
    }
  }

  @Test
  void noSecretOrTokenReachesTheAuditLog() throws Exception {
    linkedAlice();
    assertThat(portal.flushedSink().events()).allMatch(e -> !e.toString().contains(SECRET));
  }
}
