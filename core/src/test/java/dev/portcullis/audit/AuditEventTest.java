package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.audit.AuditEvent.Actor;
import dev.portcullis.audit.AuditEvent.Outcome;
import dev.portcullis.transport.IpAddress;
import dev.portcullis.transport.internal.TrustedProxies;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditEventTest {
  private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9x4Fq8ZpLm2Rt7Vw0Ks9Jd3Hb";
  private static final String SHA256_HEX =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  @Test
  void traceId_isWrittenAsTraceId_andOnlyAValidW3cTraceIdIsTaken() throws Exception {
    AuditEvent e = Fixtures.event(AuditEventType.LOGOUT)
        .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
        .build();
    assertThat(e.traceId()).contains("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(Fixtures.JSON.readTree(e.toString()).get("trace_id").asText())
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(Fixtures.event(AuditEventType.LOGOUT).build().traceId()).isEmpty();
    for (String bad : List.of(
        "0".repeat(32),
        "4BF92F3577B34DA6A3CE929D0E0E4736",
        "4bf92f3577b34da6a3ce929d0e0e473",
        "4bf92f3577b34da6a3ce929d0e0e47360",
        "4bf92f3577b34da6a3ce929d0e0e473g")) {
      assertThatThrownBy(() -> Fixtures.event(AuditEventType.LOGOUT).traceId(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void fullEvent_writesEveryFieldAsJson() throws Exception {
    SessionRef ref = Fixtures.correlationKey().sessionRef("some-session");
    AuditEvent e = Fixtures.event(AuditEventType.of("report_view"))
        .actor(Actor.of("u-81f2", "org-17"))
        .session(ref)
        .action("view")
        .resource("/reports/42")
        .requestId("req-1")
        .clientAddress("203.0.113.9")
        .build();
    JsonNode json = Fixtures.JSON.readTree(e.toString());
    assertThat(json.get("kind").asText()).isEqualTo("audit");
    assertThat(json.get("id").asText()).isEqualTo("evt-0000000001");
    assertThat(json.get("time").asText()).isEqualTo("2026-03-04T10:17:42.123Z");
    assertThat(json.get("type").asText()).isEqualTo("report_view");
    assertThat(json.get("outcome").asText()).isEqualTo("success");
    assertThat(json.get("user").asText()).isEqualTo("u-81f2");
    assertThat(json.get("organisation").asText()).isEqualTo("org-17");
    assertThat(json.get("session").asText()).isEqualTo(ref.value());
    assertThat(json.get("action").asText()).isEqualTo("view");
    assertThat(json.get("resource").asText()).isEqualTo("/reports/42");
    assertThat(json.get("request_id").asText()).isEqualTo("req-1");
    assertThat(json.get("client_address").asText()).isEqualTo("203.0.113.9");
    assertThat(json.has("reason")).isFalse();
  }

  @Test
  void failure_setsOutcomeAndReason() {
    AuditEvent e = Fixtures.event(AuditEventType.AUTHN_TOKEN_INVALID)
        .failure("ticket expired")
        .build();
    assertThat(e.outcome()).isEqualTo(Outcome.FAILURE);
    assertThat(e.reason()).contains("ticket expired");
    assertThat(e.actor()).isEmpty();
  }

  @Test
  void eventWithoutIdOrTime_isRefused() {
    assertThatThrownBy(() -> AuditEvent.builder(AuditEventType.LOGOUT).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () -> AuditEvent.builder(AuditEventType.LOGOUT).id("abcdefgh12").build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void eventTypeNames_followTheVocabularyShape() {
    assertThat(AuditEventType.of("report_view").name()).isEqualTo("report_view");
    for (String bad :
        new String[] {"", "Report_View", "report view", "1report", "report-view", "a".repeat(65)}) {
      assertThatThrownBy(() -> AuditEventType.of(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void emailAsUserHandle_isRefused() {
    assertThatThrownBy(() -> Actor.of("jane.doe@example.org", "org-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("jane");
    assertThatThrownBy(() -> Actor.of("u-1", "council@example.gov.uk"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Actor.of("u-1", null).organisation()).isNull();
  }

  @Test
  void credentialInCodeFilledFields_isRefused_withoutRepeatingIt() {
    assertThatThrownBy(
            () -> Fixtures.event(AuditEventType.AUTHN_LOGIN_FAIL).reason("password=hunter2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(
            () -> Fixtures.event(AuditEventType.AUTHN_LOGIN_FAIL).reason("cookie " + TOKEN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(TOKEN);
    assertThatThrownBy(
            () -> Fixtures.event(AuditEventType.AUTHN_LOGIN_FAIL).reason("sha " + SHA256_HEX))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> Fixtures.event(AuditEventType.of("access_granted")).action("token: abc"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Actor.of(TOKEN, null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ordinaryText_isNotMistakenForACredential() {
    AuditEvent e = Fixtures.event(AuditEventType.AUTHN_TOKEN_INVALID)
        .reason(
            "auth ticket expired at 2026-03-04T10:00:00Z; request 123e4567-e89b-12d3-a456-426614174000")
        .action("Quarterly-Report-2024-North-Region-Providers-Download")
        .requestId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .build();
    assertThat(e.reason()).isPresent();
    assertThat(e.requestId()).contains("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  }

  @Test
  void resource_losesQueryAndFragment_andCredentialRunsAreMasked() {
    AuditEvent e = Fixtures.event(AuditEventType.of("access_granted"))
        .resource("/reports/" + TOKEN + "/pdf?access_token=" + TOKEN + "#x")
        .requestId("r." + TOKEN)
        .build();
    assertThat(e.resource()).contains("/reports/[redacted]/pdf");
    assertThat(e.requestId()).contains("r.[redacted]");
    assertThat(e.toString()).doesNotContain(TOKEN);
  }

  @Test
  void longResource_isCut_butNeverThrows() {
    AuditEvent e =
        Fixtures.event(AuditEventType.ACCESS_DENIED).resource("/x".repeat(2000)).build();
    assertThat(e.resource().orElseThrow())
        .hasSize(AuditEvent.MAX_RESOURCE)
        .startsWith("/x/x")
        .endsWith("[cut from 4000 characters]");
  }

  @Test
  void longRequestId_isCut_withTheCutVisible() {
    AuditEvent e = Fixtures.event(AuditEventType.ACCESS_DENIED)
        .requestId("r".repeat(200) + "\ud83d\ude00")
        .build();
    assertThat(e.requestId().orElseThrow())
        .hasSizeLessThanOrEqualTo(AuditEvent.MAX_REQUEST_ID)
        .startsWith("rrrr")
        .endsWith("[cut from 202 characters]");
  }

  @Test
  void clientAddress_mustBeAnIpLiteral() {
    assertThat(Fixtures.event(AuditEventType.LOGOUT)
            .clientAddress("2001:db8::1")
            .build()
            .clientAddress())
        .contains("2001:db8::1");
    assertThat(Fixtures.event(AuditEventType.LOGOUT)
            .clientAddress("::ffff:192.0.2.1")
            .build()
            .clientAddress())
        .isPresent();
    for (String bad : new String[] {
      "example.org",
      "203.0.113.9:443",
      "256.1.1.1",
      "1.2.3",
      "[2001:db8::1]",
      "",
      "1:2:3:4:5:6:7:8:9",
      "2001:db8:::1",
      "12345::1",
      "::1::2",
      "fe80::1%eth0",
      ":",
      "a:b",
      "010.0.0.1"
    }) {
      assertThatThrownBy(() -> Fixtures.event(AuditEventType.LOGOUT).clientAddress(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void clientAddress_isReadByTheSameRuleAsTrustedProxies_andKeptCanonical() {
    TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8"));
    for (String address : new String[] {
      "010.0.0.1", "10.0.0.1", "2001:DB8:0::1", "::ffff:10.0.0.1", "10.0.0.01", "fe80::1%eth0"
    }) {
      boolean proxyTakesIt = IpAddress.parse(address).isPresent();
      boolean auditTakesIt;
      try {
        Fixtures.event(AuditEventType.LOGOUT).clientAddress(address).build();
        auditTakesIt = true;
      } catch (IllegalArgumentException e) {
        auditTakesIt = false;
      }
      assertThat(auditTakesIt).as(address).isEqualTo(proxyTakesIt);
      assertThat(proxies.isTrusted(address))
          .as(address)
          .isEqualTo(proxyTakesIt && address.contains("10.0.0.1"));
    }
    assertThatThrownBy(() -> Fixtures.event(AuditEventType.LOGOUT).clientAddress("010.0.0.1"))
        .as("ambiguous: octal 8.0.0.1 or decimal 10.0.0.1")
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Fixtures.event(AuditEventType.LOGOUT)
            .clientAddress("2001:DB8:0::1")
            .build()
            .clientAddress())
        .contains("2001:db8::1");
    assertThat(Fixtures.event(AuditEventType.LOGOUT)
            .clientAddress("::ffff:10.0.0.1")
            .build()
            .clientAddress())
        .contains("10.0.0.1");
  }

  @Test
  void controlCharacters_areKeptInTheEvent_andEscapedInItsJson() {
    AuditEvent e = Fixtures.event(AuditEventType.AUTHN_LOGIN_FAIL)
        .actor(Actor.of("u\r\nforged", null))
        .build();
    assertThat(e.actor().orElseThrow().userHandle()).isEqualTo("u\r\nforged");
    assertThat(e.toString()).contains("u\\r\\nforged").doesNotContain("\r").doesNotContain("\n");
  }
}
