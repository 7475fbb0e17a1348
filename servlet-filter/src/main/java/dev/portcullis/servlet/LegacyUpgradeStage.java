package dev.portcullis.servlet;

import dev.portcullis.login.LegacyUpgrade;
import dev.portcullis.login.LoginDecision;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates the legacy-cookie upgrade ({@link LegacyUpgrade}) for a request. Runs right after the authentication
 * stage, so a request with a valid Portcullis login never opens the legacy cookie.
 *
 * <p>Every legacy cookie this stage sees is removed from the browser, whatever the outcome: upgraded, refused,
 * expired, not valid, past the sunset, or beside a Portcullis login; only when the user directory or the replay store
 * did not answer, or the session store could not store its login, is it kept (the request stays anonymous), since it
 * was not used and logs in once they answer. An anonymous request with one goes to the core,
 * whose accepted login is carried out like any other; a refusal leaves the request anonymous and goes to the audit
 * log; the client sees no difference and never an error page.
 *
 * <p>An anonymous request that sends the legacy cookie more than once, before the sunset, also gets
 * {@code Clear-Site-Data: "cookies"}: a browser sends the name twice only when another host of the site or another
 * path set a copy beside the user's own (cookie tossing), and the expiry reaches only the copy this portal's
 * settings name, so the other would be left alone to log the browser in, on its next request, as whoever set it.
 */
final class LegacyUpgradeStage extends Stage {
  private static final Logger log = LoggerFactory.getLogger(LegacyUpgradeStage.class);

  private final LegacyUpgrade upgrade;
  private final LoginEffects effects;

  LegacyUpgradeStage(LegacyUpgrade upgrade, LoginEffects effects) {
    this.upgrade = upgrade;
    this.effects = effects;
    if (upgrade.pastSunset()) {
      log.warn(
          "the legacy login cookie {} reached its sunset at {}: it is no longer read, only removed; take the"
              + " legacy login out of the configuration",
          upgrade.legacy().cookie().name(),
          upgrade.legacy().sunset());
    }
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    List<String> sent = Cookies.values(exchange, upgrade.legacy().cookie().name());
    if (!sent.isEmpty()) {
      boolean keep = false;
      if (exchange.principal() == null) {
        if (sent.size() > 1 && !upgrade.pastSunset()) {
          exchange.response().setHeader("Clear-Site-Data", "\"cookies\"");
        }
        Optional<LoginDecision> decision = upgrade.upgrade(sent, exchange.sessions());
        if (decision.isPresent() && decision.get() instanceof LoginDecision.Accepted accepted) {
          effects.accepted(exchange, accepted, LoginListener.Kind.LEGACY_COOKIE);
        } else if (decision.isPresent()) {
          LoginDecision.Refused refused = (LoginDecision.Refused) decision.get();
          effects.refused(exchange, refused);
          // A store did not answer: the cookie was not used, and logs in once they answer.
          keep = refused.unavailable();
        }
      }
      if (!keep) {
        exchange.setCookie(SetCookie.expire(upgrade.legacy().cookie()));
      }
    }
    next.proceed();
  }
}
