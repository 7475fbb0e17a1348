package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.aspnet.password.AspNetPasswords;
import dev.portcullis.login.LoginDecision;
import dev.portcullis.login.LoginSession;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestKeyRings;
import dev.portcullis.testing.TestVectors;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link JdbcUserDirectory}'s default ASP.NET Membership mapping on a real PostgreSQL, with SqlMembershipProvider
 * hashes from {@code aspnet/password-hashes.json} in the shared vectors folder.
 */
@ExtendWith(SharedPostgres.class)
class JdbcUserDirectoryTest {
  private static final String APP = "00000000-0000-0000-0000-0000000000a1";
  private static final String PROVIDER = "00000000-0000-0000-0000-0000000000b1";
  private static final String AUDITOR = "00000000-0000-0000-0000-0000000000b2";
  private static final PasswordHasher HASHER = PasswordHasher.forTests();
  /**
   * Far above what a call on a database that stops answering takes with a 1 s query timeout (about 2 s: the network
   * timeout, then the driver's 1 s wait for its cancel request): a guard against hanging, not a speed measurement.
   */
  private static final Duration HANG = Duration.ofSeconds(10);

  private final PostgresServer server;
  private final HikariDataSource dataSource;
  private StallingProxy proxy;
  private Connection throughProxy;
  private final String password;
  private final String salt;
  private final String sha1Hash;

  JdbcUserDirectoryTest(PostgresServer server) throws SQLException, IOException {
    JsonNode membership = TestVectors.json("aspnet/password-hashes.json").get("membership");
    password = membership.get("password").asText();
    salt = membership.get("salt").asText();
    String found = null;
    for (JsonNode c : membership.get("cases")) {
      if (c.get("algorithm").asText().equals("SHA1") && c.get("verify").asBoolean()) {
        found = c.get("hash").asText();
      }
    }
    assertThat(found).as("a matching SHA1 membership case").isNotNull();
    sha1Hash = found;
    this.server = server;
    dataSource = server.freshDataSource();
    try (InputStream in = JdbcUserDirectoryTest.class.getResourceAsStream("aspnet-membership.sql");
        Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (String sql :
          JdbcSchema.statements(new String(in.readAllBytes(), StandardCharsets.UTF_8))) {
        s.execute(sql);
      }
    }
  }

  @AfterEach
  void close() throws SQLException {
    // The proxy first: closing its sockets ends any read still waiting on it.
    if (proxy != null) {
      proxy.close();
    }
    if (throughProxy != null) {
      throughProxy.close();
    }
    dataSource.close();
  }

  private JdbcUserDirectory directory() {
    return JdbcUserDirectory.builder(dataSource, HASHER)
        .aspNetPasswords(
            AspNetPasswords.builder(HASHER)
                .dummyLike(sha1Hash, salt, membershipSha1())
                .build(),
            "SHA1")
        .displayNameByHandle("SELECT FullName FROM portal_people WHERE CAST(UserId AS text) = ?")
        .organisationByHandle(
            "SELECT OrganisationCode FROM portal_people WHERE CAST(UserId AS text) = ?")
        .build();
  }

  private static dev.portcullis.aspnet.password.AspNetHashFormat membershipSha1() {
    return dev.portcullis.aspnet.password.AspNetHashFormat.membership(1, "SHA1");
  }

  /** Inserts a membership user; returns its handle. */
  private String insertUser(
      String name,
      String hash,
      String hashSalt,
      int format,
      String email,
      boolean approved,
      boolean lockedOut,
      List<String> roles)
      throws SQLException {
    String id = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    try (Connection c = dataSource.getConnection()) {
      execute(
          c,
          "INSERT INTO aspnet_Users (ApplicationId, UserId, UserName, LoweredUserName)"
              + " VALUES (CAST(? AS uuid), CAST(? AS uuid), ?, ?)",
          APP,
          id,
          name,
          name.toLowerCase());
      try (PreparedStatement s = c.prepareStatement("INSERT INTO aspnet_Membership (ApplicationId,"
          + " UserId, Password, PasswordFormat, PasswordSalt, Email, LoweredEmail, IsApproved,"
          + " IsLockedOut) VALUES (CAST(? AS uuid), CAST(? AS uuid), ?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, APP);
        s.setString(2, id);
        s.setString(3, hash);
        s.setInt(4, format);
        s.setString(5, hashSalt);
        s.setString(6, email);
        s.setString(7, email == null ? null : email.toLowerCase());
        s.setBoolean(8, approved);
        s.setBoolean(9, lockedOut);
        s.executeUpdate();
      }
      for (String role : roles) {
        execute(
            c,
            "INSERT INTO aspnet_UsersInRoles VALUES (CAST(? AS uuid), CAST(? AS uuid))",
            id,
            role);
      }
      execute(
          c,
          "INSERT INTO portal_people VALUES (CAST(? AS uuid), ?, ?)",
          id,
          "Name of " + name,
          "org-" + name);
    }
    return id;
  }

  private static void execute(Connection c, String sql, String... parameters) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        s.setString(i + 1, parameters[i]);
      }
      s.executeUpdate();
    }
  }

  /** Password, PasswordSalt, PasswordFormat of a user. */
  private List<String> stored(String handle) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT Password, PasswordSalt, PasswordFormat"
            + " FROM aspnet_Membership WHERE CAST(UserId AS text) = ?")) {
      s.setString(1, handle);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return List.of(rs.getString(1), rs.getString(2), Integer.toString(rs.getInt(3)));
      }
    }
  }

  private String legacyUser(String name) throws SQLException {
    return insertUser(
        name, sha1Hash, salt, 1, name + "@example.org", true, false, List.of(PROVIDER, AUDITOR));
  }

  @Test
  void rightPassword_givesTheUser_andReplacesTheLegacyHashWithArgon2id() throws SQLException {
    String handle = legacyUser("Alice");
    JdbcUserDirectory users = directory();

    Optional<PortalUser> user = users.authenticate("ALICE", password.toCharArray());

    assertThat(user).isPresent();
    assertThat(user.get().handle()).isEqualTo(handle);
    assertThat(user.get().displayName()).isEqualTo("Name of Alice");
    assertThat(user.get().email()).isEqualTo("Alice@example.org");
    assertThat(user.get().roles()).containsExactlyInAnyOrder("PROVIDER", "AUDITOR");
    assertThat(user.get().organisation()).isEqualTo("org-Alice");
    assertThat(user.get().enabled()).isTrue();
    List<String> row = stored(handle);
    assertThat(row.get(0)).startsWith("$argon2id$").isNotEqualTo(sha1Hash);
    assertThat(row.get(1)).isEmpty();
    assertThat(row.get(2)).isEqualTo("1");
    assertThat(HASHER.verify(password.toCharArray(), row.get(0))).isTrue();
    // The next login goes through the new hash, and a wrong password still fails on it.
    assertThat(users.authenticate("alice", password.toCharArray())).contains(user.get());
    assertThat(users.authenticate("alice", "wrong".toCharArray())).isEmpty();
    assertThat(stored(handle)).isEqualTo(row);
  }

  @Test
  void wrongPassword_givesNothing_andLeavesTheRowAlone() throws SQLException {
    String handle = legacyUser("Bob");
    List<String> before = stored(handle);

    assertThat(directory().authenticate("bob", (password + "x").toCharArray())).isEmpty();

    assertThat(stored(handle)).isEqualTo(before);
  }

  @Test
  void unknownUser_givesNothing() throws SQLException {
    legacyUser("Carol");
    assertThat(directory().authenticate("mallory", password.toCharArray())).isEmpty();
    assertThat(directory().authenticate(null, password.toCharArray())).isEmpty();
    assertThat(directory().findByHandle("not-a-handle")).isEmpty();
  }

  @Test
  void lockedOutOrUnapprovedAccounts_areDisabled_andRefusedByTheLogin() throws SQLException {
    String locked =
        insertUser("locked", sha1Hash, salt, 1, "l@example.org", true, true, List.of(PROVIDER));
    String pending =
        insertUser("pending", sha1Hash, salt, 1, "p@example.org", false, false, List.of(PROVIDER));
    JdbcUserDirectory users = directory();

    assertThat(users.authenticate("locked", "wrong".toCharArray())).isEmpty();
    assertThat(users.findByHandle(locked).orElseThrow().enabled()).isFalse();
    assertThat(users.findByHandle(pending).orElseThrow().enabled()).isFalse();
    assertThat(refusal(users, "locked")).isEqualTo("DISABLED");
    assertThat(refusal(users, "pending")).isEqualTo("DISABLED");
  }

  @Test
  void userWithoutEmail_isReturnedAsItIs_andRefusedByTheCoreLogin() throws SQLException {
    String handle = insertUser(
        "noemail",
        HASHER.hash(password.toCharArray()),
        "",
        1,
        null,
        true,
        false,
        List.of(PROVIDER));
    JdbcUserDirectory users = directory();

    PortalUser user = users.authenticate("noemail", password.toCharArray()).orElseThrow();

    assertThat(user.handle()).isEqualTo(handle);
    assertThat(user.email()).isEmpty();
    assertThat(refusal(users, "noemail")).isEqualTo("MISSING_EMAIL");
  }

  @Test
  void userWithoutRole_isRefusedByTheCoreLogin() throws SQLException {
    insertUser("norole", sha1Hash, salt, 1, "n@example.org", true, false, List.of());
    JdbcUserDirectory users = directory();

    assertThat(refusal(users, "norole")).isEqualTo("MISSING_ROLE");
  }

  @Test
  void termsAcceptance_isRecorded_andReadBack() throws SQLException {
    String handle = legacyUser("Dora");
    JdbcUserDirectory users = directory();
    assertThat(users.findByHandle(handle).orElseThrow().acceptedTermsVersion()).isEmpty();

    users.recordTermsAcceptance(handle, "t1");
    assertThat(users.findByHandle(handle).orElseThrow().acceptedTermsVersion()).isEqualTo("t1");
    users.recordTermsAcceptance(handle, "t2");
    assertThat(
            users.authenticate("dora", password.toCharArray()).orElseThrow().acceptedTermsVersion())
        .isEqualTo("t2");
  }

  @Test
  void theLogin_recordsTermsAcceptedOnTheForm() throws SQLException {
    String handle = legacyUser("Emil");
    JdbcUserDirectory users = directory();

    LoginDecision decision =
        login(users).passwordLogin("emil", password.toCharArray(), true, null, new Session());

    assertThat(decision).isInstanceOf(LoginDecision.Accepted.class);
    assertThat(users.findByHandle(handle).orElseThrow().acceptedTermsVersion()).isEqualTo("t1");
  }

  @Test
  void withoutAnAspNetVerifier_legacyRowsNeverMatch_andStayAsTheyAre() throws SQLException {
    String handle = legacyUser("Finn");
    List<String> before = stored(handle);
    JdbcUserDirectory users = JdbcUserDirectory.builder(dataSource, HASHER).build();

    assertThat(users.authenticate("finn", password.toCharArray())).isEmpty();
    assertThat(stored(handle)).isEqualTo(before);
  }

  @Test
  void clearTextRows_areRefused() throws SQLException {
    String handle =
        insertUser("clear", password, "", 0, "c@example.org", true, false, List.of(PROVIDER));

    assertThat(directory().authenticate("clear", password.toCharArray())).isEmpty();
    assertThat(stored(handle).get(0)).isEqualTo(password);
  }

  @Test
  void statements_mustHaveTheirParameters() {
    JdbcUserDirectory.Builder builder = JdbcUserDirectory.builder(dataSource, HASHER);
    assertThatThrownBy(() -> builder.userByName("SELECT * FROM aspnet_Users WHERE UserName = 'x'"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.rehash("UPDATE aspnet_Membership SET Password = ?"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void databaseStopsAnswering_authenticateFailsClosedWithinTheNetworkTimeout() throws Exception {
    insertUser(
        "gina",
        HASHER.hash(password.toCharArray()),
        "",
        1,
        "g@example.org",
        true,
        false,
        List.of(PROVIDER));
    JdbcUserDirectory users = directoryThroughProxy();
    assertThat(users.authenticate("gina", password.toCharArray())).isPresent();

    proxy.stall();

    Duration took = failsClosed(() -> users.authenticate("gina", password.toCharArray()));
    System.out.printf(
        "database stopped answering: authenticate failed closed in %d ms%n", took.toMillis());
  }

  @Test
  void databaseStopsAnswering_findByHandleFailsClosedWithinTheNetworkTimeout() throws Exception {
    String handle = insertUser(
        "hugo",
        HASHER.hash(password.toCharArray()),
        "",
        1,
        "h@example.org",
        true,
        false,
        List.of(PROVIDER));
    JdbcUserDirectory users = directoryThroughProxy();
    assertThat(users.findByHandle(handle)).isPresent();

    proxy.stall();

    Duration took = failsClosed(() -> users.findByHandle(handle));
    System.out.printf(
        "database stopped answering: findByHandle failed closed in %d ms%n", took.toMillis());
  }

  @Test
  void everyCall_setsTheNetworkTimeoutOnItsConnection() throws SQLException {
    String handle = legacyUser("Ida");
    List<Integer> set = new CopyOnWriteArrayList<>();
    DataSource recording = recordingNetworkTimeouts(dataSource, set);

    JdbcUserDirectory byDefault = JdbcUserDirectory.builder(recording, HASHER).build();
    byDefault.findByHandle(handle);
    byDefault.authenticate("ida", "wrong".toCharArray());
    byDefault.recordTermsAcceptance(handle, "t1");
    assertThat(set)
        .as("the default query timeout (5 s) plus 1 s")
        .containsExactly(6000, 6000, 6000);

    set.clear();
    JdbcUserDirectory.builder(recording, HASHER)
        .queryTimeout(Duration.ofMillis(1500))
        .build()
        .findByHandle(handle);
    JdbcUserDirectory.builder(recording, HASHER)
        .queryTimeout(Duration.ofSeconds(1))
        .networkTimeout(Duration.ofMillis(1500))
        .build()
        .findByHandle(handle);
    assertThat(set)
        .as("the query timeout in whole seconds plus 1 s; the one set")
        .containsExactly(3000, 1500);
  }

  /** The query timeout had no upper bound, so a login could wait on a slow database for as long as it was set. */
  @Test
  void queryTimeout_outOfRange_isRefused_asTheStoresRefuseIt() {
    String message = "queryTimeout must be more than 0 and at most 30 seconds";
    for (Duration refused : List.of(
        Duration.ZERO, Duration.ofSeconds(-1), Duration.ofMillis(30_001), Duration.ofHours(1))) {
      assertThatThrownBy(() -> JdbcUserDirectory.builder(dataSource, HASHER).queryTimeout(refused))
          .as("%s", refused)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(message);
      assertThatThrownBy(() -> JdbcStores.builder(dataSource, InstantSource.system())
              .queryTimeout(refused)
              .build())
          .as("the stores, %s", refused)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(message);
    }
    assertThat(JdbcUserDirectory.builder(dataSource, HASHER)
            .queryTimeout(Duration.ofSeconds(30))
            .build())
        .isNotNull();
  }

  @Test
  void networkTimeout_outOfRange_isRefused() {
    assertThatThrownBy(() -> JdbcUserDirectory.builder(dataSource, HASHER).networkTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
    String message = "networkTimeout must be at least the query timeout and at most 60 seconds";
    for (Duration refused : List.of(
        Duration.ZERO, Duration.ofSeconds(-1), Duration.ofMillis(999), Duration.ofSeconds(61))) {
      assertThatThrownBy(() -> JdbcUserDirectory.builder(dataSource, HASHER)
              .queryTimeout(Duration.ofSeconds(1))
              .networkTimeout(refused)
              .build())
          .as("%s", refused)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(message);
    }
    assertThatThrownBy(() -> JdbcUserDirectory.builder(dataSource, HASHER)
            .networkTimeout(Duration.ofSeconds(4))
            .build())
        .as("below the default query timeout, 5 s")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> JdbcUserDirectory.builder(dataSource, HASHER)
            .networkTimeout(Duration.ofSeconds(2))
            .queryTimeout(Duration.ofMillis(2001))
            .build())
        .as("below the query timeout in whole seconds, whatever the order of the settings")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
    assertThatCode(() -> JdbcUserDirectory.builder(dataSource, HASHER)
            .queryTimeout(Duration.ofMillis(2001))
            .networkTimeout(Duration.ofSeconds(3))
            .build())
        .doesNotThrowAnyException();
    assertThatCode(() -> JdbcUserDirectory.builder(dataSource, HASHER)
            .networkTimeout(Duration.ofSeconds(60))
            .build())
        .doesNotThrowAnyException();
  }

  /**
   * A directory with a 1 s query timeout and the default network timeout, on one connection to this test's schema
   * through a {@link StallingProxy}, with the driver's wait for a cancel request at 1 s as the README recommends. The
   * connection is lent again at every call, as a pool lends an open connection without checking it first (HikariCP
   * checks none used in the last half second): what a busy portal's calls meet when the database stops answering.
   */
  private JdbcUserDirectory directoryThroughProxy() throws Exception {
    proxy = new StallingProxy(server.port());
    String url = dataSource
        .getJdbcUrl()
        .replace("127.0.0.1:" + server.port() + "/", "127.0.0.1:" + proxy.port() + "/");
    throughProxy =
        DriverManager.getConnection(url + "&cancelSignalTimeout=1", PostgresServer.USER, "");
    return JdbcUserDirectory.builder(lending(throughProxy), HASHER)
        .queryTimeout(Duration.ofSeconds(1))
        .build();
  }

  /** A data source that lends {@code connection} at every call; closing what it lent gives it back. */
  private static DataSource lending(Connection connection) {
    Connection lent = proxy(
        Connection.class,
        (method, args) ->
            method.getName().equals("close") ? null : invoke(connection, method, args));
    return proxy(DataSource.class, (method, args) -> {
      if (method.getName().equals("getConnection")) {
        return lent;
      }
      throw new UnsupportedOperationException(method.getName());
    });
  }

  /** {@code dataSource}, adding the network timeout of every connection it gives to {@code set}. */
  private static DataSource recordingNetworkTimeouts(DataSource dataSource, List<Integer> set) {
    return proxy(DataSource.class, (method, args) -> {
      Object result = invoke(dataSource, method, args);
      if (!(result instanceof Connection connection)) {
        return result;
      }
      return proxy(Connection.class, (m, a) -> {
        if (m.getName().equals("setNetworkTimeout")) {
          set.add((Integer) a[1]);
        }
        return invoke(connection, m, a);
      });
    });
  }

  private interface Handler {
    Object handle(Method method, Object[] args) throws Throwable;
  }

  private static <T> T proxy(Class<T> type, Handler handler) {
    return type.cast(Proxy.newProxyInstance(
        type.getClassLoader(),
        new Class<?>[] {type},
        (self, method, args) -> handler.handle(method, args)));
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Runs {@code call}, which must fail closed with {@link StoreUnavailableException} within {@link #HANG}. */
  private static Duration failsClosed(ThrowingCallable call) {
    return assertTimeoutPreemptively(HANG, () -> {
      long start = System.nanoTime();
      assertThatThrownBy(call).isInstanceOf(StoreUnavailableException.class);
      return Duration.ofNanos(System.nanoTime() - start);
    });
  }

  private static PortalLogin login(JdbcUserDirectory users) {
    MutableClock clock = MutableClock.startingAt2026();
    return PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(users)
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(new SecureRandom())
        .termsVersion("t1")
        .build();
  }

  /** The reason the core login gives for refusing {@code username} with the right password. */
  private String refusal(JdbcUserDirectory users, String username) {
    LoginDecision decision =
        login(users).passwordLogin(username, password.toCharArray(), true, null, new Session());
    assertThat(decision).isInstanceOf(LoginDecision.Refused.class);
    return ((LoginDecision.Refused) decision).audit().reason().orElseThrow();
  }

  private static final class Session implements LoginSession {
    private int rotations;

    @Override
    public String rotateTo(String userHandle) {
      return "sid-" + ++rotations + "-" + "x".repeat(40);
    }

    @Override
    public boolean end() {
      return true;
    }

    @Override
    public void endAllOf(String userHandle) {}
  }
}
