package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.CountingSessionStore;
import dev.portcullis.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SessionRegistryTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final SessionConfig config = SessionConfig.defaults();
  private final CountingSessionStore store = new CountingSessionStore(
      CaffeineSessionStore.builder(config, clock).executor(Runnable::run).build());
  private final List<SessionEvent> events = new CopyOnWriteArrayList<>();
  private final SessionRegistry registry =
      SessionRegistry.create(config, store, new SecureRandom(), clock, new SessionListener() {
        @Override
        public void sessionCreated(SessionEvent event) {
          events.add(event);
        }

        @Override
        public void sessionRenewed(SessionEvent event) {
          events.add(event);
        }
      });

  private Session reopen(Session session) {
    return ((SessionLookup.Found) registry.open(session.id().cookieValue())).session();
  }

  @Test
  void storeThatDoesNotAnswer_givesUnavailable_notAbsent() {
    Session session = registry.create();
    assertThat(registry.save(session)).isTrue();
    SessionStore down = (SessionStore) java.lang.reflect.Proxy.newProxyInstance(
        SessionStore.class.getClassLoader(), new Class<?>[] {SessionStore.class}, (p, m, a) -> {
          throw new dev.portcullis.revocation.StoreUnavailableException("down", null);
        });
    SessionRegistry outage =
        SessionRegistry.create(config, down, new SecureRandom(), clock, SessionListener.noop());

    assertThat(outage.open(session.id().cookieValue()))
        .isInstanceOf(SessionLookup.Unavailable.class);
    assertThat(registry.open(session.id().cookieValue())).isInstanceOf(SessionLookup.Found.class);
  }

  @Test
  void newSession_reachesTheStoreOnlyWhenSaved() {
    Session session = registry.create();
    assertThat(session.isNew()).isTrue();
    assertThat(store.calls()).isZero();
    assertThat(registry.open(session.id().cookieValue())).isInstanceOf(SessionLookup.Absent.class);

    assertThat(registry.save(session)).isTrue();

    Session again = reopen(session);
    assertThat(again.isNew()).isFalse();
    assertThat(events)
        .extracting(e -> e.type().vocabularyName())
        .containsExactly("session_created");
  }

  @Test
  void unchangedSession_isNotRewritten() {
    Session session = registry.create();
    session.setAttribute("theme", "dark");
    registry.save(session);
    int saves = store.saves();

    Session again = reopen(session);
    again.getAttribute("theme");
    again.setAttribute("theme", "dark");
    registry.save(again);

    assertThat(store.saves()).isEqualTo(saves);
    again.setAttribute("theme", "light");
    registry.save(again);
    assertThat(store.saves()).isEqualTo(saves + 1);
  }

  @Test
  void attributes_surviveAcrossRequests() {
    Session session = registry.create();
    session.setAttribute("cart", List.of("x", 2L, Map.of("n", 1.5)));
    session.setAttribute("count", 7);
    session.setAttribute("flag", true);
    registry.save(session);

    Session again = reopen(session);

    assertThat(again.getAttribute("cart")).isEqualTo(List.of("x", 2L, Map.of("n", 1.5)));
    assertThat(again.getAttribute("count")).isEqualTo(7);
    assertThat(again.attributeNames()).containsExactlyInAnyOrder("cart", "count", "flag");
  }

  @Test
  void unsupportedAttributeValue_isRefusedWhenSet() {
    Session session = registry.create();

    assertThatThrownBy(() -> session.setAttribute("when", new java.util.Date(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'when'")
        .hasMessageContaining("java.util.Date");
    assertThatThrownBy(() -> session.setAttribute("list", List.of(new StringBuilder("x"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> session.setAttribute("map", Map.of(1, "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a String");
    assertThat(session.attributeNames()).isEmpty();
  }

  @Test
  void attributeValue_isCopiedWhenSet() {
    Session session = registry.create();
    List<String> mutable = new ArrayList<>(List.of("a"));
    session.setAttribute("list", mutable);
    mutable.add("b");

    assertThat(session.getAttribute("list")).isEqualTo(List.of("a"));
    assertThatThrownBy(() -> ((List<Object>) session.getAttribute("list")).add("c"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void parallelRequests_keepEachOthersWrites() {
    Session created = registry.create();
    created.setAttribute("shared", "v0");
    registry.save(created);
    Session first = reopen(created);
    Session second = reopen(created);

    first.setAttribute("a", "from first");
    second.setAttribute("b", "from second");
    second.removeAttribute("shared");
    registry.save(first);
    registry.save(second);

    Session after = reopen(created);
    assertThat(after.getAttribute("a")).isEqualTo("from first");
    assertThat(after.getAttribute("b")).isEqualTo("from second");
    assertThat(after.getAttribute("shared")).isNull();
  }

  @Test
  void changeId_killsTheOldIdAndKeepsTheAttributes() {
    Session session = registry.create();
    session.setAttribute("k", "v");
    registry.save(session);
    String oldValue = session.id().cookieValue();

    registry.changeId(session);

    assertThat(session.id().cookieValue()).isNotEqualTo(oldValue);
    assertThat(registry.open(oldValue)).isInstanceOf(SessionLookup.Absent.class);
    assertThat(reopen(session).getAttribute("k")).isEqualTo("v");
    assertThat(events)
        .extracting(SessionEvent::type)
        .containsExactly(SessionEvent.Type.CREATED, SessionEvent.Type.RENEWED);
  }

  @Test
  void moveToNewId_killsTheOldId_andRemembersItForAMinuteOnly() {
    Session session = registry.create();
    session.setAttribute("k", "v");
    registry.save(session);
    SessionId old = session.id();

    registry.moveToNewId(session);

    assertThat(registry.open(old.cookieValue())).isInstanceOf(SessionLookup.Absent.class);
    assertThat(reopen(session).getAttribute("k")).isEqualTo("v");
    assertThat(registry.wasMoved(old)).isTrue();
    assertThat(registry.wasMoved(session.id())).isFalse();

    clock.advance(SessionRegistry.MOVED_ID_MEMORY);

    assertThat(registry.wasMoved(old)).isFalse();
  }

  @Test
  void changeId_remembersNoMovedId() {
    Session session = registry.create();
    registry.save(session);
    SessionId old = session.id();

    registry.changeId(session);

    assertThat(registry.wasMoved(old)).isFalse();
  }

  @Test
  void changeId_ofALostSession_invalidatesIt() {
    Session session = registry.create();
    registry.save(session);
    Session open = reopen(session);
    clock.advance(config.idleTimeout());

    assertThatThrownBy(() -> registry.changeId(open)).isInstanceOf(IllegalStateException.class);
    assertThat(open.isValid()).isFalse();
  }

  @Test
  void changeId_whenTheStoreFails_isAnOutage_notALostSession() {
    Session session = registry.create();
    registry.save(session);
    Session open = reopen(session);
    IllegalStateException cause = new IllegalStateException("connection refused (test)");
    SessionStore failing = (SessionStore) java.lang.reflect.Proxy.newProxyInstance(
        SessionStore.class.getClassLoader(), new Class<?>[] {SessionStore.class}, (p, m, a) -> {
          if (m.getName().equals("rotate")) {
            throw cause;
          }
          return m.invoke(store, a);
        });
    SessionRegistry outage =
        SessionRegistry.create(config, failing, new SecureRandom(), clock, SessionListener.noop());

    assertThatThrownBy(() -> outage.changeId(open))
        .isInstanceOf(dev.portcullis.revocation.StoreUnavailableException.class)
        .hasCause(cause);
    assertThat(open.isValid()).isFalse();
  }

  @Test
  void invalidatedSession_isGoneAndRefusesUse() {
    Session session = registry.create();
    registry.save(session);
    Session open = reopen(session);

    registry.invalidate(open);

    assertThat(registry.open(session.id().cookieValue())).isInstanceOf(SessionLookup.Absent.class);
    assertThatThrownBy(() -> open.getAttribute("x")).isInstanceOf(IllegalStateException.class);
    assertThat(registry.save(open)).isFalse();
  }

  @Test
  void save_afterTheStoreLostTheSession_reportsFailure() {
    Session session = registry.create();
    registry.save(session);
    Session open = reopen(session);
    open.setAttribute("late", 1L);
    clock.advance(Duration.ofHours(1));

    assertThat(registry.save(open)).isFalse();
    assertThat(open.isValid()).isFalse();
  }

  @Test
  void login_bindsTheUserHandle() {
    Session session = registry.create();
    registry.save(session);
    registry.changeId(session);
    session.setUserHandle("u-123");
    registry.save(session);

    assertThat(reopen(session).userHandle()).contains("u-123");
    assertThat(store.findByUser("u-123")).containsExactly(session.id().storeKey());
  }

  @Test
  void sessionId_isRedactedAndComparedByValue() {
    Session session = registry.create();

    assertThat(session.id().toString()).doesNotContain(session.id().cookieValue());
    assertThat(session.toString()).doesNotContain(session.id().cookieValue());
    assertThat(session.opaqueId()).isNotEqualTo(session.id().cookieValue()).hasSize(43);
    assertThat(session.id()).isEqualTo(new SessionId(session.id().cookieValue()));
    assertThat(session.id()).isNotEqualTo(registry.create().id());
  }

  @Test
  void idOf_acceptsOnlyWellFormedIds_andTheKeyStartsWithTheIdsSha256() throws Exception {
    String value = registry.create().id().cookieValue();
    SessionId id = registry.idOf(value);
    assertThat(id).isNotNull();
    assertThat(id.cookieValue()).isEqualTo(value);
    assertThat(registry.idOf(null)).isNull();
    assertThat(registry.idOf("")).isNull();
    assertThat(registry.idOf(value + "!")).isNull();
    assertThat(registry.idOf(value.substring(1))).isNull();

    byte[] sha = java.security.MessageDigest.getInstance("SHA-256")
        .digest(value.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    SessionKey key = id.storeKey();
    assertThat(key.toBytes()).isEqualTo(sha);
    for (int n : new int[] {0, 1, 8, 15, 16, 17, 31, 32}) {
      assertThat(key.startsWith(java.util.Arrays.copyOf(sha, n)))
          .as("first %d bytes", n)
          .isTrue();
    }
    for (int i = 0; i < 32; i++) {
      byte[] other = sha.clone();
      other[i] ^= 0x01;
      assertThat(key.startsWith(other)).as("byte %d changed", i).isFalse();
      assertThat(key.startsWith(java.util.Arrays.copyOf(other, i + 1)))
          .as("prefix ending in the changed byte %d", i)
          .isFalse();
    }
    assertThat(key.startsWith(java.util.Arrays.copyOf(sha, 33)))
        .as("longer than a key")
        .isFalse();
  }

  /** A registry whose listener records refusals, with {@code perAddress} new anonymous sessions per minute. */
  private SessionRegistry limited(int perAddress, List<SessionEvent> refused) {
    SessionConfig small =
        SessionConfig.builder().anonymousSessionsPerAddress(perAddress).build();
    return SessionRegistry.create(small, store, new SecureRandom(), clock, new SessionListener() {
      @Override
      public void sessionRefused(SessionEvent event) {
        refused.add(event);
      }
    });
  }

  @Test
  void newAnonymousSessions_pastTheAddresssShare_areRequestScoped_andCounted() {
    List<SessionEvent> refused = new ArrayList<>();
    SessionRegistry r = limited(3, refused);
    for (int i = 0; i < 3; i++) {
      Session s = r.create();
      assertThat(r.save(s, "203.0.113.7")).isTrue();
      assertThat(s.requestScoped()).isFalse();
    }
    Session over = r.create();
    over.setAttribute("cart", "1");
    assertThat(r.save(over, "203.0.113.7")).as("the request goes on").isTrue();
    assertThat(over.requestScoped()).isTrue();
    assertThat(over.isValid()).isTrue();
    assertThat(over.getAttribute("cart")).isEqualTo("1");
    assertThat(r.save(over, "203.0.113.7")).isTrue();
    assertThat(r.open(over.id().cookieValue()))
        .as("never stored")
        .isInstanceOf(SessionLookup.Absent.class);
    assertThat(refused)
        .hasSize(1)
        .allMatch(e -> e.type() == SessionEvent.Type.REFUSED
            && e.reason() == SessionEvent.Reason.RATE_LIMITED
            && e.userHandle().isEmpty());

    Session elsewhere = r.create();
    assertThat(r.save(elsewhere, "198.51.100.1")).isTrue();
    assertThat(elsewhere.requestScoped())
        .as("another address has its own share")
        .isFalse();

    clock.advance(Duration.ofMinutes(1));
    Session later = r.create();
    r.save(later, "203.0.113.7");
    assertThat(later.requestScoped()).as("a new window").isFalse();
  }

  /**
   * Regression: a new anonymous session the store failed to save for an outage counted against its address's share,
   * so an outage used up the share of every client behind one address. A save the store refuses for what the session
   * holds (a client can make the application put too much in it) still counts.
   */
  @Test
  void newAnonymousSessions_notSavedForAnOutage_doNotCount_butRefusedForWhatTheyHold_do() {
    java.util.concurrent.atomic.AtomicReference<RuntimeException> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    SessionStore flaky = (SessionStore) java.lang.reflect.Proxy.newProxyInstance(
        SessionStore.class.getClassLoader(), new Class<?>[] {SessionStore.class}, (p, m, a) -> {
          if (m.getName().equals("save") && failure.get() != null) {
            throw failure.get();
          }
          try {
            return m.invoke(store, a);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    SessionRegistry r = SessionRegistry.create(
        SessionConfig.builder().anonymousSessionsPerAddress(2).build(),
        flaky,
        new SecureRandom(),
        clock,
        SessionListener.noop());

    failure.set(new dev.portcullis.revocation.StoreUnavailableException("down", null));
    for (int i = 0; i < 5; i++) {
      assertThat(r.save(r.create(), "203.0.113.7")).isFalse();
    }
    failure.set(null);
    Session first = r.create();
    assertThat(r.save(first, "203.0.113.7")).isTrue();
    assertThat(first.requestScoped()).as("the outage did not use up the share").isFalse();

    failure.set(new IllegalArgumentException("session attributes too large"));
    assertThat(r.save(r.create(), "203.0.113.7")).isFalse();
    failure.set(null);
    Session third = r.create();
    assertThat(r.save(third, "203.0.113.7")).isTrue();
    assertThat(third.requestScoped()).as("the refused save counted").isTrue();
  }

  @Test
  void ipv6Addresses_shareOneCountPer64() {
    List<SessionEvent> refused = new ArrayList<>();
    SessionRegistry r = limited(2, refused);
    r.save(r.create(), "2001:db8:1:2::1");
    r.save(r.create(), "2001:db8:1:2:ffff::9");
    Session third = r.create();
    r.save(third, "2001:db8:1:2:abcd::1");
    assertThat(third.requestScoped()).isTrue();
    Session otherPrefix = r.create();
    r.save(otherPrefix, "2001:db8:1:3::1");
    assertThat(otherPrefix.requestScoped()).isFalse();
  }

  @Test
  void loggedInSessions_areNeverRefused_andALoginStoresARefusedSession() {
    List<SessionEvent> refused = new ArrayList<>();
    SessionRegistry r = limited(1, refused);
    r.save(r.create(), "203.0.113.7");
    Session over = r.create();
    r.save(over, "203.0.113.7");
    assertThat(over.requestScoped()).isTrue();

    // A login in the same request gives the session a user: it is stored after all.
    over.setUserHandle("u-alice");
    r.changeId(over);
    assertThat(r.save(over, "203.0.113.7")).isTrue();
    assertThat(over.requestScoped()).isFalse();
    assertThat(reopen(over).userHandle()).contains("u-alice");

    Session login = r.create();
    login.setUserHandle("u-bob");
    assertThat(r.save(login, "203.0.113.7")).isTrue();
    assertThat(reopen(login).userHandle()).contains("u-bob");
    assertThat(refused).hasSize(1);
  }

  @Test
  void unknownAddresses_shareOneCount() {
    List<SessionEvent> refused = new ArrayList<>();
    SessionRegistry r = limited(1, refused);
    r.save(r.create(), null);
    Session second = r.create();
    r.save(second, "not an address");
    assertThat(second.requestScoped()).isTrue();
  }
}
