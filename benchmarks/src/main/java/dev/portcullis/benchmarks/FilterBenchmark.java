package dev.portcullis.benchmarks;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.shiro.realm.SimpleAccountRealm;
import org.apache.shiro.web.filter.authc.FormAuthenticationFilter;
import org.apache.shiro.web.filter.mgt.DefaultFilterChainManager;
import org.apache.shiro.web.filter.mgt.PathMatchingFilterChainResolver;
import org.apache.shiro.web.mgt.DefaultWebSecurityManager;
import org.apache.shiro.web.servlet.AbstractShiroFilter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockFilterConfig;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.mock.web.MockServletContext;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;

/**
 * One request through a whole security filter, on in-memory Servlet 6 requests and responses (Spring's
 * {@code spring-test} mocks), for four filters in the same run:
 *
 * <ul>
 *   <li>{@code noop}: the baseline, a filter that only calls {@code chain.doFilter}.
 *   <li>{@code checksOnly}: {@link ChecksOnlyFilter}, the checks Portcullis makes per request written inline for this
 *       one configuration: the floor any filter making them can reach, so the run shows what the checks cost and what
 *       the library adds around them.
 *   <li>{@code portcullis}: {@link PortcullisFilter} as a portal that terminates TLS itself configures it: HTTPS
 *       required (the default transport, with HSTS), sessions on the Caffeine store, login with the auth-key cookie and CSRF, an access policy under which
 *       everything but the login, terms and public pages needs a login, and an audit log (audited actions and a search
 *       endpoint configured, events counted by the sink).
 *   <li>{@code springSecurity}: the {@code FilterChainProxy} of {@code @EnableWebSecurity} with a chain like Spring
 *       Boot's default (form login, HTTP Basic, {@code anyRequest().authenticated()} with one public page, session
 *       security-context repository, CSRF, security headers), from a minimal web application context.
 *   <li>{@code shiro}: Apache Shiro 2's {@link AbstractShiroFilter} over a {@link DefaultWebSecurityManager} with
 *       container sessions, {@code authc} (form login) on every page but the public one, {@code anon} on that.
 * </ul>
 *
 * <p>Three requests, each built afresh per invocation with what a browser would send (HTTPS on port 443):
 * {@link #authenticatedGet} of a protected page, carrying the cookies (one {@code Cookie} header, joined once as a
 * browser keeps it; the no-op's browser has a container session cookie, so every contender's request has one) and
 * container session of a user who logged in through the same filter during setup; {@link #anonymousGet} of a public
 * page; {@link #anonymousProtectedGet} of the protected page without a login, which each security filter answers with a redirect to its login page (the no-op
 * filter lets it through). The terminal servlet writes a short page and records the remote user it saw. Setup sends each
 * request once and throws unless the outcome is the expected one: the authenticated request reaches the servlet as the
 * logged-in user, the anonymous ones as nobody, and the anonymous protected one never (a redirect to the login page
 * instead), so a misconfigured variant cannot measure the wrong path.
 *
 * <p>Targets (ratios within one run; {@code PerformanceReport} checks them): on the authenticated request, what
 * Portcullis adds to {@code noop} is at most what Shiro adds and at most half of what Spring Security adds, and at most
 * 1.5 KB of allocation ({@code -prof gc}); on the anonymous request of a public page, at most 0.5 µs. Run (2 noisy
 * cores: one fork, compare within the run):
 *
 * <pre>
 * ./mvnw -B -ntp -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar FilterBenchmark -f 1 -wi 3 -i 5
 * java -jar benchmarks/target/benchmarks.jar 'FilterBenchmark.authenticatedGet' -p filter=noop,portcullis \
 *     -f 1 -wi 3 -i 5 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
// A fixed, pre-touched heap: otherwise first touches of newly grown heap pages (kernel time) land
// on the requests.
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class FilterBenchmark {
  static final String PROTECTED_PAGE = "/home";
  static final String PUBLIC_PAGE = "/public";
  static final String LOGIN_PAGE = "/login";
  static final String HOST = "portal.example";

  @Param({"noop", "checksOnly", "portcullis", "springSecurity", "shiro"})
  String filter;

  private Contender contender;

  @Setup
  public void start() throws Exception {
    contender = switch (filter) {
      case "noop" -> new NoopContender();
      case "checksOnly" -> new ChecksOnlyContender();
      case "portcullis" -> new PortcullisContender();
      case "springSecurity" -> new SpringSecurityContender();
      case "shiro" -> new ShiroContender();
      default -> throw new IllegalArgumentException("unknown filter " + filter);
    };
    contender.checkOutcomes();
  }

  /** The contender {@link #start} built; for tests. */
  Contender contender() {
    return contender;
  }

  @TearDown
  public void stop() throws Exception {
    contender.close();
  }

  @Benchmark
  public Outcome authenticatedGet() throws Exception {
    return contender.send(contender.authenticated(PROTECTED_PAGE));
  }

  @Benchmark
  public Outcome anonymousGet() throws Exception {
    return contender.send(contender.anonymous(PUBLIC_PAGE));
  }

  @Benchmark
  public Outcome anonymousProtectedGet() throws Exception {
    return contender.send(contender.anonymous(PROTECTED_PAGE));
  }

  /** What came back from one request: the response, and the remote user the page saw (if the page was reached). */
  public record Outcome(MockHttpServletResponse response, boolean reached, String user) {
    /** The redirect target, or null. */
    String location() {
      return response.getHeader("Location");
    }
  }

  /** The application's page: writes a few bytes and records who asked. */
  static final class Page extends HttpServlet {
    private static final long serialVersionUID = 1L;
    transient boolean reached;
    transient String user;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      reached = true;
      user = req.getRemoteUser();
      resp.setContentType("text/html;charset=utf-8");
      resp.getWriter().write("<p>page</p>");
    }
  }

  /**
   * One filter under test, with the browser state of a user who logged in through it. Subclasses build the filter and
   * log in; the request shape and the checks are shared, so every variant pays the same for the mocks.
   */
  abstract static class Contender implements AutoCloseable {
    final MockServletContext servletContext = new MockServletContext();
    final Map<String, Cookie> browserCookies = new LinkedHashMap<>();
    MockHttpSession containerSession;
    Filter filter;
    private String cookieHeader;

    /** The remote user the page must see on the authenticated request; null where the filter has no login. */
    abstract String expectedUser();

    /** Whether anonymous visitors of the protected page are sent to the login page rather than let through. */
    boolean guardsProtectedPage() {
      return true;
    }

    /** A browser's GET over HTTPS, with no cookies. */
    MockHttpServletRequest anonymous(String path) {
      return request("GET", path);
    }

    /** A browser's GET over HTTPS with the logged-in user's cookies (and the container session they name). */
    MockHttpServletRequest authenticated(String path) {
      MockHttpServletRequest request = request("GET", path);
      withBrowserState(request);
      return request;
    }

    MockHttpServletRequest request(String method, String path) {
      MockHttpServletRequest request = new MockHttpServletRequest(servletContext, method, path);
      // As a container maps a servlet at "/": the whole path is the servlet path.
      request.setServletPath(path);
      request.setSecure(true);
      request.setScheme("https");
      request.setServerName(HOST);
      request.setServerPort(443);
      request.addHeader("Host", HOST);
      request.addHeader("Accept", "text/html,application/xhtml+xml");
      request.addHeader("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) FilterBenchmark");
      return request;
    }

    void withBrowserState(MockHttpServletRequest request) {
      if (!browserCookies.isEmpty()) {
        request.addHeader("Cookie", cookieHeader());
      }
      if (containerSession != null) {
        request.setSession(containerSession);
      }
    }

    Outcome send(MockHttpServletRequest request) throws IOException, ServletException {
      MockHttpServletResponse response = new MockHttpServletResponse();
      Page page = new Page();
      FilterChain chain = new MockFilterChain(page, filter);
      chain.doFilter(request, response);
      return new Outcome(response, page.reached, page.user);
    }

    /**
     * The {@code Cookie} header of {@link #browserCookies}, joined once as a browser keeps it rather than per request:
     * the mock's {@code setCookies} joins the array with a stream on every call, a cost of the harness that grew with
     * the number of cookies and that the no-op, which had none, did not pay.
     */
    String cookieHeader() {
      String header = cookieHeader;
      if (header == null) {
        StringBuilder joined = new StringBuilder();
        for (Cookie c : browserCookies.values()) {
          joined
              .append(joined.isEmpty() ? "" : "; ")
              .append(c.getName())
              .append('=')
              .append(c.getValue());
        }
        header = joined.toString();
        cookieHeader = header;
      }
      return header;
    }

    /** Keeps {@code cookie} in the browser, in place of any of the same name. */
    void keep(Cookie cookie) {
      browserCookies.put(cookie.getName(), cookie);
      cookieHeader = null;
    }

    /** Keeps the cookies a response sets, as a browser would; a cookie with Max-Age 0 is removed. */
    void remember(MockHttpServletResponse response) {
      cookieHeader = null;
      for (Cookie c : response.getCookies()) {
        if (c.getMaxAge() == 0) {
          browserCookies.remove(c.getName());
        } else {
          keep(new Cookie(c.getName(), c.getValue()));
        }
      }
    }

    /** Sends each benchmarked request twice and throws unless every outcome is the expected one. */
    void checkOutcomes() throws IOException, ServletException {
      for (int round = 0; round < 2; round++) {
        Outcome in = send(authenticated(PROTECTED_PAGE));
        require(
            in.reached()
                && Objects.equals(in.user(), expectedUser())
                && in.response().getStatus() == 200,
            "authenticated GET " + PROTECTED_PAGE + " must reach the page as " + expectedUser(),
            in);
        Outcome anon = send(anonymous(PUBLIC_PAGE));
        require(
            anon.reached() && anon.user() == null && anon.response().getStatus() == 200,
            "anonymous GET " + PUBLIC_PAGE + " must reach the page as nobody",
            anon);
        Outcome denied = send(anonymous(PROTECTED_PAGE));
        if (guardsProtectedPage()) {
          int status = denied.response().getStatus();
          require(
              !denied.reached()
                  && (status == 302 || status == 303)
                  && denied.location() != null
                  && denied.location().contains(LOGIN_PAGE),
              "anonymous GET " + PROTECTED_PAGE + " must be redirected to the login page",
              denied);
        } else {
          require(
              denied.reached() && denied.user() == null,
              "the no-op filter lets everything through",
              denied);
        }
      }
    }

    static void require(boolean ok, String what, Outcome outcome) {
      if (!ok) {
        throw new IllegalStateException(what + "; got status "
            + outcome.response().getStatus() + ", page reached: " + outcome.reached() + ", user "
            + outcome.user() + ", Location " + outcome.location());
      }
    }

    @Override
    public void close() throws Exception {}
  }

  /** The floor: a filter that passes every request on. */
  static final class NoopContender extends Contender {
    NoopContender() {
      filter = (request, response, chain) -> chain.doFilter(request, response);
      // A browser of an application without a security filter still sends the container's session
      // cookie: the baseline's request carries a Cookie header like every other contender's.
      keep(new Cookie("JSESSIONID", "node0f3a91c2e7b4d5a68e0c1b2a3d4e5f607"));
    }

    @Override
    String expectedUser() {
      return null;
    }

    @Override
    boolean guardsProtectedPage() {
      return false;
    }
  }

  /**
   * {@link ChecksOnlyFilter}: Portcullis' per-request checks written inline, with no framework; the floor a filter
   * making those checks can reach.
   */
  static final class ChecksOnlyContender extends Contender {
    @SuppressForbidden(reason = "a benchmark measures against the real clock")
    ChecksOnlyContender() throws GeneralSecurityException {
      ChecksOnlyFilter checks = new ChecksOnlyFilter(
          InstantSource.system(),
          new SecureRandom(),
          PortcullisContender.TERMS,
          List.of(LOGIN_PAGE, "/terms", PUBLIC_PAGE),
          LOGIN_PAGE);
      for (Cookie cookie : checks.logIn("u-alice")) {
        keep(cookie);
      }
      filter = checks;
    }

    @Override
    String expectedUser() {
      return "u-alice";
    }
  }

  /** The Portcullis filter of a portal with one user, logged in through the filter's own login form. */
  static final class PortcullisContender extends Contender {
    static final String TERMS = BenchmarkUser.TERMS;
    final LongAdder auditEvents = new LongAdder();
    final AuditLog audit;

    @SuppressForbidden(reason = "a benchmark measures against the real clock")
    PortcullisContender() throws IOException, ServletException, InterruptedException {
      InstantSource clock = InstantSource.system();
      SecureRandom random = new SecureRandom();
      KeyRing ring = BenchmarkUser.randomRing(random);
      InMemoryUserDirectory users = BenchmarkUser.directory(random);
      audit = AuditLog.builder()
          .clock(clock)
          .random(random)
          .auditSink(event -> auditEvents.increment())
          .demandSink(event -> {})
          .build();
      SessionConfig sessionConfig = SessionConfig.defaults();
      SessionRegistry sessions = SessionRegistry.create(
          sessionConfig,
          CaffeineSessionStore.builder(sessionConfig, clock)
              .listener(new SessionAudit(audit))
              .build(),
          random,
          clock,
          new SessionAudit(audit));
      PortalLogin login = BenchmarkUser.login(ring, users, clock, random);
      filter = PortcullisFilter.builder()
          .transport(TransportConfig.defaults())
          .sessions(sessions)
          .login(login, random)
          .access(
              AccessPolicy.builder()
                  .permitAll(LOGIN_PAGE, "/terms", PUBLIC_PAGE, "/assets/**")
                  .requireAnyRole("/council/**", "COUNCIL_OFFICER")
                  .build(),
              LOGIN_PAGE)
          .audit(
              audit,
              AuditRules.builder()
                  .action("/reports/{org}/{id}", "report_view")
                  .searchEndpoint("/search", "q")
                  .build())
          .build();
      logIn();
      audit.flush(Duration.ofSeconds(10));
      if (auditEvents.sum() == 0) {
        throw new IllegalStateException("the login was not audited: the audit log is not wired");
      }
    }

    /** The login page (the cookie-check cookie and its CSRF token), then the form's POST, as a browser does. */
    private void logIn() throws IOException, ServletException {
      MockHttpServletRequest form = anonymous(LOGIN_PAGE);
      Outcome shown = send(form);
      Object csrf = form.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
      require(
          shown.reached() && csrf instanceof String,
          "GET " + LOGIN_PAGE + " must offer a CSRF token",
          shown);
      remember(shown.response());
      MockHttpServletRequest post = request("POST", LOGIN_PAGE);
      withBrowserState(post);
      post.setContentType("application/x-www-form-urlencoded");
      post.addParameter("username", "alice");
      post.addParameter("password", "alice-pw");
      post.addParameter("acceptTerms", "yes");
      post.addParameter("_csrf", (String) csrf);
      Outcome done = send(post);
      require(
          done.response().getStatus() == 303 && "/".equals(done.location()),
          "the login must succeed",
          done);
      remember(done.response());
    }

    @Override
    String expectedUser() {
      return "u-alice";
    }

    @Override
    public void close() {
      audit.close();
    }
  }

  /** Spring Security's chain from {@code @EnableWebSecurity}, logged in through its form login. */
  static final class SpringSecurityContender extends Contender {
    final AnnotationConfigWebApplicationContext context =
        new AnnotationConfigWebApplicationContext();

    SpringSecurityContender() throws IOException, ServletException {
      context.setServletContext(servletContext);
      context.register(SpringSecurityPortal.class);
      context.refresh();
      filter = context.getBean("springSecurityFilterChain", Filter.class);
      logIn();
    }

    private void logIn() throws IOException, ServletException {
      MockHttpServletRequest form = anonymous(LOGIN_PAGE);
      Outcome shown = send(form);
      CsrfToken csrf = (CsrfToken) form.getAttribute(CsrfToken.class.getName());
      MockHttpSession session = (MockHttpSession) form.getSession(false);
      require(
          !shown.reached()
              && shown.response().getStatus() == 200
              && csrf != null
              && session != null,
          "GET " + LOGIN_PAGE + " must render the login form with a CSRF token in a new session",
          shown);
      MockHttpServletRequest post = request("POST", LOGIN_PAGE);
      post.setSession(session);
      post.setCookies(new Cookie("JSESSIONID", session.getId()));
      post.setContentType("application/x-www-form-urlencoded");
      post.addParameter("username", "alice");
      post.addParameter("password", "alice-pw");
      post.addParameter(csrf.getParameterName(), csrf.getToken());
      Outcome done = send(post);
      require(
          done.response().getStatus() == 302
              && done.location() != null
              && !done.location().contains("error"),
          "the form login must succeed",
          done);
      containerSession = (MockHttpSession) post.getSession(false);
      keep(new Cookie("JSESSIONID", containerSession.getId()));
    }

    @Override
    String expectedUser() {
      return "alice";
    }

    @Override
    public void close() {
      context.close();
    }
  }

  /** A Spring Security configuration like Spring Boot's default web security, with one public page. */
  @Configuration
  @EnableWebSecurity
  public static class SpringSecurityPortal {
    @Bean
    public SecurityFilterChain portalChain(HttpSecurity http) throws Exception {
      http.authorizeHttpRequests(requests ->
          requests.requestMatchers(PUBLIC_PAGE).permitAll().anyRequest().authenticated());
      http.formLogin(Customizer.withDefaults());
      http.httpBasic(Customizer.withDefaults());
      return http.build();
    }

    @Bean
    public PasswordEncoder passwordEncoder() {
      return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    public UserDetailsService users(PasswordEncoder encoder) {
      return new InMemoryUserDetailsManager(User.withUsername("alice")
          .password(encoder.encode("alice-pw"))
          .roles("PROVIDER")
          .build());
    }
  }

  /** Shiro's filter with container sessions, logged in through its form-authentication filter. */
  static final class ShiroContender extends Contender {
    ShiroContender() throws Exception {
      SimpleAccountRealm realm = new SimpleAccountRealm("portal");
      realm.addAccount("alice", "alice-pw", "PROVIDER");
      DefaultWebSecurityManager securityManager = new DefaultWebSecurityManager(realm);
      // Session-based only: Shiro's remember-me cookie is a Java-serialized principal (see
      // CVE-2016-4437).
      securityManager.setRememberMeManager(null);
      MockFilterConfig config = new MockFilterConfig(servletContext, "shiro");
      DefaultFilterChainManager chains = new DefaultFilterChainManager(config);
      FormAuthenticationFilter authc = (FormAuthenticationFilter) chains.getFilter("authc");
      authc.setLoginUrl(LOGIN_PAGE);
      chains.createChain(PUBLIC_PAGE, "anon");
      chains.createChain("/**", "authc");
      PathMatchingFilterChainResolver resolver = new PathMatchingFilterChainResolver(config);
      resolver.setFilterChainManager(chains);
      AbstractShiroFilter shiro = new AbstractShiroFilter() {};
      shiro.setSecurityManager(securityManager);
      shiro.setFilterChainResolver(resolver);
      shiro.init(config);
      filter = shiro;
      logIn();
    }

    private void logIn() throws IOException, ServletException {
      MockHttpServletRequest post = request("POST", LOGIN_PAGE);
      post.setContentType("application/x-www-form-urlencoded");
      post.addParameter("username", "alice");
      post.addParameter("password", "alice-pw");
      Outcome done = send(post);
      MockHttpSession session = (MockHttpSession) post.getSession(false);
      require(
          done.response().getStatus() == 302 && session != null,
          "the form login must succeed",
          done);
      containerSession = session;
      keep(new Cookie("JSESSIONID", session.getId()));
    }

    @Override
    String expectedUser() {
      return "alice";
    }

    @Override
    public void close() {
      filter.destroy();
    }
  }
}
