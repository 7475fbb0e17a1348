package dev.portcullis.servlet;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.KeyRingAudit;
import dev.portcullis.audit.SearchDemandSink;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.cookie.CookieNames;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.ReloadingKeyRing;
import dev.portcullis.internal.ConfigurationWarning;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.LoginLimitCheck;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.login.SessionLimit;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.internal.StoreObservations;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.UserDirectory;
import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-call way to put Portcullis in front of a servlet application: give it the key ring, the user directory and
 * the current terms-of-use version, take the defaults for everything else, and register it on the
 * {@link ServletContext}.
 *
 * <pre>{@code
 * Portcullis.builder()
 *     .keyRing(KeyRingSources.fromFile(Path.of("keys.txt")))
 *     .users(users)
 *     .termsVersion("2026-01")
 *     .build()
 *     .register(servletContext);   // every path, REQUEST dispatch; closed when the context shuts down
 * }</pre>
 *
 * <p>The defaults, each replaceable through the {@link Builder}: the system clock; one {@link SecureRandom} drawn
 * from by every part (session ids, tickets, CSRF tokens, audit ids); an {@link AuditLog} writing to SLF4J
 * ({@link AuditSink#slf4j()}, {@link SearchDemandSink#slf4j()}); in-memory stores for one node (a Caffeine session
 * store with {@link SessionConfig#defaults()}, {@link RevocationStore#inMemory}); {@link TransportConfig#defaults()},
 * which requires HTTPS and refuses plain HTTP with {@code 403} (to redirect plain {@code GET}s instead, give a
 * {@code TransportConfig} with the portal's {@code canonicalHost}); and the secure default for access: every path
 * but the login page, the terms page and the {@link Builder#requirePublic} pages needs a login. The pieces are the
 * ones {@link PortcullisFilter#builder()} and {@link PortalLogin#builder()} take, and the whole configuration is
 * checked by the core ({@code PortcullisConfig}), as for a filter built by hand. The login limit is in memory too,
 * so a {@link Builder#sessionStore} shared between nodes needs a {@link Builder#loginAttemptStore} they share as well;
 * {@link Builder#build()} refuses the pair otherwise (see {@link Builder#perNodeLoginLimit()}).
 *
 * <p><b>Lifecycle.</b> A {@code Portcullis} owns what its builder created: the audit log (and with it the sinks
 * handed to {@link Builder#auditSink}/{@link Builder#demandSink}) and the default stores. {@link #close()} delivers
 * the queued audit events and releases them, so that a redeployed application can open the same audit file again.
 * What the application passed in built (an {@link AuditLog}, a {@link SessionStore}, a {@link RevocationStore}) stays
 * the application's to close. The container closes a registered {@code Portcullis} when it takes the filter out of
 * service, which it does when the context shuts down; {@code close()} may be called again, or instead. A closed
 * {@code Portcullis} records no more audit events: a context that starts again needs a new one, which is what a
 * redeployed application builds.
 *
 * <p><b>Security.</b> Nothing is open by default: no default key, HTTPS required, a login needed for every page not
 * declared public. A configuration mistake stops {@link Builder#build()} with a message that says what to change;
 * nothing is started or opened that the failure would leave behind.
 */
public final class Portcullis implements AutoCloseable {
  /** The name the filter is registered under by {@link #register(ServletContext)}. */
  public static final String FILTER_NAME = "portcullis";

  private static final Logger LOG = LoggerFactory.getLogger(Portcullis.class);

  private final PortcullisFilter filter;
  private final PortalLogin login;
  private final AuditLog audit;
  private final SessionStore sessionStore;
  private final RevocationStore revocations;
  private final List<AutoCloseable> owned;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Portcullis(
      PortcullisFilter.Builder filterBuilder,
      PortalLogin login,
      AuditLog audit,
      SessionStore sessionStore,
      RevocationStore revocations,
      List<AutoCloseable> owned) {
    this.login = login;
    this.audit = audit;
    this.sessionStore = sessionStore;
    this.revocations = revocations;
    this.owned = List.copyOf(owned);
    this.filter = filterBuilder.buildClosingWith(this::close);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The filter, for containers that register filters their own way; registered, it closes this on destroy. */
  public PortcullisFilter filter() {
    return filter;
  }

  /** The login the filter uses, as built from the defaults and {@link Builder#login} (its endpoints and limits). */
  public PortalLogin login() {
    return login;
  }

  /** The audit log Portcullis records to: the one passed in, or the one it made. */
  public AuditLog audit() {
    return audit;
  }

  /** The session store the filter uses (the one passed in, or the one it made), for health checks. */
  public SessionStore sessionStore() {
    return sessionStore;
  }

  /** The revocation store the filter uses (the one passed in, or the one it made), for health checks. */
  public RevocationStore revocations() {
    return revocations;
  }

  /**
   * Registers the filter on {@code context} as {@value #FILTER_NAME} for every path ({@code /*}), for
   * {@link DispatcherType#REQUEST}, ahead of the filters the deployment descriptor declares, with async support.
   * Call it while the context starts: from a {@code ServletContainerInitializer}, a {@code ServletContextListener}
   * declared in {@code web.xml} or with {@code @WebListener}, or (embedded Jetty) before the server starts. When the
   * container takes the filter out of service at shutdown, this {@code Portcullis} is closed.
   *
   * @return the registration, for further settings
   * @throws IllegalStateException if a filter of that name is already registered, the context has already started,
   *     or this {@code Portcullis} is closed; the {@code Portcullis} is then closed, so that a failed start leaves no
   *     audit file open
   */
  public FilterRegistration.Dynamic register(ServletContext context) {
    Objects.requireNonNull(context, "context");
    try {
      if (closed.get()) {
        throw new IllegalStateException(
            "this Portcullis is closed: build a new one for the new context");
      }
      FilterRegistration.Dynamic registration = context.addFilter(FILTER_NAME, filter);
      if (registration == null) {
        throw new IllegalStateException("a filter named '" + FILTER_NAME
            + "' is already registered in this" + " context: register Portcullis once per context");
      }
      registration.setAsyncSupported(true);
      registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
      return registration;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Delivers the audit events still queued, closes the audit log Portcullis made (and its sinks) and the stores it
   * made; leaves alone what the application passed in. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeAll(owned);
  }

  private static void closeAll(List<AutoCloseable> parts) {
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        LOG.error(
            "Portcullis could not close {}: {}",
            part.getClass().getName(),
            e.getClass().getName());
      }
    }
  }

  /**
   * Takes the three required inputs and the overrides; {@link #build()} fills in the defaults and checks the whole.
   * Not thread-safe.
   */
  public static final class Builder {
    private KeyRingSource keyRing;
    private UserDirectory users;
    private String termsVersion;
    private InstantSource clock;
    private SecureRandom random;
    private AuditLog auditLog;
    private final List<AuditSink> auditSinks = new ArrayList<>();
    private final List<SearchDemandSink> demandSinks = new ArrayList<>();
    private Duration auditCloseTimeout;
    private AuditRules auditRules;
    private SessionConfig sessionConfig = SessionConfig.defaults();
    private SessionStore sessionStore;
    private RevocationStore revocations;
    private TransportConfig transport;
    private AccessPolicy accessPolicy;
    private String accessLoginPath;
    private boolean accessDecidedByApplication;
    private final List<String> requiredPublic = new ArrayList<>();
    private final List<String> trustedOrigins = new ArrayList<>();
    private final List<Consumer<PortalLogin.Builder>> loginSettings = new ArrayList<>();
    private LoginAttemptStore loginAttemptStore;
    private final List<Consumer<LoginThrottle.Builder>> loginLimitSettings = new ArrayList<>();
    private boolean perNodeLoginLimit;
    private int maxSessionsPerUser;
    private SessionLimit whenSessionsExceeded;
    private Consumer<PortcullisFilter.Builder> filterSettings = b -> {};
    private SsoConfig sso;
    private ObservationRegistry observationRegistry;
    private Supplier<String> currentTraceId;
    private String cookieNamePrefix;
    private Integer maxFormReadsPerAddress;
    private Integer maxAnonymousFormReads;
    private Integer auditQueueCapacity;
    private AuditLog.WhenFull auditWhenFull;
    private final List<Consumer<AuditLog.Builder>> auditSettings = new ArrayList<>();

    private Builder() {}

    /**
     * Required: the keys that seal the auth cookie, as a {@link KeyRing} or a source that reloads one ({@link
     * dev.portcullis.crypto.KeyRingSources#watchFile}); each reload and each refused file is audited as {@code
     * key_ring_reloaded}. A reloading ring stays the application's to close. Portcullis has no default key.
     */
    public Builder keyRing(KeyRingSource keyRing) {
      this.keyRing = Objects.requireNonNull(keyRing, "keyRing");
      return this;
    }

    /** Required: the application's accounts. */
    public Builder users(UserDirectory users) {
      this.users = Objects.requireNonNull(users, "users");
      return this;
    }

    /** Required: the current terms-of-use version; logging in means accepting it. */
    public Builder termsVersion(String termsVersion) {
      this.termsVersion = Objects.requireNonNull(termsVersion, "termsVersion");
      return this;
    }

    /**
     * Gives this application cookie names of its own, {@code __Host-<prefix>-sid}, {@code -auth}, {@code -cc} and, with
     * single sign-on, {@code -sso} ({@link CookieNames#withPrefix}), for an application that shares its host with
     * another Portcullis application (two servlet contexts such as {@code /providers} and {@code /staff}): a
     * {@code __Host-} cookie has {@code Path=/}, so with the default names both receive, and overwrite, each other's
     * cookies. A cookie declared by name ({@link #sessions}, {@link #login}, {@code SsoConfig.Builder.cookie} given to
     * {@link #filter}) keeps that name. Default {@value CookieNames#DEFAULT_PREFIX}.
     */
    public Builder cookieNamePrefix(String prefix) {
      this.cookieNamePrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * At most this many form bodies of one client address read at once ({@link
     * PortcullisFilter.Builder#maxFormReadsPerAddress}); at least 1, default 16.
     */
    public Builder maxFormReadsPerAddress(int max) {
      this.maxFormReadsPerAddress = max;
      return this;
    }

    /**
     * At most this many form bodies of requests nobody is logged in to read at once, whatever their client addresses
     * ({@link PortcullisFilter.Builder#maxAnonymousFormReads}); at least 1, default 32.
     */
    public Builder maxAnonymousFormReads(int max) {
      this.maxAnonymousFormReads = max;
      return this;
    }

    /** The clock of every part; the system clock unless set. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The one source of randomness of every part; a new {@link SecureRandom} unless set. */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * An audit log the application built and closes itself, instead of the one Portcullis would make. Cannot be
     * combined with {@link #auditSink}, {@link #demandSink}, {@link #auditQueueCapacity}, {@link #auditWhenFull},
     * {@link #auditCloseTimeout} or {@link #audit}, which configure the log Portcullis makes.
     */
    public Builder auditLog(AuditLog auditLog) {
      this.auditLog = Objects.requireNonNull(auditLog, "auditLog");
      return this;
    }

    /**
     * Adds a sink for identified audit events to the log Portcullis makes (without any, SLF4J). The sink belongs to
     * the {@code Portcullis} from then on: it is closed with it, or when {@link #build()} fails.
     */
    public Builder auditSink(AuditSink sink) {
      auditSinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /** Adds a sink for the anonymous search-demand log (without any, SLF4J); owned as {@link #auditSink} is. */
    public Builder demandSink(SearchDemandSink sink) {
      demandSinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /**
     * How many audit events may wait for delivery in the log Portcullis makes ({@link AuditLog.Builder#queueCapacity});
     * 1 to 1,048,576, default 8192.
     */
    public Builder auditQueueCapacity(int capacity) {
      this.auditQueueCapacity = capacity;
      return this;
    }

    /**
     * What the log Portcullis makes does when its queue is full ({@link AuditLog.Builder#whenFull}): {@link
     * AuditLog.WhenFull#BLOCK} (the default) makes the request wait for room, so no event is lost; {@link
     * AuditLog.WhenFull#DROP} drops the event, counts it and logs an error, so a stuck sink never holds requests up.
     */
    public Builder auditWhenFull(AuditLog.WhenFull whenFull) {
      this.auditWhenFull = Objects.requireNonNull(whenFull, "whenFull");
      return this;
    }

    /**
     * How long closing the audit log Portcullis makes waits for its sinks: {@link AuditLog#DEFAULT_CLOSE_TIMEOUT}
     * unless set; see {@link AuditLog.Builder#closeTimeout}. A sink that has not returned by then no longer holds up
     * the shutdown. Cannot be combined with {@link #auditLog}, whose close timeout is set where it is built.
     */
    public Builder auditCloseTimeout(Duration timeout) {
      AuditLog.builder().closeTimeout(timeout); // checks the range now, as the log's builder does
      this.auditCloseTimeout = timeout;
      return this;
    }

    /**
     * Further settings of the audit log Portcullis makes, applied to its {@link AuditLog.Builder} after the defaults,
     * after {@link #auditQueueCapacity}, {@link #auditWhenFull} and {@link #auditCloseTimeout} (so a setting made here
     * wins over the same one made there) and after the settings of earlier calls, which stay: a later call changes
     * only what it sets itself. For the settings without a method of their own: how often a failing sink is offered
     * its kept events again ({@link AuditLog.Builder#retryInterval}), the share of anonymous events per client address
     * ({@link AuditLog.Builder#anonymousEventsPerAddress}, {@link AuditLog.Builder#anonymousEventWindow}) and the
     * search-demand counts ({@link AuditLog.Builder#demandBucket}, {@link AuditLog.Builder#demandMaxTerms}, {@link
     * AuditLog.Builder#demandMinimumCount}). The log has this builder's clock and random already; add sinks with
     * {@link #auditSink} and {@link #demandSink}, which are closed when {@link #build()} fails, not here.
     *
     * <p>{@link #build()} applies the settings and checks them, refusing an out-of-range value with an {@link
     * IllegalStateException} that names it. Cannot be combined with {@link #auditLog}, whose settings are made where it
     * is built.
     */
    public Builder audit(Consumer<AuditLog.Builder> settings) {
      auditSettings.add(Objects.requireNonNull(settings, "settings"));
      return this;
    }

    /** The application's audited actions and search endpoints; none unless set. */
    public Builder auditRules(AuditRules rules) {
      this.auditRules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /** How sessions behave; {@link SessionConfig#defaults()} unless set. */
    public Builder sessions(SessionConfig config) {
      this.sessionConfig = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Where sessions live (a Redis store for many nodes, built with the same {@link SessionConfig}); a Caffeine store
     * in memory unless set. A store that nodes share ({@link SessionStore#sharedBetweenNodes()}) needs a login limit
     * that they share too ({@link #loginAttemptStore}), or {@link #perNodeLoginLimit()}.
     */
    public Builder sessionStore(SessionStore store) {
      this.sessionStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Where revoked tickets are remembered; {@link RevocationStore#inMemory} unless set. */
    public Builder revocations(RevocationStore revocations) {
      this.revocations = Objects.requireNonNull(revocations, "revocations");
      return this;
    }

    /** How requests must arrive; {@link TransportConfig#defaults()} (HTTPS only, plain HTTP refused) unless set. */
    public Builder transport(TransportConfig transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** An explicit access policy instead of the secure default; see {@link PortcullisFilter.Builder#access}. */
    public Builder access(AccessPolicy policy, String loginPath) {
      this.accessPolicy = Objects.requireNonNull(policy, "policy");
      this.accessLoginPath = Objects.requireNonNull(loginPath, "loginPath");
      return this;
    }

    /**
     * Leaves every access decision to the application; see
     * {@link PortcullisFilter.Builder#accessDecidedByApplication}.
     */
    public Builder accessDecidedByApplication() {
      this.accessDecidedByApplication = true;
      return this;
    }

    /**
     * Pages anonymous visitors must reach, such as the privacy notice; see
     * {@link PortcullisFilter.Builder#requirePublic}.
     */
    public Builder requirePublic(String... paths) {
      for (String path : paths) {
        requiredPublic.add(Objects.requireNonNull(path, "path"));
      }
      return this;
    }

    /**
     * Origins besides the portal's own whose forms may post to it (each exactly {@code https://host[:port]}); see
     * {@link PortcullisFilter.Builder#trustedOrigins}. Adds to earlier calls.
     */
    public Builder trustedOrigins(String... origins) {
      for (String origin : origins) {
        trustedOrigins.add(Objects.requireNonNull(origin, "origin"));
      }
      return this;
    }

    /**
     * Further login settings (paths, cookies, ticket lifetime, the login limit), applied to the
     * {@link PortalLogin.Builder} after the defaults and after the settings of earlier calls, which stay: a later call
     * changes only what it sets itself.
     */
    public Builder login(Consumer<PortalLogin.Builder> settings) {
      this.loginSettings.add(Objects.requireNonNull(settings, "settings"));
      return this;
    }

    /**
     * Keeps the login limit's budgets and known addresses in {@code store}, which nodes share
     * ({@code redis.loginAttemptStore()}, {@code jdbc.loginAttemptStore()}), so that they count against one limit: the
     * default {@link LoginThrottle} (100 password checks per account and 1,000 per address per hour) over it, its hash
     * key derived from the {@link #keyRing} ({@link LoginThrottle.Builder#hashKeyFrom}), the same on every node with
     * the same ring. Without it, the limit is kept in this node's memory. For other limits, {@link #loginLimit}; a
     * whole throttle given through {@link #login} ({@link PortalLogin.Builder#throttle}) replaces this one.
     */
    public Builder loginAttemptStore(LoginAttemptStore store) {
      this.loginAttemptStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Changes the login limit Portcullis makes, in this node's memory or over the {@link #loginAttemptStore}: the
     * budgets and their window ({@link LoginThrottle.Builder#maxFailuresPerAccount}, {@link
     * LoginThrottle.Builder#maxFailuresPerAddress}, {@link LoginThrottle.Builder#window}) and how long an address
     * stays known ({@link LoginThrottle.Builder#knownAddressFor}); {@link #build()} checks them. Adds to earlier
     * calls. A whole throttle given through {@link #login} ({@link PortalLogin.Builder#throttle}) replaces this one.
     */
    public Builder loginLimit(Consumer<LoginThrottle.Builder> settings) {
      loginLimitSettings.add(Objects.requireNonNull(settings, "settings"));
      return this;
    }

    /**
     * Accepts a login limit kept in each node's memory although the {@link #sessionStore} is shared between nodes:
     * behind a load balancer, a password guesser then gets one budget per node. Without it, {@link #build()} refuses
     * that combination. {@link #build()} logs a warning that says so; a limit shared between nodes contradicts it.
     *
     * <p>Whether a store is shared is its own answer: {@link SessionStore#sharedBetweenNodes()} and
     * {@link LoginAttemptStore#sharedBetweenNodes()}, true for the Redis and PostgreSQL stores. A
     * store of the application's own that nodes share answers true to both.
     */
    public Builder perNodeLoginLimit() {
      this.perNodeLoginLimit = true;
      return this;
    }

    /**
     * At most {@code max} concurrent sessions per user, enforced at every login: past it the oldest sessions end
     * ({@link SessionLimit#END_OLDEST}) or the login is refused ({@link SessionLimit#REFUSE_NEW}). Off by default. See
     * {@link PortalLogin.Builder#maxSessionsPerUser}: logins of one user racing each other may overshoot the limit by
     * as many as raced. A {@link #login} setting of the same applies after this one.
     */
    public Builder maxSessionsPerUser(int max, SessionLimit whenExceeded) {
      this.maxSessionsPerUser = max;
      this.whenSessionsExceeded = Objects.requireNonNull(whenExceeded, "whenExceeded");
      return this;
    }

    /**
     * Single sign-on through an OpenID provider ({@link PortcullisFilter.Builder#sso}), with this builder's key ring
     * and clock; needs {@code com.nimbusds:oauth2-oidc-sdk} on the class path. Its account links and replay store are
     * the configuration's: with a {@link #sessionStore} that nodes share, {@link #build()} refuses them in one node's
     * memory. A {@link #filter} setting that configures single sign-on itself applies after this one and replaces it.
     */
    public Builder sso(SsoConfig sso) {
      this.sso = Objects.requireNonNull(sso, "sso");
      return this;
    }

    /**
     * Further filter settings (the legacy login upgrade, say), applied to the
     * {@link PortcullisFilter.Builder} after everything else; replaces an earlier call.
     */
    public Builder filter(Consumer<PortcullisFilter.Builder> settings) {
      this.filterSettings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /**
     * Observes requests and logins as {@link PortcullisFilter.Builder#observationRegistry} does, and every call to the
     * session store and the revocation store ({@code portcullis.store}, key values {@code store} and
     * {@code operation}). Needs {@code io.micrometer:micrometer-observation} on the class path; not called (the
     * default), nothing is observed.
     */
    public Builder observationRegistry(ObservationRegistry registry) {
      this.observationRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Takes the audit events' trace id from the application's tracer, as {@link
     * PortcullisFilter.Builder#currentTraceId} does. Needs {@link #observationRegistry}.
     */
    public Builder currentTraceId(Supplier<String> currentTraceId) {
      this.currentTraceId = Objects.requireNonNull(currentTraceId, "currentTraceId");
      return this;
    }

    /**
     * Fills in the defaults, builds the parts and checks the whole configuration.
     *
     * @throws IllegalStateException for a missing required input or a configuration mistake; the message says what
     *     to change. What was made until then is closed, and so are the sinks handed to this builder.
     */
    public Portcullis build() {
      List<AutoCloseable> owned = new ArrayList<>();
      owned.addAll(auditSinks);
      owned.addAll(demandSinks);
      try {
        if (auditLog != null && !(auditSinks.isEmpty() && demandSinks.isEmpty())) {
          throw new IllegalStateException(
              "auditLog(...) and auditSink(...)/demandSink(...) contradict each other:"
                  + " add the sinks to your own audit log, or let Portcullis make the log");
        }
        if (auditLog != null && (auditQueueCapacity != null || auditWhenFull != null)) {
          throw new IllegalStateException(
              "auditLog(...) and auditQueueCapacity(...)/auditWhenFull(...) contradict each other:"
                  + " set the queue on your own audit log's builder, or let Portcullis make the log");
        }
        if (auditLog != null && auditCloseTimeout != null) {
          throw new IllegalStateException(
              "auditLog(...) and auditCloseTimeout(...) contradict each other:"
                  + " set the close timeout on your own audit log's builder, or let Portcullis make the log");
        }
        if (auditLog != null && !auditSettings.isEmpty()) {
          throw new IllegalStateException(
              "auditLog(...) and audit(...) contradict each other:"
                  + " make those settings on your own audit log's builder, or let Portcullis make the log");
        }
        InstantSource time = clock != null ? clock : systemClock();
        SecureRandom shared = random != null ? random : new SecureRandom();
        RevocationStore revocationStore =
            revocations != null ? revocations : RevocationStore.inMemory(time);
        RevocationStore revoked = observationRegistry == null
            ? revocationStore
            : StoreObservations.revocations(revocationStore, observationRegistry);
        PortalLogin.Builder loginBuilder = PortalLogin.builder()
            .keyRing(keyRing)
            .users(users)
            .termsVersion(termsVersion)
            .revocations(revoked)
            .clock(time)
            .random(shared);
        SessionConfig sessions = sessionConfig;
        if (cookieNamePrefix != null) {
          CookieNames names = CookieNames.withPrefix(cookieNamePrefix);
          loginBuilder.cookieNamePrefix(cookieNamePrefix);
          if (sessions.cookie().name().equals(SessionConfig.DEFAULT_COOKIE_NAME)) {
            sessions = sessions.toBuilder()
                .cookie(sessions.cookie().toBuilder().name(names.session()).build())
                .build();
          }
        }
        if (whenSessionsExceeded != null) {
          loginBuilder.maxSessionsPerUser(maxSessionsPerUser, whenSessionsExceeded);
        }
        // Without a key ring there is no hash key to derive; the login's build then names the
        // missing ring.
        if (loginAttemptStore != null && keyRing != null) {
          LoginThrottle.Builder throttle = LoginThrottle.builder(time)
              .random(shared)
              .store(loginAttemptStore)
              .hashKeyFrom(keyRing);
          loginLimitSettings.forEach(settings -> settings.accept(throttle));
          loginBuilder.throttle(throttle.build());
        } else if (loginAttemptStore == null && !loginLimitSettings.isEmpty()) {
          // The in-memory limit PortalLogin would make, with the changes.
          LoginThrottle.Builder throttle = LoginThrottle.builder(time).random(shared);
          loginLimitSettings.forEach(settings -> settings.accept(throttle));
          loginBuilder.throttle(throttle.build());
        }
        loginSettings.forEach(settings -> settings.accept(loginBuilder));
        PortalLogin login = loginBuilder.build();

        AuditLog audit = auditLog;
        if (audit == null) {
          AuditLog.Builder auditBuilder = AuditLog.builder().clock(time).random(shared);
          if (auditCloseTimeout != null) {
            auditBuilder.closeTimeout(auditCloseTimeout);
          }
          auditSinks.forEach(auditBuilder::auditSink);
          demandSinks.forEach(auditBuilder::demandSink);
          if (auditQueueCapacity != null) {
            auditBuilder.queueCapacity(auditQueueCapacity);
          }
          if (auditWhenFull != null) {
            auditBuilder.whenFull(auditWhenFull);
          }
          try {
            auditSettings.forEach(settings -> settings.accept(auditBuilder));
          } catch (IllegalArgumentException e) {
            // The log's setters check their own ranges; build() answers configuration mistakes
            // with IllegalStateException.
            throw new IllegalStateException("audit(...) was refused: " + e.getMessage(), e);
          }
          audit = auditBuilder.build();
          owned.clear(); // the log closes its sinks
          owned.add(audit);
        }
        if (keyRing instanceof ReloadingKeyRing reloading) {
          owned.add(KeyRingAudit.attach(reloading, audit));
        }
        SessionAudit sessionAudit = new SessionAudit(audit);
        SessionStore store = sessionStore != null
            ? sessionStore
            : CaffeineSessionStore.builder(sessions, time)
                .listener(sessionAudit)
                .build();
        if (sessionStore == null && store instanceof AutoCloseable made) {
          owned.add(made);
        }
        if (revocations == null && revocationStore instanceof AutoCloseable made) {
          owned.add(made);
        }
        if (observationRegistry != null) {
          store = StoreObservations.sessionStore(store, observationRegistry);
        }
        SessionRegistry registry =
            SessionRegistry.create(sessions, store, shared, time, sessionAudit);

        PortcullisFilter.Builder filterBuilder = PortcullisFilter.builder()
            .sessions(registry)
            .login(login, shared)
            .onLoginLimitCheck(Builder::sayLoginLimit)
            .audit(audit, auditRules != null ? auditRules : AuditRules.none())
            .requirePublic(requiredPublic.toArray(String[]::new))
            .trustedOrigins(trustedOrigins.toArray(String[]::new));
        if (perNodeLoginLimit) {
          filterBuilder.perNodeLoginLimit();
        }
        if (transport != null) {
          filterBuilder.transport(transport);
        }
        if (accessPolicy != null) {
          filterBuilder.access(accessPolicy, accessLoginPath);
        }
        if (accessDecidedByApplication) {
          filterBuilder.accessDecidedByApplication();
        }
        if (observationRegistry != null) {
          filterBuilder.observationRegistry(observationRegistry);
        }
        if (currentTraceId != null) {
          filterBuilder.currentTraceId(currentTraceId);
        }
        if (maxFormReadsPerAddress != null) {
          filterBuilder.maxFormReadsPerAddress(maxFormReadsPerAddress);
        }
        if (maxAnonymousFormReads != null) {
          filterBuilder.maxAnonymousFormReads(maxAnonymousFormReads);
        }
        if (cookieNamePrefix != null) {
          filterBuilder.defaultSsoCookieName(
              CookieNames.withPrefix(cookieNamePrefix).sso());
        }
        if (sso != null) {
          filterBuilder.sso(sso, keyRing, time);
        }
        filterSettings.accept(filterBuilder);
        return new Portcullis(filterBuilder, login, audit, store, revoked, owned);
      } catch (RuntimeException | Error e) {
        closeAll(owned);
        throw e;
      }
    }

    /**
     * Refuses sessions shared between nodes with a login limit per node, unless {@link #perNodeLoginLimit()} accepts
     * it; then warns once. The decision, and the one check, are the core's ({@link PortalLogin#loginLimitCheck}, made
     * when the filter is built); this says the answer in the builder's words.
     */
    private static void sayLoginLimit(LoginLimitCheck answer) {
      switch (answer) {
        case FINE -> {}
        case PER_NODE_ACCEPTED ->
          ConfigurationWarning.say(
              Portcullis.class,
              LOG,
              "The login limit is kept in this node's memory (perNodeLoginLimit()): behind a load balancer,"
                  + " each node gives a password guesser a budget of its own. Give loginAttemptStore(...) a store"
                  + " the nodes share to make it one limit.");
        case CONTRADICTION ->
          throw new IllegalStateException(
              "perNodeLoginLimit() and a login limit shared between nodes contradict each other:"
                  + " remove perNodeLoginLimit()");
        case REFUSED ->
          throw new IllegalStateException(
              "the session store is shared between nodes, but the login limit is kept in this node's memory:"
                  + " behind a load balancer, N nodes would give a password guesser N budgets. Keep the limit in"
                  + " a store the nodes share: loginAttemptStore(redis.loginAttemptStore()), or"
                  + " loginAttemptStore(jdbc.loginAttemptStore()) for PostgreSQL; or give PortalLogin.Builder a"
                  + " LoginThrottle over it, login(l -> l.throttle(LoginThrottle.builder(clock).random(random)"
                  + ".store(redis.loginAttemptStore()).hashKeyFrom(keyRing).build())). To accept one limit per"
                  + " node instead, call perNodeLoginLimit().");
      }
    }

    @SuppressForbidden(
        reason = "the entry point's default clock; every part gets this one, and builder().clock"
            + " replaces it")
    private static InstantSource systemClock() {
      return InstantSource.system();
    }
  }
}
