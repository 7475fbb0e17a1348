package dev.portcullis.spring;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditSink;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.event.AbstractAuthenticationEvent;
import org.springframework.security.authentication.event.AuthenticationFailureBadCredentialsEvent;
import org.springframework.security.authentication.event.AuthenticationFailureLockedEvent;
import org.springframework.security.authentication.event.AuthenticationFailureServiceExceptionEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;

/**
 * Publishes Portcullis logins as Spring Security authentication events: a successful login (password or single
 * sign-on) as {@link AuthenticationSuccessEvent}, a refused one as {@link AuthenticationFailureBadCredentialsEvent},
 * one refused by the login limit as {@link AuthenticationFailureLockedEvent}, and one refused because the node was
 * checking as many logins as it may at once ({@code authn_login_busy}) as {@link
 * AuthenticationFailureServiceExceptionEvent}, which is not an account's lock. The authentication's name is the
 * opaque user handle ({@value #UNKNOWN} when the audit event names no user); its details hold the client address and
 * request id when known. With Spring Boot's actuator and an {@code AuditEventRepository} bean, Boot's audit listener
 * records them there as {@code AUTHENTICATION_SUCCESS} and {@code AUTHENTICATION_FAILURE}.
 *
 * <p>Events are published from the audit log's delivery thread, after the login has been answered.
 *
 * <p><b>Security.</b> Carries no credential: the attempted password never reaches the audit event. A failure's
 * exception message is the audit reason, which stays on the server (listeners and the audit repository); clients
 * see only the generic login failure.
 */
final class AuthenticationEvents implements AuditSink {
  static final String UNKNOWN = "[unknown]";

  private final ApplicationEventPublisher publisher;

  AuthenticationEvents(ApplicationEventPublisher publisher) {
    this.publisher = Objects.requireNonNull(publisher, "publisher");
  }

  @Override
  public void accept(AuditEvent event) {
    AbstractAuthenticationEvent spring = toSpring(event);
    if (spring != null) {
      publisher.publishEvent(spring);
    }
  }

  /** The Spring Security event for a Portcullis login event, or null for any other event. */
  static AbstractAuthenticationEvent toSpring(AuditEvent event) {
    AuditEventType type = event.type();
    String user = event.actor().map(AuditEvent.Actor::userHandle).orElse(UNKNOWN);
    String reason = event.reason().orElse("login refused");
    if (type.equals(AuditEventType.AUTHN_LOGIN_SUCCESS)) {
      UsernamePasswordAuthenticationToken token =
          UsernamePasswordAuthenticationToken.authenticated(user, null, List.of());
      token.setDetails(details(event));
      return new AuthenticationSuccessEvent(token);
    }
    if (type.equals(AuditEventType.AUTHN_LOGIN_FAIL)
        || type.equals(AuditEventType.AUTHN_LOGIN_LOCK)
        || type.equals(AuditEventType.AUTHN_LOGIN_BUSY)) {
      UsernamePasswordAuthenticationToken token =
          UsernamePasswordAuthenticationToken.unauthenticated(user, null);
      token.setDetails(details(event));
      if (type.equals(AuditEventType.AUTHN_LOGIN_LOCK)) {
        return new AuthenticationFailureLockedEvent(token, new LockedException(reason));
      }
      if (type.equals(AuditEventType.AUTHN_LOGIN_BUSY)) {
        return new AuthenticationFailureServiceExceptionEvent(
            token, new AuthenticationServiceException(reason));
      }
      return new AuthenticationFailureBadCredentialsEvent(
          token, new BadCredentialsException(reason));
    }
    return null;
  }

  private static Map<String, String> details(AuditEvent event) {
    Map<String, String> details = new LinkedHashMap<>();
    event.clientAddress().ifPresent(a -> details.put("remoteAddress", a));
    event.requestId().ifPresent(id -> details.put("requestId", id));
    details.put("auditEventId", event.id());
    return Map.copyOf(details);
  }
}
