package dev.portcullis.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AccountLinkingTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final RecordingAuditSink sink = new RecordingAuditSink();
  private final AuditLog audit =
      AuditLog.builder().clock(clock).random(new SecureRandom()).auditSink(sink).build();
  private final AccountLinkStore links = AccountLinkStore.inMemory();
  private final AccountLinking linking = new AccountLinking(links, audit);

  @AfterEach
  void close() {
    audit.close();
  }

  private List<AuditEvent> unlinks() throws Exception {
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    return sink.events().stream()
        .filter(e -> e.type().equals(AuditEventType.SSO_UNLINK))
        .toList();
  }

  @Test
  void administratorUnlinksOneIdentity_auditedWithTheUserAsActor() throws Exception {
    links.link("https://idp.example", "sub-1", "u-alice");
    links.link("https://idp.example", "sub-2", "u-alice");
    assertThat(linking.unlink("u-alice", "https://idp.example", "sub-1", "u-admin"))
        .isTrue();
    assertThat(linking.unlink("u-bob", "https://idp.example", "sub-2", "u-admin"))
        .as("not bob's")
        .isFalse();
    assertThat(linking.linksOf("u-alice"))
        .containsExactly(new AccountLinkStore.LinkedIdentity("https://idp.example", "sub-2"));
    List<AuditEvent> events = unlinks();
    assertThat(events).hasSize(2);
    assertThat(events.get(0).actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(events.get(0).action()).contains("admin_unlink");
    assertThat(events.get(0).outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
    assertThat(events.get(0).reason()).hasValueSatisfying(r -> assertThat(r).contains("u-admin"));
    assertThat(events.get(1).outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
  }

  @Test
  void administratorUnlinksEverything_ofOneUserOnly() throws Exception {
    links.link("https://idp-a.example", "sub-1", "u-alice");
    links.link("https://idp-b.example", "sub-1", "u-alice");
    links.link("https://idp-a.example", "sub-2", "u-bob");
    assertThat(linking.unlinkAll("u-alice", "u-admin")).isEqualTo(2);
    assertThat(links.isLinked("u-alice")).isFalse();
    assertThat(links.isLinked("u-bob")).isTrue();
    assertThat(unlinks())
        .singleElement()
        .satisfies(e -> assertThat(e.reason())
            .hasValueSatisfying(r -> assertThat(r).startsWith("2 identities")));
  }

  @Test
  void failingStore_isAuditedAndThrown() throws Exception {
    AccountLinkStore broken = new AccountLinkStore() {
      @Override
      public LinkResult link(String issuer, String subject, String userHandle) {
        throw new IllegalStateException("down");
      }

      @Override
      public Optional<String> userFor(String issuer, String subject) {
        throw new IllegalStateException("down");
      }

      @Override
      public boolean isLinked(String userHandle) {
        throw new IllegalStateException("down");
      }

      @Override
      public List<LinkedIdentity> linksOf(String userHandle) {
        throw new IllegalStateException("down");
      }

      @Override
      public boolean unlink(String issuer, String subject, String userHandle) {
        throw new IllegalStateException("down");
      }

      @Override
      public int unlinkAll(String userHandle) {
        throw new IllegalStateException("down");
      }
    };
    AccountLinking failing = new AccountLinking(broken, audit);
    assertThatThrownBy(() -> failing.unlinkAll("u-alice", "u-admin"))
        .isInstanceOf(IllegalStateException.class);
    assertThat(unlinks())
        .singleElement()
        .satisfies(e -> assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE));
  }

  @Test
  void pendingLink_roundTripsThroughItsSessionAttribute_andExpires() {
    Instant expires = clock.instant().plus(Duration.ofMinutes(5));
    PendingLink p = new PendingLink(
        "u-alice", "https://idp.example", "sub-1", "Alice\u0000\u202e <a@b>", expires);
    assertThat(p.label()).isEqualTo("Alice <a@b>");
    assertThat(PendingLink.fromAttribute(p.toAttribute())).contains(p);
    assertThat(PendingLink.fromAttribute(Map.of("user", "u-alice"))).isEmpty();
    assertThat(PendingLink.fromAttribute("not a map")).isEmpty();
    assertThat(p.expired(clock.instant())).isFalse();
    clock.advance(Duration.ofMinutes(5));
    assertThat(p.expired(clock.instant())).isTrue();
    assertThat(new PendingLink("u", "i", "s", "x".repeat(500), expires).label())
        .hasSize(PendingLink.MAX_LABEL);
  }
}
