package dev.portcullis.servlet.autoconfig;

import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@code portcullis.sso.*} settings turned into {@link SsoConfig}, with the Spring Boot starter's names and the
 * core's defaults and checks. Setting any of them turns single sign-on on ({@code portcullis.sso.enabled=false} keeps it
 * off); the client secret is read from the environment only ({@link PortcullisSettings#ENVIRONMENT_ONLY}).
 *
 * <p>The core decides, and stops at its first refusal: so that every mistake is reported, each setting is first tried
 * on its own against otherwise valid settings, then all together for the rules between them. Each refusal becomes one
 * message naming the setting and what it must be.
 *
 * <p><b>Security.</b> No message quotes a value: the core's refusals, which do, are not passed on, and the client
 * secret is never named but by its setting.
 */
final class SsoSettings {
  static final String PREFIX = "portcullis.sso";

  /** A class of {@code com.nimbusds:oauth2-oidc-sdk}, looked up to tell whether the library is on the class path. */
  static final String LIBRARY_CLASS = "com.nimbusds.openid.connect.sdk.Nonce";

  static final String LIBRARY = "com.nimbusds:oauth2-oidc-sdk";

  private static final String OFF = " (or set " + PREFIX + ".enabled=false)";

  /** Stands in for a setting that is not the one being tried, or not set. */
  private static final URI SOME_ISSUER = URI.create("https://login.example");

  private static final URI SOME_REDIRECT = URI.create("https://portal.example/sso/callback");

  /** The core's configuration for the stores the filter uses; every setting was checked at deployment. */
  interface Prepared {
    SsoConfig config(AccountLinkStore links, ReplayStore replay);
  }

  private SsoSettings() {}

  /**
   * Empty when single sign-on is off, or when a setting is refused (then each refusal is among {@code s.problems()}).
   *
   * @param ssoCookie the upgrade cookie's name when {@code portcullis.sso.cookie-name} is not set (from {@code
   *     portcullis.cookies.name-prefix})
   */
  static Optional<Prepared> prepare(
      PortcullisSettings s, String ssoCookie, InstantSource clock, ClassLoader loader) {
    Optional<String> turnedOnBy = PortcullisSettings.NAMES.stream()
        .filter(name -> name.startsWith(PREFIX + ".") && !name.equals(PREFIX + ".enabled"))
        .filter(name -> s.string(name).isPresent())
        .findFirst();
    Optional<Boolean> enabled = s.bool(PREFIX + ".enabled");
    if (!enabled.orElse(turnedOnBy.isPresent())) {
      return Optional.empty();
    }
    boolean usable = PortcullisAssembly.moduleThere(
        s,
        turnedOnBy.orElse(PREFIX + ".enabled"),
        LIBRARY_CLASS,
        LIBRARY + " (which single sign-on needs)",
        "set " + PREFIX + ".enabled=false to go without single sign-on",
        loader);

    Optional<URI> issuer = required(
            s,
            "issuer",
            "single sign-on needs the OpenID provider's issuer, such as https://login.example/realms/portal")
        .flatMap(text -> uri(s, "issuer"));
    Optional<String> clientId = required(
        s, "client-id", "single sign-on needs this portal's client id at the OpenID provider");
    Optional<String> secret = required(
        s,
        "client-secret",
        "single sign-on needs this portal's client secret at the OpenID provider, from the environment variable "
            + PortcullisSettings.variable(PREFIX + ".client-secret"));
    Optional<URI> redirect = required(
            s,
            "redirect-uri",
            "single sign-on needs this portal's callback URL as registered at the OpenID provider, such as"
                + " https://portal.example/sso/callback")
        .flatMap(text -> uri(s, "redirect-uri"));

    // Each setting given, as a step on the builder; parsed once, so that a value that does not
    // parse is one problem.
    Map<String, Consumer<SsoConfig.Builder>> given = new LinkedHashMap<>();
    List<String> scopes = s.list(PREFIX + ".scopes");
    if (!scopes.isEmpty()) {
      given.put("scopes", b -> b.scopes(scopes));
    }
    s.string(PREFIX + ".cookie-name")
        .ifPresent(name -> given.put("cookie-name", b -> b.cookie(SsoConfig.defaultCookie(name))));
    s.duration(PREFIX + ".token-lifetime")
        .ifPresent(d -> given.put("token-lifetime", b -> b.tokenLifetime(d)));
    s.string(PREFIX + ".upgrade-path")
        .ifPresent(p -> given.put("upgrade-path", b -> b.upgradePath(p)));
    s.string(PREFIX + ".login-path").ifPresent(p -> given.put("login-path", b -> b.loginPath(p)));
    s.string(PREFIX + ".link-path").ifPresent(p -> given.put("link-path", b -> b.linkPath(p)));
    s.string(PREFIX + ".unlink-path")
        .ifPresent(p -> given.put("unlink-path", b -> b.unlinkPath(p)));
    s.duration(PREFIX + ".pending-link-lifetime")
        .ifPresent(d -> given.put("pending-link-lifetime", b -> b.pendingLinkLifetime(d)));
    s.duration(PREFIX + ".link-reauthentication")
        .ifPresent(d -> given.put("link-reauthentication", b -> b.linkReauthentication(d)));
    s.duration(PREFIX + ".max-login-age")
        .ifPresent(d -> given.put("max-login-age", b -> b.maxLoginAge(d)));
    s.duration(PREFIX + ".provider-timeout")
        .ifPresent(d -> given.put("provider-timeout", b -> b.providerTimeout(d)));
    s.integer(PREFIX + ".max-concurrent-provider-calls")
        .ifPresent(
            n -> given.put("max-concurrent-provider-calls", b -> b.maxConcurrentProviderCalls(n)));
    // Rules between settings: tried together below.
    Map<String, Consumer<SsoConfig.Builder>> together = new LinkedHashMap<>();
    s.string(PREFIX + ".callback-path")
        .ifPresent(p -> together.put("callback-path", b -> b.callbackPath(p)));
    List<String> audiences = s.list(PREFIX + ".trusted-audiences");
    if (!audiences.isEmpty()) {
      together.put("trusted-audiences", b -> b.trustedAudiences(audiences.toArray(String[]::new)));
    }
    s.bool(PREFIX + ".keep-links-on-logout-everywhere")
        .ifPresent(keep -> together.put(
            "keep-links-on-logout-everywhere", b -> b.keepLinksOnLogoutEverywhere(keep)));

    int before = s.problems().size();
    issuer.ifPresent(uri -> alone(s, "issuer", b -> b.provider(uri, "client", "secret"), clock));
    redirect.ifPresent(uri -> alone(s, "redirect-uri", b -> b.redirectUri(uri), clock));
    given.forEach((field, step) -> alone(s, field, step, clock));
    if (s.problems().size() > before
        || !usable
        || issuer.isEmpty()
        || clientId.isEmpty()
        || secret.isEmpty()
        || redirect.isEmpty()) {
      return Optional.empty();
    }
    given.putAll(together);
    Prepared prepared = (links, replay) -> {
      SsoConfig.Builder b = SsoConfig.builder()
          .links(links)
          .replay(replay)
          .provider(issuer.get(), clientId.get(), secret.get())
          .redirectUri(redirect.get())
          .cookie(SsoConfig.defaultCookie(ssoCookie));
      given.values().forEach(step -> step.accept(b));
      return b.build();
    };
    try {
      prepared.config(AccountLinkStore.inMemory(), ReplayStore.inMemory(clock));
    } catch (IllegalArgumentException | IllegalStateException e) {
      s.problem(betweenSettings(String.valueOf(e.getMessage())));
      return Optional.empty();
    }
    return Optional.of(prepared);
  }

  private static Optional<String> required(PortcullisSettings s, String field, String why) {
    Optional<String> value = s.string(PREFIX + "." + field);
    if (value.isEmpty() && !s.keptOut(PREFIX + "." + field)) {
      s.problem(PREFIX + "." + field + " is not set: " + why + OFF);
    }
    return value;
  }

  private static Optional<URI> uri(PortcullisSettings s, String field) {
    String key = PREFIX + "." + field;
    try {
      return Optional.of(new URI(s.string(key).orElseThrow()));
    } catch (URISyntaxException e) {
      return s.invalid(key, expected(field));
    }
  }

  /** Tries {@code step} on settings that are otherwise valid; a refusal is a problem with {@code field}. */
  private static void alone(
      PortcullisSettings s, String field, Consumer<SsoConfig.Builder> step, InstantSource clock) {
    try {
      SsoConfig.Builder b = SsoConfig.builder()
          .links(AccountLinkStore.inMemory())
          .replay(ReplayStore.inMemory(clock))
          .provider(SOME_ISSUER, "client", "secret")
          .redirectUri(SOME_REDIRECT);
      step.accept(b);
      b.build();
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      if (String.valueOf(e.getMessage()).contains("must differ")) {
        return; // a path that meets one of the defaults: reported, with the paths it meets, when
        // all are tried
      }
      s.invalid(PREFIX + "." + field, expected(field));
    }
  }

  /** What a setting must be, as the core checks it. */
  private static String expected(String field) {
    switch (field) {
      case "issuer":
        return "the OpenID provider's issuer, an https URL (plain http only on loopback) without query or fragment";
      case "redirect-uri":
        return "this portal's callback URL registered at the provider, an absolute https URL (plain http only on"
            + " loopback) with a plain lower-case path and without user info, query or fragment";
      case "scopes":
        return "OAuth scope tokens, comma-separated, that include openid and do not repeat";
      case "cookie-name":
        return "a cookie name (an RFC 6265 token)";
      case "token-lifetime":
        return "a duration above zero and at most 10m";
      case "pending-link-lifetime":
        return "a duration from 1m to 10m";
      case "link-reauthentication":
      case "max-login-age":
        return "a duration from 1m to 1h";
      case "provider-timeout":
        return "a duration above zero and at most 60s";
      case "max-concurrent-provider-calls":
        return "a whole number from 1 to " + SsoConfig.MAX_CONCURRENT_PROVIDER_CALLS;
      default:
        return "a plain lower-case absolute path such as /sso/upgrade";
    }
  }

  /** The refusal of settings that are each valid, in terms of the settings, without the core's words (values). */
  private static String betweenSettings(String refusal) {
    if (refusal.contains("must differ")) {
      return PREFIX + ".upgrade-path, login-path, link-path, unlink-path and the callback path ("
          + PREFIX
          + ".callback-path, or the path of " + PREFIX
          + ".redirect-uri) must differ; unset, they are /sso/upgrade,"
          + " /sso/login, /sso/link and /sso/unlink";
    }
    if (refusal.contains("callback path")) {
      return PREFIX + ".callback-path must be the end of the path of " + PREFIX
          + ".redirect-uri (what comes before it is the context path), or be left unset";
    }
    if (refusal.contains("trusted audiences")) {
      return PREFIX + ".trusted-audiences must not name " + PREFIX
          + ".client-id: they are the audiences besides"
          + " this portal that an ID token may also name";
    }
    return PREFIX + ".* was refused: check " + PREFIX
        + ".client-id and the settings between which a rule holds";
  }
}
