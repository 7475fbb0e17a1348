package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.ReplayStore;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provider's answer (the callback's {@code state} and {@code code}) completes a login or link once. The session's
 * authorization is removed by the callback that matches it, but only as the session is saved: a login whose session
 * the store could not rotate left the state in the stored session, and the same callback sent again once the store
 * answered passed the portal's checks and had its code sent to the provider a second time, whose refusal of a spent
 * code was all that stopped it. Each state is now also spent in the {@link ReplayStore} before its code is exchanged;
 * a replay store that does not answer is the plain {@code 503} of an outage, and the same callback works once it
 * answers. Over real HTTP: the filter on Jetty, mock-oauth2-server as the provider.
 */
class SsoCallbackReplayTest {
  /** The store, whose {@code markUsed} fails while {@link #failing}. */
  private final ReplayStore replayBehind = ReplayStore.inMemory(java.time.Clock.systemUTC());

  private volatile boolean failing;
  /**
   * The in-memory store, failing on demand, and answering as the Redis and JDBC stores do for an id whose time to be
   * kept has passed on the portal's clock: false, as nothing can be kept.
   */
  private final ReplayStore replay = (id, keepUntil) -> {
    if (failing) {
      throw new dev.portcullis.revocation.StoreUnavailableException(
          "ReplayStore unavailable (test)", null);
    }
    if (!keepUntil.isAfter(this.sso.portal.clock.instant())) {
      return false;
    }
    return replayBehind.markUsed(id, keepUntil);
  };

  private final List<String> tokenRequests = new CopyOnWriteArrayList<>();
  private StoreOutage<SessionStore> sessions;
  private SsoPortal sso;

  /** Records the token requests the provider receives; answers none of them itself. */
  private final class RecordingTokenRoute implements Route {
    @Override
    public boolean match(OAuth2HttpRequest request) {
      if (request.getMethod().equals("POST") && request.getUrl().encodedPath().endsWith("/token")) {
        tokenRequests.add(request.getBody());
      }
      return false;
    }

    @Override
    public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
      throw new AssertionError("never matched");
    }
  }

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal(
        b -> b.replay(replay),
        (p, filter) -> {
          sessions = StoreOutage.of(SessionStore.class, p.sessionStore);
          filter.sessions(SessionRegistry.create(
              p.sessionConfig, sessions.store(), p.random, p.clock, new SessionAudit(p.audit)));
        },
        new RecordingTokenRoute());
    sso.links.link(sso.issuer, "sub-alice", "u-alice");
  }

  @AfterEach
  void stop() throws Exception {
    sso.close();
  }

  private String callbackOfAnSsoLogin(Browser b) throws Exception {
    HttpResponse<String> toProvider = b.startSsoLogin();
    sso.providerSignsIn("sub-alice");
    return sso.callbackFrom(sso.authorizeUrl(toProvider));
  }

  @Test
  void loginCallback_sentAgainAfterTheStoreFailedTheLogin_isRefused_beforeItsCodeIsSpentAgain()
      throws Exception {
    Browser b = sso.browser();
    String callback = callbackOfAnSsoLogin(b);
    sessions.fail("rotate");
    assertThat(b.get(callback).statusCode()).isEqualTo(503);
    assertThat(tokenRequests).hasSize(1);
    sessions.end();

    HttpResponse<String> again = b.get(callback);

    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(again.body().strip()).isEqualTo(SsoStage.SSO_FAILED);
    assertThat(tokenRequests).as("the spent code is not sent again").hasSize(1);
    List<AuditEvent> fails = sso.events(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(fails).as("the outage, then the replay").hasSize(2);
    assertThat(fails.get(1).reason()).hasValue("SSO callback replayed");
    sso.portal.sink.assertNone(AuditEventType.AUTHN_LOGIN_SUCCESS);
    assertThat(b.whoami()).isEqualTo("anonymous");
  }

  @Test
  void loginCallback_sentAgainAfterTheLogin_isRefused_andLeavesTheUserLoggedIn() throws Exception {
    Browser b = sso.browser();
    String callback = callbackOfAnSsoLogin(b);
    assertThat(b.get(callback).statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");

    HttpResponse<String> again = b.get(callback);

    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(tokenRequests).hasSize(1);
    assertThat(b.whoami()).isEqualTo("u-alice");
  }

  @Test
  void loginCallback_afterTheAuthorizationsLifetime_isRefusedAsTooLate_notAsAReplay()
      throws Exception {
    Browser b = sso.browser();
    String callback = callbackOfAnSsoLogin(b);
    sso.portal.clock.advance(java.time.Duration.ofMinutes(10));

    HttpResponse<String> r = b.get(callback);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(
            sso.portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL).reason())
        .hasValue("SSO authorization took too long");
    assertThat(tokenRequests).isEmpty();
  }

  @Test
  void loginCallback_whileTheReplayStoreIsDown_isA503_andTheSameCallbackWorksOnceItAnswers()
      throws Exception {
    Browser b = sso.browser();
    String callback = callbackOfAnSsoLogin(b);
    failing = true;

    HttpResponse<String> r = b.get(callback);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body().strip()).isEqualTo("Service unavailable. Please try again later.");
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(tokenRequests).as("the code is kept for when the store answers").isEmpty();
    AuditEvent fail = sso.portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(fail.reason())
        .hasValue("SSO callback: replay store unavailable: StoreUnavailableException");
    assertThat(b.whoami()).isEqualTo("anonymous");

    failing = false;
    HttpResponse<String> done = b.get(callback);
    assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
  }

  @Test
  void linkStart_whileTheReplayStoreIsDown_isA503_andKeepsTheUpgradeCookie() throws Exception {
    sso.links.unlinkAll("u-alice");
    Browser alice = sso.loggedIn("alice");
    String cookie = alice.cookies().get(dev.portcullis.sso.SsoConfig.DEFAULT_COOKIE);
    assertThat(cookie).isNotNull();
    failing = true;

    HttpResponse<String> r = sso.upgrade(alice);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Location")).isEmpty();
    assertThat(alice.cookies().get(dev.portcullis.sso.SsoConfig.DEFAULT_COOKIE)).isEqualTo(cookie);
    AuditEvent fail = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(fail.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(fail.reason())
        .hasValue("account link could not start: replay store unavailable: "
            + "StoreUnavailableException");

    failing = false;
    sso.providerSignsIn("sub-alice");
    assertThat(alice
            .answerLinkPage(sso.viaProvider(alice, sso.upgrade(alice)), "confirm")
            .statusCode())
        .isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
  }
}
