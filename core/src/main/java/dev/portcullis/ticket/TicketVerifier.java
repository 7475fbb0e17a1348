package dev.portcullis.ticket;

import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.Opened;
import dev.portcullis.crypto.Purpose;
import dev.portcullis.crypto.Sealer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * Issues and verifies sealed auth tickets for one cookie name.
 *
 * <p><b>Security.</b> A {@link TicketCheck.Valid} ticket was sealed by this key ring for the auth-ticket purpose and
 * this cookie name, is unchanged, and has not expired at the injected clock's time (a ticket expires at {@code
 * expiresAt} itself). The verifier does not know about revocation or the current session: callers check {@link
 * AuthTicket#isBoundTo} and their revocation store next.
 */
public final class TicketVerifier {
  private final Sealer sealer;
  private final String cookieName;
  private final InstantSource clock;
  private final SecureRandom random;

  private TicketVerifier(
      Sealer sealer, String cookieName, InstantSource clock, SecureRandom random) {
    this.sealer = sealer;
    this.cookieName = cookieName;
    this.clock = clock;
    this.random = random;
  }

  /**
   * @param cookieName bound into every seal, so a ticket only opens under the cookie name it was issued for
   */
  public static TicketVerifier create(
      KeyRingSource ring, String cookieName, InstantSource clock, SecureRandom random) {
    Objects.requireNonNull(cookieName, "cookieName");
    Objects.requireNonNull(clock, "clock");
    if (cookieName.isEmpty() || cookieName.length() > 256) {
      throw new IllegalArgumentException("a cookie name has 1 to 256 characters");
    }
    return new TicketVerifier(
        Sealer.create(ring, Purpose.AUTH_TICKET, random), cookieName, clock, random);
  }

  /** A new ticket for {@code userHandle}, bound to {@code sessionId}, issued now and valid for {@code lifetime}. */
  public AuthTicket newTicket(
      String userHandle, String organisationHandle, String sessionId, Duration lifetime) {
    // One reading for both times: a second one could be earlier on a clock that steps back.
    Instant now = clock.instant();
    return newTicket(userHandle, organisationHandle, sessionId, lifetime, now, now);
  }

  /** A renewal of {@code old}: new id, times and binding, the same user, organisation and auth time. */
  public AuthTicket renew(AuthTicket old, String sessionId) {
    return newTicket(
        old.userHandle(),
        old.organisationHandleRaw(),
        sessionId,
        old.lifetime(),
        old.authTime(),
        clock.instant());
  }

  /**
   * {@code old} moved to the session's new id {@code sessionId}, after the id changed while the user stayed logged in:
   * a new ticket id and binding, and the same user, organisation, issue, expiry and auth times. The login lasts no
   * longer than it did, and its sliding renewal comes when it would have.
   */
  public AuthTicket rebind(AuthTicket old, String sessionId) {
    byte[] id = new byte[AuthTicket.ID_LENGTH];
    random.nextBytes(id);
    return new AuthTicket(
        id,
        old.userHandle(),
        old.organisationHandleRaw(),
        old.issuedAt(),
        old.expiresAt(),
        old.authTime(),
        SessionBinding.of(sessionId));
  }

  private AuthTicket newTicket(
      String user, String org, String sessionId, Duration lifetime, Instant authTime, Instant now) {
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("a ticket lifetime must be positive");
    }
    byte[] id = new byte[AuthTicket.ID_LENGTH];
    random.nextBytes(id);
    return new AuthTicket(
        id,
        user,
        org == null ? "" : org,
        now,
        now.plus(lifetime),
        authTime,
        SessionBinding.of(sessionId));
  }

  /** The cookie value for {@code ticket}. */
  public String seal(AuthTicket ticket) {
    return sealer.seal(TicketCodec.encode(ticket), cookieName);
  }

  /**
   * Checks a cookie value: its expiry, and for a valid ticket whether it is past its half-life, at one reading of the
   * clock. Never throws on bad input.
   */
  public TicketCheck verify(CharSequence cookieValue) {
    return verify(cookieValue, clock.millis());
  }

  /**
   * {@link #verify(CharSequence)} at {@code nowMillis}: a reading of the clock this verifier was created with, taken
   * once by the caller for the whole request, so that the request's other checks (the session's timeouts) are judged
   * at the same reading instead of reading the clock again.
   */
  public TicketCheck verify(CharSequence cookieValue, long nowMillis) {
    Opened opened = sealer.open(cookieValue, cookieName);
    if (opened instanceof Opened.Failed failed) {
      return new TicketCheck.NotValid(TicketCheck.Reason.of(failed.reason()));
    }
    Opened.Ok ok = (Opened.Ok) opened;
    AuthTicket t = ok.decode(TicketCodec::decodeOrNull);
    if (t == null) {
      return new TicketCheck.NotValid(TicketCheck.Reason.MALFORMED);
    }
    if (nowMillis >= t.expiresAtMillis()) {
      return new TicketCheck.Expired(t);
    }
    return new TicketCheck.Valid(t, ok.key(), t.isPastHalfLifeAt(nowMillis));
  }

  public String cookieName() {
    return cookieName;
  }
}
