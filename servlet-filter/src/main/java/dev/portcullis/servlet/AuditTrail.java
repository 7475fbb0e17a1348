package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.user.PortalUser;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits the filter's audit events with the request's context: actor, request id, trace id, client address (after trusted
 * proxies). Never throws: auditing must not break a login, a logout or a page.
 *
 * <p>A detail the event builder refuses (a reason or action that looks like a credential or is too long, as text
 * from a provider, a store or a request may be) does not cost the event: it is recorded with {@link #WITHHELD} as its
 * reason instead, and a warning names the event type and why, never the refused text.
 */
final class AuditTrail {
  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  static final AuditTrail NONE = new AuditTrail(null);
  /** The reason of an event whose own reason or action the event builder refused. */
  static final String WITHHELD = "reason withheld: not fit for the audit log";

  private final AuditLog audit;

  AuditTrail(AuditLog audit) {
    this.audit = audit;
  }

  boolean enabled() {
    return audit != null;
  }

  AuditLog log() {
    return audit;
  }

  /**
   * Whether identified events are being written: no audit log, or an open one whose sinks are all in service. A
   * closed log (the application stopping) records nothing more.
   */
  boolean writable() {
    return audit == null || (audit.isOpen() && audit.health().healthy());
  }

  /**
   * {@code name} as an event's resource keeps it whole: the event builder drops everything from a {@code ?} or
   * {@code #} on as a query string, and in a decoded path segment or a provider's subject they are part of the name.
   * They are written percent-encoded ({@code %3F}, {@code %23}), and so is {@code %} ({@code %25}), so that a record
   * names the one resource that was asked for.
   */
  static String asResource(String name) {
    if (name.indexOf('?') < 0 && name.indexOf('#') < 0 && name.indexOf('%') < 0) {
      return name;
    }
    StringBuilder out = new StringBuilder(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      switch (c) {
        case '%' -> out.append("%25");
        case '?' -> out.append("%3F");
        case '#' -> out.append("%23");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * @param userHandle the actor when the principal is not (yet or any more) set; null to use the principal
   */
  void emit(
      Exchange exchange,
      AuditEventType type,
      String userHandle,
      String organisation,
      Consumer<AuditEvent.Builder> details) {
    if (audit == null) {
      return;
    }
    try {
      AuditEvent.Builder b =
          audit.event(type).requestId(exchange.requestId(audit)).traceId(exchange.traceId());
      PortalPrincipal p = exchange.principal();
      if (userHandle != null) {
        b.actor(AuditEvent.Actor.of(userHandle, orNull(organisation)));
      } else if (p != null) {
        b.actor(AuditEvent.Actor.of(p.getName(), orNull(p.user().organisation())));
      }
      try {
        b.clientAddress(exchange.clientAddress());
      } catch (IllegalArgumentException e) {
        // Not an IP literal (a unix socket, a test container): the event goes out without it.
      }
      b.resource(exchange.original().getRequestURI());
      try {
        details.accept(b);
      } catch (IllegalArgumentException e) {
        // The builder's message never repeats the refused value.
        log.warn("audit event {} recorded without a detail: {}", type.name(), e.getMessage());
        b.reason(WITHHELD);
      }
      audit.emit(b.build());
    } catch (RuntimeException e) {
      log.error("could not record audit event {}: {}", type.name(), e.getClass().getName());
    }
  }

  private static String orNull(String organisation) {
    return organisation == null || organisation.isEmpty() ? null : organisation;
  }

  void emit(Exchange exchange, AuditEventType type, Consumer<AuditEvent.Builder> details) {
    emit(exchange, type, null, null, details);
  }

  /** Records a core decision's note, with the principal (if any) as actor. */
  void emit(Exchange exchange, AuditNote note) {
    emit(exchange, note.type(), null, null, note::applyTo);
  }

  /** Records a core decision's note with {@code user} as actor, or the principal (if any) when null. */
  void emit(Exchange exchange, AuditNote note, PortalUser user) {
    emit(
        exchange,
        note.type(),
        user == null ? null : user.handle(),
        user == null ? null : user.organisation(),
        note::applyTo);
  }

  /** Records a core decision's note with the user {@code userHandle} as actor (organisation unknown). */
  void emit(Exchange exchange, AuditNote note, String userHandle) {
    emit(exchange, note.type(), userHandle, null, note::applyTo);
  }
}
