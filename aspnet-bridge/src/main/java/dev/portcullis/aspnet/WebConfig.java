package dev.portcullis.aspnet;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.internal.ConfigurationWarning;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * What the Forms Authentication bridge needs from an ASP.NET {@code web.config}: the {@code <machineKey>}, the
 * ticket layout switch in {@code <appSettings>}, and the cookie of {@code <forms>} (its name, path and domain). Absent attributes take the
 * .NET 4 defaults: validation HMACSHA256; decryption Auto, which is AES except for an 8-byte key in the legacy modes,
 * where it is DES; compatibility mode Framework20SP1, or Framework45 when {@code <httpRuntime targetFramework>} is 4.5
 * or later.
 *
 * <p>The old portal's cookie settings ({@code <forms>}, {@code <sessionState>}, {@code <httpCookies>}) carry over to
 * the ported portal's session and auth cookies through {@link #sessions}, {@link #authCookie} and {@link
 * #ticketLifetime}, never weaker than Portcullis: a setting as strict as Portcullis' or stricter ({@code
 * cookieSameSite="Strict"}, a shorter {@code timeout}, a narrower {@code path}) is applied; a weaker one ({@code
 * requireSSL="false"}, {@code SameSite=None}, {@code httpOnlyCookies="false"}, a {@code domain}, a longer {@code
 * timeout}) is not, and each such method says so in one WARN on {@code dev.portcullis.aspnet.WebConfig} naming the
 * attribute and what the cookie keeps instead. Tickets or session ids in URLs ({@code cookieless="UseUri"}) stop
 * {@link #read} with an error naming the attribute. {@code <sessionState regenerateExpiredSessionId="false">} and
 * {@code mode="Off"} are named in a WARN by {@link #sessions} (Portcullis gives an unknown or ended session id a new
 * one, and keeps sessions); sessions the old portal shared between servers ({@code mode="StateServer"}, {@code
 * SQLServer}, {@code Custom}) by {@link #sessionStore} when the new ones stay in one node's memory. {@code <forms
 * ticketCompatibilityMode>} ({@code Framework20} or {@code Framework40}) is checked and changes nothing: it chose the
 * clock .NET compared a ticket's times with in memory, and the cookie holds UTC instants in both.
 *
 * <p><b>Security.</b> The parser refuses any document type declaration, so neither external entities (XXE) nor entity
 * expansion bombs are read; it never opens a file or URL named by the document. The web.config holds the keys that
 * forge any user's cookie: read it from a protected location and keep it out of logs.
 */
public final class WebConfig {
  private static final String DEFAULT_COOKIE_NAME = ".ASPXAUTH";
  private static final String LEGACY_TICKET_SETTING =
      "aspnet:UseLegacyFormsAuthenticationTicketCompatibility";
  private static final Logger LOG = LoggerFactory.getLogger(WebConfig.class);
  /** The sections whose content this class reads, besides {@code <machineKey>}. */
  private static final List<String> SECTIONS_READ =
      List.of("appSettings", "authentication", "sessionState", "httpCookies", "httpRuntime");

  private final MachineKey machineKey;
  private final boolean legacyTicketCompatibility;
  private final CookieSpec formsCookie;
  private final CookieSettings cookieSettings;

  private WebConfig(
      MachineKey machineKey,
      boolean legacyTicketCompatibility,
      CookieSpec formsCookie,
      CookieSettings cookieSettings) {
    this.machineKey = machineKey;
    this.legacyTicketCompatibility = legacyTicketCompatibility;
    this.formsCookie = formsCookie;
    this.cookieSettings = cookieSettings;
  }

  /**
   * Reads a web.config (or any document with exactly one {@code <machineKey>} element). Does not close the stream.
   *
   * @throws IllegalArgumentException if the XML is malformed or declares a DTD, there is not exactly one
   *     {@code <machineKey>}, or the configuration is one this bridge cannot read (AutoGenerate keys, a custom
   *     algorithm, forms protection other than All, a cookie setting ASP.NET would not accept, tickets or session ids
   *     in URLs with {@code cookieless="UseUri"}, a section it reads kept in another file with {@code configSource}
   *     or {@code <appSettings file>}, ...); the message says which
   * @throws IllegalStateException if a key does not suit its algorithm, or is on the list of publicly disclosed
   *     machine keys (see {@link MachineKey}; the message names which key and its entry, never the key)
   * @throws UncheckedIOException if the stream fails
   */
  public static WebConfig read(InputStream in) {
    return read(in, false);
  }

  /**
   * {@link #read(InputStream)} for tests that must use a web.config with a publicly disclosed sample key: the
   * machine key is built with {@link MachineKey.Builder#allowPubliclyDisclosedKeysForTestsOnly()}, which logs a WARN
   * each time. Never in production.
   */
  public static WebConfig readAllowingPubliclyDisclosedKeysForTestsOnly(InputStream in) {
    return read(in, true);
  }

  private static WebConfig read(InputStream in, boolean allowDisclosedKeys) {
    Objects.requireNonNull(in, "in");
    Document doc = parse(in);
    refuseSectionsInOtherFiles(doc);

    List<Element> machineKeys = elements(doc, "machineKey");
    if (machineKeys.size() != 1) {
      throw new IllegalArgumentException(
          "web.config must contain exactly one <machineKey> element, found " + machineKeys.size());
    }
    Element mk = machineKeys.get(0);
    if (mk.hasAttribute("configSource")) {
      throw new IllegalArgumentException(
          "<machineKey configSource=...> points to another file; read that file instead");
    }

    String decryptionKey = required(mk, "decryptionKey");
    String mode = mk.getAttribute("compatibilityMode").trim();
    MachineKey.CompatibilityMode compatibilityMode = mode.isEmpty()
        ? (targetsFramework45(doc)
            ? MachineKey.CompatibilityMode.FRAMEWORK45
            : MachineKey.CompatibilityMode.FRAMEWORK20SP1)
        : MachineKey.CompatibilityMode.fromConfigValue(mode);
    String decryption = attribute(mk, "decryption", "Auto");
    MachineKey.Decryption cipher = MachineKey.Decryption.fromConfigValue(decryption);
    if (decryption.equalsIgnoreCase("Auto")
        && compatibilityMode.isLegacy()
        && decryptionKey.trim().length() == 16) {
      // The legacy modes pick DES for Auto when the key has 8 bytes, AES otherwise.
      cipher = MachineKey.Decryption.DES;
    }
    MachineKey.Builder key = MachineKey.builder()
        .validationKey(required(mk, "validationKey"))
        .decryptionKey(decryptionKey)
        .validation(
            MachineKey.Validation.fromConfigValue(attribute(mk, "validation", "HMACSHA256")))
        .decryption(cipher)
        .compatibilityMode(compatibilityMode);
    if (allowDisclosedKeys) {
      key.allowPubliclyDisclosedKeysForTestsOnly();
    }

    String cookieName = DEFAULT_COOKIE_NAME;
    String cookiePath = "/";
    String cookieDomain = null;
    List<Element> forms = elements(doc, "forms");
    if (forms.size() > 1) {
      throw new IllegalArgumentException("web.config has more than one <forms> element");
    }
    if (forms.size() == 1) {
      Element f = forms.get(0);
      String protection = attribute(f, "protection", "All");
      if (!protection.equalsIgnoreCase("All")) {
        throw new IllegalArgumentException(
            "<forms protection=\"" + protection + "\"> is not supported: only All"
                + " (encrypted and validated) tickets can be trusted");
      }
      cookieName = attribute(f, "name", DEFAULT_COOKIE_NAME);
      cookiePath = attribute(f, "path", "/");
      cookieDomain = attribute(f, "domain", null);
    }
    CookieSpec formsCookie;
    try {
      formsCookie = FormsAuthenticationLegacyLogin.declaration(cookieName)
          .path(cookiePath)
          .domain(cookieDomain)
          .build();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(
          "<forms> names a cookie this bridge cannot declare: " + e.getMessage(), null);
    }
    CookieSettings cookieSettings = CookieSettings.read(doc);
    return new WebConfig(key.build(), legacyTicketSetting(doc), formsCookie, cookieSettings);
  }

  public MachineKey machineKey() {
    return machineKey;
  }

  /** The appSetting {@code aspnet:UseLegacyFormsAuthenticationTicketCompatibility}; false when absent. */
  public boolean legacyTicketCompatibility() {
    return legacyTicketCompatibility;
  }

  /**
   * The {@code name} of {@code <forms>}, {@code .ASPXAUTH} when absent. Prefer {@link #formsCookie()}, which also
   * carries the path and domain the old portal set the cookie with.
   */
  public String formsCookieName() {
    return formsCookie.name();
  }

  /**
   * The old portal's login cookie as {@code <forms>} declares it, for {@link
   * FormsAuthenticationLegacyLogin.Builder#cookie}: its {@code name} ({@code .ASPXAUTH} when absent), {@code path}
   * ({@code /} when absent) and {@code domain} (none when absent), Secure and HttpOnly. A browser removes a cookie
   * only when the removal names the same path and domain, so a cookie set with {@code <forms domain>} stays in the
   * browser when it is declared by its name alone.
   */
  public CookieSpec formsCookie() {
    return formsCookie;
  }

  /**
   * The ported portal's session settings with the old portal's where they are as strict or stricter: the cookie named
   * by {@code <sessionState cookieName>}; {@code Secure}, {@code HttpOnly} and {@code SameSite} from {@code
   * <sessionState cookieSameSite>} and {@code <httpCookies>}; the idle timeout shortened to {@code <sessionState
   * timeout>}; and, with {@code <forms slidingExpiration="false">}, the absolute timeout shortened to {@code <forms
   * timeout>} (30 minutes when absent), since a login ends with its session. A weaker value is not applied and is
   * named in a WARN, once per call, and so are {@code <sessionState regenerateExpiredSessionId="false">} (Portcullis
   * never takes on an unknown or ended session id) and {@code <sessionState mode="Off">} (Portcullis keeps sessions);
   * call it once, at start-up.
   *
   * @param declared the portal's session settings without the web.config, such as {@code SessionConfig.defaults()}
   *     with the session cookie's notice text
   */
  public SessionConfig sessions(SessionConfig declared) {
    return sessions(declared, LOG);
  }

  SessionConfig sessions(SessionConfig declared, Logger log) {
    Objects.requireNonNull(declared, "declared");
    return cookieSettings.sessions(
        declared, warning -> ConfigurationWarning.say(WebConfig.class, log, warning));
  }

  /**
   * The ported portal's auth cookie, which takes the place of the forms cookie, with the old portal's settings where
   * they are as strict or stricter: {@code Secure}, {@code HttpOnly} and {@code SameSite} from {@code <forms
   * requireSSL cookieSameSite>} and {@code <httpCookies>}, and the {@code Path} of {@code <forms path>} when it lies
   * within the declared path (not for a {@code __Host-} name, which needs {@code Path=/}). A {@code domain} is never
   * applied: the auth cookie stays as host-only as declared. A weaker value is not applied and is named in a WARN;
   * call it once, at start-up.
   *
   * @param declared the auth cookie as the portal declares it, for {@code PortalLogin.Builder.authCookie}
   */
  public CookieSpec authCookie(CookieSpec declared) {
    return authCookie(declared, LOG);
  }

  CookieSpec authCookie(CookieSpec declared, Logger log) {
    Objects.requireNonNull(declared, "declared");
    return cookieSettings.authCookie(
        declared, warning -> ConfigurationWarning.say(WebConfig.class, log, warning));
  }

  /**
   * How long a Portcullis auth ticket lives, for {@code PortalLogin.Builder.ticketLifetime}: {@code <forms timeout>}
   * when it is shorter than {@code declared}, else {@code declared}, with a WARN naming a longer timeout. Like a
   * sliding forms ticket, a Portcullis ticket is renewed when a request comes after half its lifetime.
   *
   * @param declared the lifetime without the web.config, such as Portcullis' default of 8 hours
   */
  public Duration ticketLifetime(Duration declared) {
    return ticketLifetime(declared, LOG);
  }

  Duration ticketLifetime(Duration declared, Logger log) {
    Objects.requireNonNull(declared, "declared");
    return cookieSettings.ticketLifetime(
        declared, warning -> ConfigurationWarning.say(WebConfig.class, log, warning));
  }

  /**
   * {@code store}, the ported portal's session store, for {@code Portcullis.Builder.sessionStore} (or, with the
   * default store, {@code Portcullis.sessionStore()} after the build): with a WARN when {@code <sessionState mode>} is
   * {@code StateServer}, {@code SQLServer} or {@code Custom}, so that the old portal's servers shared their sessions,
   * and {@code store} keeps sessions in one node's memory ({@link SessionStore#sharedBetweenNodes()} false). The
   * warning names the Redis and JDBC stores. Call it once, at start-up.
   */
  public SessionStore sessionStore(SessionStore store) {
    return sessionStore(store, LOG);
  }

  SessionStore sessionStore(SessionStore store, Logger log) {
    Objects.requireNonNull(store, "store");
    return cookieSettings.sessionStore(
        store, warning -> ConfigurationWarning.say(WebConfig.class, log, warning));
  }

  @Override
  public String toString() {
    return "WebConfig[" + machineKey + ", legacyTicketCompatibility=" + legacyTicketCompatibility
        + ", formsCookie=" + formsCookie + "]";
  }

  private static Document parse(InputStream in) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
      factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      factory.setNamespaceAware(true);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXException {
          throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
          throw e;
        }
      });
      builder.setEntityResolver((publicId, systemId) -> {
        throw new SAXException("web.config may not refer to external entities");
      });
      return builder.parse(in);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("this JDK's XML parser cannot be made safe against XXE", e);
    } catch (SAXException e) {
      // The parser's message names the problem (e.g. a DOCTYPE), not the content of the document.
      throw new IllegalArgumentException(
          "web.config is not safe, well-formed XML: " + e.getMessage(), null);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read web.config", e);
    }
  }

  static List<Element> elements(Document doc, String localName) {
    NodeList nodes = doc.getElementsByTagNameNS("*", localName);
    List<Element> result = new ArrayList<>(nodes.getLength());
    for (int i = 0; i < nodes.getLength(); i++) {
      result.add((Element) nodes.item(i));
    }
    return result;
  }

  private static String required(Element e, String name) {
    if (!e.hasAttribute(name)) {
      throw new IllegalArgumentException("<machineKey> has no " + name
          + " attribute; without it .NET generates a" + " machine-local key that Java cannot know");
    }
    return e.getAttribute(name);
  }

  private static String attribute(Element e, String name, String defaultValue) {
    String value = e.getAttribute(name).trim();
    return value.isEmpty() ? defaultValue : value;
  }

  /**
   * ASP.NET reads a section from another file when it names one ({@code configSource}, and for {@code <appSettings>}
   * also {@code file}, whose settings it merges). This reader never opens another file, so such a section would be
   * read as absent: the ticket layout switch, the cookie's name or its settings would silently take their defaults,
   * and every old cookie be refused after the start.
   */
  private static void refuseSectionsInOtherFiles(Document doc) {
    for (String section : SECTIONS_READ) {
      for (Element e : elements(doc, section)) {
        for (String attribute : List.of("configSource", "file")) {
          if (e.hasAttribute(attribute)
              && (attribute.equals("configSource") || section.equals("appSettings"))) {
            throw new IllegalArgumentException(
                "web.config <" + section + " " + attribute
                    + "=...> keeps that section in another file, which the bridge does not read: copy"
                    + " the section's content into the web.config given here",
                null);
          }
        }
      }
    }
  }

  /** {@code <httpRuntime targetFramework="4.5"/>} or later switches .NET to Framework45 unless the mode is explicit. */
  private static boolean targetsFramework45(Document doc) {
    for (Element runtime : elements(doc, "httpRuntime")) {
      String target = runtime.getAttribute("targetFramework").trim();
      if (target.isEmpty()) {
        continue;
      }
      String[] parts = target.split("\\.", -1);
      try {
        int major = Integer.parseInt(parts[0]);
        int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        if (major > 4 || (major == 4 && minor >= 5)) {
          return true;
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "<httpRuntime targetFramework=\"" + target + "\"> is not a version", null);
      }
    }
    return false;
  }

  private static boolean legacyTicketSetting(Document doc) {
    for (Element add : elements(doc, "add")) {
      Node parent = add.getParentNode();
      if (parent instanceof Element p
          && p.getLocalName().equals("appSettings")
          && LEGACY_TICKET_SETTING.equalsIgnoreCase(add.getAttribute("key").trim())) {
        return add.getAttribute("value").trim().toLowerCase(Locale.ROOT).equals("true");
      }
    }
    return false;
  }
}
