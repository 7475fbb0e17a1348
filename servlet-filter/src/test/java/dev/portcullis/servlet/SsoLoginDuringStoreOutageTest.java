package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.user.UserDirectory;
import io.micrometer.observation.ObservationRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: a single sign-on login whose callback met a store that did not answer (the account-link store, the
 * user directory, the session store as the callback's session was looked up or as the login rotated it) was refused
 * with the generic {@code 403} "Single sign-on did not work", as if the provider's answer had been wrong. Through the
 * real filter on a real Jetty against a real OpenID provider, the callback is now answered as the password login's
 * outage is: the plain {@code 503}, no cookie, a failed login in the audit log naming the store and the exception's
 * type, the login observation's outcome {@code unavailable}; and the same login works once the store answers.
 */
class SsoLoginDuringStoreOutageTest {
  private final StoreOutage<AccountLinkStore> links =
      StoreOutage.of(AccountLinkStore.class, AccountLinkStore.inMemory());
  private final ObservationTest.RecordingHandler observed = new ObservationTest.RecordingHandler();
  private StoreOutage<UserDirectory> directory;
  private StoreOutage<SessionStore> sessions;
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal(b -> b.links(links.store()), (p, filter) -> {
      directory = StoreOutage.of(UserDirectory.class, p.users);
      sessions = StoreOutage.of(SessionStore.class, p.sessionStore);
      ObservationRegistry registry = ObservationRegistry.create();
      registry.observationConfig().observationHandler(observed);
      filter
          .sessions(SessionRegistry.create(
              p.sessionConfig, sessions.store(), p.random, p.clock, new SessionAudit(p.audit)))
          .login(
              PortalLogin.builder()
                  .keyRing(p.ring)
                  .users(directory.store())
                  .revocations(p.revocations)
                  .clock(p.clock)
                  .random(p.random)
                  .termsVersion(LoginPortal.TERMS)
                  .ticketLifetime(Duration.ofHours(8))
                  .build(),
              p.random)
          .observationRegistry(registry);
    });
    links.store().link(sso.issuer, "sub-alice", "u-alice");
  }

  @AfterEach
  void stop() throws Exception {
    sso.close();
  }

  @Test
  void callback_whileTheAccountLinkStoreIsDown_isA503_auditedAsTheOutage() throws Exception {
    Browser b = sso.browser();
    String callback = callbackOfAnSsoLogin(b);
    links.fail("userFor");

    assertOutage(
        b.get(callback), "SSO login: account-link store unavailable: StoreUnavailableException");
    links.end();
    assertTheSameLoginWorksAgain(b);
  }

  @Test
  void callback_whileTheUserDirectoryIsDown_isA503_auditedAsTheOutage() throws Exception {
    Browser b = sso.browser();
    String callback = callbackOfAnSsoLogin(b);
    directory.fail("findByHandle");

    assertOutage(
        b.get(callback), "SSO login: user directory unavailable: StoreUnavailableException");
    directory.end();
    assertTheSameLoginWorksAgain(b);
  }

  @Test
  void callback_whoseSessionTheStoreCannotRotate_isA503_andTheBrowserKeepsItsCookie()
      throws Exception {
    Browser b = sso.browser();
    String callback = callbackOfAnSsoLogin(b);
    String before = b.cookies().get(sso.sessionCookie());
    assertThat(before).as("the session holding the authorization").isNotNull();
    sessions.fail("rotate");

    assertOutage(
        b.get(callback),
        "SSO login could not start: session store unavailable: StoreUnavailableException");
    assertThat(b.cookies().get(sso.sessionCookie())).isEqualTo(before);
    sessions.end();
    assertTheSameLoginWorksAgain(b);
  }

  @Test
  void callback_whoseSessionTheStoreCannotLookUp_isA503_notARefusedCallback() throws Exception {
    Browser b = sso.browser();
    String callback = callbackOfAnSsoLogin(b);
    sessions.fail("load", "peek");

    HttpResponse<String> r = b.get(callback);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body().strip()).isEqualTo("Service unavailable. Please try again later.");
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
    AuditEvent fail = sso.portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(fail.reason()).hasValue("SSO callback: session store unavailable");
    sessions.end();
    assertTheSameLoginWorksAgain(b);
  }

  /** Starts an SSO login in {@code b}; the provider signs alice in: the callback the browser is sent back to. */
  private String callbackOfAnSsoLogin(Browser b) throws Exception {
    HttpResponse<String> toProvider = b.startSsoLogin();
    sso.providerSignsIn("sub-alice");
    return sso.callbackFrom(sso.authorizeUrl(toProvider));
  }

  /**
   * The callback's answer and what it left: the plain 503, no cookie, one failed login whose reason is exactly
   * {@code reason}, nobody logged in, and the SSO login observed as {@code unavailable}.
   */
  private void assertOutage(HttpResponse<String> r, String reason) throws Exception {
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body().strip()).isEqualTo("Service unavailable. Please try again later.");
    assertThat(r.headers().firstValue("Location")).isEmpty();
    assertThat(r.headers().allValues("Set-Cookie"))
        .as("no cookie for a login that did not happen")
        .isEmpty();
    AuditEvent fail = sso.portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(fail.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(fail.reason()).hasValue(reason);
    assertThat(fail.toString()).doesNotContain("(test)");
    sso.portal.sink.assertNone(AuditEventType.AUTHN_LOGIN_SUCCESS);
    assertThat(observed.named(FilterObservations.LOGIN))
        .singleElement()
        .satisfies(s -> assertThat(s.keyValues())
            .containsEntry("method", "sso")
            .containsEntry("outcome", "unavailable"));
  }

  /** Once the store answers, alice's next single sign-on login in the same browser logs her in. */
  private void assertTheSameLoginWorksAgain(Browser b) throws Exception {
    assertThat(b.whoami()).isEqualTo("anonymous");
    HttpResponse<String> done = b.get(callbackOfAnSsoLogin(b));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
    sso.portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_SUCCESS);
  }
}
