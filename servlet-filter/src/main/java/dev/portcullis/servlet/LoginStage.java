package dev.portcullis.servlet;

import dev.portcullis.login.LoginDecision;
import dev.portcullis.login.LoginEndpoints;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.login.SafeRedirect;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST} of the login form (fields {@code username}, {@code password}, {@code acceptTerms=yes} from the form
 * body only, never the query string; optional {@code returnTo} from either, as a form without an action posts to the
 * login page's own URL; the cookie check and the CSRF token were checked by the stages before): asks
 * {@link PortalLogin#passwordLogin} and translates the decision. Accepted: 303 to a safe {@code returnTo} or the
 * after-login page. Refused: 303 back to the login page with {@code error=1}. Not decided because the user directory
 * or the login limit's store did not answer: a plain {@code 503}, as the audit stage answers while the audit log
 * cannot write, with the reason in the audit event only. Every other request goes on; the application renders the
 * login page.
 */
final class LoginStage extends Stage {
  private final PortalLogin login;
  private final LoginEndpoints endpoints;
  private final LoginEffects effects;

  LoginStage(PortalLogin login, LoginEffects effects) {
    this.login = login;
    this.endpoints = login.endpoints();
    this.effects = effects;
  }

  @Override
  public boolean onlyForPost() {
    return true;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    if (!exchange.method().equals("POST") || !Paths.path(exchange).equals(endpoints.loginPath())) {
      next.proceed();
      return;
    }
    // The credentials from the body only: a query string lands in access logs and Referer headers.
    String username = FormFields.fromBody(exchange, "username");
    String password = FormFields.fromBody(exchange, "password");
    boolean acceptsTerms = FormFields.acceptsTerms(exchange);
    String returnTo = exchange.parameter("returnTo");
    LoginDecision decision = effects.decide(
        LoginListener.Kind.PASSWORD,
        () -> login.passwordLogin(
            username,
            password == null ? null : password.toCharArray(),
            acceptsTerms,
            exchange.clientAddress(),
            exchange.sessions()));
    if (decision instanceof LoginDecision.Accepted accepted) {
      effects.accepted(exchange, accepted, LoginListener.Kind.PASSWORD);
      Pages.seeOther(
          exchange, SafeRedirect.isSafe(returnTo) ? returnTo : endpoints.afterLoginPath());
    } else if (decision instanceof LoginDecision.Refused refused && refused.unavailable()) {
      effects.refused(exchange, refused);
      Pages.serviceUnavailable(exchange.response());
    } else {
      effects.refused(exchange, (LoginDecision.Refused) decision);
      String query = "?error=1";
      if (SafeRedirect.isSafe(returnTo)) {
        query += "&returnTo=" + URLEncoder.encode(returnTo, StandardCharsets.UTF_8);
      }
      Pages.seeOther(exchange, endpoints.loginPath() + query);
    }
  }
}
