package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.crypto.ReloadingKeyRing;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.testing.CapturedStderr;
import dev.portcullis.transport.ForwardedHeaders;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortcullisSettingsTest {
  private static final InstantSource CLOCK =
      InstantSource.fixed(Instant.parse("2026-12-01T00:00:00Z"));

  @TempDir
  Path dir;

  private String keyRingText() throws Exception {
    Path file = dir.resolve("keys.txt");
    if (Files.exists(file)) {
      return Files.readString(file);
    }
    KeyRingSources.createFile(
        KeyRing.builder()
            .add(
                0x0a1b2c3d,
                KeyStatus.ACTIVE,
                Instant.parse("2026-11-01T00:00:00Z"),
                KeyMaterial.generate(new SecureRandom()))
            .build(),
        file);
    return Files.readString(file);
  }

  private PortcullisSettings read(String fileText, Map<String, String> env) throws Exception {
    Path file = dir.resolve("portcullis.properties");
    Files.writeString(file, fileText);
    return PortcullisSettings.read(new ClassLoader(null) {}, file.toString(), env);
  }

  @Test
  void misspeltSetting_isRefusedByName() throws Exception {
    PortcullisSettings s = read(
        "portcullis.session.idle-timout=5m\nportcullis.transport.developmentmode=true\n"
            + "app.own.setting=kept\n",
        Map.of());
    assertThat(s.problems()).hasSize(2);
    assertThat(s.problems().get(0)).contains("unknown setting portcullis.session.idle-timout");
    assertThat(s.problems().get(1))
        .contains("portcullis.transport.developmentmode")
        .contains("did you mean portcullis.transport.development-mode?");
  }

  @Test
  void anUnknownName_isRefused_namingTheNearestProperty_atItsIndex() throws Exception {
    PortcullisSettings s = read(
        "portcullis.acess.rules[2].pattern=/admin/**\nportcullis.access.public-path=/login\n"
            + "portcullis.colour=red\n",
        Map.of("PORTCULLIS_SESION_IDLE_TIMOUT", "7m"));
    assertThat(s.problems())
        .anySatisfy(p -> assertThat(p)
            .contains("unknown setting portcullis.access.public-path in")
            .contains("did you mean portcullis.access.public-paths?"))
        .anySatisfy(p -> assertThat(p)
            .contains("unknown setting portcullis.acess.rules[2].pattern in")
            .contains("did you mean portcullis.access.rules[2].pattern?"))
        .anySatisfy(p -> assertThat(p)
            .contains("unknown setting portcullis.colour in")
            .contains("(see the README's property list)"))
        .anySatisfy(p -> assertThat(p)
            .contains("unknown environment variable PORTCULLIS_SESION_IDLE_TIMOUT")
            .contains(
                "did you mean PORTCULLIS_SESSION_IDLE_TIMEOUT (portcullis.session.idle-timeout)?"))
        .hasSize(4);
  }

  @Test
  void aNameWithWhiteSpaceOrAnotherCase_isRefused_butTheApplicationsOwnNamesAreNot()
      throws Exception {
    PortcullisSettings s = read(
        "PORTCULLIS.SESSION.IDLE-TIMEOUT=5m\nportcullis.session.max-per-user\\ =1\n"
            + "PORTCULLIS_SESSION_MAX_SESSIONS=10\nportcullisTheme=dark\nmy.portcullis.x=1\n",
        Map.of("Portcullis_Session_Idle_Timeout", "7m", "PORTCULLISAPP_MODE", "x"));
    assertThat(s.problems())
        .anySatisfy(p -> assertThat(p)
            .contains("unknown setting PORTCULLIS.SESSION.IDLE-TIMEOUT")
            .contains("did you mean portcullis.session.idle-timeout?"))
        .anySatisfy(p -> assertThat(p)
            .contains("unknown setting 'portcullis.session.max-per-user '")
            .contains("did you mean portcullis.session.max-per-user?"))
        .anySatisfy(p -> assertThat(p)
            .contains("unknown setting PORTCULLIS_SESSION_MAX_SESSIONS")
            .contains("did you mean portcullis.session.max-sessions?"))
        .anySatisfy(p -> assertThat(p)
            .contains("unknown environment variable Portcullis_Session_Idle_Timeout")
            .contains("did you mean PORTCULLIS_SESSION_IDLE_TIMEOUT"))
        .hasSize(4);
  }

  @Test
  void environmentVariable_overridesTheFile_withSpringBootNames() throws Exception {
    PortcullisSettings s = read(
        "portcullis.session.idle-timeout=5m\n",
        Map.of(
            "PORTCULLIS_SESSION_IDLE_TIMEOUT",
            "7m",
            "PORTCULLIS_ACCESS_RULES_0_PATTERN",
            "/admin/**",
            "PORTCULLIS_ACCESS_RULES_0_ROLES",
            "ADMIN, AUDITOR"));
    assertThat(s.problems()).isEmpty();
    assertThat(s.duration("portcullis.session.idle-timeout")).contains(Duration.ofMinutes(7));
    assertThat(s.sourceOf("portcullis.session.idle-timeout"))
        .isEqualTo("environment variable PORTCULLIS_SESSION_IDLE_TIMEOUT");
    assertThat(s.rules())
        .containsExactly(
            new PortcullisSettings.RoleRule("/admin/**", java.util.List.of("ADMIN", "AUDITOR")));
  }

  @Test
  void indexedListsInTheFile_areReadByIndex_andAFieldTheListDoesNotHave_isRefusedByName()
      throws Exception {
    PortcullisSettings s = read(
        "portcullis.audit.actions[1].pattern=/letters/{id}\n"
            + "portcullis.audit.actions[1].action=letter_view\n"
            + "portcullis.audit.actions[0].pattern=/reports/{id}\n"
            + "portcullis.audit.actions[0].action=report_view\n"
            + "portcullis.audit.search-endpoints[0].path=/search\n"
            + "portcullis.audit.search-endpoints[0].parameter=q\n"
            + "portcullis.audit.actions[2].roles=ADMIN\n",
        Map.of("PORTCULLIS_AUDIT_ACTIONS_1_ACTION", "letter_read"));
    assertThat(s.problems())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("unknown setting portcullis.audit.actions[2].roles");
    assertThat(s.entries("portcullis.audit.actions"))
        .extracting(PortcullisSettings.Entry::name, e -> e.field("action").orElseThrow())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("portcullis.audit.actions[0]", "report_view"),
            org.assertj.core.groups.Tuple.tuple("portcullis.audit.actions[1]", "letter_read"));
    assertThat(s.entries("portcullis.audit.search-endpoints"))
        .singleElement()
        .extracting(e -> e.field("parameter").orElseThrow())
        .isEqualTo("q");
  }

  @Test
  void unknownPortcullisEnvironmentVariable_isRefused_butTheKeyRingVariableIsNot()
      throws Exception {
    PortcullisSettings s = read(
        "",
        Map.of(
            "PORTCULLIS_SESION_IDLE_TIMEOUT",
            "7m",
            KeyRingSources.ENV_VARIABLE,
            "x",
            "PATH",
            "/usr/bin"));
    assertThat(s.problems())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("unknown environment variable PORTCULLIS_SESION_IDLE_TIMEOUT");
  }

  @Test
  void valuesThatDoNotParse_areEachReported_withoutTheirValue() throws Exception {
    PortcullisSettings s = read(
        "portcullis.session.idle-timeout=1200\nportcullis.transport.development-mode=yes\n"
            + "portcullis.cookies.session.same-site=sometimes\nportcullis.login.terms-version=2026-01\n"
            + "portcullis.transport.canonical-host=portal.example\n",
        Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()));
    PortcullisAssembly.prepare(
        s, Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()), CLOCK, getClass().getClassLoader());
    assertThat(s.problems()).hasSize(3);
    assertThat(String.join("\n", s.problems()))
        .contains(
            "portcullis.session.idle-timeout",
            "portcullis.transport.development-mode",
            "portcullis.cookies.session.same-site")
        .doesNotContain("sometimes");
  }

  @Test
  void noKeyRing_noTermsVersion_noCanonicalHost_andNoSuchUserDirectory_areFourMistakes()
      throws Exception {
    PortcullisSettings s = read("portcullis.user-directory=com.example.Missing\n", Map.of());
    PortcullisAssembly.prepare(s, Map.of(), CLOCK, getClass().getClassLoader());
    assertThat(s.problems()).hasSize(4);
    String all = String.join("\n", s.problems());
    assertThat(all)
        .contains(
            "there is no key ring",
            KeyRingSources.ENV_VARIABLE,
            "portcullis.keys.file",
            "portcullis.login.terms-version is not set",
            "com.example.Missing",
            "portcullis.transport",
            "development-mode");
  }

  @Test
  void contradictoryTimeouts_areRefusedByTheCoreBuilder() throws Exception {
    PortcullisSettings s = read(
        "portcullis.session.idle-timeout=9h\nportcullis.session.absolute-timeout=8h\n"
            + "portcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n",
        Map.of());
    PortcullisAssembly.prepare(
        s, Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()), CLOCK, getClass().getClassLoader());
    assertThat(s.problems())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("portcullis.session:");
  }

  @Test
  void anonymousSessionLimit_mapsOntoTheSessionConfig() throws Exception {
    PortcullisSettings s = read(
        "portcullis.session.anonymous-sessions-per-address=5\n"
            + "portcullis.session.anonymous-session-window=2m\nportcullis.session.tracked-addresses=300\n"
            + "portcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n",
        Map.of());
    PortcullisAssembly.Prepared prepared = PortcullisAssembly.prepare(
        s, Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()), CLOCK, getClass().getClassLoader());
    assertThat(s.problems()).isEmpty();
    assertThat(prepared.sessions().anonymousSessionsPerAddress()).isEqualTo(5);
    assertThat(prepared.sessions().anonymousSessionWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(prepared.sessions().trackedAddresses()).isEqualTo(300);
  }

  @Test
  void cookieNamePrefix_namesTheCookies_aNameSetForOneWins_andABadPrefixIsReported()
      throws Exception {
    PortcullisSettings s = read(
        "portcullis.cookies.name-prefix=staff\nportcullis.cookies.auth.name=__Host-staff-key\n"
            + "portcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n",
        Map.of());
    PortcullisAssembly.Prepared prepared = PortcullisAssembly.prepare(
        s, Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()), CLOCK, getClass().getClassLoader());
    assertThat(s.problems()).isEmpty();
    assertThat(prepared.sessions().cookie().name()).isEqualTo("__Host-staff-sid");
    assertThat(prepared.authCookie().name()).isEqualTo("__Host-staff-key");
    assertThat(prepared.cookieCheckCookie().name()).isEqualTo("__Host-staff-cc");

    PortcullisSettings bad = read(
        "portcullis.cookies.name-prefix=staff;x\n"
            + "portcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n",
        Map.of());
    PortcullisAssembly.prepare(
        bad,
        Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()),
        CLOCK,
        getClass().getClassLoader());
    assertThat(bad.problems())
        .singleElement()
        .asString()
        .startsWith("portcullis.cookies.name-prefix: a cookie name prefix must be")
        .doesNotContain("staff;x");
  }

  @Test
  void containerDecidesHttps_mapsOntoTheTransport_offUnlessSet() throws Exception {
    for (boolean set : List.of(false, true)) {
      PortcullisSettings s = read(
          (set ? "portcullis.transport.container-decides-https=true\n" : "")
              + "portcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n",
          Map.of());
      PortcullisAssembly.Prepared prepared = PortcullisAssembly.prepare(
          s,
          Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()),
          CLOCK,
          getClass().getClassLoader());
      assertThat(s.problems()).isEmpty();
      assertThat(prepared.transport().containerDecidesHttps()).isEqualTo(set);
    }
  }

  @Test
  void forwardedHeaders_mapOntoTheTransport_bothUnlessSet() throws Exception {
    Map<String, ForwardedHeaders> expected = new LinkedHashMap<>();
    expected.put("", ForwardedHeaders.BOTH);
    expected.put(
        "portcullis.transport.forwarded-headers=x-forwarded\n", ForwardedHeaders.X_FORWARDED);
    expected.put("portcullis.transport.forwarded-headers=forwarded\n", ForwardedHeaders.FORWARDED);
    expected.put("portcullis.transport.forwarded-headers=both\n", ForwardedHeaders.BOTH);
    for (Map.Entry<String, ForwardedHeaders> e : expected.entrySet()) {
      PortcullisSettings s = read(
          e.getKey()
              + "portcullis.transport.trusted-proxies=10.0.0.0/8\n"
              + "portcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n",
          Map.of());
      PortcullisAssembly.Prepared prepared = PortcullisAssembly.prepare(
          s,
          Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()),
          CLOCK,
          getClass().getClassLoader());
      assertThat(s.problems()).isEmpty();
      assertThat(prepared.transport().forwardedHeaders()).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void forwardedHeaders_ofAnotherValue_isAProblem_namingTheSettingAndTheValues() throws Exception {
    PortcullisSettings s = read(
        "portcullis.transport.forwarded-headers=sideways\n"
            + "portcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n",
        Map.of());
    PortcullisAssembly.prepare(
        s, Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()), CLOCK, getClass().getClassLoader());
    assertThat(s.problems())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("portcullis.transport.forwarded-headers")
        .contains("one of x-forwarded, forwarded, both");
  }

  /** Assembles a filter with {@code extra} settings, hands it to {@code check}, then closes its resources. */
  private void withAssembled(String extra, AssembledCheck check) throws Exception {
    PortcullisSettings s = read(
        "portcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n"
            + extra,
        Map.of());
    PortcullisAssembly.Assembled assembled = PortcullisAssembly.assemble(
        PortcullisAssembly.prepare(
            s,
            Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()),
            CLOCK,
            getClass().getClassLoader()),
        new InMemoryUserDirectory(PasswordHasher.forTests()),
        CLOCK,
        new SecureRandom());
    try {
      check.accept(assembled);
    } finally {
      for (AutoCloseable r : assembled.resources()) {
        r.close();
      }
    }
  }

  @FunctionalInterface
  private interface AssembledCheck {
    void accept(PortcullisAssembly.Assembled assembled) throws Exception;
  }

  /** Assembling a filter with {@code extra} settings has one problem, and it contains each of {@code parts}. */
  private void assertOneProblem(String extra, String... parts) throws Exception {
    assertThat(assemblyProblems(extra))
        .as(extra)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains(parts);
  }

  /** The problems of assembling a filter with {@code extra} settings. */
  private List<String> assemblyProblems(String extra) throws Exception {
    PortcullisSettings s = read(
        extra
            + "portcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n",
        Map.of());
    PortcullisAssembly.Prepared prepared = PortcullisAssembly.prepare(
        s, Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()), CLOCK, getClass().getClassLoader());
    assertThat(s.problems()).isEmpty();
    try {
      PortcullisAssembly.Assembled assembled = PortcullisAssembly.assemble(
          prepared,
          new InMemoryUserDirectory(PasswordHasher.forTests()),
          CLOCK,
          new SecureRandom());
      for (AutoCloseable r : assembled.resources()) {
        r.close();
      }
      return List.of();
    } catch (IllegalStateException e) {
      return s.problems();
    }
  }

  @Test
  void sessionLimit_isTakenByTheLogin_andItsMistakesAreReported() throws Exception {
    assertThat(assemblyProblems(
            "portcullis.session.max-per-user=3\nportcullis.session.when-exceeded=refuse-new\n"))
        .isEmpty();
    assertThat(assemblyProblems("portcullis.session.max-per-user=2\n")).isEmpty();
    assertOneProblem("portcullis.session.max-per-user=0\n", "portcullis.login", "at least 1");
    assertOneProblem(
        "portcullis.session.when-exceeded=end-oldest\n", "portcullis.session.max-per-user");
  }

  @Test
  void connectionRecheckInterval_isTakenByTheLogin_andUnsetIsTheCoreDefault() throws Exception {
    withAssembled(
        "portcullis.login.connection-recheck-interval=1h\n",
        assembled -> assertThat(assembled.login().connectionRecheckInterval())
            .isEqualTo(Duration.ofHours(1)));
    withAssembled(
        "",
        assembled -> assertThat(assembled.login().connectionRecheckInterval())
            .isEqualTo(OpenConnections.DEFAULT_INTERVAL));
  }

  @Test
  void maxPendingLogouts_boundsTheFiltersPendingLogouts_andZeroNegativeOrAbsurdIsReported()
      throws Exception {
    withAssembled("portcullis.login.max-pending-logouts=1\n", assembled -> {
      assertThat(assembled.login().maxPendingLogouts()).isEqualTo(1);
      assertThat(assembled.filter().pendingLogouts())
          .as("the filter's own list of pending logouts has the bound")
          .hasValueSatisfying(p -> {
            assertThat(p.capacity()).isEqualTo(1);
            assertThat(p.pending()).isZero();
          });
    });
    for (String bad : new String[] {"0", "-1", "1000001"}) {
      assertOneProblem(
          "portcullis.login.max-pending-logouts=" + bad + "\n",
          "portcullis.login",
          "maxPendingLogouts must be between 1 and 1,000,000");
    }
    assertOneProblem(
        "portcullis.login.max-pending-logouts=lots\n",
        "portcullis.login.max-pending-logouts",
        "a whole number");
  }

  @Test
  void maxConcurrentPasswordChecks_boundsTheLogin_andBelowOneIsReported() throws Exception {
    withAssembled("portcullis.login.max-concurrent-password-checks=3\n", assembled -> {
      assertThat(assembled.login().maxConcurrentPasswordChecks()).isEqualTo(3);
    });
    assertOneProblem(
        "portcullis.login.max-concurrent-password-checks=0\n",
        "portcullis.login",
        "maxConcurrentPasswordChecks must be at least 1");
    assertOneProblem(
        "portcullis.login.max-concurrent-password-checks=two\n",
        "portcullis.login.max-concurrent-password-checks",
        "a whole number");
  }

  @Test
  void maxFormReadsPerAddress_boundsTheFiltersFormReads_andBelowOneIsReported() throws Exception {
    assertFormReadBound(
        "portcullis.login.max-form-reads-per-address", 3, 16, f -> f.maxFormReadsPerAddress());
  }

  @Test
  void maxAnonymousFormReads_boundsTheFiltersAnonymousFormReads_andBelowOneIsReported()
      throws Exception {
    assertFormReadBound(
        "portcullis.login.max-anonymous-form-reads", 5, 32, f -> f.maxAnonymousFormReads());
  }

  /**
   * {@code property}, a bound on the filter's form reads, reaches the filter ({@code read}) as {@code given}, and is
   * {@code byDefault} when unset; 0 and -1 are each reported as below 1, a word as not a whole number.
   */
  private void assertFormReadBound(
      String property, int given, int byDefault, ToIntFunction<PortcullisFilter> read)
      throws Exception {
    for (Integer set : new Integer[] {given, null}) {
      withAssembled(
          set == null ? "" : property + "=" + set + "\n",
          assembled -> assertThat(read.applyAsInt(assembled.filter()))
              .as(String.valueOf(set))
              .isEqualTo(set == null ? byDefault : given));
    }
    for (String bad : new String[] {"0", "-1"}) {
      assertOneProblem(property + "=" + bad + "\n", property, "at least 1");
    }
    assertOneProblem(property + "=many\n", property, "a whole number");
  }

  @Test
  void csrfTrustedOrigins_reachTheFilter_andAnOriginWithAWildcardIsReported() throws Exception {
    withAssembled(
        "portcullis.csrf.trusted-origins=https://forms.example, https://Apply.Example:8443\n",
        assembled -> {
          assertThat(assembled.filter().trustedOrigins())
              .containsExactly("https://forms.example", "https://apply.example:8443");
        });
    assertOneProblem(
        "portcullis.csrf.trusted-origins=https://*.example\n",
        "portcullis.csrf",
        "the trusted origin 'https://*.example' is not an origin");
  }

  @Test
  void aKeyFile_isWatched_andClosedWithTheFilter() throws Exception {
    keyRingText();
    Path keys = dir.resolve("keys.txt");
    PortcullisSettings s = read(
        "portcullis.keys.file=" + keys + "\nportcullis.keys.reload-interval=50ms\n"
            + "portcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n",
        Map.of());
    PortcullisAssembly.Prepared prepared =
        PortcullisAssembly.prepare(s, Map.of(), CLOCK, getClass().getClassLoader());
    assertThat(s.problems()).isEmpty();
    PortcullisAssembly.Assembled assembled = PortcullisAssembly.assemble(
        prepared, new InMemoryUserDirectory(PasswordHasher.forTests()), CLOCK, new SecureRandom());
    ReloadingKeyRing watched = assembled.resources().stream()
        .filter(ReloadingKeyRing.class::isInstance)
        .map(ReloadingKeyRing.class::cast)
        .findFirst()
        .orElseThrow();
    KeyRing before = watched.current();
    KeyRingSources.writeFile(
        before.withNewKey(0x0b0b0b0b, KeyMaterial.generate(new SecureRandom()), Instant.EPOCH),
        keys);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (watched.current().keys().size() != 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(watched.current().keys()).hasSize(2);
    for (AutoCloseable r : assembled.resources()) {
      r.close();
    }
  }

  /**
   * Regression: the start-up warning gave the maximum age as Java's ISO-8601 duration ({@code PT2160H}) rather than
   * in days.
   */
  @Test
  void keysOlderThanTheMaximumAge_areNamedAtStartUp_withTheAgeInDays() throws Exception {
    keyRingText();
    PortcullisSettings s = read(
        "portcullis.keys.file=" + dir.resolve("keys.txt")
            + "\nportcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n",
        Map.of());
    InstantSource later = InstantSource.fixed(Instant.parse("2027-03-01T00:00:00Z"));
    String defaultAge = CapturedStderr.during(
        () -> PortcullisAssembly.prepare(s, Map.of(), later, getClass().getClassLoader()));
    assertThat(defaultAge)
        .contains(
            "WARN dev.portcullis.servlet.autoconfig.PortcullisAssembly - Portcullis keys 0a1b2c3d are"
                + " older than 90 days: add a new key")
        .doesNotContain("PT2160H");

    PortcullisSettings hours = read(
        "portcullis.keys.file=" + dir.resolve("keys.txt") + "\nportcullis.keys.max-age=12h"
            + "\nportcullis.login.terms-version=2026-01\nportcullis.transport.canonical-host=portal.example\n",
        Map.of());
    String underADay = CapturedStderr.during(
        () -> PortcullisAssembly.prepare(hours, Map.of(), CLOCK, getClass().getClassLoader()));
    assertThat(underADay).contains("are older than 12 hours:");
    assertThat(s.problems()).isEmpty();
    assertThat(hours.problems()).isEmpty();
  }

  @Test
  void aReloadIntervalOfZero_isRefused() throws Exception {
    PortcullisSettings s = read(
        "portcullis.keys.reload-interval=0s\nportcullis.login.terms-version=2026-01\n"
            + "portcullis.transport.canonical-host=portal.example\n",
        Map.of());
    PortcullisAssembly.prepare(
        s, Map.of(KeyRingSources.ENV_VARIABLE, keyRingText()), CLOCK, getClass().getClassLoader());
    assertThat(s.problems())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("portcullis.keys.reload-interval must be positive");
  }

  @Test
  void durations_takeUnitsOrIso8601() throws Exception {
    PortcullisSettings s = PortcullisSettings.of(Map.of(
        "portcullis.session.idle-timeout",
        "PT20M",
        "portcullis.session.absolute-timeout",
        "8h",
        "portcullis.keys.max-age",
        "90d"));
    assertThat(s.duration("portcullis.session.idle-timeout")).contains(Duration.ofMinutes(20));
    assertThat(s.duration("portcullis.session.absolute-timeout")).contains(Duration.ofHours(8));
    assertThat(s.duration("portcullis.keys.max-age")).contains(Duration.ofDays(90));
    assertThat(s.problems()).isEmpty();
  }

  @Test
  void environmentNames_followSpringBoot() {
    assertThat(PortcullisSettings.variable("portcullis.cookies.cookie-check.same-site"))
        .isEqualTo("PORTCULLIS_COOKIES_COOKIE_CHECK_SAME_SITE");
  }
}
