package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.portal.LoginPage;
import com.example.portal.PortedPortalSecurity;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.aspnet.FormsAuthentication;
import dev.portcullis.aspnet.FormsAuthenticationLegacyLogin;
import dev.portcullis.aspnet.MachineKey;
import dev.portcullis.aspnet.password.AspNetHashFormat;
import dev.portcullis.aspnet.password.AspNetPasswords;
import dev.portcullis.aspnet.password.PasswordCheck;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestVectors;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's port of an ASP.NET portal ({@link PortedPortalSecurity}, shown there verbatim) on a real Jetty over
 * HTTPS, with the old portal's web.config, a browser's real Forms Authentication cookie and a user's ASP.NET
 * Identity V3 hash from the shared vectors: the browser arrives logged in once, the user logs in with the old
 * password through the quick start's login page, and only the old portal's cookie names are ever set.
 */
class PortedPortalQuickStartTest {
  private static final String TERMS = "2026-01";
  private static final Pattern ACTION = Pattern.compile("<form method=post action=\"([^\"]+)\">");
  private static final Pattern HIDDEN =
      Pattern.compile("<input type=hidden name=(\\w+) value=\"([^\"]*)\">");
  private static final List<String> OLD_NAMES =
      List.of("ASP.NET_SessionId", "validPSuser", ".ASPXAUTH");

  @TempDir
  Path dataDir;

  private final SecureRandom random = new SecureRandom();
  private JsonNode vector;
  private MutableClock clock;
  private Accounts accounts;
  private TestJetty jetty;
  private Portcullis portcullis;

  @BeforeEach
  void start() throws Exception {
    vector = StreamSupport.stream(
            TestVectors.json("aspnet/formsauth-vectors.json").spliterator(), false)
        .filter(v -> v.path("id").asText().equals("julianmaughan-fx45-hmacsha256"))
        .findFirst()
        .orElseThrow();
    JsonNode key = vector.path("machineKey");
    Files.writeString(
        dataDir.resolve("web.config"),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <system.web>\n"
            + "    <httpRuntime targetFramework=\"4.5\" />\n"
            + "    <authentication mode=\"Forms\"><forms loginUrl=\"~/Account/Login\" /></authentication>\n"
            + "    <machineKey validationKey=\"" + key.path("validationKey").asText()
            + "\" decryptionKey=\"" + key.path("decryptionKey").asText() + "\" validation=\""
            + key.path("validation").asText() + "\" decryption=\""
            + key.path("decryption").asText()
            + "\" />\n  </system.web>\n</configuration>\n");
    KeyRingSources.createFile(
        KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
            .build(),
        dataDir.resolve("keys.txt"));
    // The vector's cookie was issued at 13:25 and expired at 18:20 that day.
    clock = new MutableClock(Instant.parse("2019-06-22T14:00:00Z"));

    JsonNode identity = TestVectors.json("aspnet/password-hashes.json").path("identity");
    String v3Hash = StreamSupport.stream(identity.path("cases").spliterator(), false)
        .filter(c -> c.path("note").asText().startsWith("V3, SHA256, 10000 iterations"))
        .map(c -> c.path("hash").asText())
        .findFirst()
        .orElseThrow();
    accounts = new Accounts(PasswordHasher.forTests());
    accounts.add(
        vector.path("expected").path("name").asText(),
        v3Hash,
        LoginPortal.user(
            "u-pat",
            "Pat Provider",
            "pat@riverside.example",
            "PROVIDER",
            "riverside",
            true,
            TERMS));

    jetty = TestJetty.builder().https().open();
    ServletContextHandler context = jetty.context("/").servlet(new Home()).handler();
    context.addServlet(new ServletHolder(new LoginPage()), "/login");
    portcullis = PortedPortalSecurity.install(
        context.getServletContext(), accounts, accounts::byOldLoginName, dataDir, clock);
    jetty.start();
  }

  @AfterEach
  void stop() throws Exception {
    jetty.close();
    portcullis.close();
  }

  private Browser browser() {
    HttpClient client = HttpClient.newBuilder()
        .sslContext(jetty.clientTls())
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    return new Browser(jetty.httpsBaseUri().toString().replaceAll("/$", ""), client);
  }

  @Test
  void aBrowsersAspxauthCookie_logsItInOnce_andOnlyTheOldPortalsCookieNamesAreSet()
      throws Exception {
    String aspxauth = vector.path("cookieHex").asText();
    Browser browser = browser();
    browser.cookies().put(".ASPXAUTH", aspxauth);

    HttpResponse<String> first = browser.get("/reports/7");

    assertThat(first.body()).isEqualTo("u-pat on /reports/7");
    assertThat(browser.cookies()).containsOnlyKeys("ASP.NET_SessionId", "validPSuser");
    assertThat(browser.cookies().get("ASP.NET_SessionId")).matches("[a-z0-5]{24}");
    assertThat(browser.setCookieHeaders())
        .allSatisfy(c -> assertThat(c.substring(0, c.indexOf('='))).isIn(OLD_NAMES))
        .anySatisfy(c -> assertThat(c).startsWith(".ASPXAUTH=;").contains("Max-Age=0"));
    assertThat(browser.get("/reports/8").body()).isEqualTo("u-pat on /reports/8");

    Browser copy = browser();
    copy.cookies().put(".ASPXAUTH", aspxauth);
    assertThat(copy.get("/reports/7").statusCode())
        .as("the same cookie a second time")
        .isEqualTo(303);
    assertThat(copy.cookies()).doesNotContainKey("validPSuser");
  }

  @Test
  void aUserWithAnAspNetIdentityHash_logsInWithTheOldPassword_andOnlyTheOldCookieNamesAreSet()
      throws Exception {
    String password = TestVectors.json("aspnet/password-hashes.json")
        .path("identity")
        .path("password")
        .asText();
    Browser browser = browser();

    assertThat(submit(browser, "3178092", password + "!").headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).startsWith("/login?error=1"));
    HttpResponse<String> in = submit(browser, "3178092", password);

    assertThat(in.headers().firstValue("Location")).hasValue("/");
    assertThat(browser.get("/reports/7").body()).isEqualTo("u-pat on /reports/7");
    assertThat(accounts.stored("3178092")).startsWith("$argon2id$");
    assertThat(browser.setCookieHeaders())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.substring(0, c.indexOf('='))).isIn(OLD_NAMES));
  }

  @Test
  void keepingTheOldLoginCookiesNameForTheAuthCookie_stopsStartUp_sayingWhichCookieToRename() {
    FormsAuthentication forms = FormsAuthentication.builder(MachineKey.builder()
            .validationKey(vector.path("machineKey").path("validationKey").asText())
            .decryptionKey(vector.path("machineKey").path("decryptionKey").asText())
            .validation(MachineKey.Validation.HMACSHA256)
            .decryption(MachineKey.Decryption.AES)
            .compatibilityMode(MachineKey.CompatibilityMode.FRAMEWORK45)
            .build())
        .clock(clock)
        .random(random)
        .build();
    var legacy = FormsAuthenticationLegacyLogin.builder(forms)
        .users(accounts::byOldLoginName)
        .sunset(PortedPortalSecurity.SUNSET)
        .build();
    var builder = Portcullis.builder()
        .keyRing(KeyRingSources.fromFile(dataDir.resolve("keys.txt")))
        .users(accounts)
        .termsVersion(TERMS)
        .login(b -> b.authCookie(CookieSpec.builder(".ASPXAUTH")
            .purpose("p")
            .dataStored("d")
            .duration("t")
            .build()))
        .filter(f -> f.legacyLogin(legacy, ReplayStore.inMemory(clock), clock));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'.ASPXAUTH' (the auth cookie and the legacy login cookie)")
        .hasMessageContaining("Until the sunset, browsers still send the old portal's login cookie")
        .hasMessageContaining(
            "the auth cookie needs another name (PortalLogin.Builder.authCookie)");
  }

  @Test
  void theReadme_showsThisPort_inPortingAnAspNetPortal() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int porting = readme.indexOf("## Porting an ASP.NET portal");
    int next = readme.indexOf("### Users' existing ASP.NET passwords", porting);
    assertThat(readme.substring(porting, next))
        .contains(
            "<!-- copy of: servlet-filter/src/test/java/com/example/portal/PortedPortalSecurity.java -->")
        .contains("public final class PortedPortalSecurity");
  }

  /** Opens the login page, fills in its form as a browser would and posts it where its action says. */
  private static HttpResponse<String> submit(Browser browser, String user, String password)
      throws IOException, InterruptedException {
    String html = browser.get("/login").body();
    Matcher action = ACTION.matcher(html);
    assertThat(action.find()).as("the page has a form: " + html).isTrue();
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher hidden = HIDDEN.matcher(html);
    while (hidden.find()) {
      fields.put(hidden.group(1), hidden.group(2).replace("&amp;", "&"));
    }
    fields.put("username", user);
    fields.put("password", password);
    fields.put("acceptTerms", "yes");
    return browser.post(action.group(1), fields);
  }

  /** The old AspNetUsers table: user name, ASP.NET Identity hash (Argon2id once rehashed), account. */
  static final class Accounts implements UserDirectory {
    private final PasswordHasher hasher;
    private final AspNetPasswords legacy;
    private final Map<String, String> hashes = new ConcurrentHashMap<>();
    private final Map<String, PortalUser> users = new ConcurrentHashMap<>();

    Accounts(PasswordHasher hasher) {
      this.hasher = hasher;
      this.legacy = AspNetPasswords.builder(hasher).build();
    }

    void add(String userName, String identityHash, PortalUser user) {
      hashes.put(userName, identityHash);
      users.put(userName, user);
    }

    String stored(String userName) {
      return hashes.get(userName);
    }

    Optional<PortalUser> byOldLoginName(String userName) {
      return Optional.ofNullable(users.get(userName));
    }

    @Override
    public Optional<PortalUser> authenticate(String username, char[] password) {
      String hash = hashes.get(username);
      if (hash == null) {
        legacy.verifyDummy(password);
        return Optional.empty();
      }
      if (hash.startsWith("$argon2id$")) {
        return hasher.verify(password, hash) ? byOldLoginName(username) : Optional.empty();
      }
      if (legacy.verify(password, hash, null, AspNetHashFormat.IDENTITY)
          instanceof PasswordCheck.Matched matched) {
        hashes.put(username, matched.newHash());
        return byOldLoginName(username);
      }
      return Optional.empty();
    }

    @Override
    public Optional<PortalUser> findByHandle(String handle) {
      return users.values().stream().filter(u -> u.handle().equals(handle)).findFirst();
    }

    @Override
    public void recordTermsAcceptance(String handle, String version) {}
  }

  /** Every page: who is looking at which path. */
  static final class Home extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      String who =
          req.getUserPrincipal() == null ? "anonymous" : req.getUserPrincipal().getName();
      resp.getWriter().print(who + " on " + req.getRequestURI());
    }
  }
}
