package dev.portcullis.audit;

import dev.portcullis.transport.IpAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One identified audit event: who (if anyone) did what to which resource, when, with what outcome, from which
 * request and address. Immutable and thread-safe. Build one with {@link AuditLog#event(AuditEventType)}, which fills
 * in the id and the time, or with {@link #builder(AuditEventType)} where both are given by hand (tests, imports).
 *
 * <pre>{@code
 * audit.emit(audit.event(AuditEventType.of("report_view"))
 *     .actor(Actor.of(user.handle(), user.organisation()))
 *     .action("view")
 *     .resource("/reports/42")
 *     .requestId(requestId)
 *     .clientAddress("203.0.113.9")
 *     .build());
 * }</pre>
 *
 * <p><b>Security.</b> An event never holds a password, a session id, a cookie or a token. The builder enforces what it
 * can: a session appears only as a {@link SessionRef} (a keyed hash); fields the code fills (actor, action, reason,
 * client address) are refused with {@link IllegalArgumentException} when they look like a credential or, for the
 * actor, like an e-mail address; fields a request fills (resource, request id) lose their query string and have
 * credential-shaped runs replaced by {@code [redacted]} instead, so a hostile request cannot make auditing throw. The
 * check is a heuristic (see the field methods); it catches mistakes, not a determined leak. Control characters are
 * kept in the event and escaped by every sink, so no field can forge a log line.
 */
public final class AuditEvent {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{8,64}");
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final String ZERO_TRACE_ID = "0".repeat(32);
  static final int MAX_HANDLE = 128;
  static final int MAX_ACTION = 128;
  static final int MAX_RESOURCE = 1024;
  static final int MAX_REQUEST_ID = 128;
  static final int MAX_REASON = 512;

  private final String id;
  private final Instant time;
  private final AuditEventType type;
  private final Outcome outcome;
  private final Actor actor;
  private final String action;
  private final String resource;
  private final String requestId;
  private final String traceId;
  private final String clientAddress;
  private final SessionRef session;
  private final String reason;

  private AuditEvent(Builder b) {
    this.id = b.id;
    this.time = b.time;
    this.type = b.type;
    this.outcome = b.outcome;
    this.actor = b.actor;
    this.action = b.action;
    this.resource = b.resource;
    this.requestId = b.requestId;
    this.traceId = b.traceId;
    this.clientAddress = b.clientAddress;
    this.session = b.session;
    this.reason = b.reason;
  }

  /** A builder with no id and no time yet; {@link AuditLog#event(AuditEventType)} is the usual way in. */
  public static Builder builder(AuditEventType type) {
    return new Builder(type);
  }

  /** A unique id: 8 to 64 base64url characters (128 random bits from {@link AuditLog}). */
  public String id() {
    return id;
  }

  /** When it happened, UTC. */
  public Instant time() {
    return time;
  }

  public AuditEventType type() {
    return type;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** The logged-in user, or empty for an anonymous request (a failed login, a refused cookie). */
  public Optional<Actor> actor() {
    return Optional.ofNullable(actor);
  }

  /** What was done, in the application's words ({@code view}, {@code download}, {@code GET}). */
  public Optional<String> action() {
    return Optional.ofNullable(action);
  }

  /** What it was done to: a path without query string, a report id. */
  public Optional<String> resource() {
    return Optional.ofNullable(resource);
  }

  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /**
   * The W3C trace id of the request (32 lower-case hex digits, not all zero), from its {@code traceparent} header or
   * the tracing context, for joining the event to the request's trace; empty when the request was not traced.
   */
  public Optional<String> traceId() {
    return Optional.ofNullable(traceId);
  }

  /** The client's IP address after trusted proxies. */
  public Optional<String> clientAddress() {
    return Optional.ofNullable(clientAddress);
  }

  /** The keyed hash of the session, for correlating events of one session. */
  public Optional<SessionRef> session() {
    return Optional.ofNullable(session);
  }

  /** Why, for the operator: the reason a cookie was refused or a login failed. Never shown to the client. */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /** The event as one JSON line, as the file sinks write it: safe to log. */
  @Override
  public String toString() {
    return EventFormat.json(this);
  }

  /** Whether the action worked. Denials, refusals and failures are {@link #FAILURE}. */
  public enum Outcome {
    SUCCESS,
    FAILURE;

    /** Lower-case name as written to the log. */
    String label() {
      return this == SUCCESS ? "success" : "failure";
    }
  }

  /**
   * The user an event is about: the opaque user handle and the organisation handle from the user directory, never a
   * user name or an e-mail address.
   *
   * @param userHandle the opaque user handle, 1 to 128 characters
   * @param organisation the organisation handle, or null for a user outside any organisation
   */
  public record Actor(String userHandle, String organisation) {
    /**
     * Checks the handles.
     *
     * @throws IllegalArgumentException if a handle is empty, longer than 128 characters, contains {@code @} (an
     *     e-mail address is not a handle) or looks like a credential
     */
    public Actor {
      Objects.requireNonNull(userHandle, "userHandle");
      checkHandle("user handle", userHandle);
      if (organisation != null) {
        checkHandle("organisation handle", organisation);
      }
    }

    public static Actor of(String userHandle, String organisation) {
      return new Actor(userHandle, organisation);
    }

    private static void checkHandle(String what, String handle) {
      if (handle.isEmpty() || handle.length() > MAX_HANDLE) {
        throw new IllegalArgumentException(what + " must be 1-" + MAX_HANDLE + " characters");
      }
      if (handle.indexOf('@') >= 0) {
        throw new IllegalArgumentException(
            what + " looks like an e-mail address; audit takes the opaque handle");
      }
      if (SecretShapes.looksSecret(handle)) {
        throw new IllegalArgumentException(what + " looks like a credential");
      }
    }
  }

  /** Collects the fields of one event; {@link #build()} checks the whole. Not thread-safe. */
  public static final class Builder {
    private String id;
    private Instant time;
    private final AuditEventType type;
    private Outcome outcome = Outcome.SUCCESS;
    private Actor actor;
    private String action;
    private String resource;
    private String requestId;
    private String traceId;
    private String clientAddress;
    private SessionRef session;
    private String reason;

    private Builder(AuditEventType type) {
      this.type = Objects.requireNonNull(type, "type");
    }

    /** Sets the event id; {@link AuditLog} sets a random one. */
    public Builder id(String id) {
      Objects.requireNonNull(id, "id");
      if (!ID.matcher(id).matches()) {
        throw new IllegalArgumentException("event id must be 8-64 base64url characters");
      }
      this.id = id;
      return this;
    }

    /** Sets the time; {@link AuditLog} sets it from its clock. */
    public Builder time(Instant time) {
      this.time = Objects.requireNonNull(time, "time");
      return this;
    }

    /** Sets the outcome; {@link Outcome#SUCCESS} unless told otherwise. */
    public Builder outcome(Outcome outcome) {
      this.outcome = Objects.requireNonNull(outcome, "outcome");
      return this;
    }

    /** Sets the outcome to {@link Outcome#FAILURE} and records why. */
    public Builder failure(String reason) {
      return outcome(Outcome.FAILURE).reason(reason);
    }

    public Builder actor(Actor actor) {
      this.actor = actor;
      return this;
    }

    /**
     * What was done.
     *
     * @throws IllegalArgumentException if longer than 128 characters or credential-shaped
     */
    public Builder action(String action) {
      this.action = checked("action", action, MAX_ACTION);
      return this;
    }

    /**
     * What it was done to. Anything from {@code ?} or {@code #} on is dropped (query strings carry tokens),
     * credential-shaped runs become {@code [redacted]}, and a longer rest is cut to 1024 characters, its end
     * replaced by {@code [cut from N characters]} so that the cut shows. Never throws for content, because requests
     * choose it.
     */
    public Builder resource(String resource) {
      this.resource = resource == null ? null : sanitised(withoutQuery(resource), MAX_RESOURCE);
      return this;
    }

    /**
     * The request id; credential-shaped runs become {@code [redacted]}, cut to 128 characters as the resource is
     * (ending in {@code [cut from N characters]}).
     */
    public Builder requestId(String requestId) {
      this.requestId = requestId == null ? null : sanitised(requestId, MAX_REQUEST_ID);
      return this;
    }

    /**
     * The request's W3C trace id, or null for none. The caller checks a client's {@code traceparent} header before
     * passing its trace id here.
     *
     * @throws IllegalArgumentException if not 32 lower-case hex digits, or all zero (the W3C invalid trace id)
     */
    public Builder traceId(String traceId) {
      if (traceId != null
          && (!TRACE_ID.matcher(traceId).matches() || traceId.equals(ZERO_TRACE_ID))) {
        throw new IllegalArgumentException(
            "trace id must be 32 lower-case hex digits, not all zero");
      }
      this.traceId = traceId;
      return this;
    }

    /**
     * The client's IP address (after trusted proxies), read by {@link IpAddress}'s rule (the one the trusted-proxy
     * handling uses) and kept in its canonical text.
     *
     * @throws IllegalArgumentException if it is not an IP address by that rule (host names are not resolved; ports,
     *     brackets, zones and IPv4 parts with leading zeros are not accepted)
     */
    public Builder clientAddress(String clientAddress) {
      if (clientAddress == null) {
        this.clientAddress = null;
        return this;
      }
      return clientAddress(IpAddress.parse(clientAddress)
          .orElseThrow(() -> new IllegalArgumentException("client address must be an IP address")));
    }

    /** The client's IP address (after trusted proxies). */
    public Builder clientAddress(IpAddress clientAddress) {
      this.clientAddress = clientAddress == null ? null : clientAddress.toString();
      return this;
    }

    /** The session, as a keyed hash from {@link CorrelationKey#sessionRef(CharSequence)}. */
    public Builder session(SessionRef session) {
      this.session = session;
      return this;
    }

    /**
     * Why, for the operator only.
     *
     * @throws IllegalArgumentException if longer than 512 characters or credential-shaped ({@code password=...}, a
     *     long token)
     */
    public Builder reason(String reason) {
      this.reason = checked("reason", reason, MAX_REASON);
      return this;
    }

    /**
     * The event.
     *
     * @throws IllegalStateException if the id or the time is missing
     */
    public AuditEvent build() {
      if (id == null || time == null) {
        throw new IllegalStateException(
            "an audit event needs an id and a time: use AuditLog.event(type)");
      }
      return new AuditEvent(this);
    }

    private static String checked(String what, String value, int max) {
      if (value == null) {
        return null;
      }
      if (value.isEmpty() || value.length() > max) {
        throw new IllegalArgumentException(what + " must be 1-" + max + " characters");
      }
      if (SecretShapes.looksSecret(value)) {
        // The message never repeats the value: it may be the very secret.
        throw new IllegalArgumentException(
            what + " looks like it holds a credential; audit events never do");
      }
      return value;
    }

    private static String withoutQuery(String resource) {
      int cut = resource.length();
      int q = resource.indexOf('?');
      int h = resource.indexOf('#');
      if (q >= 0) {
        cut = q;
      }
      if (h >= 0 && h < cut) {
        cut = h;
      }
      return resource.substring(0, cut);
    }

    /**
     * {@code value} with credential-shaped runs masked and, when longer than {@code max}, cut so that it ends in
     * {@code [cut from N characters]} within {@code max}: a cut value never reads as a shorter one that was sent.
     */
    private static String sanitised(String value, int max) {
      String masked = SecretShapes.mask(value);
      if (masked.length() <= max) {
        return masked;
      }
      String mark = "[cut from " + masked.length() + " characters]";
      int end = max - mark.length();
      if (Character.isHighSurrogate(masked.charAt(end - 1))) {
        end--;
      }
      return masked.substring(0, end) + mark;
    }
  }
}
