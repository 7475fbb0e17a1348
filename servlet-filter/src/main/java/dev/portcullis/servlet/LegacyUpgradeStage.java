package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.login.LoginResult;
import dev.portcullis.login.LoginService;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a user who arrives with the replaced portal's login cookie onto a Portcullis login, until the sunset. Runs
 * right after the authentication stage, so a request with a valid Portcullis login never opens the legacy cookie.
 *
 * <p>Each legacy cookie logs in once: its id goes into the replay store (until it expires or the sunset, whichever
 * comes first), so a copy presented later, after a logout or from another browser, stays anonymous. A valid legacy
 * cookie whose user maps to an enabled, complete account logs the user in exactly as the login
 * endpoint does ({@link AccountStage#startLogin}); the terms gate still follows. Every legacy cookie this stage sees
 * is then removed from the browser, whatever the outcome: upgraded, refused, expired, not valid, past the sunset, or
 * beside a Portcullis login. Refusals leave the request anonymous and go to the audit log with the reason; the client
 * sees no difference and never an error page.
 */
final class LegacyUpgradeStage implements Stage {
  private static final Logger log = LoggerFactory.getLogger(LegacyUpgradeStage.class);

  /** Keeps the legacy cookie ids apart from other single-use ids in a shared replay store. */
  static final String REPLAY_PREFIX = "legacy-cookie:";

  private final LegacyLogin legacy;
  private final ReplayStore upgraded;
  private final InstantSource clock;
  private final PortalLogin login;
  private final SecureRandom random;
  private final AuditTrail audit;

  LegacyUpgradeStage(LegacyLogin legacy, ReplayStore upgraded, InstantSource clock, PortalLogin login,
      SecureRandom random, AuditTrail audit) {
    this.legacy = legacy;
    this.upgraded = upgraded;
    this.clock = clock;
    this.login = login;
    this.random = random;
    this.audit = audit;
    if (pastSunset()) {
      log.warn("the legacy login cookie {} reached its sunset at {}: it is no longer read, only removed; take the"
          + " legacy login out of the configuration", legacy.cookie().name(), legacy.sunset());
    }
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    List<String> sent = Cookies.values(exchange, legacy.cookie().name());
    if (!sent.isEmpty()) {
      exchange.setCookie(SetCookie.expire(legacy.cookie()));
      if (exchange.principal() == null && !pastSunset()) {
        upgrade(exchange, sent);
      }
    }
    next.proceed();
  }

  private boolean pastSunset() {
    return !clock.instant().isBefore(legacy.sunset());
  }

  private void upgrade(Exchange exchange, List<String> sent) {
    if (sent.size() > 1) {
      refuse(exchange, AuditEventType.CRYPT_DECRYPT_FAIL, null, "duplicate legacy cookies");
      return;
    }
    LegacyLogin.Result opened;
    try {
      opened = legacy.open(sent.get(0));
    } catch (RuntimeException e) {
      opened = new LegacyLogin.Result.NotValid("legacy cookie unreadable: " + e.getClass().getSimpleName());
    }
    if (opened instanceof LegacyLogin.Result.NotValid notValid) {
      refuse(exchange, AuditEventType.CRYPT_DECRYPT_FAIL, null, notValid.reason());
      return;
    }
    if (opened instanceof LegacyLogin.Result.Expired expired) {
      PortalUser known = find(expired.legacyName()).orElse(null);
      refuse(exchange, AuditEventType.SESSION_EXPIRED, known, "legacy ticket expired");
      return;
    }
    LegacyLogin.Result.Valid valid = (LegacyLogin.Result.Valid) opened;
    String legacyName = valid.legacyName();
    Optional<PortalUser> found;
    try {
      found = Optional.ofNullable(legacy.findUser(legacyName)).flatMap(u -> u);
    } catch (RuntimeException e) {
      refuse(exchange, AuditEventType.AUTHN_LOGIN_FAIL, null, "legacy ticket: user directory unavailable");
      return;
    }
    if (found.isEmpty()) {
      refuse(exchange, AuditEventType.AUTHN_LOGIN_FAIL, null, "legacy ticket: no portal account for its user");
      return;
    }
    PortalUser user = found.get();
    LoginResult.Reason problem = LoginService.accountProblem(user);
    if (problem != null) {
      refuse(exchange, AuditEventType.AUTHN_LOGIN_FAIL, user, "legacy ticket: account " + problem.name());
      return;
    }
    boolean first;
    try {
      Instant keepUntil = valid.expiresAt().isBefore(legacy.sunset()) ? valid.expiresAt() : legacy.sunset();
      first = upgraded.markUsed(REPLAY_PREFIX + valid.cookieId(), keepUntil);
    } catch (RuntimeException e) {
      refuse(exchange, AuditEventType.AUTHN_LOGIN_FAIL, user, "legacy ticket: replay store unavailable");
      return;
    }
    if (!first) {
      refuse(exchange, AuditEventType.AUTHN_TOKEN_REUSE, user, "legacy cookie presented again after its upgrade");
      return;
    }
    try {
      AccountStage.startLogin(exchange, login, random, user);
    } catch (RuntimeException e) {
      // A session store or key that cannot serve the login: the request stays anonymous.
      exchange.principal(null);
      refuse(exchange, AuditEventType.AUTHN_LOGIN_FAIL, user, "legacy ticket: login could not start: "
          + e.getClass().getSimpleName());
      return;
    }
    audit.emit(exchange, AuditEventType.LEGACY_TICKET_UPGRADED, b -> b.reason("legacy cookie "
        + legacy.cookie().name() + " replaced by a Portcullis login"));
  }

  /** The account for the audit log's actor only; any failure just leaves the actor out. */
  private Optional<PortalUser> find(String legacyName) {
    try {
      return Optional.ofNullable(legacy.findUser(legacyName)).flatMap(u -> u);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private void refuse(Exchange exchange, AuditEventType type, PortalUser user, String reason) {
    audit.emit(exchange, type, user == null ? null : user.handle(), user == null ? null : user.organisation(),
        b -> b.failure(reason));
  }
}
