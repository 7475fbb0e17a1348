package dev.portcullis.session;

import dev.portcullis.cookie.CookieSpec;
import java.time.Duration;

/**
 * How sessions behave: timeouts, capacity, id format and the session cookie. Immutable; made by {@link #builder()},
 * which checks the values together in {@link Builder#build()}.
 *
 * <p><b>Security.</b> The absolute timeout must exceed the idle timeout, so a session that is used all day still ends.
 * The session cookie must be session-scoped (no {@code Max-Age}): it goes when the browser closes. New anonymous
 * sessions (without a logged-in user) are limited per client address ({@link #anonymousSessionsPerAddress()} per
 * {@link #anonymousSessionWindow()}, IPv6 counted per /64), so one client cannot fill the store; a session over the
 * limit lives for its request only.
 */
public final class SessionConfig {
  /** The session cookie's default name. */
  public static final String DEFAULT_COOKIE_NAME = CookieSpec.HOST_PREFIX + "portcullis-sid";

  private final Duration idleTimeout;
  private final Duration absoluteTimeout;
  private final long maxSessions;
  private final int anonymousSessionsPerAddress;
  private final Duration anonymousSessionWindow;
  private final long trackedAddresses;
  private final SessionIdFormat idFormat;
  private final CookieSpec cookie;

  private SessionConfig(Builder b) {
    this.idleTimeout = b.idleTimeout;
    this.absoluteTimeout = b.absoluteTimeout;
    this.maxSessions = b.maxSessions;
    this.anonymousSessionsPerAddress = b.anonymousSessionsPerAddress;
    this.anonymousSessionWindow = b.anonymousSessionWindow;
    this.trackedAddresses = b.trackedAddresses;
    this.idFormat = b.idFormat;
    this.cookie = b.cookie;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values, to derive a changed one (for example another cookie name). */
  public Builder toBuilder() {
    return builder()
        .idleTimeout(idleTimeout)
        .absoluteTimeout(absoluteTimeout)
        .maxSessions(maxSessions)
        .anonymousSessionsPerAddress(anonymousSessionsPerAddress)
        .anonymousSessionWindow(anonymousSessionWindow)
        .trackedAddresses(trackedAddresses)
        .idFormat(idFormat)
        .cookie(cookie);
  }

  /** The configuration with every default. */
  public static SessionConfig defaults() {
    return builder().build();
  }

  /** The default declaration of the session cookie, named {@code name}. */
  public static CookieSpec defaultCookie(String name) {
    return CookieSpec.builder(name)
        .purpose(
            "Lets the portal recognise your browser from one page to the next, so your choices carry over.")
        .dataStored("A random session identifier. No personal data.")
        .duration("Until you close the browser.")
        .build();
  }

  /** A session unused this long is dead. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** A session this old is dead however busy it is. */
  public Duration absoluteTimeout() {
    return absoluteTimeout;
  }

  /**
   * The most anonymous sessions (without a logged-in user) a bounded store keeps; when full it drops an anonymous
   * session, never a logged-in one.
   */
  public long maxSessions() {
    return maxSessions;
  }

  /**
   * How many new anonymous sessions one client address may have stored per {@link #anonymousSessionWindow()}; past
   * that, a new anonymous session lives for its request only (no cookie, not stored). Default 60.
   */
  public int anonymousSessionsPerAddress() {
    return anonymousSessionsPerAddress;
  }

  /** The window of {@link #anonymousSessionsPerAddress()}; default one minute. */
  public Duration anonymousSessionWindow() {
    return anonymousSessionWindow;
  }

  /**
   * How many client addresses the per-address limit keeps count of at once (in memory); the least recent are
   * forgotten first. Default 100,000.
   */
  public long trackedAddresses() {
    return trackedAddresses;
  }

  public SessionIdFormat idFormat() {
    return idFormat;
  }

  /** The declaration of the session cookie. */
  public CookieSpec cookie() {
    return cookie;
  }

  /** Collects session settings; {@link #build()} checks them. Not thread-safe. */
  public static final class Builder {
    private Duration idleTimeout = Duration.ofMinutes(20);
    private Duration absoluteTimeout = Duration.ofHours(8);
    private long maxSessions = 100_000;
    private int anonymousSessionsPerAddress = 60;
    private Duration anonymousSessionWindow = Duration.ofMinutes(1);
    private long trackedAddresses = 100_000;
    private SessionIdFormat idFormat = SessionIdFormat.BASE64URL;
    private CookieSpec cookie = defaultCookie(DEFAULT_COOKIE_NAME);

    private Builder() {}

    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    public Builder absoluteTimeout(Duration absoluteTimeout) {
      this.absoluteTimeout = absoluteTimeout;
      return this;
    }

    public Builder maxSessions(long maxSessions) {
      this.maxSessions = maxSessions;
      return this;
    }

    /** New anonymous sessions per client address per window: {@link SessionConfig#anonymousSessionsPerAddress()}. */
    public Builder anonymousSessionsPerAddress(int anonymousSessionsPerAddress) {
      this.anonymousSessionsPerAddress = anonymousSessionsPerAddress;
      return this;
    }

    public Builder anonymousSessionWindow(Duration anonymousSessionWindow) {
      this.anonymousSessionWindow = anonymousSessionWindow;
      return this;
    }

    public Builder trackedAddresses(long trackedAddresses) {
      this.trackedAddresses = trackedAddresses;
      return this;
    }

    /**
     * How session ids look in the cookie: {@link SessionIdFormat#BASE64URL} (the default) or
     * {@link SessionIdFormat#ASPNET}, the 24-character ids of {@code ASP.NET_SessionId}, for a portal ported from
     * ASP.NET.
     */
    public Builder idFormat(SessionIdFormat idFormat) {
      this.idFormat = idFormat;
      return this;
    }

    /**
     * The session cookie: default {@code __Host-portcullis-sid}. A ported portal keeps its old name here, such as
     * {@code CookieSpec.builder("ASP.NET_SessionId")} with its notice text; it must have no {@code Max-Age}.
     */
    public Builder cookie(CookieSpec cookie) {
      this.cookie = cookie;
      return this;
    }

    /**
     * Checks the settings and returns the configuration.
     *
     * @throws IllegalStateException when a value is missing, out of range or contradicts another
     */
    public SessionConfig build() {
      require(
          idleTimeout != null && idleTimeout.toMillis() > 0, "idle timeout must be at least 1 ms");
      require(
          absoluteTimeout != null && absoluteTimeout.compareTo(idleTimeout) > 0,
          "absolute timeout must be longer than the idle timeout");
      require(maxSessions >= 1, "max sessions must be at least 1");
      require(
          anonymousSessionsPerAddress >= 1, "anonymous sessions per address must be at least 1");
      require(
          anonymousSessionWindow != null && anonymousSessionWindow.toMillis() > 0,
          "the anonymous session window must be at least 1 ms");
      require(trackedAddresses >= 1, "tracked addresses must be at least 1");
      require(idFormat != null, "id format is required");
      require(cookie != null, "session cookie declaration is required");
      require(cookie.sessionScoped(), "the session cookie must be session-scoped (no Max-Age)");
      return new SessionConfig(this);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalStateException(message);
      }
    }
  }
}
