package dev.portcullis.benchmarks.http;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SearchDemandSink;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.benchmarks.ChecksOnlyFilter;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.Cookie;
import java.io.IOException;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The target of {@code benchmarks/http-load.sh}: the same tiny servlet ({@link PrincipalPage}) three times on Jetty 12
 * (ee10), on 127.0.0.1 only: bare; behind a {@link PortcullisFilter} configured as a portal would be (sessions on the
 * Caffeine store, the auth cookie, an access policy with protected paths, audit into a no-op sink); and behind
 * {@link ChecksOnlyFilter}, the <em>floor</em>: Portcullis' per-request checks written inline with no framework, so
 * that over HTTP the distance from bare to the floor is what the checks cost, and from the floor to Portcullis what
 * the library's generality costs. Each app has its own {@link Server} and port, with the same connector settings; all
 * use Jetty's case-sensitive header cache, as the README requires.
 *
 * <p><b>Transport.</b> The load is plain HTTP on loopback, to measure the filter rather than TLS. Both filters see
 * the requests as behind a TLS-terminating proxy, and every request (the bare app's too) carries {@link
 * #PROXY_HEADERS}. Portcullis trusts {@code X-Forwarded-Proto} and {@code X-Forwarded-For} from 127.0.0.1 (its own
 * transport stage). The floor has no proxy handling of its own, so its connector alone has Jetty's {@link
 * ForwardedRequestCustomizer}, which makes the request HTTPS ({@code isSecure()}) and the client the forwarded one
 * from the same headers; it trusts any sender, which here is the same as trusting 127.0.0.1 because the connector
 * listens on nothing else. Requests are therefore HTTPS to both filters: the same cookie checks, session lookup and
 * headers (HSTS included) as over TLS, with no development mode. A request without the headers is sent to HTTPS by
 * Portcullis ({@code 308}) and refused by the floor ({@code 403}).
 *
 * <p>At start one user ({@link #USER_HANDLE}, with a random password) logs in through Portcullis' real login
 * endpoint, as a browser would ({@code GET /login}, then {@code POST /login} with the CSRF token and the terms box
 * ticked); the browser's cookies afterwards are {@link #cookieHeader()}. The same user logs in to the floor through
 * {@link ChecksOnlyFilter#logIn}, which has no login page: its two cookies are {@link #floorCookieHeader()}. The keys
 * are random and live as long as the process. Public pages are answered anonymously by both filters; every other
 * page needs the login.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.portcullis.benchmarks.http.LoadServer --cookie-file
 * FILE [--floor-cookie-file FILE] [--bare-port N] [--portcullis-port N] [--floor-port N]}. It prints {@code bare
 * <url>}, {@code portcullis <url>}, {@code floor <url>}, {@code user <handle>} and {@code ready}, writes the Portcullis
 * Cookie header to the cookie file and the floor's to the floor cookie file (owner-only; never to the console) and
 * serves until killed.
 */
public final class LoadServer implements AutoCloseable {
  /** The logged-in user's handle: what the Portcullis and floor apps' pages name as the principal. */
  public static final String USER_HANDLE = "u-load";
  /** A page that needs a login. */
  public static final String PROTECTED_PATH = "/account";
  /** A page anyone may see. */
  public static final String PUBLIC_PATH = "/privacy";

  static final String LOGIN_PATH = "/login";
  /**
   * What a TLS-terminating proxy in front of the app adds to every request; sent to every app alike. The client
   * address is from the documentation range (RFC 5737).
   */
  public static final Map<String, String> PROXY_HEADERS =
      Map.of("X-Forwarded-Proto", "https", "X-Forwarded-For", "192.0.2.10");

  static final String HOST = "127.0.0.1";
  private static final String TERMS_VERSION = "2026-01";
  /** The floor's public pages: the Portcullis app's, but for {@code /assets/**} (the floor knows exact paths only). */
  private static final List<String> PUBLIC_PAGES =
      List.of("/", LOGIN_PATH, "/terms", PUBLIC_PATH, "/search");

  private final Server bare;
  private final Server portcullis;
  private final Server floor;
  private final AuditLog audit;
  private final URI bareUri;
  private final URI portcullisUri;
  private final URI floorUri;
  private String cookieHeader;
  private String floorCookieHeader;

  private LoadServer(Server bare, Server portcullis, Server floor, AuditLog audit) {
    this.bare = bare;
    this.portcullis = portcullis;
    this.floor = floor;
    this.audit = audit;
    this.bareUri = uri(bare);
    this.portcullisUri = uri(portcullis);
    this.floorUri = uri(floor);
  }

  /** Starts the three apps on free ports and logs the user in to Portcullis and to the floor. */
  public static LoadServer start(InstantSource clock, SecureRandom random) throws Exception {
    return start(clock, random, 0, 0, 0);
  }

  /**
   * Starts the three apps and logs the user in to Portcullis and to the floor.
   *
   * @param barePort the bare app's port, 0 for a free one
   * @param portcullisPort the Portcullis app's port, 0 for a free one
   * @param floorPort the floor app's port, 0 for a free one
   */
  public static LoadServer start(
      InstantSource clock, SecureRandom random, int barePort, int portcullisPort, int floorPort)
      throws Exception {
    AuditLog audit = AuditLog.builder()
        .clock(clock)
        .random(random)
        .auditSink(AuditSink.noop())
        .demandSink(SearchDemandSink.noop())
        .build();
    char[] password = randomPassword(random);
    Server bare = null;
    Server portcullis = null;
    Server floor = null;
    try {
      ChecksOnlyFilter checks =
          new ChecksOnlyFilter(clock, random, TERMS_VERSION, PUBLIC_PAGES, LOGIN_PATH);
      bare = server(barePort, null, false);
      portcullis = server(portcullisPort, filter(clock, random, audit, password), false);
      floor = server(floorPort, checks, true);
      bare.start();
      portcullis.start();
      floor.start();
      LoadServer started = new LoadServer(bare, portcullis, floor, audit);
      started.cookieHeader = logIn(started.portcullisUri, password);
      started.floorCookieHeader = logInToFloor(started.floorUri, checks);
      return started;
    } catch (Exception | Error e) {
      stopQuietly(floor);
      stopQuietly(portcullis);
      stopQuietly(bare);
      audit.close();
      throw e;
    }
  }

  /** The bare app, e.g. {@code http://127.0.0.1:40123}. */
  public URI bareUri() {
    return bareUri;
  }

  /** The app behind Portcullis. */
  public URI portcullisUri() {
    return portcullisUri;
  }

  /** The app behind the floor, {@link ChecksOnlyFilter}. */
  public URI floorUri() {
    return floorUri;
  }

  /**
   * The {@code Cookie} header value a browser sends after the user's login: session, auth and cookie-check cookies.
   * A credential for the Portcullis app while this server runs.
   */
  public String cookieHeader() {
    return cookieHeader;
  }

  /**
   * The {@code Cookie} header value that logs the user in to the floor: {@link ChecksOnlyFilter}'s session and auth
   * cookies. A credential for the floor app while this server runs; it opens nothing in the Portcullis app.
   */
  public String floorCookieHeader() {
    return floorCookieHeader;
  }

  @Override
  public void close() throws Exception {
    try {
      Exception failure = null;
      for (Server server : List.of(floor, portcullis, bare)) {
        try {
          server.stop();
        } catch (Exception e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      audit.close();
    }
  }

  private static PortcullisFilter filter(
      InstantSource clock, SecureRandom random, AuditLog audit, char[] password) {
    KeyRing keys = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, clock.instant(), KeyMaterial.generate(random))
        .build();
    PasswordHasher hasher = PasswordHasher.standard(random);
    InMemoryUserDirectory users = new InMemoryUserDirectory(hasher)
        .add(
            "load",
            password,
            new PortalUser(
                USER_HANDLE,
                "Load Tester",
                "load@riverside.example",
                Set.of("PROVIDER"),
                "riverside",
                true,
                TERMS_VERSION));
    SessionConfig sessionConfig = SessionConfig.builder()
        .idleTimeout(Duration.ofMinutes(30))
        .absoluteTimeout(Duration.ofHours(12))
        .build();
    SessionRegistry sessions = SessionRegistry.create(
        sessionConfig,
        CaffeineSessionStore.builder(sessionConfig, clock)
            .listener(new SessionAudit(audit))
            .build(),
        random,
        clock,
        new SessionAudit(audit));
    PortalLogin login = PortalLogin.builder()
        .keyRing(keys)
        .users(users)
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(random)
        .termsVersion(TERMS_VERSION)
        .ticketLifetime(Duration.ofHours(8))
        .loginPath(LOGIN_PATH)
        .afterLoginPath(PROTECTED_PATH)
        .build();
    return PortcullisFilter.builder()
        .transport(
            TransportConfig.builder().trustedProxies(HOST).canonicalHost(HOST).build())
        .sessions(sessions)
        .login(login, random)
        .access(
            AccessPolicy.builder()
                .permitAll("/", LOGIN_PATH, "/terms", PUBLIC_PATH, "/search", "/assets/**")
                .requireAnyRole("/council/**", "COUNCIL_OFFICER")
                .authenticated("/**")
                .build(),
            LOGIN_PATH)
        .requirePublic(PUBLIC_PATH, "/terms")
        .audit(
            audit,
            AuditRules.builder()
                .action("/reports/{id}", "report_view")
                .searchEndpoint("/search", "q")
                .build())
        .build();
  }

  /**
   * One Jetty with one loopback connector and {@link PrincipalPage} for every path, behind {@code filter} if any; with
   * {@code forwarded}, the connector takes the scheme and client from the proxy headers (the floor only).
   */
  private static Server server(int port, Filter filter, boolean forwarded) {
    Server server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    // Jetty's header cache otherwise matches Cookie values case-insensitively per connection (see
    // the README).
    config.setHeaderCacheCaseSensitive(true);
    config.setSendServerVersion(false);
    if (forwarded) {
      // The floor's stand-in for Portcullis' trusted-proxy handling: X-Forwarded-Proto: https makes
      // the request secure. Any sender is trusted, and the connector accepts only 127.0.0.1.
      config.addCustomizer(new ForwardedRequestCustomizer());
    }
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost(HOST);
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler app = new ServletContextHandler();
    app.setContextPath("/");
    if (filter != null) {
      app.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    app.addServlet(new ServletHolder(new PrincipalPage()), "/*");
    server.setHandler(app);
    return server;
  }

  /**
   * Logs in through the login page and endpoint like a browser, and checks that the resulting cookies open the
   * protected page as the user.
   *
   * @return the Cookie header value
   */
  private static String logIn(URI base, char[] password) throws IOException, InterruptedException {
    HttpClient client = client();
    Map<String, String> jar = new LinkedHashMap<>();

    HttpResponse<String> page = send(client, request(base, LOGIN_PATH, jar).GET(), jar);
    String csrf = page.body()
        .lines()
        .filter(l -> l.startsWith("csrf="))
        .map(l -> l.substring(5))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(
            "the login page (" + page.statusCode() + ") offers no CSRF" + " token"));
    String form = Map.of(
            "username",
            "load",
            "password",
            new String(password),
            "acceptTerms",
            "yes",
            "_csrf",
            csrf)
        .entrySet()
        .stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpResponse<String> posted = send(
        client,
        request(base, LOGIN_PATH, jar)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)),
        jar);
    if (posted.statusCode() != 303
        || !posted.headers().firstValue("Location").orElse("").equals(PROTECTED_PATH)) {
      throw new IllegalStateException("login was refused: " + posted.statusCode() + " to "
          + posted.headers().firstValue("Location").orElse("nowhere"));
    }
    requireOpens(client, base, jar);
    return cookieHeader(jar);
  }

  /**
   * Logs the user in to the floor (it has no login page: {@link ChecksOnlyFilter#logIn} hands out the cookies), and
   * checks that the cookies open the protected page as the user.
   *
   * @return the Cookie header value
   */
  private static String logInToFloor(URI base, ChecksOnlyFilter checks)
      throws IOException, InterruptedException, GeneralSecurityException {
    Map<String, String> jar = new LinkedHashMap<>();
    for (Cookie cookie : checks.logIn(USER_HANDLE)) {
      jar.put(cookie.getName(), cookie.getValue());
    }
    requireOpens(client(), base, jar);
    return cookieHeader(jar);
  }

  /** Throws unless the cookies in {@code jar} open the protected page of {@code base} as the user. */
  private static void requireOpens(HttpClient client, URI base, Map<String, String> jar)
      throws IOException, InterruptedException {
    HttpResponse<String> check = send(client, request(base, PROTECTED_PATH, jar).GET(), jar);
    if (check.statusCode() != 200
        || !check.body().startsWith(PrincipalPage.principalLine(USER_HANDLE))) {
      throw new IllegalStateException("the login's cookies do not open "
          + base.resolve(PROTECTED_PATH) + ": " + check.statusCode());
    }
  }

  private static HttpClient client() {
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static HttpRequest.Builder request(URI base, String path, Map<String, String> jar) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
    PROXY_HEADERS.forEach(request::header);
    if (!jar.isEmpty()) {
      request.header("Cookie", cookieHeader(jar));
    }
    return request;
  }

  private static String cookieHeader(Map<String, String> jar) {
    return jar.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("; "));
  }

  /** Sends and keeps the response's cookies, dropping the ones it expires. */
  private static HttpResponse<String> send(
      HttpClient client, HttpRequest.Builder request, Map<String, String> jar)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    for (String header : response.headers().allValues("Set-Cookie")) {
      for (HttpCookie cookie : HttpCookie.parse(header)) {
        if (cookie.getMaxAge() == 0 || cookie.getValue().isEmpty()) {
          jar.remove(cookie.getName());
        } else {
          jar.put(cookie.getName(), cookie.getValue());
        }
      }
    }
    return response;
  }

  private static char[] randomPassword(SecureRandom random) {
    byte[] bytes = new byte[18];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
  }

  private static URI uri(Server server) {
    return URI.create(
        "http://" + HOST + ":" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
  }

  private static void stopQuietly(Server server) {
    if (server != null) {
      try {
        server.stop();
      } catch (Exception e) {
        // Already failing to start: the original exception is the one to report.
      }
    }
  }

  /**
   * Starts the apps, writes the cookie headers to {@code --cookie-file} and {@code --floor-cookie-file}, prints the
   * URLs and serves until killed.
   */
  @SuppressForbidden(
      reason = "the load server's composition root: the one place it takes the system clock")
  public static void main(String[] args) throws Exception {
    Path cookieFile = null;
    Path floorCookieFile = null;
    int barePort = 0;
    int portcullisPort = 0;
    int floorPort = 0;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--cookie-file" -> cookieFile = Path.of(required(args[i], value));
        case "--floor-cookie-file" -> floorCookieFile = Path.of(required(args[i], value));
        case "--bare-port" -> barePort = Integer.parseInt(required(args[i], value));
        case "--portcullis-port" -> portcullisPort = Integer.parseInt(required(args[i], value));
        case "--floor-port" -> floorPort = Integer.parseInt(required(args[i], value));
        default ->
          throw new IllegalArgumentException("unknown option " + args[i] + "; usage: LoadServer"
              + " --cookie-file FILE [--floor-cookie-file FILE] [--bare-port N]"
              + " [--portcullis-port N] [--floor-port N]");
      }
      i++;
    }
    if (cookieFile == null) {
      throw new IllegalArgumentException(
          "--cookie-file FILE is required: the logged-in browser's Cookie header goes"
              + " there, never to the console");
    }
    Path cookiePath = cookieFile.toAbsolutePath().normalize();
    if (floorCookieFile != null
        && floorCookieFile.toAbsolutePath().normalize().equals(cookiePath)) {
      throw new IllegalArgumentException("--cookie-file and --floor-cookie-file must be two files");
    }
    LoadServer server =
        start(InstantSource.system(), new SecureRandom(), barePort, portcullisPort, floorPort);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(
            () -> {
              try {
                server.close();
              } catch (Exception e) {
                System.err.println(
                    "the load server did not stop cleanly: " + e.getClass().getName());
              }
            },
            "load-server-stop"));
    writeOwnerOnly(cookieFile, server.cookieHeader());
    if (floorCookieFile != null) {
      writeOwnerOnly(floorCookieFile, server.floorCookieHeader());
    }
    System.out.println("bare " + server.bareUri());
    System.out.println("portcullis " + server.portcullisUri());
    System.out.println("floor " + server.floorUri());
    System.out.println("user " + USER_HANDLE);
    System.out.println("ready");
    System.out.flush();
    server.portcullis.join();
  }

  /** Writes a credential to a new file only its owner can read or write (never to the console). */
  private static void writeOwnerOnly(Path file, String value) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, value);
  }

  private static String required(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }
}
