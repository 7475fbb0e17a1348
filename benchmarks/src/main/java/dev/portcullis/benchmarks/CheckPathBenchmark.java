package dev.portcullis.benchmarks;

import dev.portcullis.crypto.KeyRing;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.login.AuthCheck;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.LoginDecision;
import dev.portcullis.login.LoginSession;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.login.SessionLoginCheck;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionLookup;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.ticket.TicketCheck;
import dev.portcullis.ticket.TicketVerifier;
import dev.portcullis.user.InMemoryUserDirectory;
import jakarta.servlet.http.Cookie;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The authenticated request's check path without the servlet layer: Portcullis' {@link SessionLoginCheck#check} (the
 * auth ticket opened and bound, the session looked up and touched, the revocations, the user still enabled and on the
 * current terms) beside {@link ChecksOnlyFilter}'s inline checks on the same kind of cookies, both given the two cookie
 * values already read from the request. {@link FilterBenchmark} measures the whole request, where the page and the
 * mock container take most of the time and the forks' noise hides a few hundred nanoseconds; here the difference
 * between the two is the price of the core's check path alone. Each side's ticket part (the auth cookie opened and
 * decoded) and session part (the id hashed, the session loaded, checked and touched) are measured alone beside it, to
 * show where that price sits; what the parts leave of the whole is the rest: the binding, the revocations, the user
 * and the results.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar CheckPathBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class CheckPathBenchmark {
  static final String TERMS = BenchmarkUser.TERMS;

  private SessionLoginCheck check;
  private SessionRegistry sessions;
  private TicketVerifier tickets;
  private String sessionId;
  private List<String> authValues;
  private ChecksOnlyFilter floor;
  private String floorSessionId;
  private String floorAuth;

  @Setup
  @SuppressForbidden(reason = "a benchmark measures against the real clock")
  public void start() throws Exception {
    InstantSource clock = InstantSource.system();
    SecureRandom random = new SecureRandom();
    KeyRing ring = BenchmarkUser.randomRing(random);
    InMemoryUserDirectory users = BenchmarkUser.directory(random);
    SessionConfig config = SessionConfig.defaults();
    SessionRegistry sessions = SessionRegistry.create(
        config,
        CaffeineSessionStore.builder(config, clock).build(),
        random,
        clock,
        SessionListener.noop());
    PortalLogin login = BenchmarkUser.login(ring, users, clock, random);
    check = SessionLoginCheck.create(sessions, login);
    this.sessions = sessions;
    tickets = TicketVerifier.create(ring, LoginCookies.DEFAULT_AUTH_COOKIE, clock, random);
    NewSession session = new NewSession(sessions);
    LoginDecision decision =
        login.passwordLogin("alice", "alice-pw".toCharArray(), true, null, session);
    if (!(decision instanceof LoginDecision.Accepted accepted)) {
      throw new IllegalStateException("the login must succeed: " + decision);
    }
    sessionId = session.id;
    authValues = List.of(accepted.ticket().cookieValue());

    floor = new ChecksOnlyFilter(clock, random, TERMS, List.of("/public"), "/login");
    List<Cookie> cookies = floor.logIn("u-alice");
    floorSessionId = cookies.get(0).getValue();
    floorAuth = cookies.get(1).getValue();

    if (!(portcullis().auth() instanceof AuthCheck.Authenticated)
        || !(portcullis().session() instanceof SessionLookup.Found)
        || !(portcullisTicket() instanceof TicketCheck.Valid)
        || !(portcullisSession() instanceof SessionLookup.Found)) {
      throw new IllegalStateException("Portcullis' check must find the session and the user");
    }
    if (!"u-alice".equals(floor()) || !"u-alice".equals(floorTicket()) || floorSession() == null) {
      throw new IllegalStateException("the floor's check must find the session and the user");
    }
  }

  /** The login's session: a new one in the registry, holding the user. */
  private static final class NewSession implements LoginSession {
    private final SessionRegistry sessions;
    private String id;

    NewSession(SessionRegistry sessions) {
      this.sessions = sessions;
    }

    @Override
    public String rotateTo(String userHandle) {
      Session session = sessions.create();
      session.setUserHandle(userHandle);
      if (!sessions.save(session)) {
        throw new IllegalStateException("the session was not saved");
      }
      id = session.id().cookieValue();
      return id;
    }

    @Override
    public boolean end() {
      return true;
    }

    @Override
    public void endAllOf(String userHandle) {}
  }

  @Benchmark
  public SessionLoginCheck.Result portcullis() {
    return check.check(sessionId, authValues);
  }

  @Benchmark
  public String floor() {
    return floor.authenticate(floorSessionId, floorAuth);
  }

  /**
   * The ticket's part of {@link #portcullis}: the auth cookie opened, decoded and its expiry checked ({@link
   * TicketVerifier#verify}, as the login's own verifier does it).
   */
  @Benchmark
  public TicketCheck portcullisTicket() {
    return tickets.verify(authValues.get(0));
  }

  /** The session's part of {@link #portcullis}: the id checked and hashed, the session loaded and touched. */
  @Benchmark
  public SessionLookup portcullisSession() {
    return sessions.open(sessionId);
  }

  /** The ticket's part of {@link #floor}: the auth cookie decoded and opened, its user read. */
  @Benchmark
  public String floorTicket() {
    return floor.ticketPart(floorAuth);
  }

  /** The session's part of {@link #floor}: the id hashed, the session looked up, checked and touched. */
  @Benchmark
  public Object floorSession() {
    return floor.sessionPart(floorSessionId);
  }
}
