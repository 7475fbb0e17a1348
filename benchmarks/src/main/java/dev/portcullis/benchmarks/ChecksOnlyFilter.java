package dev.portcullis.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The floor of an authenticated request: the checks Portcullis makes on every request, written inline for the one
 * configuration {@link FilterBenchmark} measures, with no framework around them. It is what the request would cost if
 * each check were hand-written for this page and nothing else, so the distance from Portcullis to it is the price of
 * the library's generality, and its distance from the no-op filter is the price of the checks themselves.
 *
 * <p>Per request, as Portcullis: HTTPS required; the five security headers of the default transport (and {@code
 * Cache-Control: no-store} for a logged-in user); the {@code Cookie} header read from the request; the session id
 * hashed with SHA-256 once, the hash both the session's store key (a Caffeine cache) and the auth ticket's binding; idle
 * and absolute session timeouts checked and the last access moved; the auth cookie base64url-decoded and opened with
 * AES-256-GCM (the JDK's {@code Cipher}, 128-bit tag, a 48-byte context as associated data); the binding compared in
 * constant time; the ticket's revocation and the user's revocation cut-off looked up; the user still enabled and on the
 * current terms; the session's user the ticket's; the page refused to anonymous visitors (a redirect to the login
 * page) unless public, by the path within the application as sent (the still-encoded request URI after the context
 * path, as Portcullis compares it); the user handed to the application as the remote user and principal.
 *
 * <p>Thread-safe, so that it can also run in a container ({@code LoadServer}'s floor app): each thread has its own
 * {@code MessageDigest} and {@code Cipher}, as a hand-written filter would keep them.
 *
 * <p>Not a reference implementation: no key rotation, no CSRF tokens, no audit, no cookie rotation or expiry, no
 * rejection reasons. Benchmarks only.
 */
public final class ChecksOnlyFilter implements Filter {
  /** The auth cookie's name. */
  public static final String AUTH_COOKIE = "__Host-auth";
  /** The session cookie's name. */
  public static final String SESSION_COOKIE = "__Host-session";

  private static final String HSTS = "max-age=31536000; includeSubDomains";
  private static final int BINDING = 16;
  private static final int NONCE = 12;
  private static final long IDLE = Duration.ofMinutes(20).toMillis();
  private static final long ABSOLUTE = Duration.ofHours(8).toMillis();
  // Neither a MessageDigest nor a Cipher may be shared between threads; a container serves from
  // several.
  private static final ThreadLocal<Tools> TOOLS = ThreadLocal.withInitial(Tools::new);

  /** One stored session: its user and times; the last access moves on each request. */
  private static final class Stored {
    final String user;
    final long created;
    volatile long lastAccess;

    Stored(String user, long created) {
      this.user = user;
      this.created = created;
      this.lastAccess = created;
    }
  }

  /** A user as the directory knows them. */
  private record User(boolean enabled, String termsVersion) {}

  /** One thread's SHA-256 and AES-GCM instances. */
  private static final class Tools {
    final MessageDigest sha256;
    final Cipher cipher;

    Tools() {
      try {
        this.sha256 = MessageDigest.getInstance("SHA-256");
        this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final InstantSource clock;
  private final SecureRandom random;
  private final String termsVersion;
  private final Set<String> publicPaths;
  private final String loginPage;
  private final SecretKeySpec key;
  private final byte[] context = new byte[48];
  private final Cache<ByteBuffer, Stored> sessions =
      Caffeine.newBuilder().maximumSize(1_000_000).build();
  private final Set<Long> revokedTickets = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> userCutoffs = new ConcurrentHashMap<>();
  private final Map<String, User> users = new ConcurrentHashMap<>();

  /**
   * A filter with a random key, no sessions and no users yet.
   *
   * @param publicPaths the paths (within the application, exact) anonymous visitors may see
   * @param loginPage where anonymous visitors of any other page are redirected
   */
  public ChecksOnlyFilter(
      InstantSource clock,
      SecureRandom random,
      String termsVersion,
      List<String> publicPaths,
      String loginPage) {
    this.clock = clock;
    this.random = random;
    this.termsVersion = termsVersion;
    this.publicPaths = Set.copyOf(publicPaths);
    this.loginPage = loginPage;
    byte[] keyBytes = new byte[32];
    random.nextBytes(keyBytes);
    this.key = new SecretKeySpec(keyBytes, "AES");
    random.nextBytes(context);
    TOOLS.get();
  }

  /**
   * Adds an enabled user who accepted the current terms, and logs them in: their two cookies ({@link
   * #SESSION_COOKIE} and {@link #AUTH_COOKIE}), a credential while this filter lives.
   */
  public List<Cookie> logIn(String user) throws GeneralSecurityException {
    users.put(user, new User(true, termsVersion));
    byte[] sessionBytes = new byte[32];
    random.nextBytes(sessionBytes);
    String sessionId = Base64.getUrlEncoder().withoutPadding().encodeToString(sessionBytes);
    byte[] hash = TOOLS.get().sha256.digest(sessionId.getBytes(StandardCharsets.US_ASCII));
    long now = clock.millis();
    sessions.put(ByteBuffer.wrap(hash), new Stored(user, now));
    byte[] handle = user.getBytes(StandardCharsets.UTF_8);
    ByteBuffer ticket = ByteBuffer.allocate(BINDING + 16 + handle.length);
    ticket.put(hash, 0, BINDING).putLong(random.nextLong()).putLong(now).put(handle);
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    Cipher sealing = Cipher.getInstance("AES/GCM/NoPadding");
    sealing.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
    sealing.updateAAD(context);
    byte[] body = sealing.doFinal(ticket.array());
    byte[] sealed = Arrays.copyOf(nonce, NONCE + body.length);
    System.arraycopy(body, 0, sealed, NONCE, body.length);
    return List.of(
        new Cookie(SESSION_COOKIE, sessionId),
        new Cookie(AUTH_COOKIE, Base64.getUrlEncoder().withoutPadding().encodeToString(sealed)));
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    if (!request.isSecure()) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN);
      return;
    }
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Content-Security-Policy", "frame-ancestors 'none'");
    response.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    response.setHeader("Strict-Transport-Security", HSTS);
    String user = authenticate(request);
    if (user != null) {
      response.setHeader("Cache-Control", "no-store");
      chain.doFilter(new AsUser(request, user), response);
    } else if (publicPaths.contains(path(request))) {
      chain.doFilter(request, response);
    } else {
      response.sendRedirect(loginPage);
    }
  }

  /** The logged-in user's handle, or null when any check fails. */
  private String authenticate(HttpServletRequest request) {
    String header = request.getHeader("Cookie");
    if (header == null) {
      return null;
    }
    String sessionId = cookie(header, SESSION_COOKIE);
    String auth = cookie(header, AUTH_COOKIE);
    if (sessionId == null || auth == null) {
      return null;
    }
    return authenticate(sessionId, auth);
  }

  /**
   * The logged-in user's handle from the two cookies' values, or null when any check fails: the checks without the
   * {@code Cookie} header's parse ({@link CheckPathBenchmark} measures them beside Portcullis' own).
   */
  String authenticate(String sessionId, String auth) {
    Tools tools = TOOLS.get();
    byte[] hash = tools.sha256.digest(sessionId.getBytes(StandardCharsets.US_ASCII));
    Stored stored = touch(hash);
    if (stored == null) {
      return null;
    }
    byte[] plain = open(tools.cipher, auth);
    if (plain == null) {
      return null;
    }
    int diff = 0;
    for (int i = 0; i < BINDING; i++) {
      diff |= plain[i] ^ hash[i];
    }
    if (diff != 0) {
      return null;
    }
    ByteBuffer fields = ByteBuffer.wrap(plain, BINDING, 16);
    long ticketId = fields.getLong();
    long issuedAt = fields.getLong();
    String user = user(plain);
    if (revokedTickets.contains(ticketId)) {
      return null;
    }
    Long cutoff = userCutoffs.get(user);
    if (cutoff != null && issuedAt < cutoff) {
      return null;
    }
    User known = users.get(user);
    if (known == null || !known.enabled() || !termsVersion.equals(known.termsVersion())) {
      return null;
    }
    return user.equals(stored.user) ? user : null;
  }

  /**
   * The session part of {@link #authenticate(String, String)} alone: the id hashed, the session looked up, its timeouts
   * checked and its last access moved. The stored session, or null.
   */
  Object sessionPart(String sessionId) {
    return touch(TOOLS.get().sha256.digest(sessionId.getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * The ticket part of {@link #authenticate(String, String)} alone: the auth cookie decoded and opened, its user read.
   * The user, or null.
   */
  String ticketPart(String auth) {
    byte[] plain = open(TOOLS.get().cipher, auth);
    return plain == null ? null : user(plain);
  }

  /** The live session stored under {@code hash}, its last access moved to now; null when none or timed out. */
  private Stored touch(byte[] hash) {
    Stored stored = sessions.getIfPresent(ByteBuffer.wrap(hash));
    long now = clock.millis();
    if (stored == null || now - stored.lastAccess > IDLE || now - stored.created > ABSOLUTE) {
      return null;
    }
    stored.lastAccess = now;
    return stored;
  }

  /** The auth cookie's plaintext (binding, ticket id, issue time, user), or null when it does not open. */
  private byte[] open(Cipher cipher, String auth) {
    try {
      byte[] sealed = Base64.getUrlDecoder().decode(auth);
      if (sealed.length < NONCE + 16 + BINDING + 16) {
        return null;
      }
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, NONCE));
      cipher.updateAAD(context);
      return cipher.doFinal(sealed, NONCE, sealed.length - NONCE);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return null;
    }
  }

  private static String user(byte[] plain) {
    return new String(plain, BINDING + 16, plain.length - BINDING - 16, StandardCharsets.UTF_8);
  }

  /**
   * The path within the application as the client sent it (still encoded), as Portcullis compares it: the request URI
   * after the context path. Not the servlet path, which is empty under a servlet mapped at {@code /*}. A URI that does
   * not start with the context path as sent gives {@code ""}, which is no public page.
   */
  private static String path(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    if (uri == null || context == null || !uri.startsWith(context)) {
      return "";
    }
    return uri.substring(context.length());
  }

  /** The value of the only cookie named {@code name} in {@code header}, or null when absent or sent twice. */
  private static String cookie(String header, String name) {
    String found = null;
    int length = header.length();
    int start = 0;
    while (start < length) {
      int end = header.indexOf(';', start);
      if (end < 0) {
        end = length;
      }
      while (start < end && header.charAt(start) == ' ') {
        start++;
      }
      if (end - start > name.length()
          && header.charAt(start + name.length()) == '='
          && header.startsWith(name, start)) {
        if (found != null) {
          return null;
        }
        found = header.substring(start + name.length() + 1, end);
      }
      start = end + 1;
    }
    return found;
  }

  /** The request as the application sees it once the user is known. */
  private static final class AsUser extends HttpServletRequestWrapper {
    private final String user;

    AsUser(HttpServletRequest request, String user) {
      super(request);
      this.user = user;
    }

    @Override
    public String getRemoteUser() {
      return user;
    }

    @Override
    public Principal getUserPrincipal() {
      return new Handle(user);
    }
  }

  /** The user's handle as a {@link Principal}; made only when the application asks for it. */
  private record Handle(String name) implements Principal {
    @Override
    public String getName() {
      return name;
    }
  }
}
