package dev.portcullis.audit;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What happened, as a name from the OWASP logging vocabulary ({@code authn_login_success}, {@code session_expired},
 * ...) or an application action such as {@code report_view}.
 *
 * <p>A name is 1 to 64 characters of lower-case ASCII letters, digits and underscores, starting with a letter, so that
 * it can be a metric tag, a log key and a file field without escaping. The constants are exactly the events Portcullis
 * itself records, each described by when it is recorded; applications make their own with {@link #of(String)} (for
 * example {@code report_view} for an audited action).
 *
 * @param name the event type name, for example {@code authn_login_success}
 */
public record AuditEventType(String name) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  /** A user logged in: with the password form, or through single sign-on ({@code action: sso_login}). */
  public static final AuditEventType AUTHN_LOGIN_SUCCESS =
      new AuditEventType("authn_login_success");
  /**
   * A login did not happen: wrong credentials or unknown account (not told apart), an account that may not log in
   * (the reason names the missing name, email or role, or the disabled account), terms not accepted, a browser that
   * blocks cookies, missing or oversized credentials, a single sign-on login that failed (provider error, state, code,
   * ID token, no usable linked account, misconfiguration, or a provider's answer that came when no login or link was
   * under way; a failed account link is {@link #SSO_LINK}), a legacy cookie whose account may not log in, or a session
   * store that could not start the login.
   */
  public static final AuditEventType AUTHN_LOGIN_FAIL = new AuditEventType("authn_login_fail");
  /**
   * A login was refused without checking the password because the failure limit of the account or address is reached
   * (reason {@code THROTTLED}).
   */
  public static final AuditEventType AUTHN_LOGIN_LOCK = new AuditEventType("authn_login_lock");
  /**
   * A login was refused without checking the password because as many logins as the node checks at once were under
   * way (reason {@code BUSY}, see {@code PortalLogin.Builder.maxConcurrentPasswordChecks}): the node's load, not the
   * account's. A type of its own, so that an anonymous flood of these cannot use up a client address's share of
   * {@link #AUTHN_LOGIN_LOCK} events and hide an account's lock.
   */
  public static final AuditEventType AUTHN_LOGIN_BUSY = new AuditEventType("authn_login_busy");
  /**
   * A credential that may be used once, or no more, was presented again: a revoked auth cookie, an SSO-upgrade token
   * already redeemed, a legacy cookie already upgraded.
   */
  public static final AuditEventType AUTHN_TOKEN_REUSE = new AuditEventType("authn_token_reuse");
  /**
   * An authentic auth cookie or SSO-upgrade token was refused: not bound to this session, its user gone or no longer
   * allowed to log in, a store or directory that could not answer, or an upgrade token that is missing, duplicated,
   * not valid, or another user's. The reason says which.
   */
  public static final AuditEventType AUTHN_TOKEN_INVALID =
      new AuditEventType("authn_token_invalid");
  /** A server-side session was created. */
  public static final AuditEventType SESSION_CREATED = new AuditEventType("session_created");
  /** A session id was rotated (login) or an auth ticket re-issued at half its lifetime (sliding expiry). */
  public static final AuditEventType SESSION_RENEWED = new AuditEventType("session_renewed");
  /**
   * Something ended by time or capacity: a session by idle or absolute timeout or because the store was full (the
   * reason says which), an auth ticket past its expiry, or a legacy cookie past its own.
   */
  public static final AuditEventType SESSION_EXPIRED = new AuditEventType("session_expired");
  /** "Log out everywhere": every ticket and session of the user was ended ({@code action: logout_everywhere}). */
  public static final AuditEventType SESSION_REVOKED = new AuditEventType("session_revoked");
  /** A user logged out ({@code action: logout}). */
  public static final AuditEventType LOGOUT = new AuditEventType("logout");

  /**
   * A logged-in user asked to end another of their own sessions (from the list of their sessions): on success the
   * session was deleted and its browser is logged out on its next request; a failure means nothing was ended (the
   * reason says why: an unknown or forged handle, the asking session itself). The actor is the user; the event names
   * no session id.
   */
  public static final AuditEventType SESSION_ENDED_BY_USER =
      new AuditEventType("session_ended_by_user");

  /**
   * A login went past the per-user limit of concurrent sessions and the user's oldest sessions were ended to make
   * room; the reason says how many.
   */
  public static final AuditEventType SESSION_LIMIT_ENDED =
      new AuditEventType("session_limit_ended");

  /** A login was refused because the user already had the most concurrent sessions allowed. */
  public static final AuditEventType SESSION_LIMIT_REFUSED =
      new AuditEventType("session_limit_refused");
  /**
   * An open connection (a WebSocket the application watches) was closed because the login behind it ended: a logout
   * or "log out everywhere" on this node ({@code action: logout} or {@code logout_everywhere}, a success), or the
   * periodic re-check refused it as it would refuse a request (a failure; the reason names the refusal: revoked or
   * expired ticket, ended session, account, terms, a role the path needs, a store that did not answer). The actor is
   * the user; the event carries no cookie value or session id.
   */
  public static final AuditEventType CONNECTION_CLOSED = new AuditEventType("connection_closed");
  /** The access rules refused a request: a role the user lacks, or an ambiguous or malformed path. */
  public static final AuditEventType ACCESS_DENIED = new AuditEventType("access_denied");
  /** A user accepted the current terms of use, on the login form or the terms page. */
  public static final AuditEventType TERMS_ACCEPTED = new AuditEventType("terms_accepted");
  /**
   * After a local login, the single-sign-on upgrade cookie was offered; a failure means the link store could not
   * say whether the account is already linked, and nothing was offered.
   */
  public static final AuditEventType SSO_UPGRADE_OFFERED =
      new AuditEventType("sso_upgrade_offered");
  /**
   * The SSO-upgrade cookie was redeemed by the user it was issued to, and the browser is sent to the provider to link
   * the account (nothing is linked yet; what becomes of the link is recorded as {@link #SSO_LINK}).
   */
  public static final AuditEventType SSO_UPGRADE_REDEEMED =
      new AuditEventType("sso_upgrade_redeemed");
  /**
   * A portal account was linked to a single sign-on identity (the reason says {@code linked} or {@code already
   * linked}), or an account link failed: at its start (provider unavailable, misconfiguration), at the provider's
   * answer (provider error, wrong or missing state, code, ID token, too slow) or at its confirmation (expired, the
   * identity already linked to another user, the link store). The actor is the user who asked to link; the reason
   * says why; once the provider has authenticated an identity, the resource names it as {@code <subject> at
   * <issuer>}.
   */
  public static final AuditEventType SSO_LINK = new AuditEventType("sso_link");
  /**
   * The provider authenticated an identity for an account link, and the link waits for the user to confirm it on the
   * confirmation page (nothing is linked yet); the reason names the provider, the resource the identity
   * ({@code <subject> at <issuer>}).
   */
  public static final AuditEventType SSO_LINK_PENDING = new AuditEventType("sso_link_pending");
  /**
   * The user cancelled a pending account link on the confirmation page; nothing was linked. The resource names the
   * identity ({@code <subject> at <issuer>}).
   */
  public static final AuditEventType SSO_LINK_CANCELLED = new AuditEventType("sso_link_cancelled");
  /**
   * Single sign-on identities were unlinked from the actor's account: by the user ({@code action: unlink}), by an
   * administrator ({@code action: admin_unlink}, the reason names the administrator) or by "log out everywhere"
   * ({@code action: logout_everywhere}); a failure means nothing was unlinked (the reason says why).
   */
  public static final AuditEventType SSO_UNLINK = new AuditEventType("sso_unlink");
  /**
   * A sealed or signed cookie failed to open (wrong key, altered, truncated, malformed), or more than one was sent:
   * the auth cookie or a legacy login cookie.
   */
  public static final AuditEventType CRYPT_DECRYPT_FAIL = new AuditEventType("crypt_decrypt_fail");
  /** A legacy (for example ASP.NET) login cookie was accepted and replaced by a Portcullis login. */
  public static final AuditEventType LEGACY_TICKET_UPGRADED =
      new AuditEventType("legacy_ticket_upgraded");
  /** A state-changing request came without the session's CSRF token, or with another one. */
  public static final AuditEventType CSRF_FAIL = new AuditEventType("csrf_fail");
  /**
   * A request from a trusted proxy carried both {@code Forwarded} and {@code X-Forwarded-For}/{@code -Proto}, and they
   * named different clients or protocols, while the transport reads both kinds ({@code ForwardedHeaders.BOTH}, the
   * default): the request was served as the proxy's own. The reason names the address and protocol each kind gave
   * (the proxy's own address for a header that could not be read); the client address is the proxy's, so a flood of
   * these is held to the proxy's share of anonymous events. Setting the kind the proxy writes ({@code
   * TransportConfig.Builder.forwardedHeaders}) ends them. Always a failure.
   */
  public static final AuditEventType FORWARDED_HEADERS_CONFLICT =
      new AuditEventType("forwarded_headers_conflict");

  /**
   * Written by the hash-chained file sink when it opens a file that ends in a record torn by an interrupted write: the
   * torn bytes were cut from the file (and kept beside it), and the chain continues from the last whole record.
   */
  public static final AuditEventType AUDIT_RECORD_TORN = new AuditEventType("audit_record_torn");

  /**
   * Written by {@link AuditLog} for anonymous events it withheld (see {@link
   * AuditLog.Builder#anonymousEventsPerAddress}): one when an address's window for an event type closes with events
   * withheld, the action naming their type, the client address the one that opened the window and the reason how many
   * were withheld, from which address (an IPv6 address's /64) and in which window; at most 100 a minute, and one more
   * without an address for the windows past those (the reason says how many events in how many windows). Always a
   * failure.
   */
  public static final AuditEventType AUDIT_WITHHELD = new AuditEventType("audit_withheld");

  /**
   * A key ring that reloads its file read a changed file: on success the reason lists the new ring's key ids and
   * statuses; a failure means the file was refused and the ring in use kept (the reason says why, never a secret).
   */
  public static final AuditEventType KEY_RING_RELOADED = new AuditEventType("key_ring_reloaded");

  /**
   * Checks the name.
   *
   * @throws IllegalArgumentException if the name is not 1 to 64 of {@code [a-z0-9_]} starting with a letter
   */
  public AuditEventType {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "audit event type must be 1-64 of [a-z0-9_] starting with a letter: \""
              + Json.escaped(name) + "\"");
    }
  }

  /** An event type by name, for application actions such as {@code report_view}. */
  public static AuditEventType of(String name) {
    return new AuditEventType(name);
  }

  @Override
  public String toString() {
    return name;
  }
}
