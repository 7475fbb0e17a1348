package dev.portcullis.servlet;

import dev.portcullis.login.OpenConnections;
import dev.portcullis.login.SessionLoginCheck;
import dev.portcullis.session.SessionId;
import dev.portcullis.session.SessionLookup;
import dev.portcullis.session.SessionRegistry;
import jakarta.servlet.ServletException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the session cookie, asks the core for the session it names, and makes sure state and cookie are written
 * before the response commits. Duplicated cookies are refused: neither is used. With login, a request that also
 * sends the auth cookie has its session and its auth check found together ({@link SessionLoginCheck}: one store round
 * trip for the session and the revocation check), and the check waits on the exchange for the authentication stage.
 *
 * <p><b>Security.</b> A browser sends a cookie name twice only when another host of the site (a cookie with a
 * {@code Domain}) or another path has set one beside the portal's own: cookie tossing, which names without the
 * {@code __Host-} prefix allow. The refusal expires the portal's own cookie, the only copy a {@code Set-Cookie} of
 * this host can reach, so without more the browser would keep the other copy alone, and send it, with nothing beside
 * it to refuse, wherever its path matches: the tosser's session and auth cookies would log the user in as the tosser
 * there. So a response to a request that sent the session or the auth cookie more than once also says
 * {@code Clear-Site-Data: "cookies"}, as a logout does, and the browser drops every copy, whoever set it.
 */
final class SessionStage extends Stage {
  private static final Logger log = LoggerFactory.getLogger(SessionStage.class);

  private final SessionRegistry registry;
  private final String cookieName;
  private final boolean keepUnknownIds;
  private final SessionLoginCheck withLogin;
  private final String authCookieName;
  private final AuditTrail audit;
  private final OpenConnections connections;
  private final LoginRebinding rebinding;

  SessionStage(SessionRegistry registry, boolean keepUnknownIds) {
    this(registry, keepUnknownIds, null, null, AuditTrail.NONE, null, null);
  }

  /**
   * @param keepUnknownIds whether a well-formed id that names no stored session stays in the browser (when the session
   *     cookie does the cookie check, it is the value the login form's token is bound to); otherwise it is dropped
   * @param withLogin the session and auth check together; null without login
   * @param authCookieName the auth cookie's name; null without login
   * @param audit records what users do with their sessions ({@link UserSessions})
   * @param connections the watched connections (WebSockets), closed at once when the user ends their session
   *     ({@link UserSessions#end}); null without login
   * @param rebinding moves a request's login with its session when the application changes the id; null without
   *     login
   */
  SessionStage(
      SessionRegistry registry,
      boolean keepUnknownIds,
      SessionLoginCheck withLogin,
      String authCookieName,
      AuditTrail audit,
      OpenConnections connections,
      LoginRebinding rebinding) {
    this.rebinding = rebinding;
    this.registry = registry;
    this.cookieName = registry.config().cookie().name();
    this.keepUnknownIds = keepUnknownIds;
    this.withLogin = withLogin;
    this.authCookieName = authCookieName;
    this.audit = audit;
    this.connections = connections;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    SessionState state = readCookie(exchange);
    exchange.sessions(state);
    exchange.beforeCommit(state);
    next.proceed();
  }

  private SessionState readCookie(Exchange exchange) {
    // Straight from the headers: never a container's cached parse of an earlier request on the
    // connection.
    // One scan per name finds its one value, or that it was sent more than once: no list for the
    // common request, which sends each cookie once.
    Cookies cookies = exchange.requestCookies();
    int session = cookies.single(cookieName);
    int auth = withLogin == null ? Cookies.ABSENT : cookies.single(authCookieName);
    if (session == Cookies.SEVERAL || auth == Cookies.SEVERAL) {
      // Copies another host or path set beside the portal's own (see the class comment).
      exchange.response().setHeader("Clear-Site-Data", "\"cookies\"");
    }
    String value = session >= 0 ? cookies.value(session) : null;
    SessionLookup lookup;
    if (session == Cookies.SEVERAL) {
      log.debug("{} session cookies in one request; none is used", cookies.count(cookieName));
      lookup = SessionLookup.MALFORMED;
    } else {
      if (session == Cookies.ABSENT || auth == Cookies.ABSENT) {
        lookup = withLogin == null ? registry.open(value) : withLogin.open(value);
      } else {
        // Duplicated auth cookies go to the check as a list, which refuses them.
        SessionLoginCheck.Result both = auth >= 0
            ? withLogin.check(value, cookies.value(auth))
            : withLogin.check(value, cookies.values(authCookieName));
        lookup = both.session();
        exchange.authCheck(both.auth());
      }
      if (lookup instanceof SessionLookup.Malformed) {
        log.debug("malformed session cookie ({} characters); ignored", value.length());
      }
    }
    boolean sent = session != Cookies.ABSENT;
    boolean keep = keepUnknownIds
        && session >= 0
        && lookup instanceof SessionLookup.Absent
        && registry.config().idFormat().isWellFormed(value);
    SessionState state =
        new SessionState(registry, exchange, lookup, sent, keep, audit, connections, rebinding);
    if (lookup instanceof SessionLookup.Unavailable) {
      state.unreachable(registry.idOf(value));
    } else if (rebinding != null && session >= 0 && lookup instanceof SessionLookup.Absent) {
      SessionId id = registry.idOf(value);
      if (id != null && registry.wasMoved(id)) {
        state.movedIdSent();
      }
    }
    return state;
  }
}
