package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.aspnet.FormsAuthentication;
import dev.portcullis.aspnet.FormsAuthenticationLegacyLogin;
import dev.portcullis.aspnet.FormsAuthenticationTicket;
import dev.portcullis.aspnet.MachineKey;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.sso.ReplayStore;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A legacy (ASP.NET Forms Authentication) cookie issued before a cut-off of its user's logins, upgraded by a request
 * that checked it against the revocation store before the cut-off and starts its Portcullis login after it (through
 * the real filter on a real Jetty). The cut-off is "log out everywhere" in another browser, or an administrator's
 * {@code revokeAll} on another node sharing the revocation store. A cookie issued before the cut-off logs nobody in,
 * however the requests interleave: the login the upgrade starts is issued after the cut-off, so no cut-off would
 * cover it later. The replay store's mark, between the check and the login, is held instead of timed.
 */
class LegacyUpgradeAcrossCutOffTest {
  private static final String LEGACY = FormsAuthenticationLegacyLogin.DEFAULT_COOKIE_NAME;
  private static final String AUTH = LoginCookies.DEFAULT_AUTH_COOKIE;

  private final HeldMarks marks = new HeldMarks();
  private LoginPortal portal;
  private FormsAuthentication forms;

  @BeforeEach
  void start() throws Exception {
    SecureRandom random = new SecureRandom();
    MachineKey key = MachineKey.builder()
        .validationKey(hex(random, 64))
        .decryptionKey(hex(random, 32))
        .validation(MachineKey.Validation.HMACSHA256)
        .decryption(MachineKey.Decryption.AES)
        .compatibilityMode(MachineKey.CompatibilityMode.FRAMEWORK45)
        .build();
    portal = new LoginPortal((p, filter) -> {
      forms = FormsAuthentication.builder(key).clock(p.clock).random(p.random).build();
      LegacyLogin legacy = FormsAuthenticationLegacyLogin.builder(forms)
          .users(name ->
              name.equals("alice.adams") ? p.users.findByHandle("u-alice") : Optional.empty())
          .sunset(p.clock.instant().plus(Duration.ofDays(90)))
          .build();
      marks.delegateTo(ReplayStore.inMemory(p.clock));
      filter.legacyLogin(legacy, marks, p.clock);
    });
  }

  @AfterEach
  void stop() throws Exception {
    marks.release();
    if (portal != null) {
      portal.close();
    }
  }

  @Test
  void legacyCookieUpgradedAcrossLogoutEverywhere_logsNobodyIn() throws Exception {
    Browser owner = portal.browser();
    assertThat(owner.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
    String ownerToken = owner.pageCsrf();

    upgradeHeldWhile(() -> assertThat(
            owner.post("/logout-everywhere", Map.of("_csrf", ownerToken)).statusCode())
        .isEqualTo(303));
  }

  @Test
  void legacyCookieUpgradedAcrossAnAdministratorsRevokeAll_logsNobodyIn() throws Exception {
    upgradeHeldWhile(() -> portal.login.revokeAll("u-alice"));
  }

  /**
   * A cut-off of alice's logins, and her week-long legacy cookie issued before it first presented three days later:
   * long after the two ticket lifetimes (16 hours here) for which a cut-off covers the renewals of Portcullis tickets,
   * still before the cookie's expiry and the sunset. The cut-off is kept until the sunset, so the cookie logs nobody
   * in.
   */
  @Test
  void legacyCookieIssuedBeforeARevokeAll_firstPresentedDaysLater_logsNobodyIn() throws Exception {
    Instant now = portal.clock.instant();
    String cookie = forms.seal(FormsAuthenticationTicket.builder(
            "alice.adams", now.minus(Duration.ofMinutes(10)), now.plus(Duration.ofDays(7)))
        .build());
    portal.login.revokeAll("u-alice");
    portal.clock.advance(Duration.ofDays(3));
    Browser holder = portal.browser();
    holder.cookies().put(LEGACY, cookie);

    HttpResponse<String> answer = holder.get("/whoami");

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body())
        .as("a legacy cookie issued before the cut-off logs nobody in, days later too")
        .startsWith("anonymous");
    refusedAsIssuedBeforeTheCutOff(holder);
  }

  /**
   * Presents a week-long legacy cookie of alice's issued ten minutes ago; holds its upgrade after the revocation
   * check, runs {@code cutOff}, lets a second pass and releases the upgrade; then checks that nobody is logged in.
   */
  private void upgradeHeldWhile(ThrowingRunnable cutOff) throws Exception {
    Instant now = portal.clock.instant();
    String cookie = forms.seal(FormsAuthenticationTicket.builder(
            "alice.adams", now.minus(Duration.ofMinutes(10)), now.plus(Duration.ofDays(7)))
        .build());
    Browser holder = portal.browser();
    holder.cookies().put(LEGACY, cookie);

    marks.holdNextMark();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    HttpResponse<String> upgraded;
    try {
      Future<HttpResponse<String>> upgrading = pool.submit(() -> holder.get("/whoami"));
      assertThat(marks.awaitHeld())
          .as("the legacy cookie has passed the revocation check")
          .isTrue();
      cutOff.run();
      // The login the upgrade starts is issued after the cut-off, which no longer covers it.
      portal.clock.advance(Duration.ofSeconds(1));
      marks.release();
      upgraded = upgrading.get(2, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }

    assertThat(upgraded.statusCode()).isEqualTo(200);
    assertThat(upgraded.body()).startsWith("anonymous");
    assertThat(upgraded.headers().allValues("Set-Cookie"))
        .noneMatch(h -> h.startsWith(AUTH + "=") && !h.contains("Max-Age=0"));
    assertThat(holder.whoami())
        .as("a legacy cookie issued before the cut-off logs nobody in")
        .isEqualTo("anonymous");
    refusedAsIssuedBeforeTheCutOff(holder);
  }

  /** The legacy cookie is gone from {@code holder}, audited once as issued before the cut-off and never upgraded. */
  private void refusedAsIssuedBeforeTheCutOff(Browser holder) throws Exception {
    assertThat(holder.cookies()).doesNotContainKeys(AUTH, LEGACY);
    var sink = portal.flushedSink();
    sink.assertOnce(
        AuditEventType.AUTHN_TOKEN_REUSE,
        e -> e.reason().orElse("").contains("issued before the user's logins were revoked"));
    sink.assertNone(AuditEventType.LEGACY_TICKET_UPGRADED);
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static String hex(SecureRandom random, int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** A replay store whose next {@link #markUsed} can be held until the test releases it. */
  private static final class HeldMarks implements ReplayStore {
    private final AtomicBoolean holdNext = new AtomicBoolean();
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile ReplayStore delegate;

    void delegateTo(ReplayStore store) {
      this.delegate = store;
    }

    void holdNextMark() {
      holdNext.set(true);
    }

    boolean awaitHeld() throws InterruptedException {
      return held.await(2, TimeUnit.MINUTES);
    }

    void release() {
      released.countDown();
    }

    @Override
    public boolean markUsed(String tokenId, Instant keepUntil) {
      if (holdNext.compareAndSet(true, false)) {
        held.countDown();
        try {
          if (!released.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the held mark was never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while held", e);
        }
      }
      return delegate.markUsed(tokenId, keepUntil);
    }

    @Override
    public boolean giveBack(String tokenId) {
      return delegate.giveBack(tokenId);
    }

    @Override
    public boolean sharedBetweenNodes() {
      return delegate.sharedBetweenNodes();
    }
  }
}
