package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A provider whose token endpoint or JWK set answers with a redirect to another server, over real HTTP: the filter on
 * Jetty, mock-oauth2-server as the provider, a second server on loopback as the redirect's target. Regression: the
 * client to the provider followed redirects, so a provider (or whoever can make its endpoints redirect) sent the
 * portal's token request, with the authorization code and the PKCE verifier, and its JWK set request to any host the
 * portal can reach, past the https-only check of the discovered endpoints. No redirect is followed now: the link
 * fails with the generic page, the reason audited, and the other server hears nothing.
 */
class SsoProviderRedirectTest {
  /** Whether the provider redirects: not while the test warms it up, before the portal asks it anything. */
  private final AtomicBoolean redirecting = new AtomicBoolean();

  private JsonAnswerServer otherServer;
  private SsoPortal sso;

  @BeforeEach
  void startTheOtherServer() throws IOException {
    otherServer = new JsonAnswerServer(400, "{\"error\":\"invalid_grant\"}");
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (sso != null) {
        sso.close();
      }
    } finally {
      otherServer.close();
    }
  }

  private String otherServer(String path) {
    return otherServer.uri(path).toString();
  }

  @Test
  void tokenEndpointRedirectingElsewhere_isNotFollowed_andTheLinkFails() throws Exception {
    AuditEvent failed = linkWhileRedirecting("POST", "/token", 307);

    assertThat(failed.reason())
        .hasValueSatisfying(
            reason -> assertThat(reason).contains("token request refused: HTTP 307"));
  }

  @Test
  void jwkSetRedirectingElsewhere_isNotFollowed_andTheLinkFails() throws Exception {
    AuditEvent failed = linkWhileRedirecting("GET", "/jwks", 302);

    assertThat(failed.reason())
        .hasValueSatisfying(reason -> assertThat(reason).contains("ID token not valid: other"));
  }

  /**
   * alice, logged in, links her account while the provider answers its requests {@code method} of a path ending in
   * {@code suffix} with a redirect ({@code status}) to the same path on the other server. Checks that the other server
   * heard nothing and the link was refused ({@link #assertLinkRefused}); returns the audited failure.
   */
  private AuditEvent linkWhileRedirecting(String method, String suffix, int status)
      throws Exception {
    sso = new SsoPortal(new RedirectTo(method, suffix, status, otherServer(suffix)));
    Browser alice = sso.loggedIn("alice");
    sso.providerSignsIn("sub-alice");
    redirecting.set(true);
    String callback = sso.callbackFrom(sso.authorizeUrl(sso.upgrade(alice)));

    HttpResponse<String> r = alice.get(callback);

    assertThat(otherServer.requests())
        .as("nothing sent to the redirect's target")
        .isEmpty();
    return assertLinkRefused(alice, r);
  }

  /** The generic refusal, one failed {@code sso_link} of alice, nothing linked, alice still logged in. */
  private AuditEvent assertLinkRefused(Browser alice, HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body().strip()).isEqualTo(SsoStage.SSO_FAILED);
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
    AuditEvent failed = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(failed.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(failed.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(failed.reason())
        .hasValueSatisfying(reason -> assertThat(reason).doesNotContain(otherServer.port() + ""));
    assertThat(sso.links.isLinked("u-alice")).isFalse();
    assertThat(alice.whoami()).isEqualTo("u-alice");
    return failed;
  }

  /** Answers the provider's requests {@code method} of a path ending in {@code suffix} with a redirect. */
  private final class RedirectTo implements Route {
    private final String method;
    private final String suffix;
    private final int status;
    private final String location;

    RedirectTo(String method, String suffix, int status, String location) {
      this.method = method;
      this.suffix = suffix;
      this.status = status;
      this.location = location;
    }

    @Override
    public boolean match(OAuth2HttpRequest request) {
      return redirecting.get()
          && request.getMethod().equals(method)
          && request.getUrl().encodedPath().endsWith(suffix);
    }

    @Override
    public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
      return new OAuth2HttpResponse(Headers.of("Location", location), status, "", null);
    }
  }
}
