package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.session.ActiveSession;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionEnd;
import dev.portcullis.session.SessionRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The logged-in user's own sessions, for an account page: {@link #list()} them (created, last seen, client address
 * and browser family at login, which one is this) and {@link #end} another one. Reached from a request the filter
 * handles, {@link #of(HttpServletRequest)}; nothing is read from the store until the application asks.
 *
 * <pre>{@code
 * UserSessions.of(request).ifPresent(sessions -> {
 *   for (ActiveSession s : sessions.list()) { ... s.handle() in the "end this session" form ... }
 * });
 * }</pre>
 *
 * <p><b>Security.</b> No session id or store key reaches the page: each listed session carries a handle that only the
 * listing session can use ({@link ActiveSession#handle()}); a forged handle, another user's or another session's
 * list's is refused ({@link SessionEnd.Refused}). Ending a session deletes it from the store, so its browser is
 * anonymous on its next request, closes at once the WebSockets opened with it through this filter (other nodes close
 * theirs at their next re-check, see {@link PortalPrincipal#closeWhenLoginEnds}), and records {@code session_ended_by_user} (success or failure, with the user as
 * actor and no session id). Ending must be asked for in a state-changing request, which the filter's CSRF check
 * covers. The client address and browser family are personal data; they are kept in the session only, and go when it
 * ends.
 */
public final class UserSessions {
  private final Exchange exchange;
  private final SessionRegistry registry;
  private final Session session;

  private UserSessions(Exchange exchange, SessionRegistry registry, Session session) {
    this.exchange = exchange;
    this.registry = registry;
    this.session = session;
  }

  /**
   * The sessions of the user logged in on {@code request}; empty when the request did not pass through a Portcullis
   * filter with sessions and login, or nobody is logged in.
   */
  public static Optional<UserSessions> of(HttpServletRequest request) {
    Objects.requireNonNull(request, "request");
    if (!(request.getAttribute(Exchange.ATTRIBUTE) instanceof Exchange exchange)) {
      return Optional.empty();
    }
    PortalPrincipal principal = exchange.principal();
    SessionState state = exchange.sessions();
    SessionRegistry registry = state.registry();
    if (principal == null || registry == null) {
      return Optional.empty();
    }
    Session session = state.session(false);
    if (session == null
        || !session.userHandle().filter(principal.getName()::equals).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(new UserSessions(exchange, registry, session));
  }

  /**
   * The user's live sessions, oldest first, this one marked {@link ActiveSession#current()}. Reading them does not
   * count as using them: their last-seen times and idle timeouts stay as they were.
   *
   * @throws RuntimeException when the session store fails (a {@code StoreUnavailableException} from the standard
   *     stores)
   */
  public List<ActiveSession> list() {
    return registry.activeSessions(session);
  }

  /**
   * Ends the session that {@code handle} names, one of this session's {@link #list()}, and audits the outcome. The
   * request's own session cannot be ended this way (that is a logout).
   *
   * @param handle as the page sent it back; any text, checked here
   * @throws RuntimeException when the session store fails
   */
  public SessionEnd end(String handle) {
    OpenConnections connections = exchange.sessions().connections();
    SessionEnd outcome = registry.endSession(session, handle, key -> {
      if (connections != null) {
        connections.closeSession(key);
      }
    });
    AuditNote note = outcome instanceof SessionEnd.Refused refused
        ? AuditNote.failure(AuditEventType.SESSION_ENDED_BY_USER, reason(refused.reason()))
        : AuditNote.success(AuditEventType.SESSION_ENDED_BY_USER);
    exchange.sessions().audit().emit(exchange, note);
    return outcome;
  }

  private static String reason(SessionEnd.Reason reason) {
    return switch (reason) {
      case NOT_LOGGED_IN -> "not logged in";
      case UNKNOWN_HANDLE -> "unknown session handle";
      case CURRENT_SESSION -> "the asking session itself";
    };
  }

  @Override
  public String toString() {
    return "UserSessions[" + session.userHandle().orElse("") + "]";
  }
}
