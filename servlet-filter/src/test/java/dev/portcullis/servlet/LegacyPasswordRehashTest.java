package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.aspnet.password.AspNetHashFormat;
import dev.portcullis.aspnet.password.AspNetPasswords;
import dev.portcullis.aspnet.password.PasswordCheck;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.testing.TestVectors;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A user migrated from an ASP.NET Identity portal logs in through {@link Portcullis#builder()} on a real Jetty over
 * HTTPS with the old password, whose V3 hash comes from the shared vectors; after that first login the directory holds
 * a Portcullis Argon2id hash of the same password and the legacy hash is gone.
 */
class LegacyPasswordRehashTest {
  private static final String TERMS = "2026-01";

  private final SecureRandom random = new SecureRandom();
  private final KeyRing ring = KeyRing.builder()
      .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
      .build();
  private TestJetty jetty;
  private Portcullis portcullis;

  @AfterEach
  void stop() throws Exception {
    if (jetty != null) {
      jetty.close();
    }
    if (portcullis != null) {
      portcullis.close();
    }
  }

  @Test
  void identityV3User_logsInWithTheOldPassword_andTheStoredHashIsArgon2idAfterwards()
      throws Exception {
    JsonNode identity = TestVectors.json("aspnet/password-hashes.json").path("identity");
    String password = identity.path("password").asText();
    String v3Hash = StreamSupport.stream(identity.path("cases").spliterator(), false)
        .filter(c -> c.path("verify").asBoolean())
        .filter(c -> c.path("note").asText().startsWith("V3, SHA256, 10000 iterations"))
        .map(c -> c.path("hash").asText())
        .findFirst()
        .orElseThrow();
    PasswordHasher hasher = PasswordHasher.forTests();
    MigratingDirectory users = new MigratingDirectory(hasher);
    users.addLegacy(
        "ada.lovelace",
        v3Hash,
        null,
        AspNetHashFormat.IDENTITY,
        LoginPortal.user(
            "u-ada",
            "Ada Lovelace",
            "ada@riverside.example",
            "PROVIDER",
            "riverside",
            true,
            TERMS));
    String base = start(users);

    Browser browser = new Browser(base, client());
    assertThat(browser.login("ada.lovelace", password + " ", true).headers().firstValue("Location"))
        .as("a wrong password is refused")
        .hasValue("/login?error=1");
    assertThat(users.stored("ada.lovelace")).as("and changes nothing").isEqualTo(v3Hash);
    assertThat(browser.login("nobody", password, true).headers().firstValue("Location"))
        .hasValue("/login?error=1");

    assertThat(browser.login("ada.lovelace", password, true).headers().firstValue("Location"))
        .hasValue("/");
    assertThat(browser.whoami()).isEqualTo("u-ada");
    String rehashed = users.stored("ada.lovelace");
    assertThat(rehashed).startsWith("$argon2id$v=19$");
    assertThat(hasher.verify(password.toCharArray(), rehashed)).isTrue();
    assertThat(hasher.verify((password + " ").toCharArray(), rehashed)).isFalse();
    assertThat(users.legacyMatches).hasValue(1);

    browser.logout();
    assertThat(browser.get("/reports/1").statusCode()).as("logged out").isEqualTo(303);
    Browser again = new Browser(base, client());
    assertThat(again.login("ada.lovelace", password, true).headers().firstValue("Location"))
        .as("the next login checks the Argon2id hash")
        .hasValue("/");
    assertThat(again.whoami()).isEqualTo("u-ada");
    assertThat(users.stored("ada.lovelace")).isEqualTo(rehashed);
    assertThat(users.legacyMatches).as("no legacy check any more").hasValue(1);
  }

  private String start(UserDirectory users) throws Exception {
    portcullis = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .random(random)
        .build();
    jetty = TestJetty.builder().https().open();
    ServletContextHandler context = jetty.context("/").servlet(new Pages()).handler();
    portcullis.register(context.getServletContext());
    jetty.start();
    return jetty.httpsBaseUri().toString();
  }

  private HttpClient client() {
    return HttpClient.newBuilder()
        .sslContext(jetty.clientTls())
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * A user directory in the middle of a migration: each account holds either a legacy ASP.NET hash with its format
   * or a Portcullis hash, and a legacy hash is replaced at its user's first successful login.
   */
  private static final class MigratingDirectory implements UserDirectory {
    private record Account(
        String hash, String salt, AspNetHashFormat legacyFormat, PortalUser user) {}

    private final PasswordHasher hasher;
    private final AspNetPasswords legacy;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    final AtomicInteger legacyMatches = new AtomicInteger();

    MigratingDirectory(PasswordHasher hasher) {
      this.hasher = hasher;
      this.legacy = AspNetPasswords.builder(hasher).build();
    }

    void addLegacy(
        String username, String hash, String salt, AspNetHashFormat format, PortalUser user) {
      accounts.put(username.toLowerCase(Locale.ROOT), new Account(hash, salt, format, user));
    }

    String stored(String username) {
      return accounts.get(username).hash();
    }

    @Override
    public Optional<PortalUser> authenticate(String username, char[] password) {
      String key = username == null ? "" : username.toLowerCase(Locale.ROOT);
      Account a = accounts.get(key);
      if (a == null) {
        legacy.verifyDummy(password);
        return Optional.empty();
      }
      if (a.legacyFormat() == null) {
        return hasher.verify(password, a.hash()) ? Optional.of(a.user()) : Optional.empty();
      }
      PasswordCheck check = legacy.verify(password, a.hash(), a.salt(), a.legacyFormat());
      if (check instanceof PasswordCheck.Matched matched) {
        accounts.put(key, new Account(matched.newHash(), null, null, a.user()));
        legacyMatches.incrementAndGet();
        return Optional.of(a.user());
      }
      return Optional.empty();
    }

    @Override
    public Optional<PortalUser> findByHandle(String handle) {
      return accounts.values().stream()
          .map(Account::user)
          .filter(u -> u.handle().equals(handle))
          .findFirst();
    }

    @Override
    public void recordTermsAcceptance(String handle, String version) {}
  }

  /** {@code /login} and {@code /whoami} show the CSRF token as the test browser expects; other pages their path. */
  private static final class Pages extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      Object csrf = req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
      String path = req.getRequestURI();
      if (path.equals("/login")) {
        resp.getWriter().print("login page csrf=" + csrf);
      } else if (path.equals("/whoami")) {
        resp.getWriter()
            .print(
                req.getUserPrincipal() == null
                    ? "anonymous"
                    : req.getUserPrincipal().getName() + " csrf=" + csrf);
      } else {
        resp.getWriter().print("page " + path);
      }
    }
  }
}
