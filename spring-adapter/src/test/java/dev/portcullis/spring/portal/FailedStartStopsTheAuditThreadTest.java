package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Regression: when start-up failed on a refused configuration, embedded Tomcat reported the audit log's writer thread
 * ({@code portcullis-audit}) as started by the web application and never stopped, a memory-leak warning on top of the
 * real failure, because Tomcat stops the failed web application before Spring closes the beans.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailedStartStopsTheAuditThreadTest {
  private static final String AUDIT_THREAD = "portcullis-audit";

  /** The live audit threads, of this test's context and of the other tests' cached ones. */
  private static Set<Thread> auditThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(AUDIT_THREAD) && t.isAlive())
        .collect(Collectors.toSet());
  }

  @Test
  void aRefusedConfiguration_leavesNoAuditThread_andTomcatReportsNoLeak(CapturedOutput output) {
    Set<Thread> before = auditThreads();

    assertThatThrownBy(() -> new SpringApplicationBuilder(TestPortal.class)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "portcullis.transport.canonical-host=portal.example",
                "portcullis.login.terms-version=2026-01",
                // Refused when the filter is built: the access policy hides the login page.
                "portcullis.access.public-paths=/terms",
                "portcullis.access.authenticated-paths=/**")
            .run())
        .hasStackTraceContaining("/login");

    assertThat(auditThreads()).as("audit threads left running").isSubsetOf(before);
    assertThat(output.getAll())
        .doesNotContain("appears to have started a thread named [" + AUDIT_THREAD + "]");
  }
}
