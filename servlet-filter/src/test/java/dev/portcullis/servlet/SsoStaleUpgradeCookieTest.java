package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.SsoConfig;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The upgrade cookie lives as long as the browser, so it can outlast the account's lack of a link: linked since in
 * another browser, the account must not be offered the link again. Over real HTTP: the filter on Jetty, the page
 * asking {@link PortcullisFilter#ssoUpgradeOffered}.
 */
class SsoStaleUpgradeCookieTest {
  /** The in-memory store, counting {@code isLinked} and failing it on demand. */
  private static final class CountingLinks implements AccountLinkStore {
    final AccountLinkStore store = AccountLinkStore.inMemory();
    final AtomicInteger isLinkedCalls = new AtomicInteger();
    final AtomicBoolean failing = new AtomicBoolean();

    @Override
    public LinkResult link(String issuer, String subject, String userHandle) {
      return store.link(issuer, subject, userHandle);
    }

    @Override
    public Optional<String> userFor(String issuer, String subject) {
      return store.userFor(issuer, subject);
    }

    @Override
    public boolean isLinked(String userHandle) {
      isLinkedCalls.incrementAndGet();
      if (failing.get()) {
        throw new IllegalStateException("link store down");
      }
      return store.isLinked(userHandle);
    }

    @Override
    public List<LinkedIdentity> linksOf(String userHandle) {
      return store.linksOf(userHandle);
    }

    @Override
    public boolean unlink(String issuer, String subject, String userHandle) {
      return store.unlink(issuer, subject, userHandle);
    }

    @Override
    public int unlinkAll(String userHandle) {
      return store.unlinkAll(userHandle);
    }
  }

  private final CountingLinks links = new CountingLinks();
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal(b -> b.links(links));
  }

  @AfterEach
  void stop() throws Exception {
    sso.close();
  }

  private Browser aliceOffered() throws Exception {
    Browser alice = sso.loggedIn("alice");
    assertThat(alice.cookies()).containsKey(SsoConfig.DEFAULT_COOKIE);
    return alice;
  }

  @Test
  void upgradeCookie_ofAnAccountLinkedSince_isNotOffered_andIsExpired() throws Exception {
    Browser alice = aliceOffered();
    assertThat(alice.get("/offer").body()).isEqualTo("offer=true again=true");

    links.link(sso.issuer, "sub-alice", "u-alice");
    HttpResponse<String> page = alice.get("/offer");

    assertThat(page.body()).isEqualTo("offer=false again=false");
    assertThat(page.headers().allValues("Set-Cookie"))
        .filteredOn(h -> h.startsWith(SsoConfig.DEFAULT_COOKIE + "="))
        .singleElement()
        .satisfies(h -> assertThat(h.toLowerCase(Locale.ROOT)).contains("max-age=0"));
    assertThat(alice.cookies()).doesNotContainKey(SsoConfig.DEFAULT_COOKIE);
    int calls = links.isLinkedCalls.get();
    assertThat(alice.get("/offer").body()).isEqualTo("offer=false again=false");
    assertThat(links.isLinkedCalls.get()).as("no cookie, no store call").isEqualTo(calls);
  }

  @Test
  void linkStore_isAskedOnlyWhenAPageAsksForTheOffer_oncePerRequest() throws Exception {
    Browser alice = aliceOffered();
    links.isLinkedCalls.set(0);
    for (int i = 0; i < 3; i++) {
      assertThat(alice.whoami()).isEqualTo("u-alice");
    }
    assertThat(links.isLinkedCalls.get()).as("pages that do not show the offer").isZero();

    assertThat(alice.get("/offer").body()).isEqualTo("offer=true again=true");
    assertThat(links.isLinkedCalls.get()).isEqualTo(1);
  }

  @Test
  void linkStoreDown_showsNoOffer_keepsTheCookie_andIsAudited() throws Exception {
    Browser alice = aliceOffered();
    links.failing.set(true);

    HttpResponse<String> page = alice.get("/offer");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).isEqualTo("offer=false again=false");
    assertThat(alice.cookies()).containsKey(SsoConfig.DEFAULT_COOKIE);
    assertThat(sso.events(AuditEventType.SSO_UPGRADE_OFFERED))
        .filteredOn(e -> e.outcome() == AuditEvent.Outcome.FAILURE)
        .singleElement()
        .satisfies(
            e -> assertThat(e.reason()).contains("link store failed: IllegalStateException"));
  }

  @Test
  void anonymousRequest_isNeverOffered() throws Exception {
    Browser alice = aliceOffered();
    String upgrade = alice.cookies().get(SsoConfig.DEFAULT_COOKIE);
    Browser stranger = sso.browser();
    stranger.cookies().put(SsoConfig.DEFAULT_COOKIE, upgrade);
    links.isLinkedCalls.set(0);

    assertThat(stranger.get("/offer").body()).isEqualTo("offer=false again=false");
    assertThat(links.isLinkedCalls.get()).isZero();
  }
}
