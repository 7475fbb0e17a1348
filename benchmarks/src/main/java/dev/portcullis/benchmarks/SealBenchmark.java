package dev.portcullis.benchmarks;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKeyManager;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.crypto.Purpose;
import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.ticket.TicketCheck;
import dev.portcullis.ticket.TicketEncoding;
import dev.portcullis.ticket.TicketVerifier;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.shiro.crypto.cipher.AesCipherService;
import org.apache.shiro.subject.PrincipalCollection;
import org.apache.shiro.subject.SimplePrincipalCollection;
import org.apache.shiro.web.mgt.CookieRememberMeManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.web.authentication.rememberme.TokenBasedRememberMeServices;

/**
 * The cost of an auth-ticket cookie: seal then open, and open alone, through {@link TicketVerifier}, beside the floor
 * of raw JCA AES-256-GCM on the same plaintext bytes with associated data of the same size (a pre-built {@link
 * Cipher} per thread, a fresh 12-byte nonce per seal from the same kind of {@link SecureRandom}). Portcullis adds the
 * ticket codec, base64url, the per-call associated data and its cipher pool; the target is at most 1.3x the floor.
 *
 * <p>Beside them, the peers an application would otherwise pick for an encrypted or signed "remember me" or auth
 * cookie, each given the same user (user handle, organisation handle, issue time and expiry) and each built as its
 * library composes it:
 *
 * <ul>
 *   <li>{@code shiro*}: Apache Shiro's {@code CookieRememberMeManager}: a {@code SimplePrincipalCollection} (user,
 *       organisation, issue time and expiry as principals of one realm) Java-serialized by Shiro's {@code
 *       DefaultSerializer}, encrypted by its {@code AesCipherService} (AES-GCM, Shiro 2's default; given a 256-bit key
 *       here, where Shiro would generate a 128-bit one) and base64-encoded; then the reverse. Shiro checks no expiry
 *       of its own (the browser's cookie lifetime is all it has).
 *   <li>{@code springRememberMe*}: Spring Security's {@code TokenBasedRememberMeServices} with its default SHA-256
 *       token: sign computes the token signature and encodes the cookie, check decodes it, checks the expiry, loads
 *       the user (an in-memory map here; a database in most applications) and compares the signature in constant
 *       time. The cookie is <em>signed, not encrypted</em>: user name and expiry are readable by anyone who sees it,
 *       and the signature is a SHA-256 digest over the user name, expiry, the user's stored password hash and the
 *       server key (not an HMAC). The organisation travels on the loaded user, not in the cookie; nor do issue time,
 *       ticket id or session binding, so the cookie carries less than the others.
 *   <li>{@code tink*}: an auth cookie built on Google Tink's AEAD (AES256_GCM key template, Tink's 5-byte key-id
 *       prefix): the same ticket through Portcullis' own ticket codec, sealed with the raw floor's associated data,
 *       then base64url; opening decodes, decrypts, decodes the ticket and checks its expiry, as Portcullis does. So it
 *       differs from Portcullis only in the AEAD layer and its format.
 * </ul>
 *
 * Every variant opens its own output once in {@link #setUp()} and the set-up fails when the result differs from what
 * went in, so a broken variant cannot pass as a fast one. Cookie lengths for the same user: see {@link
 * #cookieLengths()}.
 *
 * <p>Run (compare variants within one run; on shared cores keep the error bars in view):
 *
 * <pre>
 * ./mvnw -B -ntp -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar SealBenchmark -f 1 -wi 3 -i 8
 * </pre>
 *
 * Add {@code -prof gc} for allocation per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 8, time = 2)
@Fork(1)
@State(Scope.Thread)
public class SealBenchmark {
  private static final String COOKIE = "__Host-pc-auth";
  private static final int GCM_TAG_BITS = 128;
  private static final int NONCE_BYTES = 12;
  static final String USER = "u-1001-7f3a";
  static final String ORGANISATION = "org-0042";
  private static final String REALM = "portal";
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();

  // Package-private members are read by SealBenchmarkTest.
  TicketVerifier verifier;
  AuthTicket ticket;
  String cookie;

  private SecureRandom random;
  private Cipher cipher;
  private SecretKeySpec key;
  private byte[] plaintext;
  byte[] aad;
  private byte[] sealedNonce;
  private byte[] sealedCiphertext;

  ShiroRememberMeCookie shiro;
  private PrincipalCollection shiroPrincipals;
  String shiroCookie;

  SpringRememberMeCookie spring;
  UserDetails springUser;
  private long springExpiry;
  String springCookie;

  Aead tink;
  String tinkCookie;
  private InstantSource tinkClock;

  @Setup
  public void setUp() throws GeneralSecurityException {
    SecureRandom keys = new SecureRandom();
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(keys))
        .build();
    // A fixed clock: the benchmark measures sealing, not time reads.
    InstantSource clock = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
    verifier = TicketVerifier.create(ring, COOKIE, clock, new SecureRandom());
    ticket = verifier.newTicket(USER, ORGANISATION, "s".repeat(43), Duration.ofHours(8));
    cookie = verifier.seal(ticket);

    random = new SecureRandom();
    byte[] raw = new byte[32];
    keys.nextBytes(raw);
    key = new SecretKeySpec(raw, "AES");
    cipher = Cipher.getInstance("AES/GCM/NoPadding");
    plaintext = TicketEncoding.encode(ticket);
    // Same size as Portcullis' associated data: version, purpose and cookie name, each
    // length-prefixed.
    aad = new byte
        [1
            + 2
            + Purpose.AUTH_TICKET.name().length()
            + 2
            + COOKIE.getBytes(StandardCharsets.UTF_8).length];
    sealedNonce = new byte[NONCE_BYTES];
    random.nextBytes(sealedNonce);
    sealedCiphertext = rawSeal(sealedNonce);
    if (!(verifier.verify(cookie) instanceof TicketCheck.Valid valid)
        || !valid.ticket().userHandle().equals(USER)) {
      throw new IllegalStateException("set-up cookie does not verify");
    }
    if (!Arrays.equals(rawGcmOpen(), plaintext)) {
      throw new IllegalStateException("raw GCM does not open to its plaintext");
    }
    setUpShiro(keys);
    setUpSpring(keys, clock);
    setUpTink(clock);
  }

  private void setUpShiro(SecureRandom keys) {
    byte[] shiroKey = new byte[32];
    keys.nextBytes(shiroKey);
    shiro = new ShiroRememberMeCookie(() -> shiroKey, new SecureRandom());
    shiroPrincipals = new SimplePrincipalCollection(
        List.of(USER, ORGANISATION, ticket.issuedAt(), ticket.expiresAt()), REALM);
    shiroCookie = shiro.seal(shiroPrincipals);
    PrincipalCollection opened = shiro.open(shiroCookie);
    if (!opened.asList().equals(shiroPrincipals.asList())
        || !opened.getRealmNames().equals(shiroPrincipals.getRealmNames())) {
      throw new IllegalStateException("Shiro's remember-me cookie does not open to its principals");
    }
  }

  private void setUpSpring(SecureRandom keys, InstantSource clock) {
    byte[] password = new byte[16];
    keys.nextBytes(password);
    // The stored hash, as Spring's default delegating encoder writes it ("{bcrypt}$2a$10$..."),
    // enters the signature.
    springUser = User.withUsername(USER)
        .password(PasswordEncoderFactories.createDelegatingPasswordEncoder()
            .encode(BASE64URL.encodeToString(password)))
        .authorities(new SimpleGrantedAuthority("org:" + ORGANISATION))
        .build();
    Map<String, UserDetails> users = Map.of(USER, springUser);
    byte[] serverKey = new byte[32];
    keys.nextBytes(serverKey);
    spring = new SpringRememberMeCookie(
        BASE64URL.encodeToString(serverKey),
        name -> {
          UserDetails user = users.get(name);
          if (user == null) {
            throw new UsernameNotFoundException("unknown user");
          }
          return user;
        },
        clock);
    springExpiry = ticket.expiresAt().toEpochMilli();
    springCookie = spring.sign(springUser, springExpiry);
    UserDetails checked = spring.check(springCookie);
    if (!checked.getUsername().equals(USER)
        || !checked.getAuthorities().equals(springUser.getAuthorities())) {
      throw new IllegalStateException("Spring's remember-me cookie does not check out to its user");
    }
  }

  private void setUpTink(InstantSource clock) throws GeneralSecurityException {
    AeadConfig.register();
    tink = KeysetHandle.generateNew(AesGcmKeyManager.aes256GcmTemplate())
        .getPrimitive(RegistryConfiguration.get(), Aead.class);
    tinkClock = clock;
    tinkCookie = tinkSeal();
    if (!ticket.equals(tinkOpen())) {
      throw new IllegalStateException("Tink does not open to its ticket");
    }
  }

  /** The cookie value each variant produces for the same user, in characters. */
  public Map<String, Integer> cookieLengths() {
    return Map.of(
        "portcullis", cookie.length(),
        "rawGcm",
            BASE64URL.encodeToString(concat(sealedNonce, sealedCiphertext)).length(),
        "shiro", shiroCookie.length(),
        "springRememberMe", springCookie.length(),
        "tink", tinkCookie.length());
  }

  @Benchmark
  public TicketCheck portcullisSealAndOpen() {
    return verifier.verify(verifier.seal(ticket));
  }

  @Benchmark
  public TicketCheck portcullisOpen() {
    return verifier.verify(cookie);
  }

  @Benchmark
  public byte[] rawGcmSealAndOpen() throws GeneralSecurityException {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    return rawOpen(nonce, rawSeal(nonce));
  }

  @Benchmark
  public byte[] rawGcmOpen() throws GeneralSecurityException {
    return rawOpen(sealedNonce, sealedCiphertext);
  }

  private byte[] rawSeal(byte[] nonce) throws GeneralSecurityException {
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(GCM_TAG_BITS, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(plaintext);
  }

  private byte[] rawOpen(byte[] nonce, byte[] sealed) throws GeneralSecurityException {
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(GCM_TAG_BITS, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(sealed);
  }

  @Benchmark
  public PrincipalCollection shiroSealAndOpen() {
    return shiro.open(shiro.seal(shiroPrincipals));
  }

  @Benchmark
  public PrincipalCollection shiroOpen() {
    return shiro.open(shiroCookie);
  }

  @Benchmark
  public UserDetails springRememberMeSignAndCheck() {
    return spring.check(spring.sign(springUser, springExpiry));
  }

  @Benchmark
  public UserDetails springRememberMeCheck() {
    return spring.check(springCookie);
  }

  @Benchmark
  public AuthTicket tinkSealAndOpen() throws GeneralSecurityException {
    return tinkOpen(tinkSeal());
  }

  @Benchmark
  public AuthTicket tinkOpen() throws GeneralSecurityException {
    return tinkOpen(tinkCookie);
  }

  /** The ticket in a Tink cookie, or null when it has expired (a bad cookie throws, as Tink does). */
  private AuthTicket tinkOpen(String value) throws GeneralSecurityException {
    AuthTicket t = TicketEncoding.decode(tink.decrypt(BASE64URL_DECODER.decode(value), aad))
        .orElseThrow(() -> new GeneralSecurityException("not a ticket"));
    return tinkClock.instant().isBefore(t.expiresAt()) ? t : null;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private String tinkSeal() throws GeneralSecurityException {
    return BASE64URL.encodeToString(tink.encrypt(TicketEncoding.encode(ticket), aad));
  }

  /**
   * Shiro's remember-me cookie value without the servlet round trip: the manager's own serialize-then-encrypt and
   * decrypt-then-deserialize, with the base64 and padding repair that {@link CookieRememberMeManager} applies to the
   * cookie. The Java deserialization happens inside Shiro ({@code DefaultSerializer}); it is the peer being measured,
   * and Portcullis' own code never deserializes.
   */
  static final class ShiroRememberMeCookie extends CookieRememberMeManager {
    ShiroRememberMeCookie(Supplier<byte[]> key, SecureRandom random) {
      super(key);
      if (!(getCipherService() instanceof AesCipherService aes)
          || !"GCM".equals(aes.getModeName())) {
        throw new IllegalStateException("Shiro's remember-me cipher is not AES-GCM");
      }
      aes.setSecureRandom(random);
    }

    String seal(PrincipalCollection principals) {
      return org.apache.shiro.lang.codec.Base64.encodeToString(
          convertPrincipalsToBytes(principals));
    }

    PrincipalCollection open(String value) {
      return convertBytesToPrincipals(
          org.apache.shiro.lang.codec.Base64.decode(ensurePadding(value)), null);
    }
  }

  /**
   * Spring's token-based remember-me cookie without the servlet round trip: the token that {@code onLoginSuccess}
   * writes and the decode and check that {@code autoLogin} performs. Expiry is checked against the benchmark's clock
   * instead of the system clock, the same comparison.
   */
  static final class SpringRememberMeCookie extends TokenBasedRememberMeServices {
    private final InstantSource clock;

    SpringRememberMeCookie(String key, UserDetailsService users, InstantSource clock) {
      super(key, users);
      this.clock = clock;
    }

    String sign(UserDetails user, long expiryMillis) {
      RememberMeTokenAlgorithm algorithm = RememberMeTokenAlgorithm.SHA256;
      return encodeCookie(new String[] {
        user.getUsername(),
        Long.toString(expiryMillis),
        algorithm.name(),
        makeTokenSignature(expiryMillis, user.getUsername(), user.getPassword(), algorithm)
      });
    }

    UserDetails check(String value) {
      return processAutoLoginCookie(decodeCookie(value), null, null);
    }

    @Override
    protected boolean isTokenExpired(long tokenExpiryTime) {
      return tokenExpiryTime < clock.millis();
    }
  }
}
