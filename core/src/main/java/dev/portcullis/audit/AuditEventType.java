package dev.portcullis.audit;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What happened, as a name from the OWASP logging vocabulary ({@code authn_login_success}, {@code session_expired},
 * ...) or an application action such as {@code report_view}.
 *
 * <p>A name is 1 to 64 characters of lower-case ASCII letters, digits and underscores, starting with a letter, so that
 * it can be a metric tag, a log key and a file field without escaping. The constants cover what Portcullis itself
 * records; applications make their own with {@link #of(String)}.
 *
 * @param name the event type name, for example {@code access_granted}
 */
public record AuditEventType(String name) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  /** A user logged in. */
  public static final AuditEventType AUTHN_LOGIN_SUCCESS = new AuditEventType("authn_login_success");
  /** A login attempt failed (wrong credentials, unknown account, refused account). */
  public static final AuditEventType AUTHN_LOGIN_FAIL = new AuditEventType("authn_login_fail");
  /** An account was locked or throttled after repeated failures. */
  public static final AuditEventType AUTHN_LOGIN_LOCK = new AuditEventType("authn_login_lock");
  /** A one-time token (for example an SSO-upgrade token) was presented again. */
  public static final AuditEventType AUTHN_TOKEN_REUSE = new AuditEventType("authn_token_reuse");
  /** An auth cookie was refused: expired, revoked, unbound or not valid. The reason field says which. */
  public static final AuditEventType AUTHN_TOKEN_INVALID = new AuditEventType("authn_token_invalid");
  /** A server-side session was created. */
  public static final AuditEventType SESSION_CREATED = new AuditEventType("session_created");
  /** A session id was rotated (login) or a ticket re-issued (sliding expiry). */
  public static final AuditEventType SESSION_RENEWED = new AuditEventType("session_renewed");
  /** A session ended by idle or absolute timeout. */
  public static final AuditEventType SESSION_EXPIRED = new AuditEventType("session_expired");
  /** A session or ticket was revoked by the server. */
  public static final AuditEventType SESSION_REVOKED = new AuditEventType("session_revoked");
  /** A user logged out. */
  public static final AuditEventType LOGOUT = new AuditEventType("logout");
  /** A configured, audited resource was served. */
  public static final AuditEventType ACCESS_GRANTED = new AuditEventType("access_granted");
  /** A request for a protected resource was refused by the access rules. */
  public static final AuditEventType ACCESS_DENIED = new AuditEventType("access_denied");
  /** A user tried to reach data outside their own organisation or role. */
  public static final AuditEventType AUTHZ_FAIL = new AuditEventType("authz_fail");
  /** A user accepted the current terms of use. */
  public static final AuditEventType TERMS_ACCEPTED = new AuditEventType("terms_accepted");
  /** A user was offered the move from a legacy login to single sign-on. */
  public static final AuditEventType SSO_UPGRADE_OFFERED = new AuditEventType("sso_upgrade_offered");
  /** A portal account was linked to a single sign-on identity. */
  public static final AuditEventType SSO_LINK = new AuditEventType("sso_link");
  /** A sealed value failed to open (wrong key, altered, truncated). */
  public static final AuditEventType CRYPT_DECRYPT_FAIL = new AuditEventType("crypt_decrypt_fail");
  /** A key was added, promoted or revoked in the key ring. */
  public static final AuditEventType KEY_ROTATED = new AuditEventType("key_rotated");
  /** A legacy (ASP.NET) authentication cookie was accepted and replaced by a Portcullis ticket. */
  public static final AuditEventType LEGACY_TICKET_UPGRADED = new AuditEventType("legacy_ticket_upgraded");
  /** A request was refused as a cross-site request forgery. */
  public static final AuditEventType CSRF_FAIL = new AuditEventType("csrf_fail");
  /**
   * Written by the hash-chained file sink when it opens a file that ends in a record torn by an interrupted write: the
   * torn bytes were cut from the file (and kept beside it), and the chain continues from the last whole record.
   */
  public static final AuditEventType AUDIT_RECORD_TORN = new AuditEventType("audit_record_torn");

  /**
   * Checks the name.
   *
   * @throws IllegalArgumentException if the name is not 1 to 64 of {@code [a-z0-9_]} starting with a letter
   */
  public AuditEventType {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "audit event type must be 1-64 of [a-z0-9_] starting with a letter: \"" + Json.escaped(name) + "\"");
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
