package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.audit.AuditEvent;
import org.springframework.boot.actuate.audit.AuditEventRepository;
import org.springframework.boot.actuate.audit.InMemoryAuditEventRepository;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationEvent;
import org.springframework.security.authentication.event.AuthenticationFailureBadCredentialsEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;

/**
 * Portcullis logins over HTTP reach Spring Security's authentication event listeners and, through Spring Boot's
 * audit listener, the application's {@link AuditEventRepository}.
 */
@SpringBootTest(
    classes = {TestPortal.class, AuthenticationEventsOverHttpTest.Listening.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01"
    })
class AuthenticationEventsOverHttpTest {
  @Configuration(proxyBeanMethods = false)
  static class Listening {
    static final List<AbstractAuthenticationEvent> EVENTS = new CopyOnWriteArrayList<>();

    @Bean
    AuditEventRepository auditEventRepository() {
      return new InMemoryAuditEventRepository();
    }

    @EventListener
    void on(AbstractAuthenticationEvent event) {
      EVENTS.add(event);
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  AuditLog audit;

  @Autowired
  AuditEventRepository repository;

  @Test
  void successAndFailure_arePublished_andRecordedInTheAuditEventRepository() throws Exception {
    Browser alice = new Browser("http://127.0.0.1:" + port);
    alice.login("alice", "wrong-pw");
    assertThat(alice.login("alice", "alice-pw").statusCode()).isEqualTo(303);
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();

    assertThat(Listening.EVENTS)
        .filteredOn(e -> e instanceof AuthenticationSuccessEvent)
        .extracting(e -> e.getAuthentication().getName())
        .contains("u-alice");
    assertThat(Listening.EVENTS)
        .filteredOn(e -> e instanceof AuthenticationFailureBadCredentialsEvent)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.getAuthentication().getCredentials()).isNull());

    List<AuditEvent> recorded = repository.find(null, null, null);
    assertThat(recorded)
        .filteredOn(e -> e.getType().equals("AUTHENTICATION_SUCCESS"))
        .extracting(AuditEvent::getPrincipal)
        .contains("u-alice");
    assertThat(recorded)
        .filteredOn(e -> e.getType().equals("AUTHENTICATION_FAILURE"))
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.getData().toString()).doesNotContain("wrong-pw"));
  }
}
