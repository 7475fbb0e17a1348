package dev.portcullis.audit;

/**
 * A session id as the audit log may hold it: a keyed hash that lets an operator correlate the events of one session
 * without being able to replay or look up the session. Made only by {@link CorrelationKey#sessionRef(CharSequence)},
 * so a raw session id cannot reach an {@link AuditEvent} by mistake.
 *
 * <p><b>Security.</b> Holders of the correlation key can test a guessed session id against a reference; nobody
 * without it can. The reference is not a secret by itself and may be logged.
 */
public final class SessionRef {
  private final String value;

  SessionRef(String value) {
    this.value = value;
  }

  /** The reference as written to the log: 22 characters of base64url. */
  public String value() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SessionRef that && value.equals(that.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return value;
  }
}
