package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * A {@link LoginPortal} with single sign-on against a real OpenID provider (mock-oauth2-server on loopback, over
 * HTTP), and the steps a browser takes between the two. The provider signs with the real time, so the portal's
 * clock starts at the real time and moves only when a test moves it.
 */
final class SsoPortal implements AutoCloseable {
  static final String CLIENT = "portal";
  static final String SECRET = "a-client-secret-of-more-than-32-bytes";
  final AccountLinkStore links = AccountLinkStore.inMemory();
  final MockOAuth2Server provider;
  final String issuer;
  final LoginPortal portal;
  private final HttpClient providerClient =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  /** @param routes answer some provider requests instead of the mock server's own handlers */
  SsoPortal(Route... routes) throws Exception {
    this(b -> b, routes);
  }

  /**
   * @param settings adds to the SSO configuration's builder
   * @param routes answer some provider requests instead of the mock server's own handlers
   */
  SsoPortal(java.util.function.UnaryOperator<SsoConfig.Builder> settings, Route... routes)
      throws Exception {
    this(settings, (p, filter) -> {}, routes);
  }

  /**
   * @param settings adds to the SSO configuration's builder
   * @param more adds to the filter's builder after single sign-on (other stores, a login, observations)
   * @param routes answer some provider requests instead of the mock server's own handlers
   */
  SsoPortal(
      java.util.function.UnaryOperator<SsoConfig.Builder> settings,
      java.util.function.BiConsumer<LoginPortal, PortcullisFilter.Builder> more,
      Route... routes)
      throws Exception {
    provider = new MockOAuth2Server(routes);
    provider.start(InetAddress.getLoopbackAddress(), 0);
    issuer = provider.issuerUrl("default").toString();
    ProviderLogin.warmUp(URI.create(issuer));
    try {
      portal = new LoginPortal((p, filter) -> {
        p.clock.set(Instant.ofEpochMilli(System.currentTimeMillis()));
        filter.sso(
            settings
                .apply(SsoConfig.builder()
                    .links(links)
                    .replay(ReplayStore.inMemory(p.clock))
                    .provider(URI.create(issuer), CLIENT, SECRET)
                    .redirectUri(URI.create(p.base + "/sso/callback")))
                .build(),
            p.ring,
            p.clock);
        more.accept(p, filter);
      });
    } catch (Exception | Error e) {
      provider.shutdown();
      throw e;
    }
  }

  Browser browser() {
    return portal.browser();
  }

  /** A browser in which {@code user} logged in with the password form (password {@code <user>-pw}). */
  Browser loggedIn(String user) throws Exception {
    Browser b = browser();
    assertThat(b.login(user, user + "-pw", false).statusCode()).isEqualTo(303);
    return b;
  }

  /** Every Portcullis cookie name: session, auth, cookie check and SSO upgrade. */
  List<String> cookieNames() {
    return List.of(
        portal.sessionConfig.cookie().name(),
        portal.login.cookies().authCookie().name(),
        portal.login.cookies().cookieCheckCookie().orElseThrow().name(),
        SsoConfig.DEFAULT_COOKIE);
  }

  String sessionCookie() {
    return portal.sessionConfig.cookie().name();
  }

  CookieSpec authCookie() {
    return portal.login.cookies().authCookie();
  }

  /**
   * Who signs in at the provider's login page when it asks the user to authenticate again ({@code prompt=login}, as
   * an account link does); the page's answer names this subject and carries the real time as {@code auth_time}.
   */
  private volatile String reauthenticatingSubject = "sub-alice";

  /** The provider's next token request signs {@code subject} in, for {@code CLIENT}, expiring in the given time. */
  void providerSignsIn(String subject, long expirySeconds) {
    providerSignsIn(subject, expirySeconds, Map.of());
  }

  /**
   * The provider's next token request signs {@code subject} in, for {@code CLIENT}, expiring in the given time, with
   * {@code claims} added to or replacing the provider's own (such as {@code nbf}).
   */
  void providerSignsIn(String subject, long expirySeconds, Map<String, Object> claims) {
    reauthenticatingSubject = subject;
    provider.enqueueCallback(new DefaultOAuth2TokenCallback(
        "default", subject, "JWT", List.of(CLIENT), claims, expirySeconds));
  }

  void providerSignsIn(String subject) {
    providerSignsIn(subject, 3600);
  }

  /** The portal's redirect to the provider's authorization endpoint, checked for PKCE, state and nonce. */
  String authorizeUrl(HttpResponse<String> toProvider) {
    assertThat(toProvider.statusCode()).as(toProvider.body()).isEqualTo(303);
    String location = toProvider.headers().firstValue("Location").orElseThrow();
    assertThat(location)
        .startsWith(issuer + "/authorize?")
        .contains("code_challenge_method=S256")
        .contains("state=")
        .contains("nonce=")
        .doesNotContain(SECRET);
    return location;
  }

  /** What the provider sends the browser back to: the callback's path and query, as the browser would follow it. */
  String callbackFrom(String authorizeUrl) throws Exception {
    HttpResponse<String> back = providerClient.send(
        HttpRequest.newBuilder(URI.create(authorizeUrl)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (queryParameter(authorizeUrl, "prompt") != null) {
      back = ProviderLogin.signIn(providerClient, authorizeUrl, back, reauthenticatingSubject);
    }
    assertThat(back.statusCode()).isEqualTo(302);
    URI callback = URI.create(back.headers().firstValue("Location").orElseThrow());
    assertThat(callback.toString()).startsWith(portal.base + "/sso/callback?");
    return callback.getRawPath() + "?" + callback.getRawQuery();
  }

  /** Follows the portal's redirect to the provider, and the provider's back to the portal. */
  HttpResponse<String> viaProvider(Browser b, HttpResponse<String> toProvider) throws Exception {
    return b.get(callbackFrom(authorizeUrl(toProvider)));
  }

  /** POSTs the upgrade form with the page's CSRF token. */
  HttpResponse<String> upgrade(Browser b) throws Exception {
    return b.post("/sso/upgrade", Map.of("_csrf", b.pageCsrf()));
  }

  List<AuditEvent> events(AuditEventType type) throws Exception {
    return portal.flushedSink().events().stream()
        .filter(e -> e.type().equals(type))
        .toList();
  }

  /** One decoded query parameter of {@code url}, or null. */
  static String queryParameter(String url, String name) {
    String query = URI.create(url).getRawQuery();
    for (String pair : query == null ? new String[0] : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Override
  public void close() throws Exception {
    try {
      portal.close();
    } finally {
      provider.shutdown();
    }
  }
}
