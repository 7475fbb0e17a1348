package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.CapturedStderr;
import dev.portcullis.testing.FakeSharedStores;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: {@link Portcullis#builder()} took a session store shared between nodes (Redis, PostgreSQL) and kept the
 * login limit in each node's memory without a word, so that a password guesser spreading guesses over N nodes behind
 * a load balancer got N budgets. {@code build()} now refuses that pair and says what to do, unless the application
 * accepts a limit per node with {@link Portcullis.Builder#perNodeLoginLimit()}, which is logged.
 */
class SharedSessionsNeedASharedLoginLimitTest {
  /** How slf4j-simple starts a warning of the entry point (development mode warns on its own). */
  private static final String PORTCULLIS_WARNING = "WARN dev.portcullis.servlet.Portcullis - ";

  private final MutableClock clock = MutableClock.startingAt2026();
  private final SecureRandom random = new SecureRandom();
  private final KeyRing ring = KeyRing.builder()
      .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
      .build();
  private final InMemoryUserDirectory users = LoginPortal.alice();
  private final SessionStore sharedSessions = FakeSharedStores.sessions(
      CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build());
  private final LoginAttemptStore sharedAttempts =
      FakeSharedStores.loginAttempts(LoginAttemptStore.inMemory(clock));
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private Portcullis.Builder node() {
    return Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(LoginPortal.TERMS)
        .clock(clock)
        .random(random)
        .transport(TransportConfig.builder().developmentMode(true).build())
        .accessDecidedByApplication();
  }

  private PortalLogin.Builder portalLogin() {
    return PortalLogin.builder()
        .keyRing(ring)
        .users(users)
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(random)
        .termsVersion(LoginPortal.TERMS);
  }

  private LoginThrottle.Builder sharedThrottle() {
    return LoginThrottle.builder(clock).random(random).store(sharedAttempts).hashKeyFrom(ring);
  }

  @Test
  void aSharedSessionStore_withTheLoginLimitInMemory_isRefusedAtBuild_withWhatToDo() {
    assertThatThrownBy(() -> node().sessionStore(sharedSessions).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the session store is shared between nodes")
        .hasMessageContaining("login limit is kept in this node's memory")
        .hasMessageContaining("loginAttemptStore(redis.loginAttemptStore())")
        .hasMessageContaining("loginAttemptStore(jdbc.loginAttemptStore())")
        .hasMessageContaining("login(l -> l.throttle(LoginThrottle.builder(clock)")
        .hasMessageContaining(".hashKeyFrom(keyRing)")
        .hasMessageContaining("perNodeLoginLimit()");
  }

  @Test
  void aSharedSessionStore_withAThrottleOfItsOwnOverAPerNodeStore_isRefusedToo() {
    LoginThrottle perNode =
        LoginThrottle.builder(clock).random(random).maxFailuresPerAccount(5).build();

    assertThatThrownBy(() ->
            node().sessionStore(sharedSessions).login(l -> l.throttle(perNode)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("perNodeLoginLimit()");
  }

  @Test
  void perNodeLoginLimit_acceptsTheSharedSessionStore_andWarnsOnceAtStartUp() throws Exception {
    Portcullis[] built = new Portcullis[1];
    String logged = CapturedStderr.during(
        () -> built[0] = node().sessionStore(sharedSessions).perNodeLoginLimit().build());
    toClose.add(built[0]);

    assertThat(logged.split(PORTCULLIS_WARNING, -1)).as("one warning").hasSize(2);
    assertThat(logged)
        .contains(PORTCULLIS_WARNING
            + "The login limit is kept in this node's memory (perNodeLoginLimit())");
    assertThat(built[0].sessionStore()).isSameAs(sharedSessions);
  }

  /**
   * Regression: {@code Portcullis.builder()} made the check in its own words and the filter's builder made it again.
   * It is made once, when the filter is built (the session store is asked once whether it is shared), and still
   * refuses in the entry point's words, or warns once.
   */
  @Test
  void theLoginLimitCheck_runsOnce_refusingOrWarningInTheEntryPointsWords() throws Exception {
    AtomicInteger refusedAsked = new AtomicInteger();
    assertThatThrownBy(() -> node().sessionStore(countingShared(refusedAsked)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("loginAttemptStore(redis.loginAttemptStore())");
    assertThat(refusedAsked).as("whether the sessions are shared, asked").hasValue(1);

    AtomicInteger acceptedAsked = new AtomicInteger();
    Portcullis[] built = new Portcullis[1];
    String logged = CapturedStderr.during(() -> built[0] =
        node().sessionStore(countingShared(acceptedAsked)).perNodeLoginLimit().build());
    toClose.add(built[0]);
    assertThat(acceptedAsked).as("whether the sessions are shared, asked").hasValue(1);
    assertThat(logged.split(PORTCULLIS_WARNING, -1)).as("one warning").hasSize(2);
  }

  /** The shared session store, counting how often it is asked whether it is shared. */
  private SessionStore countingShared(AtomicInteger asked) {
    return (SessionStore) Proxy.newProxyInstance(
        SessionStore.class.getClassLoader(),
        new Class<?>[] {SessionStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("sharedBetweenNodes")) {
            asked.incrementAndGet();
          }
          try {
            return method.invoke(sharedSessions, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void perNodeLoginLimit_withALimitSharedBetweenNodes_isAContradiction() {
    assertThatThrownBy(() -> node()
            .sessionStore(sharedSessions)
            .loginAttemptStore(sharedAttempts)
            .perNodeLoginLimit()
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("perNodeLoginLimit() and a login limit shared between nodes");
  }

  @Test
  void aSharedSessionStore_withASharedLoginLimit_buildsQuietly_eitherWay() throws Exception {
    String logged = CapturedStderr.during(() -> {
      toClose.add(
          node().sessionStore(sharedSessions).loginAttemptStore(sharedAttempts).build());
      toClose.add(node()
          .sessionStore(sharedSessions)
          .login(l -> l.throttle(sharedThrottle().build()))
          .build());
    });

    assertThat(logged).doesNotContain(PORTCULLIS_WARNING);
  }

  @Test
  void storesInMemory_keepTheLoginLimitInMemory_asBefore() throws Exception {
    String logged = CapturedStderr.during(() -> {
      toClose.add(node().build());
      toClose.add(node()
          .sessionStore(
              CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build())
          .build());
    });

    assertThat(logged).doesNotContain(PORTCULLIS_WARNING);
  }

  /**
   * The filter's own builder, which an application uses when it assembles the core objects itself (or declares its own
   * filter bean under the Spring Boot starter), makes the same decision: the rule does not depend on the entry point.
   */
  @Test
  void theFiltersOwnBuilder_refusesASharedSessionStoreWithAPerNodeLimit_unlessAccepted() {
    SessionRegistry sessions = SessionRegistry.create(
        SessionConfig.defaults(), sharedSessions, random, clock, SessionListener.noop());
    PortalLogin perNode = portalLogin().build();
    PortalLogin shared = portalLogin().throttle(sharedThrottle().build()).build();
    Function<PortalLogin, PortcullisFilter.Builder> filter = login -> PortcullisFilter.builder()
        .transport(TransportConfig.builder().developmentMode(true).build())
        .sessions(sessions)
        .login(login, random)
        .accessDecidedByApplication();

    assertThatThrownBy(() -> filter.apply(perNode).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the session store is shared between nodes")
        .hasMessageContaining("LoginThrottle.Builder.store")
        .hasMessageContaining("perNodeLoginLimit()");
    assertThat(filter.apply(perNode).perNodeLoginLimit().build()).isNotNull();
    assertThat(filter.apply(shared).build()).isNotNull();
    assertThatThrownBy(() -> filter.apply(shared).perNodeLoginLimit().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("contradict each other");
  }

  /**
   * Both nodes hash the budgets under the key derived from the one key ring, so the second node, whose own limit is
   * two, finds the two wrong passwords given to the first.
   */
  @Test
  void twoNodesOnTheSharedStores_countAgainstOneLimit() throws Exception {
    RevocationStore revocations = RevocationStore.inMemory(clock);
    TestBrowser first = start(node()
        .sessionStore(sharedSessions)
        .revocations(revocations)
        .loginAttemptStore(sharedAttempts));
    TestBrowser second = start(node()
        .sessionStore(sharedSessions)
        .revocations(revocations)
        .login(l -> l.throttle(sharedThrottle().maxFailuresPerAccount(2).build())));

    for (int i = 0; i < 2; i++) {
      assertThat(PortalNode.postLogin(first, "alice", "wrong-pw").headers().firstValue("Location"))
          .hasValue("/login?error=1");
    }
    assertThat(PortalNode.postLogin(second, "alice", "alice-pw").headers().firstValue("Location"))
        .as("the other node's budget is the same one: even the right password waits")
        .hasValue("/login?error=1");
    assertThat(PortalNode.postLogin(first, "alice", "alice-pw").headers().firstValue("Location"))
        .as("the first node's own limit is 100")
        .hasValue("/");
  }

  private TestBrowser start(Portcullis.Builder builder) throws Exception {
    Portcullis portcullis = builder.build();
    toClose.add(portcullis);
    TestJetty jetty = TestJetty.builder().open();
    toClose.add(jetty);
    jetty.context("/").filter(portcullis.filter()).servlet(new Page());
    jetty.start();
    return new TestBrowser("http://127.0.0.1:" + jetty.port());
  }

  /** Every path: the CSRF token of the request, as the login helpers read it. */
  private static final class Page extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      resp.getWriter().print("csrf=" + req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE));
    }
  }
}
