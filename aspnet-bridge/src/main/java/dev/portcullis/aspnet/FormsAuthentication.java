package dev.portcullis.aspnet;

import dev.portcullis.aspnet.TicketResult.NotValid;
import dev.portcullis.aspnet.TicketResult.NotValid.Reason;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens and seals .NET Framework Forms Authentication cookies ({@code .ASPXAUTH} or whatever the portal named it), so
 * that users logged in on the old ASP.NET portal stay logged in on the Java one. Thread-safe and immutable.
 *
 * <pre>{@code
 * FormsAuthentication forms = FormsAuthentication.builder(WebConfig.read(in).machineKey())
 *     .clock(clock).random(secureRandom).build();
 * if (forms.open(cookieValue) instanceof TicketResult.Valid valid) { ... valid.ticket().name() ... }
 * }</pre>
 *
 * <p><b>Security.</b> Guaranteed: a {@link TicketResult.Valid} ticket was sealed with this machine key (its MAC is
 * checked in constant time before anything is decrypted) and has not expired at the injected clock; every refusal is a
 * {@link NotValid} whose reason is meant for the audit log, never for the client; input longer than
 * {@link Builder#maxCookieLength(int)} is refused before it is decoded. Not guaranteed: that the ticket is fresh or
 * unrevoked (Forms Authentication has neither revocation nor replay protection: a stolen cookie works until it
 * expires), and the strength of the configured algorithms. DES, 3DES, MD5 and SHA1 and the legacy compatibility
 * modes are supported only so that old cookies can be read during a cut-over; write, if at all, with Framework45,
 * HMACSHA256 or stronger, and AES. Never log a cookie value: it is a bearer credential.
 */
public final class FormsAuthentication {
  /** .NET refuses Forms Authentication cookies longer than this many characters. */
  public static final int DEFAULT_MAX_COOKIE_LENGTH = 4096;

  private static final int MIN_COOKIE_LENGTH_LIMIT = 128;
  private static final int MAX_COOKIE_LENGTH_LIMIT = 8192;

  private final CookieProtection protection;
  private final TicketFormat format;
  private final InstantSource clock;
  private final SecureRandom random;
  private final int maxCookieLength;

  private FormsAuthentication(Builder b) {
    this.protection = CookieProtection.of(b.machineKey, b.random);
    this.format =
        b.legacyTicketCompatibility ? TicketFormat.LEGACY_NATIVE : TicketFormat.SERIALIZED;
    this.clock = b.clock;
    this.random = b.random;
    this.maxCookieLength = b.maxCookieLength;
  }

  /** Starts a configuration for this machine key; {@link Builder#clock} and {@link Builder#random} are required. */
  public static Builder builder(MachineKey machineKey) {
    return new Builder(machineKey);
  }

  /**
   * Reads a cookie value. Both upper- and lower-case hex are accepted, as .NET does.
   *
   * @param cookieValue the cookie's value as the browser sent it; {@code null} gives {@link Reason#MISSING}
   * @return {@link TicketResult.Valid}, {@link TicketResult.Expired} (expired when the clock reaches the expiration),
   *     or {@link NotValid}; never throws for any input
   */
  public TicketResult open(String cookieValue) {
    if (cookieValue == null || cookieValue.isEmpty()) {
      return new NotValid(Reason.MISSING);
    }
    if (cookieValue.length() > maxCookieLength) {
      return new NotValid(Reason.TOO_LONG);
    }
    byte[] data = parseHex(cookieValue);
    if (data == null) {
      return new NotValid(Reason.NOT_HEX);
    }
    CookieProtection.Opened opened = protection.unprotect(data);
    if (opened.failure() != null) {
      return new NotValid(opened.failure());
    }
    FormsAuthenticationTicket ticket = format.read(opened.plaintext());
    if (ticket == null) {
      return new NotValid(Reason.MALFORMED_TICKET);
    }
    Instant now = clock.instant();
    return now.isBefore(ticket.expiration())
        ? new TicketResult.Valid(ticket)
        : new TicketResult.Expired(ticket);
  }

  /**
   * Writes a ticket as a cookie value (upper-case hex) that this class and the .NET portal with the same machine key
   * both accept.
   *
   * @throws IllegalArgumentException if the cookie would be longer than the configured maximum, or the legacy ticket
   *     layout cannot hold the ticket
   */
  public String seal(FormsAuthenticationTicket ticket) {
    Objects.requireNonNull(ticket, "ticket");
    byte[] plaintext = format.write(ticket, random);
    byte[] sealed = protection.protect(plaintext);
    if ((long) sealed.length * 2 > maxCookieLength) {
      throw new IllegalArgumentException("the sealed ticket would have " + (sealed.length * 2L)
          + " characters, more than the maximum of " + maxCookieLength + "; shorten userData");
    }
    return HexFormat.of().withUpperCase().formatHex(sealed);
  }

  /** The longest cookie value {@link #open} reads and {@link #seal} writes. */
  public int maxCookieLength() {
    return maxCookieLength;
  }

  private static byte[] parseHex(String s) {
    if (s.length() % 2 != 0) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex) {
        return null;
      }
    }
    return HexFormat.of().parseHex(s);
  }

  /** Configures a {@link FormsAuthentication}; {@link #build()} checks it and prepares the keys. */
  public static final class Builder {
    private static final Logger LOG = LoggerFactory.getLogger(MachineKey.class);

    private final MachineKey machineKey;
    private InstantSource clock;
    private SecureRandom random;
    private boolean legacyTicketCompatibility;
    private int maxCookieLength = DEFAULT_MAX_COOKIE_LENGTH;

    private Builder(MachineKey machineKey) {
      this.machineKey = Objects.requireNonNull(machineKey, "machineKey");
    }

    /** The clock that decides expiry. Required. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The source of IVs and random prefixes for {@link FormsAuthentication#seal}. Required. */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Whether the .NET portal set the appSetting {@code aspnet:UseLegacyFormsAuthenticationTicketCompatibility} to
     * true, which selects the older native ticket layout. Default false.
     */
    public Builder legacyTicketCompatibility(boolean legacyTicketCompatibility) {
      this.legacyTicketCompatibility = legacyTicketCompatibility;
      return this;
    }

    /** The longest cookie value, in characters, that is decoded at all; 128 to 8192, default 4096 as in .NET. */
    public Builder maxCookieLength(int maxCookieLength) {
      this.maxCookieLength = maxCookieLength;
      return this;
    }

    /**
     * @throws IllegalStateException if the clock or random source is missing, the maximum length is out of range, or
     *     this JDK lacks one of the configured algorithms
     */
    public FormsAuthentication build() {
      return build(LOG);
    }

    FormsAuthentication build(Logger log) {
      if (clock == null) {
        throw new IllegalStateException(
            "FormsAuthentication needs a clock (InstantSource) to check expiry");
      }
      if (random == null) {
        throw new IllegalStateException(
            "FormsAuthentication needs a SecureRandom for IVs and random prefixes");
      }
      if (maxCookieLength < MIN_COOKIE_LENGTH_LIMIT || maxCookieLength > MAX_COOKIE_LENGTH_LIMIT) {
        throw new IllegalStateException("maxCookieLength must be between " + MIN_COOKIE_LENGTH_LIMIT
            + " and " + MAX_COOKIE_LENGTH_LIMIT + ", not " + maxCookieLength);
      }
      if (machineKey.disclosedKeysAllowed()) {
        log.warn("TESTS ONLY: FormsAuthentication starts with a machineKey built with"
            + " allowPubliclyDisclosedKeysForTestsOnly(): a publicly disclosed key would be"
            + " accepted, and anyone could forge cookies under it. Never in production.");
      }
      return new FormsAuthentication(this);
    }
  }
}
