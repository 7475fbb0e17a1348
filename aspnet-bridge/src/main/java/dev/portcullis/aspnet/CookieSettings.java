package dev.portcullis.aspnet;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.cookie.SameSite;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The cookie settings of a web.config ({@code <forms>}, {@code <sessionState>}, {@code <httpCookies>}) and what they
 * become on the ported portal's cookies: a setting as strict as the declaration or stricter is applied; a weaker one is
 * not, and is named in a warning; cookies in URLs are refused when the file is read. Only attributes the file writes
 * count: an absent one changes nothing.
 */
final class CookieSettings {
  /** ASP.NET's {@code <forms timeout>} when absent. */
  private static final Duration FORMS_DEFAULT_TIMEOUT = Duration.ofMinutes(30);

  /** One attribute as the web.config wrote it, and its meaning. */
  record Setting<T>(String element, String attribute, String written, T value) {
    /** The attribute as written, for messages: {@code <forms requireSSL="false">}. */
    String named() {
      return "<" + element + " " + attribute + "=\"" + written + "\">";
    }
  }

  /**
   * ASP.NET's {@code SameSiteMode}, from the weakest: {@code Unspecified} writes no attribute, which some browsers
   * treat as {@code None}.
   */
  enum WebSameSite {
    NONE(null),
    UNSPECIFIED(null),
    LAX(SameSite.LAX),
    STRICT(SameSite.STRICT);

    private final SameSite portcullis;

    WebSameSite(SameSite portcullis) {
      this.portcullis = portcullis;
    }

    /** How strict: None and Unspecified 0, Lax 1, Strict 2. */
    int rank() {
      return portcullis == null ? 0 : ordinal() - 1;
    }

    static int rank(SameSite sameSite) {
      return switch (sameSite) {
        case NONE -> 0;
        case LAX -> 1;
        case STRICT -> 2;
      };
    }
  }

  /** ASP.NET's {@code SessionStateMode}: where the old portal kept its sessions. */
  enum SessionMode {
    OFF,
    IN_PROC,
    STATE_SERVER,
    SQL_SERVER,
    CUSTOM;

    /** Whether every server of the old portal saw the same sessions. */
    boolean shared() {
      return this == STATE_SERVER || this == SQL_SERVER || this == CUSTOM;
    }
  }

  /** ASP.NET's {@code HttpCookieMode}: where the ticket or session id travels. */
  enum Cookieless {
    USE_COOKIES,
    USE_URI,
    AUTO_DETECT,
    USE_DEVICE_PROFILE
  }

  private final Setting<Boolean> formsRequireSsl;
  private final Setting<WebSameSite> formsSameSite;
  private final Setting<String> formsPath;
  private final Setting<String> formsDomain;
  private final Setting<Duration> formsTimeout;
  private final Setting<Boolean> slidingExpiration;
  private final Setting<Cookieless> formsCookieless;
  private final Setting<Boolean> httpRequireSsl;
  private final Setting<Boolean> httpOnlyCookies;
  private final Setting<WebSameSite> httpSameSite;
  private final Setting<String> httpDomain;
  private final Setting<String> sessionCookieName;
  private final Setting<WebSameSite> sessionSameSite;
  private final Setting<Duration> sessionTimeout;
  private final Setting<Cookieless> sessionCookieless;
  private final Setting<Boolean> regenerateExpiredSessionId;
  private final Setting<SessionMode> sessionMode;

  private CookieSettings(Element forms, Element httpCookies, Element sessionState) {
    formsRequireSsl = setting(forms, "requireSSL", CookieSettings::bool);
    formsSameSite = setting(forms, "cookieSameSite", CookieSettings::sameSite);
    formsPath = setting(forms, "path", Function.identity());
    formsDomain = setting(forms, "domain", Function.identity());
    formsTimeout = setting(forms, "timeout", CookieSettings::timeoutMinutes);
    slidingExpiration = setting(forms, "slidingExpiration", CookieSettings::bool);
    formsCookieless = setting(forms, "cookieless", v -> cookieless(v, false));
    httpRequireSsl = setting(httpCookies, "requireSSL", CookieSettings::bool);
    httpOnlyCookies = setting(httpCookies, "httpOnlyCookies", CookieSettings::bool);
    httpSameSite = setting(httpCookies, "sameSite", CookieSettings::sameSite);
    httpDomain = setting(httpCookies, "domain", Function.identity());
    sessionCookieName = setting(sessionState, "cookieName", Function.identity());
    sessionSameSite = setting(sessionState, "cookieSameSite", CookieSettings::sameSite);
    sessionTimeout = setting(sessionState, "timeout", CookieSettings::timeoutMinutes);
    sessionCookieless = setting(sessionState, "cookieless", v -> cookieless(v, true));
    regenerateExpiredSessionId =
        setting(sessionState, "regenerateExpiredSessionId", CookieSettings::bool);
    sessionMode = setting(sessionState, "mode", CookieSettings::sessionMode);
    // Checked only: the mode chose the clock .NET compared a ticket's times with in memory (local
    // time or UTC); the cookie holds UTC instants in both, and they are read as such.
    setting(forms, "ticketCompatibilityMode", CookieSettings::ticketCompatibilityMode);
    refuseCookiesInUrls(formsCookieless, "login tickets");
    refuseCookiesInUrls(sessionCookieless, "session ids");
    if (sessionCookieName != null) {
      try {
        SessionConfig.defaultCookie(sessionCookieName.value());
      } catch (IllegalStateException e) {
        throw new IllegalArgumentException(
            sessionCookieName.named() + " is not a cookie name this bridge can declare", null);
      }
    }
  }

  /**
   * Reads the settings of {@code doc}.
   *
   * @throws IllegalArgumentException if an element appears more than once, a value is not one ASP.NET accepts, or
   *     {@code cookieless} puts tickets or session ids in URLs
   */
  static CookieSettings read(Document doc) {
    return new CookieSettings(
        single(doc, "forms"), single(doc, "httpCookies"), single(doc, "sessionState"));
  }

  private static Element single(Document doc, String name) {
    List<Element> found = WebConfig.elements(doc, name);
    if (found.size() > 1) {
      throw new IllegalArgumentException("web.config has more than one <" + name + "> element");
    }
    return found.isEmpty() ? null : found.get(0);
  }

  /**
   * The session cookie named by {@code <sessionState cookieName>}, as strict as {@code <sessionState>} and
   * {@code <httpCookies>} ask where that is stricter than {@code declared}; its idle timeout shortened to {@code
   * <sessionState timeout>}, and its absolute timeout to {@code <forms timeout>} when {@code <forms
   * slidingExpiration="false">} (a login ends with its session).
   */
  SessionConfig sessions(SessionConfig declared, Consumer<String> warn) {
    CookieSpec cookie = declared.cookie();
    if (sessionCookieName != null) {
      cookie = cookie.toBuilder().name(sessionCookieName.value()).build();
    }
    String what = "the session cookie " + cookie.name();
    cookie = secure(cookie, what, warn, httpRequireSsl);
    cookie = httpOnly(cookie, what, warn);
    cookie = sameSite(cookie, what, warn, sessionSameSite, httpSameSite);
    domain(cookie, what, warn, httpDomain);
    cookieless(sessionCookieless, "session ids", cookie.name(), warn);
    if (regenerateExpiredSessionId != null && !regenerateExpiredSessionId.value()) {
      warn.accept(
          notApplied(regenerateExpiredSessionId, what) + "Portcullis never takes on a"
              + " session id it did not issue or whose session has ended; such a browser gets a new id.");
    }
    if (sessionMode != null && sessionMode.value() == SessionMode.OFF) {
      warn.accept(notApplied(sessionMode, what) + "the old portal kept no sessions, but Portcullis"
          + " keeps one for each visit, which logins need, so browsers get " + cookie.name()
          + "; the privacy page lists it.");
    }

    SessionConfig.Builder sessions = declared.toBuilder().cookie(cookie);
    Duration idle = declared.idleTimeout();
    Duration absolute = declared.absoluteTimeout();
    if (sessionTimeout != null) {
      if (sessionTimeout.value().compareTo(idle) < 0) {
        idle = sessionTimeout.value();
      } else if (sessionTimeout.value().compareTo(idle) > 0) {
        warn.accept(notApplied(sessionTimeout, "sessions") + "an unused session ends after "
            + inMinutes(idle) + ", as Portcullis is configured.");
      }
    }
    if (slidingExpiration != null && !slidingExpiration.value()) {
      Duration login = formsTimeout == null ? FORMS_DEFAULT_TIMEOUT : formsTimeout.value();
      if (login.compareTo(absolute) < 0) {
        absolute = login;
        if (idle.compareTo(absolute) >= 0) {
          // Portcullis needs the idle timeout below the absolute one; a second less changes nothing
          // a user sees.
          idle = absolute.minusSeconds(1);
        }
      }
    }
    return sessions.idleTimeout(idle).absoluteTimeout(absolute).build();
  }

  /**
   * {@code declared}, the ported portal's auth cookie (the successor of the forms cookie), as strict as {@code <forms>}
   * and {@code <httpCookies>} ask where that is stricter.
   */
  CookieSpec authCookie(CookieSpec declared, Consumer<String> warn) {
    String what = "the auth cookie " + declared.name();
    CookieSpec cookie = secure(declared, what, warn, formsRequireSsl, httpRequireSsl);
    cookie = httpOnly(cookie, what, warn);
    cookie = sameSite(cookie, what, warn, formsSameSite, httpSameSite);
    domain(cookie, what, warn, formsDomain, httpDomain);
    cookie = path(cookie, what, warn);
    cookieless(formsCookieless, "login tickets", cookie.name(), warn);
    return cookie;
  }

  /** {@code <forms timeout>} when it is shorter than {@code declared}, else {@code declared}. */
  Duration ticketLifetime(Duration declared, Consumer<String> warn) {
    if (formsTimeout == null || formsTimeout.value().equals(declared)) {
      return declared;
    }
    if (formsTimeout.value().compareTo(declared) < 0) {
      return formsTimeout.value();
    }
    warn.accept(notApplied(formsTimeout, "the login")
        + "an auth ticket lives " + inMinutes(declared) + " and is renewed while it is used,"
        + " as Portcullis is configured.");
    return declared;
  }

  /**
   * {@code store}, with a warning when {@code <sessionState mode>} says the old portal's servers shared their sessions
   * ({@code StateServer}, {@code SQLServer}, {@code Custom}) and {@code store} keeps them in one node's memory.
   */
  SessionStore sessionStore(SessionStore store, Consumer<String> warn) {
    if (sessionMode != null && sessionMode.value().shared() && !store.sharedBetweenNodes()) {
      warn.accept("web.config " + sessionMode.named() + " shared the old portal's sessions between"
          + " its servers, but these sessions are kept in this node's memory: behind a load balancer a"
          + " user would lose the session, and the login, on every other node. Give every node the same"
          + " store: RedisStores (portcullis-redis; portcullis.redis.* in portcullis.properties or"
          + " Spring Boot) or JdbcStores (portcullis-jdbc; portcullis.jdbc.*), through"
          + " Portcullis.Builder.sessionStore.");
    }
    return store;
  }

  @SafeVarargs
  private static CookieSpec secure(
      CookieSpec cookie, String what, Consumer<String> warn, Setting<Boolean>... settings) {
    for (Setting<Boolean> s : settings) {
      if (s == null) {
        continue;
      }
      if (s.value()) {
        cookie = cookie.toBuilder().secure(true).build();
      } else if (cookie.secure()) {
        warn.accept(notApplied(s, what) + "it stays Secure, so browsers send it over HTTPS only.");
      }
    }
    return cookie;
  }

  private CookieSpec httpOnly(CookieSpec cookie, String what, Consumer<String> warn) {
    if (httpOnlyCookies == null) {
      return cookie;
    }
    if (httpOnlyCookies.value()) {
      return cookie.toBuilder().httpOnly(true).build();
    }
    if (cookie.httpOnly()) {
      warn.accept(notApplied(httpOnlyCookies, what)
          + "it stays HttpOnly, out of reach of the pages' scripts.");
    }
    return cookie;
  }

  @SafeVarargs
  private static CookieSpec sameSite(
      CookieSpec cookie, String what, Consumer<String> warn, Setting<WebSameSite>... settings) {
    int declared = WebSameSite.rank(cookie.sameSite());
    for (Setting<WebSameSite> s : settings) {
      if (s == null) {
        continue;
      }
      if (s.value().rank() < declared) {
        warn.accept(notApplied(s, what) + "it keeps SameSite="
            + cookie.sameSite().attributeValue() + ", so other sites' requests do not carry it.");
      } else if (s.value().rank() > WebSameSite.rank(cookie.sameSite())) {
        cookie = cookie.toBuilder().sameSite(s.value().portcullis).build();
      }
    }
    return cookie;
  }

  @SafeVarargs
  private static void domain(
      CookieSpec cookie, String what, Consumer<String> warn, Setting<String>... settings) {
    for (Setting<String> s : settings) {
      if (s == null || cookie.domain().filter(s.value()::equalsIgnoreCase).isPresent()) {
        continue;
      }
      warn.accept(
          notApplied(s, what)
              + cookie
                  .domain()
                  .map(d -> "it keeps Domain=" + d + ".")
                  .orElse(
                      "it stays host-only (no Domain), so other hosts of the domain do not receive it."));
    }
  }

  private CookieSpec path(CookieSpec cookie, String what, Consumer<String> warn) {
    if (formsPath == null || formsPath.value().equals(cookie.path())) {
      return cookie;
    }
    String path = formsPath.value();
    String within = cookie.path().endsWith("/") ? cookie.path() : cookie.path() + "/";
    if (!path.startsWith(within)) {
      warn.accept(notApplied(formsPath, what) + "it keeps Path=" + cookie.path()
          + "; only a path within that one narrows the cookie.");
      return cookie;
    }
    if (cookie.name().startsWith(CookieSpec.HOST_PREFIX)) {
      warn.accept(notApplied(formsPath, what) + "it keeps Path=/, which its "
          + CookieSpec.HOST_PREFIX + " name requires.");
      return cookie;
    }
    try {
      return cookie.toBuilder().path(path).build();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(formsPath.named() + " is not a cookie path", null);
    }
  }

  private static void cookieless(
      Setting<Cookieless> s, String carried, String cookieName, Consumer<String> warn) {
    if (s != null && s.value() != Cookieless.USE_COOKIES) {
      warn.accept(notApplied(s, "browsers without cookies") + "Portcullis carries " + carried
          + " in the cookie " + cookieName + " only and never reads them from a URL; a browser"
          + " that refuses cookies is asked to allow them.");
    }
  }

  private static void refuseCookiesInUrls(Setting<Cookieless> s, String carried) {
    if (s != null && s.value() == Cookieless.USE_URI) {
      throw new IllegalArgumentException("web.config " + s.named() + " puts " + carried
          + " in URLs, and Portcullis never accepts them there: a URL leaks into logs, Referer headers and"
          + " shared links. The Java portal carries them in cookies only, so links that hold a ticket or a"
          + " session id would log users out or lose their session. Remove the ids from the old portal's"
          + " links, then set cookieless=\"UseCookies\" in the web.config given to the bridge.");
    }
  }

  private static String notApplied(Setting<?> s, String what) {
    return "web.config " + s.named() + " is not applied to " + what + ": ";
  }

  private static String inMinutes(Duration d) {
    long minutes = d.toMinutes();
    if (minutes * 60 != d.toSeconds()) {
      return d.toSeconds() + " seconds";
    }
    return minutes == 1 ? "1 minute" : minutes + " minutes";
  }

  private static <T> Setting<T> setting(
      Element element, String attribute, Function<String, T> meaning) {
    if (element == null || !element.hasAttribute(attribute)) {
      return null;
    }
    String value = element.getAttribute(attribute).trim();
    String written = printable(value);
    T parsed;
    try {
      parsed = value.isEmpty() ? null : meaning.apply(value);
    } catch (IllegalArgumentException e) {
      parsed = null;
    }
    if (parsed == null) {
      throw new IllegalArgumentException("web.config <" + element.getLocalName() + " " + attribute
          + "=\"" + written + "\"> is not a value ASP.NET accepts there");
    }
    return new Setting<>(element.getLocalName(), attribute, written, parsed);
  }

  /** The value with control characters replaced, so that a message stays one line. */
  private static String printable(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }

  private static Boolean bool(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> null;
    };
  }

  private static WebSameSite sameSite(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "none" -> WebSameSite.NONE;
      case "unspecified" -> WebSameSite.UNSPECIFIED;
      case "lax" -> WebSameSite.LAX;
      case "strict" -> WebSameSite.STRICT;
      default -> null;
    };
  }

  /** Whole minutes, at least one, as ASP.NET reads {@code timeout}. */
  private static Duration timeoutMinutes(String value) {
    if (!value.matches("[0-9]{1,7}")) {
      return null;
    }
    long minutes = Long.parseLong(value);
    return minutes < 1 ? null : Duration.ofMinutes(minutes);
  }

  private static SessionMode sessionMode(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "off" -> SessionMode.OFF;
      case "inproc" -> SessionMode.IN_PROC;
      case "stateserver" -> SessionMode.STATE_SERVER;
      case "sqlserver" -> SessionMode.SQL_SERVER;
      case "custom" -> SessionMode.CUSTOM;
      default -> null;
    };
  }

  private static String ticketCompatibilityMode(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "framework20", "framework40" -> value;
      default -> null;
    };
  }

  /** {@code <sessionState cookieless>} also takes true (in URLs) and false (in cookies). */
  private static Cookieless cookieless(String value, boolean sessionState) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "usecookies" -> Cookieless.USE_COOKIES;
      case "useuri" -> Cookieless.USE_URI;
      case "autodetect" -> Cookieless.AUTO_DETECT;
      case "usedeviceprofile" -> Cookieless.USE_DEVICE_PROFILE;
      case "true" -> sessionState ? Cookieless.USE_URI : null;
      case "false" -> sessionState ? Cookieless.USE_COOKIES : null;
      default -> null;
    };
  }
}
