package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.event.AbstractAuthenticationEvent;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationFailureBadCredentialsEvent;
import org.springframework.security.authentication.event.AuthenticationFailureLockedEvent;
import org.springframework.security.authentication.event.AuthenticationFailureServiceExceptionEvent;

class AuthenticationEventsTest {
  private static AuditEvent refused(AuditEventType type, String reason) {
    return AuditEvent.builder(type)
        .id("evt-0000000001")
        .time(Instant.parse("2026-01-01T00:00:00Z"))
        .failure(reason)
        .clientAddress("203.0.113.7")
        .build();
  }

  @Test
  void anAccountsLock_isSpringSecuritysLockedEvent() {
    AbstractAuthenticationEvent event =
        AuthenticationEvents.toSpring(refused(AuditEventType.AUTHN_LOGIN_LOCK, "THROTTLED"));

    assertThat(event).isInstanceOf(AuthenticationFailureLockedEvent.class);
    assertThat(((AbstractAuthenticationFailureEvent) event).getException())
        .isInstanceOf(LockedException.class)
        .hasMessage("THROTTLED");
  }

  @Test
  void aLoginRefusedForTheNodesLoad_isAServiceFailure_notALock() {
    AbstractAuthenticationEvent event =
        AuthenticationEvents.toSpring(refused(AuditEventType.AUTHN_LOGIN_BUSY, "BUSY"));

    assertThat(event).isInstanceOf(AuthenticationFailureServiceExceptionEvent.class);
    assertThat(((AbstractAuthenticationFailureEvent) event).getException())
        .isInstanceOf(AuthenticationServiceException.class)
        .hasMessage("BUSY");
    assertThat(event.getAuthentication().getName()).isEqualTo(AuthenticationEvents.UNKNOWN);
  }

  @Test
  void aWrongPassword_isBadCredentials() {
    assertThat(AuthenticationEvents.toSpring(
            refused(AuditEventType.AUTHN_LOGIN_FAIL, "BAD_CREDENTIALS")))
        .isInstanceOf(AuthenticationFailureBadCredentialsEvent.class);
  }
}
