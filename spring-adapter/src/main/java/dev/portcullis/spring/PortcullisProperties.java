package dev.portcullis.spring;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.cookie.SameSite;
import dev.portcullis.login.SessionLimit;
import dev.portcullis.session.SessionIdFormat;
import dev.portcullis.transport.ForwardedHeaders;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code portcullis.*} properties. Each maps onto one setting of a core builder ({@code SessionConfig},
 * {@code CookieSpec}, {@code PortalLogin}, {@code AuditLog}, {@code AuditRules}, {@code RedisStoreConfig}); a property
 * left unset keeps the core default, and the core builder checks the values together when the application starts.
 *
 * <p><b>Security.</b> There is no default key: without {@code PORTCULLIS_KEY_RING}, {@code portcullis.keys.file} or
 * {@code portcullis.keys.pkcs12.path} the application does not start. This class has no {@code toString} that shows
 * values: the PKCS12 password and the Redis URIs (which may hold a password) are never logged from here. The SSO
 * client secret has a setter but no getter, so neither this class nor the actuator's configuration report shows it.
 *
 * <p>A {@code portcullis.*} name this class does not have, set in the application's configuration files, on the
 * command line or in another property source the application adds, stops start-up ({@link PortcullisFailureAnalyzer}
 * names it and the nearest property, never its value): a misspelt setting would otherwise leave its default in place
 * unnoticed. Spring Boot leaves environment variables and system properties out of that check; {@link
 * ProcessEnvironmentSettings} checks them, passing over the names there that are not settings ({@code
 * PORTCULLIS_KEY_RING}, {@code portcullis.root.dir}).
 */
@ConfigurationProperties(prefix = "portcullis", ignoreUnknownFields = false)
public class PortcullisProperties {
  /** Whether to install Portcullis at all. */
  private boolean enabled = true;

  private final Keys keys = new Keys();
  private final Session session = new Session();
  private final Cookies cookies = new Cookies();
  private final Login login = new Login();
  private final Csrf csrf = new Csrf();
  private final Audit audit = new Audit();
  private final Redis redis = new Redis();
  private final Jdbc jdbc = new Jdbc();
  private final Filter filter = new Filter();
  private final Transport transport = new Transport();
  private final Access access = new Access();
  private final Sso sso = new Sso();
  private final Security security = new Security();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Keys getKeys() {
    return keys;
  }

  public Session getSession() {
    return session;
  }

  public Cookies getCookies() {
    return cookies;
  }

  public Login getLogin() {
    return login;
  }

  public Csrf getCsrf() {
    return csrf;
  }

  public Audit getAudit() {
    return audit;
  }

  public Redis getRedis() {
    return redis;
  }

  public Jdbc getJdbc() {
    return jdbc;
  }

  public Transport getTransport() {
    return transport;
  }

  public Access getAccess() {
    return access;
  }

  public Filter getFilter() {
    return filter;
  }

  public Sso getSso() {
    return sso;
  }

  public Security getSecurity() {
    return security;
  }

  /** The starter's default Spring Security chain, used when the application declares no chain of its own. */
  public static class Security {
    /**
     * Let anonymous requests reach the actuator's health endpoint and its groups (/actuator/health/liveness,
     * /actuator/health/readiness), as container probes need; the endpoint shows details only as configured under
     * management.endpoint.health.*.
     */
    private boolean publicHealthProbes = true;

    public boolean isPublicHealthProbes() {
      return publicHealthProbes;
    }

    public void setPublicHealthProbes(boolean publicHealthProbes) {
      this.publicHealthProbes = publicHealthProbes;
    }
  }

  /**
   * Where the key ring comes from: exactly one of the environment variable (the default), a key file or a PKCS12 key
   * store. Key files are made and rotated with {@code dev.portcullis.crypto.KeyTool}.
   */
  public static class Keys {
    /**
     * The operating-system environment variable holding the key ring in text form, used when neither a file nor a
     * PKCS12 store is set. Read from the process environment only, never from application properties.
     */
    private String environmentVariable = "PORTCULLIS_KEY_RING";

    /** A key file in the text form written by KeyTool. */
    private Path file;

    private final Pkcs12 pkcs12 = new Pkcs12();

    /**
     * How often a key file or PKCS12 store is read again, so that added, promoted, retired and revoked keys take
     * effect without a restart (a changed file that is not a valid ring is refused, and the ring in use kept).
     */
    private Duration reloadInterval = Duration.ofSeconds(10);

    /** Keys older than this are reported by the health indicator and at start-up, as due for rotation. */
    private Duration maxAge = Duration.ofDays(90);

    public String getEnvironmentVariable() {
      return environmentVariable;
    }

    public void setEnvironmentVariable(String environmentVariable) {
      this.environmentVariable = environmentVariable;
    }

    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    public Pkcs12 getPkcs12() {
      return pkcs12;
    }

    public Duration getReloadInterval() {
      return reloadInterval;
    }

    public void setReloadInterval(Duration reloadInterval) {
      this.reloadInterval = reloadInterval;
    }

    public Duration getMaxAge() {
      return maxAge;
    }

    public void setMaxAge(Duration maxAge) {
      this.maxAge = maxAge;
    }
  }

  /** A PKCS12 key store whose AES secret-key entries are named {@code <8 hex id>.<status>}. */
  public static class Pkcs12 {
    /** The key store file. */
    private Path path;

    /** The key store password; better supplied through the environment than written in a file. */
    private String password;

    public Path getPath() {
      return path;
    }

    public void setPath(Path path) {
      this.path = path;
    }

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }
  }

  /** Server-side sessions ({@code SessionConfig}). */
  public static class Session {
    /** A session unused this long ends. Core default: 20 minutes. */
    private Duration idleTimeout;

    /** A session this old ends however busy it is; must exceed the idle timeout. Core default: 8 hours. */
    private Duration absoluteTimeout;

    /** The most sessions the in-memory store keeps. Core default: 100,000. */
    private Long maxSessions;

    /** The session id format: base64url (43 characters, the default) or aspnet (24, for a ported portal). */
    private SessionIdFormat idFormat;

    /**
     * New sessions without a login that one client address (an IPv6 /64) may start per window; past it the request is
     * served without a session. Core default: 60.
     */
    private Integer anonymousSessionsPerAddress;

    /** The window of {@code anonymous-sessions-per-address}. Core default: 1 minute. */
    private Duration anonymousSessionWindow;

    /** How many client addresses the anonymous-session limit remembers. Core default: 100,000. */
    private Long trackedAddresses;

    /**
     * At most this many concurrent sessions per user, enforced at every login; unset, no limit. Logins of one user
     * racing each other may overshoot it by as many as raced.
     */
    private Integer maxPerUser;

    /** What a login past {@code max-per-user} does: end-oldest (the default) or refuse-new. */
    private SessionLimit whenExceeded;

    public Integer getMaxPerUser() {
      return maxPerUser;
    }

    public void setMaxPerUser(Integer maxPerUser) {
      this.maxPerUser = maxPerUser;
    }

    public SessionLimit getWhenExceeded() {
      return whenExceeded;
    }

    public void setWhenExceeded(SessionLimit whenExceeded) {
      this.whenExceeded = whenExceeded;
    }

    public Duration getIdleTimeout() {
      return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    public Duration getAbsoluteTimeout() {
      return absoluteTimeout;
    }

    public void setAbsoluteTimeout(Duration absoluteTimeout) {
      this.absoluteTimeout = absoluteTimeout;
    }

    public Long getMaxSessions() {
      return maxSessions;
    }

    public void setMaxSessions(Long maxSessions) {
      this.maxSessions = maxSessions;
    }

    public SessionIdFormat getIdFormat() {
      return idFormat;
    }

    public void setIdFormat(SessionIdFormat idFormat) {
      this.idFormat = idFormat;
    }

    public Integer getAnonymousSessionsPerAddress() {
      return anonymousSessionsPerAddress;
    }

    public void setAnonymousSessionsPerAddress(Integer anonymousSessionsPerAddress) {
      this.anonymousSessionsPerAddress = anonymousSessionsPerAddress;
    }

    public Duration getAnonymousSessionWindow() {
      return anonymousSessionWindow;
    }

    public void setAnonymousSessionWindow(Duration anonymousSessionWindow) {
      this.anonymousSessionWindow = anonymousSessionWindow;
    }

    public Long getTrackedAddresses() {
      return trackedAddresses;
    }

    public void setTrackedAddresses(Long trackedAddresses) {
      this.trackedAddresses = trackedAddresses;
    }
  }

  /** The three cookies Portcullis sets. */
  public static class Cookies {
    /**
     * The word in the default cookie names: {@code staff} gives {@code __Host-staff-sid}, {@code __Host-staff-auth},
     * {@code __Host-staff-cc} and {@code __Host-staff-sso}. Set one of its own for each Portcullis application that
     * shares a host name with another (two servlet contexts, such as /providers and /staff): a __Host- cookie has
     * Path=/, so with the default names they overwrite each other's cookies. A name set below wins. Core default:
     * {@code portcullis}.
     */
    private String namePrefix;

    public String getNamePrefix() {
      return namePrefix;
    }

    public void setNamePrefix(String namePrefix) {
      this.namePrefix = namePrefix;
    }

    /** The session cookie. Core default name: {@code __Host-portcullis-sid}. */
    private final Cookie session = new Cookie();

    /** The auth-key cookie. Core default name: {@code __Host-portcullis-auth}. */
    private final Cookie auth = new Cookie();

    /** The cookie the login page sets to check that the browser keeps cookies. Core default: {@code __Host-portcullis-cc}. */
    private final Cookie cookieCheck = new Cookie();

    public Cookie getSession() {
      return session;
    }

    public Cookie getAuth() {
      return auth;
    }

    public Cookie getCookieCheck() {
      return cookieCheck;
    }
  }

  /**
   * One cookie's name and attributes ({@code CookieSpec}). Unset values keep the core's secure defaults: Secure,
   * HttpOnly, SameSite=Lax, Path=/, no Domain. A {@code __Host-} name requires Secure, Path=/ and no Domain.
   */
  public static class Cookie {
    /** The cookie name, for example {@code ASP.NET_SessionId} or {@code validPSuser} for a ported portal. */
    private String name;

    /** Send the cookie over HTTPS only. */
    private Boolean secure;

    /** Hide the cookie from scripts. */
    private Boolean httpOnly;

    /** The SameSite attribute: strict, lax or none (none requires Secure). */
    private SameSite sameSite;

    /** The Path attribute. */
    private String path;

    /** The Domain attribute; unset keeps the cookie host-only. */
    private String domain;

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public Boolean getSecure() {
      return secure;
    }

    public void setSecure(Boolean secure) {
      this.secure = secure;
    }

    public Boolean getHttpOnly() {
      return httpOnly;
    }

    public void setHttpOnly(Boolean httpOnly) {
      this.httpOnly = httpOnly;
    }

    public SameSite getSameSite() {
      return sameSite;
    }

    public void setSameSite(SameSite sameSite) {
      this.sameSite = sameSite;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public String getDomain() {
      return domain;
    }

    public void setDomain(String domain) {
      this.domain = domain;
    }
  }

  /** Login, logout and terms ({@code PortalLogin}). */
  public static class Login {
    /** The current terms-of-use version; logging in means accepting it. Required. */
    private String termsVersion;

    /** How long an auth ticket lives before it must be renewed by use; at most 1 day. Core default: 8 hours. */
    private Duration ticketLifetime;

    /** The login endpoint (GET shows the application's form, POST logs in). Core default: /login. */
    private String path;

    /** The logout endpoint (POST). Core default: /logout. */
    private String logoutPath;

    /** The "log out everywhere" endpoint (POST). Core default: /logout-everywhere. */
    private String logoutEverywherePath;

    /** The terms page. Core default: /terms. */
    private String termsPath;

    /** Where a login without a safe return target goes. Core default: /. */
    private String afterLoginPath;

    /**
     * Whether to accept a login limit kept in each node's memory beside a session store that nodes share (the
     * application's own Redis or PostgreSQL SessionStore bean): behind a load balancer, each node then gives a
     * password guesser a budget of its own, and start-up logs a warning. Off: with such a store, start-up fails until
     * a LoginThrottle bean keeps the limit in a store the nodes share.
     */
    private boolean perNodeLoginLimit;

    /**
     * At most this many password logins checked at once on this node (the login limit's reservation, the password
     * check and the user directory's calls); at least 1. Past it a login waits up to a second for a place, else it is
     * refused as authn_login_busy with the reason BUSY. Core default: half the processors the JVM may use, at least 1.
     */
    private Integer maxConcurrentPasswordChecks;

    /**
     * At most this many logouts that a failing session or revocation store could not finish are kept on this node
     * and finished once the store answers; from 1 to 1,000,000. When that many are pending the oldest is dropped
     * unfinished and recorded in the audit log ("pending logout dropped"). Core default: 10000.
     */
    private Integer maxPendingLogouts;

    /**
     * At most this many form bodies of one client address read by the filter at once (the login form, and any
     * state-changing form with its CSRF token in the body; an IPv6 address counted by its /64); at least 1. Past it a
     * request is answered with a plain 503 without its body being read, and audited. Default 16.
     */
    private Integer maxFormReadsPerAddress;

    /**
     * At most this many form bodies of requests nobody is logged in to (the login form above all) read by the filter
     * at once, whatever their client addresses; at least 1. Past it such a request is answered with a plain 503
     * without its body being read, and audited. Each form under way holds one of the container's threads, so keep it
     * well under the container's thread count. An anonymous form also counts against its address's share
     * (max-form-reads-per-address): with a share at least this large, one address can take every anonymous place.
     * Default 32.
     */
    private Integer maxAnonymousFormReads;

    /**
     * How often the login behind an open WebSocket the application watches (PortalPrincipal.closeWhenLoginEnds) is
     * checked again, as a request would be: a login ended on another node, an expired ticket, a disabled account or a
     * removed role closes the socket at the next check. From 1s to 1h. Core default: 30s.
     */
    private Duration connectionRecheckInterval;

    /**
     * No cookie-check cookie: the session cookie does the blocked-cookie check (the login form's token is bound to its
     * value), for a portal that must set no cookie beyond its session and auth cookies. Needs a Secure session cookie;
     * not together with portcullis.cookies.cookie-check.*. Without the __Host- prefix on the session cookie a sibling
     * host of the same site can set it (cookie tossing) and so forge a login form.
     */
    private boolean cookieCheckBySessionCookie;

    /** The login limit against password guessing (LoginThrottle). */
    private final LoginLimit limit = new LoginLimit();

    public boolean isCookieCheckBySessionCookie() {
      return cookieCheckBySessionCookie;
    }

    public void setCookieCheckBySessionCookie(boolean cookieCheckBySessionCookie) {
      this.cookieCheckBySessionCookie = cookieCheckBySessionCookie;
    }

    public LoginLimit getLimit() {
      return limit;
    }

    public String getTermsVersion() {
      return termsVersion;
    }

    public void setTermsVersion(String termsVersion) {
      this.termsVersion = termsVersion;
    }

    public Duration getTicketLifetime() {
      return ticketLifetime;
    }

    public void setTicketLifetime(Duration ticketLifetime) {
      this.ticketLifetime = ticketLifetime;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public String getLogoutPath() {
      return logoutPath;
    }

    public void setLogoutPath(String logoutPath) {
      this.logoutPath = logoutPath;
    }

    public String getLogoutEverywherePath() {
      return logoutEverywherePath;
    }

    public void setLogoutEverywherePath(String logoutEverywherePath) {
      this.logoutEverywherePath = logoutEverywherePath;
    }

    public String getTermsPath() {
      return termsPath;
    }

    public void setTermsPath(String termsPath) {
      this.termsPath = termsPath;
    }

    public String getAfterLoginPath() {
      return afterLoginPath;
    }

    public void setAfterLoginPath(String afterLoginPath) {
      this.afterLoginPath = afterLoginPath;
    }

    public boolean isPerNodeLoginLimit() {
      return perNodeLoginLimit;
    }

    public void setPerNodeLoginLimit(boolean perNodeLoginLimit) {
      this.perNodeLoginLimit = perNodeLoginLimit;
    }

    public Integer getMaxConcurrentPasswordChecks() {
      return maxConcurrentPasswordChecks;
    }

    public void setMaxConcurrentPasswordChecks(Integer maxConcurrentPasswordChecks) {
      this.maxConcurrentPasswordChecks = maxConcurrentPasswordChecks;
    }

    public Integer getMaxPendingLogouts() {
      return maxPendingLogouts;
    }

    public Integer getMaxFormReadsPerAddress() {
      return maxFormReadsPerAddress;
    }

    public void setMaxFormReadsPerAddress(Integer maxFormReadsPerAddress) {
      this.maxFormReadsPerAddress = maxFormReadsPerAddress;
    }

    public Integer getMaxAnonymousFormReads() {
      return maxAnonymousFormReads;
    }

    public void setMaxAnonymousFormReads(Integer maxAnonymousFormReads) {
      this.maxAnonymousFormReads = maxAnonymousFormReads;
    }

    public void setMaxPendingLogouts(Integer maxPendingLogouts) {
      this.maxPendingLogouts = maxPendingLogouts;
    }

    public Duration getConnectionRecheckInterval() {
      return connectionRecheckInterval;
    }

    public void setConnectionRecheckInterval(Duration connectionRecheckInterval) {
      this.connectionRecheckInterval = connectionRecheckInterval;
    }
  }

  /**
   * The login limit against password guessing ({@code LoginThrottle}): password checks per account and per client
   * address in a sliding window, counted before the password is checked; an attempt past either budget is refused
   * without a check, even with the right password. The budgets are kept where the stores are: in Redis or PostgreSQL
   * when the starter makes those stores, otherwise in this node's memory. A LoginThrottle bean of the application's
   * own replaces this limit, and these properties with it.
   */
  public static class LoginLimit {
    /**
     * Password checks per account (or per known address of it) in the window, whatever their outcome but for right
     * passwords; from 1 to 100 (ASVS 2.2.1). Core default: 100.
     */
    private Integer maxFailuresPerAccount;

    /**
     * Password checks per client address (an IPv6 address by its /64) in the window, to whichever account; at least
     * 1. Core default: 1000.
     */
    private Integer maxFailuresPerAddress;

    /** The sliding window of both budgets; above zero. Core default: 1 hour. */
    private Duration window;

    /**
     * How long an address the account's owner logged in from stays known, with a budget of its own that wrong
     * passwords from elsewhere cannot use up; from 0 (no known addresses: every attempt uses the account budget) to
     * 400 days. Core default: 30 days.
     */
    private Duration knownAddressFor;

    /**
     * How many budgets, and as many known addresses, this node keeps in memory at most; beyond that the least used are
     * forgotten. Too small lets a guesser who sprays addresses push budgets, its own among them, out of the table; each
     * entry costs memory. From 1000 to 10000000. Only for the limit in this node's memory: refused beside the Redis or
     * PostgreSQL stores, where the nodes share the budgets. Core default: 100000.
     */
    private Long maxTracked;

    public Integer getMaxFailuresPerAccount() {
      return maxFailuresPerAccount;
    }

    public void setMaxFailuresPerAccount(Integer maxFailuresPerAccount) {
      this.maxFailuresPerAccount = maxFailuresPerAccount;
    }

    public Integer getMaxFailuresPerAddress() {
      return maxFailuresPerAddress;
    }

    public void setMaxFailuresPerAddress(Integer maxFailuresPerAddress) {
      this.maxFailuresPerAddress = maxFailuresPerAddress;
    }

    public Duration getWindow() {
      return window;
    }

    public void setWindow(Duration window) {
      this.window = window;
    }

    public Duration getKnownAddressFor() {
      return knownAddressFor;
    }

    public void setKnownAddressFor(Duration knownAddressFor) {
      this.knownAddressFor = knownAddressFor;
    }

    public Long getMaxTracked() {
      return maxTracked;
    }

    public void setMaxTracked(Long maxTracked) {
      this.maxTracked = maxTracked;
    }
  }

  /** The CSRF check's settings beyond the token ({@code PortcullisFilter.Builder.trustedOrigins}). */
  public static class Csrf {
    /**
     * Origins besides the portal's own whose forms may post to it, each exactly https://host or https://host:port (no
     * path, no wildcard); a state-changing request or a WebSocket upgrade a browser marks as cross-origin is refused
     * unless its Origin is one of these, and a state-changing one still needs the CSRF token. Default: none.
     */
    private List<String> trustedOrigins = new ArrayList<>();

    public List<String> getTrustedOrigins() {
      return trustedOrigins;
    }

    public void setTrustedOrigins(List<String> trustedOrigins) {
      this.trustedOrigins = trustedOrigins;
    }
  }

  /** Where audit events go ({@code AuditLog}) and which requests are audited ({@code AuditRules}). */
  public static class Audit {
    /** Where identified audit events go: slf4j (the default), json-lines or hash-chained (both need a file). */
    private AuditSinkType sink = AuditSinkType.SLF4J;

    /** The file of the json-lines or hash-chained sink. */
    private Path file;

    /** How many events may wait for delivery. Core default: 8192. */
    private Integer queueCapacity;

    /** What to do when the queue is full: block (the default: nothing is lost) or drop. */
    private AuditLog.WhenFull whenFull;

    /**
     * How often a failing audit sink (a full disk, a lost volume) is offered its kept events again; from 10ms to 10m.
     * Core default: 1 second.
     */
    private Duration retryInterval;

    /**
     * How long closing the audit log at shutdown waits for the sinks to write what is queued; past it a sink that has
     * not returned (a hung mount, a peer that stopped reading) no longer holds the shutdown up, and one ERROR line says
     * how many events are not written. From 10ms to 1h. Core default: 30 seconds.
     */
    private Duration closeTimeout;

    /**
     * At most this many events of one type with a client address and no user (a refused CSRF token, a failed login
     * for an unknown name) one address may have written per anonymous-event-window; past it they are withheld, counted
     * and summarised in an audit_withheld event. From 1 to 1000000. Core default: 60.
     */
    private Integer anonymousEventsPerAddress;

    /** The window of anonymous-events-per-address; from 1s to 1d. Core default: 1 minute. */
    private Duration anonymousEventWindow;

    /** Application requests recorded with the user and outcome, for example /reports/{id} as report_view. */
    private final List<Action> actions = new ArrayList<>();

    /** Search endpoints recorded in the anonymous search-demand log only. */
    private final List<SearchEndpoint> searchEndpoints = new ArrayList<>();

    private final SearchDemand searchDemand = new SearchDemand();

    public AuditSinkType getSink() {
      return sink;
    }

    public void setSink(AuditSinkType sink) {
      this.sink = sink;
    }

    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    public Integer getQueueCapacity() {
      return queueCapacity;
    }

    public void setQueueCapacity(Integer queueCapacity) {
      this.queueCapacity = queueCapacity;
    }

    public AuditLog.WhenFull getWhenFull() {
      return whenFull;
    }

    public void setWhenFull(AuditLog.WhenFull whenFull) {
      this.whenFull = whenFull;
    }

    public Duration getRetryInterval() {
      return retryInterval;
    }

    public void setRetryInterval(Duration retryInterval) {
      this.retryInterval = retryInterval;
    }

    public Duration getCloseTimeout() {
      return closeTimeout;
    }

    public void setCloseTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
    }

    public Integer getAnonymousEventsPerAddress() {
      return anonymousEventsPerAddress;
    }

    public void setAnonymousEventsPerAddress(Integer anonymousEventsPerAddress) {
      this.anonymousEventsPerAddress = anonymousEventsPerAddress;
    }

    public Duration getAnonymousEventWindow() {
      return anonymousEventWindow;
    }

    public void setAnonymousEventWindow(Duration anonymousEventWindow) {
      this.anonymousEventWindow = anonymousEventWindow;
    }

    public List<Action> getActions() {
      return actions;
    }

    public List<SearchEndpoint> getSearchEndpoints() {
      return searchEndpoints;
    }

    public SearchDemand getSearchDemand() {
      return searchDemand;
    }
  }

  /** The identified-event sinks the properties can choose. */
  public enum AuditSinkType {
    /** Structured lines on the SLF4J logger {@code portcullis.audit}. */
    SLF4J,
    /** One JSON object per line in {@code portcullis.audit.file}. */
    JSON_LINES,
    /**
     * JSON lines chained by SHA-256, with checkpoints tagged under the portal's key ring in {@code
     * <file>.checkpoints}; verifiable offline with {@code AuditChainVerifier --key-ring}. An application that wants
     * the chain without checkpoints declares its own {@code AuditSink} bean.
     */
    HASH_CHAINED
  }

  /** The search-demand sinks the properties can choose. */
  public enum DemandSinkType {
    /** Lines on the SLF4J logger {@code portcullis.search-demand}. */
    SLF4J,
    /** One JSON object per line in {@code portcullis.audit.search-demand.file}. */
    JSON_LINES
  }

  /** An audited action. */
  public static class Action {
    /** The path pattern: lower-case literal segments, {name} placeholders, an optional trailing /**. */
    private String pattern;

    /** The action's audit name, for example report_view. */
    private String action;

    public String getPattern() {
      return pattern;
    }

    public void setPattern(String pattern) {
      this.pattern = pattern;
    }

    public String getAction() {
      return action;
    }

    public void setAction(String action) {
      this.action = action;
    }
  }

  /** A search endpoint. */
  public static class SearchEndpoint {
    /** The normalised, lower-case path, for example /search. */
    private String path;

    /** The query parameter holding what was searched for. */
    private String parameter;

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public String getParameter() {
      return parameter;
    }

    public void setParameter(String parameter) {
      this.parameter = parameter;
    }
  }

  /** The anonymous search-demand log. */
  public static class SearchDemand {
    /** Where search-demand events go: slf4j (the default) or json-lines (needs a file). */
    private DemandSinkType sink = DemandSinkType.SLF4J;

    /** The file of the json-lines sink; must differ from the audit file. */
    private Path file;

    /**
     * The time bucket of the search counts; searches are written as totals when their bucket is over. Core default: 1
     * hour.
     */
    private Duration bucket;

    /** The most distinct search terms counted at once; beyond it searches count as [other]. Core default: 10000. */
    private Integer maxTerms;

    /** Terms searched fewer times than this in a bucket are written only within [other]. Core default: 1. */
    private Integer minimumCount;

    public DemandSinkType getSink() {
      return sink;
    }

    public void setSink(DemandSinkType sink) {
      this.sink = sink;
    }

    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    public Duration getBucket() {
      return bucket;
    }

    public void setBucket(Duration bucket) {
      this.bucket = bucket;
    }

    public Integer getMaxTerms() {
      return maxTerms;
    }

    public void setMaxTerms(Integer maxTerms) {
      this.maxTerms = maxTerms;
    }

    public Integer getMinimumCount() {
      return minimumCount;
    }

    public void setMinimumCount(Integer minimumCount) {
      this.minimumCount = minimumCount;
    }
  }

  /**
   * Redis stores for portals on more than one node (needs {@code portcullis-redis} on the class path). Setting the URI
   * (one server, or a master watched by Sentinel) or the cluster nodes (a Redis Cluster) switches the session,
   * revocation, replay and account-link stores to Redis; setting both is a start-up failure.
   */
  public static class Redis {
    /**
     * For example rediss://:password@redis.internal:6379/0, or redis-sentinel://:password@sentinel-a:26379,
     * sentinel-b:26379/0#portal-master for a master watched by Sentinel. May hold a password: keep it out of files.
     * Not together with cluster-nodes.
     */
    private String uri;

    /**
     * Seed nodes of a Redis Cluster, for example rediss://:password@redis-a:6379,rediss://:password@redis-b:6379: any
     * one that answers is enough, the client learns the other nodes from it. All use TLS (rediss://) or none. May hold
     * a password: keep it out of files. Not together with uri.
     */
    private List<String> clusterNodes = new ArrayList<>();

    /** Put before every key, so that several portals can share one Redis. Core default: portcullis: */
    private String keyPrefix;

    /** The longest a store call waits for Redis before failing closed. Core default: 500 ms. */
    private Duration commandTimeout;

    /** The largest clock difference expected between nodes. Core default: 30 s. */
    private Duration clockSkew;

    /**
     * At most this many commands of this node on their way to Redis or waiting for its answer at once; past it a
     * store call fails closed at once instead of queuing work a slow Redis would run late. From 2 to 65536. Core
     * default: 1024.
     */
    private Integer maxPendingCommands;

    /**
     * A PEM file of the CA certificates that sign Redis's TLS certificate, trusted for the Redis connection only (a
     * private CA). Needs rediss://. Unset: the JVM's default trust store.
     */
    private Path trustedCertificates;

    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = uri;
    }

    public List<String> getClusterNodes() {
      return clusterNodes;
    }

    public void setClusterNodes(List<String> clusterNodes) {
      this.clusterNodes = clusterNodes;
    }

    public String getKeyPrefix() {
      return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
    }

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }

    public Duration getClockSkew() {
      return clockSkew;
    }

    public void setClockSkew(Duration clockSkew) {
      this.clockSkew = clockSkew;
    }

    public Integer getMaxPendingCommands() {
      return maxPendingCommands;
    }

    public void setMaxPendingCommands(Integer maxPendingCommands) {
      this.maxPendingCommands = maxPendingCommands;
    }

    public Path getTrustedCertificates() {
      return trustedCertificates;
    }

    public void setTrustedCertificates(Path trustedCertificates) {
      this.trustedCertificates = trustedCertificates;
    }
  }

  /**
   * PostgreSQL stores for portals on more than one node, on the application's {@code DataSource} (needs
   * {@code portcullis-jdbc} on the class path). Enabling them switches the session, revocation, replay and
   * account-link stores and the login limit's budgets to the database. The wait for a connection is the pool's: set
   * {@code spring.datasource.hikari.connection-timeout} near the query timeout (for example 1s).
   */
  public static class Jdbc {
    /** Whether to keep the stores in the application's DataSource. Not together with portcullis.redis.uri. */
    private boolean enabled;

    /** Whether to create the missing tables at start-up; off when a migration tool (Flyway) applies them. */
    private boolean applySchema;

    /** The longest one statement runs before it is cancelled and the request fails closed. Core default: 1 s. */
    private Duration queryTimeout;

    /**
     * The longest a call waits for any answer on its connection (a database that stopped answering). Core default:
     * the query timeout plus 1 s.
     */
    private Duration networkTimeout;

    /** The largest clock difference expected between nodes. Core default: 30 s. */
    private Duration clockSkew = Duration.ofSeconds(30);

    /** How often the node deletes expired rows (a bounded batch per table). */
    private Duration cleanUpEvery = Duration.ofMinutes(5);

    /** Most rows one clean-up deletes per table. Core default: 1000. */
    private Integer cleanUpBatchSize;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public boolean isApplySchema() {
      return applySchema;
    }

    public void setApplySchema(boolean applySchema) {
      this.applySchema = applySchema;
    }

    public Duration getQueryTimeout() {
      return queryTimeout;
    }

    public void setQueryTimeout(Duration queryTimeout) {
      this.queryTimeout = queryTimeout;
    }

    public Duration getNetworkTimeout() {
      return networkTimeout;
    }

    public void setNetworkTimeout(Duration networkTimeout) {
      this.networkTimeout = networkTimeout;
    }

    public Duration getClockSkew() {
      return clockSkew;
    }

    public void setClockSkew(Duration clockSkew) {
      this.clockSkew = clockSkew;
    }

    public Duration getCleanUpEvery() {
      return cleanUpEvery;
    }

    public void setCleanUpEvery(Duration cleanUpEvery) {
      this.cleanUpEvery = cleanUpEvery;
    }

    public Integer getCleanUpBatchSize() {
      return cleanUpBatchSize;
    }

    public void setCleanUpBatchSize(Integer cleanUpBatchSize) {
      this.cleanUpBatchSize = cleanUpBatchSize;
    }
  }

  /** The filter's registration with the servlet container. */
  public static class Filter {
    /**
     * The filter's order: before every filter that uses the session or the principal, and before Spring Security
     * (-100 by default). Same as {@link PortcullisAutoConfiguration#FILTER_ORDER}, written out for the metadata.
     */
    private int order = -110;

    public int getOrder() {
      return order;
    }

    public void setOrder(int order) {
      this.order = order;
    }
  }

  /**
   * HTTPS, HSTS, trusted proxies and where plain HTTP goes: {@code TransportConfig}. HTTPS is required unless
   * development mode is on; redirecting plain HTTP needs the canonical host.
   */
  public static class Transport {
    /** Lets plain http through from loopback only (a warning is logged at start-up). Never in production. */
    private boolean developmentMode;

    /**
     * Proxy addresses (IP literals or CIDRs) whose Forwarded / X-Forwarded-* headers are believed; more public space
     * than a /11 of IPv4 or a /24 of IPv6, all entries together, is refused (private, loopback and link-local ranges
     * may be of any size). Core default: none.
     */
    private List<String> trustedProxies = new ArrayList<>();

    /**
     * Which forwarding headers the trusted proxies write, and so which are read from them: x-forwarded
     * (X-Forwarded-For/-Proto only, a Forwarded header ignored), forwarded (Forwarded only), or both (either; a request
     * carrying both is believed only when they agree, otherwise it is the proxy's own and the disagreement is
     * audited). Core default: both.
     */
    private ForwardedHeaders forwardedHeaders;

    /** HSTS max-age. Core default: one year. */
    private Duration hstsMaxAge;

    /** Adds includeSubDomains to HSTS. Core default: false. */
    private Boolean hstsIncludeSubdomains;

    /** The port insecure GET/HEAD requests are redirected to. Core default: 443. */
    private Integer httpsPort;

    /**
     * The portal's own host name (as in its certificate), where insecure GET/HEAD requests are redirected, e.g.
     * portal.example. Required while redirect-plain-http is on, except in development mode (then localhost). Never
     * taken from the request's Host header.
     */
    private String canonicalHost;

    /**
     * Whether insecure GET/HEAD requests are redirected to https://canonical-host (true) or refused with 403 like
     * every other insecure request (false). Core default: true.
     */
    private Boolean redirectPlainHttp;

    /**
     * Whether the servlet container's own isSecure() decides that a request arrived over HTTPS (its forwarded-header
     * handling, e.g. server.forward-headers-strategy=native or framework), instead of the encryption of the request's
     * own connection and portcullis.transport.trusted-proxies. Only when the plain-HTTP port is reachable from the
     * TLS-terminating proxy alone: the container's answer cannot be told apart from a client's claim (on Jetty an
     * absolute-form https:// request target is enough). Must be set, true or false, when
     * server.forward-headers-strategy is native or framework, or server.tomcat.remoteip.remote-ip-header or
     * protocol-header is set (Tomcat's RemoteIpValve); start-up fails otherwise. Core default: false.
     */
    private Boolean containerDecidesHttps;

    public boolean isDevelopmentMode() {
      return developmentMode;
    }

    public void setDevelopmentMode(boolean developmentMode) {
      this.developmentMode = developmentMode;
    }

    public List<String> getTrustedProxies() {
      return trustedProxies;
    }

    public void setTrustedProxies(List<String> trustedProxies) {
      this.trustedProxies = trustedProxies;
    }

    public ForwardedHeaders getForwardedHeaders() {
      return forwardedHeaders;
    }

    public void setForwardedHeaders(ForwardedHeaders forwardedHeaders) {
      this.forwardedHeaders = forwardedHeaders;
    }

    public Duration getHstsMaxAge() {
      return hstsMaxAge;
    }

    public void setHstsMaxAge(Duration hstsMaxAge) {
      this.hstsMaxAge = hstsMaxAge;
    }

    public Boolean getHstsIncludeSubdomains() {
      return hstsIncludeSubdomains;
    }

    public void setHstsIncludeSubdomains(Boolean hstsIncludeSubdomains) {
      this.hstsIncludeSubdomains = hstsIncludeSubdomains;
    }

    public Integer getHttpsPort() {
      return httpsPort;
    }

    public void setHttpsPort(Integer httpsPort) {
      this.httpsPort = httpsPort;
    }

    public String getCanonicalHost() {
      return canonicalHost;
    }

    public void setCanonicalHost(String canonicalHost) {
      this.canonicalHost = canonicalHost;
    }

    public Boolean getRedirectPlainHttp() {
      return redirectPlainHttp;
    }

    public void setRedirectPlainHttp(Boolean redirectPlainHttp) {
      this.redirectPlainHttp = redirectPlainHttp;
    }

    public Boolean getContainerDecidesHttps() {
      return containerDecidesHttps;
    }

    public void setContainerDecidesHttps(Boolean containerDecidesHttps) {
      this.containerDecidesHttps = containerDecidesHttps;
    }
  }

  /**
   * Path rules: {@code AccessPolicy}, applied in order public paths, role rules, authenticated paths; anything else
   * needs a login. Without any rule the filter makes no path decision and the application (or Spring Security)
   * must.
   */
  public static class Access {
    /** Paths anyone may reach, e.g. /login, /terms, /privacy, /assets/**. The login and terms paths must be here. */
    private List<String> publicPaths = new ArrayList<>();

    /** Paths any logged-in user may reach. */
    private List<String> authenticatedPaths = new ArrayList<>();

    /** Paths that need one of some roles. */
    private List<RoleRule> rules = new ArrayList<>();

    public List<String> getPublicPaths() {
      return publicPaths;
    }

    public void setPublicPaths(List<String> publicPaths) {
      this.publicPaths = publicPaths;
    }

    public List<String> getAuthenticatedPaths() {
      return authenticatedPaths;
    }

    public void setAuthenticatedPaths(List<String> authenticatedPaths) {
      this.authenticatedPaths = authenticatedPaths;
    }

    public List<RoleRule> getRules() {
      return rules;
    }

    public void setRules(List<RoleRule> rules) {
      this.rules = rules;
    }

    boolean isConfigured() {
      return !publicPaths.isEmpty() || !authenticatedPaths.isEmpty() || !rules.isEmpty();
    }
  }

  /** A path pattern and the roles of which a user needs one. */
  public static class RoleRule {
    /** Exact path, or a prefix ending in /* or /**. */
    private String pattern;

    /** Roles, any one of which lets the user through. */
    private List<String> roles = new ArrayList<>();

    public String getPattern() {
      return pattern;
    }

    public void setPattern(String pattern) {
      this.pattern = pattern;
    }

    public List<String> getRoles() {
      return roles;
    }

    public void setRoles(List<String> roles) {
      this.roles = roles;
    }
  }

  /**
   * Single sign-on through an OpenID provider ({@code SsoConfig}): off unless {@code enabled}. When on, the issuer,
   * client id, client secret and redirect URI are required, and {@code com.nimbusds:oauth2-oidc-sdk} must be on the
   * class path. Account links and redeemed upgrade tokens go to the configured stores (Redis when
   * {@code portcullis.redis.uri} is set).
   */
  public static class Sso {
    /** Offer the SSO upgrade after a local login, and SSO login for linked accounts. */
    private boolean enabled;

    /** The OpenID provider's issuer identifier; its metadata is discovered from it. https (http only on loopback). */
    private URI issuer;

    /** This portal's client id at the provider. */
    private String clientId;

    /** This portal's client secret at the provider; better supplied through the environment. Never shown. */
    private String clientSecret;

    /** The scopes to ask for; must include openid. Core default: openid. */
    private List<String> scopes;

    /**
     * This portal's callback URL as registered at the provider, for example https://portal.example/sso/callback.
     * Never taken from the request's Host header.
     */
    private URI redirectUri;

    /** The upgrade cookie's name. Core default: __Host-portcullis-sso. */
    private String cookieName;

    /** How long an upgrade token may be redeemed; at most 10 minutes. Core default: 5 minutes. */
    private Duration tokenLifetime;

    /** Where a logged-in browser POSTs to link its account. Core default: /sso/upgrade. */
    private String upgradePath;

    /**
     * The callback path relative to the context path. Core default: the redirect URI's path; when set, that path must
     * end with it.
     */
    private String callbackPath;

    /** Where a browser POSTs, with the CSRF token, to start a login through the provider. Core default: /sso/login. */
    private String loginPath;

    /** The account link's confirmation page. Core default: /sso/link. */
    private String linkPath;

    /** Where a logged-in user POSTs to unlink one of their identities. Core default: /sso/unlink. */
    private String unlinkPath;

    /** How long an unconfirmed account link waits; 1 to 10 minutes. Core default: 5 minutes. */
    private Duration pendingLinkLifetime;

    /** Keep the user's linked identities through "log out everywhere". Core default: false (they are removed). */
    private Boolean keepLinksOnLogoutEverywhere;

    /**
     * Audiences besides the client id that an ID token may also name (OpenID Connect Core 3.1.3.7). Core default: none,
     * so a token issued to this client together with any other party is refused.
     */
    private List<String> trustedAudiences;

    /**
     * How recently the user must have signed in at the provider to link an account (sent as max_age with
     * prompt=login); 1 minute to 1 hour. Core default: 5 minutes.
     */
    private Duration linkReauthentication;

    /**
     * How recently the user must have logged in to the portal to start or confirm an account link, or to unlink an
     * identity; an older login is sent to log in again first. 1 minute to 1 hour. Core default: 10 minutes.
     */
    private Duration maxLoginAge;

    /**
     * The longest one exchange with the OpenID provider (discovery, token request, JWK set) may take as a whole, from
     * connecting to the last byte of the answer; above zero and at most 60 seconds. Core default: 5 seconds.
     */
    private Duration providerTimeout;

    /**
     * How many requests of this node may wait on the OpenID provider at once (SSO callbacks exchanging their code, login
     * starts waiting for the provider's discovery); one more is answered 503 at once without asking the provider. 1 to
     * 1024; keep it well below the server's request threads. Core default: 16.
     */
    private Integer maxConcurrentProviderCalls;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public URI getIssuer() {
      return issuer;
    }

    public void setIssuer(URI issuer) {
      this.issuer = issuer;
    }

    public String getClientId() {
      return clientId;
    }

    public void setClientId(String clientId) {
      this.clientId = clientId;
    }

    /** Write-only: there is deliberately no getter, so that no report or serializer can show the secret. */
    public void setClientSecret(String clientSecret) {
      this.clientSecret = clientSecret;
    }

    /** The secret, for building {@code SsoConfig} only. */
    String clientSecretForConfig() {
      return clientSecret;
    }

    public List<String> getScopes() {
      return scopes;
    }

    public void setScopes(List<String> scopes) {
      this.scopes = scopes;
    }

    public URI getRedirectUri() {
      return redirectUri;
    }

    public void setRedirectUri(URI redirectUri) {
      this.redirectUri = redirectUri;
    }

    public String getCookieName() {
      return cookieName;
    }

    public void setCookieName(String cookieName) {
      this.cookieName = cookieName;
    }

    public Duration getTokenLifetime() {
      return tokenLifetime;
    }

    public void setTokenLifetime(Duration tokenLifetime) {
      this.tokenLifetime = tokenLifetime;
    }

    public String getUpgradePath() {
      return upgradePath;
    }

    public void setUpgradePath(String upgradePath) {
      this.upgradePath = upgradePath;
    }

    public String getCallbackPath() {
      return callbackPath;
    }

    public void setCallbackPath(String callbackPath) {
      this.callbackPath = callbackPath;
    }

    public String getLoginPath() {
      return loginPath;
    }

    public void setLoginPath(String loginPath) {
      this.loginPath = loginPath;
    }

    public String getLinkPath() {
      return linkPath;
    }

    public void setLinkPath(String linkPath) {
      this.linkPath = linkPath;
    }

    public String getUnlinkPath() {
      return unlinkPath;
    }

    public void setUnlinkPath(String unlinkPath) {
      this.unlinkPath = unlinkPath;
    }

    public Duration getPendingLinkLifetime() {
      return pendingLinkLifetime;
    }

    public void setPendingLinkLifetime(Duration pendingLinkLifetime) {
      this.pendingLinkLifetime = pendingLinkLifetime;
    }

    public Boolean getKeepLinksOnLogoutEverywhere() {
      return keepLinksOnLogoutEverywhere;
    }

    public void setKeepLinksOnLogoutEverywhere(Boolean keepLinksOnLogoutEverywhere) {
      this.keepLinksOnLogoutEverywhere = keepLinksOnLogoutEverywhere;
    }

    public List<String> getTrustedAudiences() {
      return trustedAudiences;
    }

    public void setTrustedAudiences(List<String> trustedAudiences) {
      this.trustedAudiences = trustedAudiences;
    }

    public Duration getLinkReauthentication() {
      return linkReauthentication;
    }

    public void setLinkReauthentication(Duration linkReauthentication) {
      this.linkReauthentication = linkReauthentication;
    }

    public Duration getMaxLoginAge() {
      return maxLoginAge;
    }

    public void setMaxLoginAge(Duration maxLoginAge) {
      this.maxLoginAge = maxLoginAge;
    }

    public Duration getProviderTimeout() {
      return providerTimeout;
    }

    public void setProviderTimeout(Duration providerTimeout) {
      this.providerTimeout = providerTimeout;
    }

    public Integer getMaxConcurrentProviderCalls() {
      return maxConcurrentProviderCalls;
    }

    public void setMaxConcurrentProviderCalls(Integer maxConcurrentProviderCalls) {
      this.maxConcurrentProviderCalls = maxConcurrentProviderCalls;
    }
  }
}
