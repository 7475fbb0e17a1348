package dev.portcullis.sso;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An account link the provider has authenticated but the user has not confirmed yet: kept in the user's server-side
 * session (one per session, as a plain attribute map), shown on the confirmation page, and stored in the
 * {@link AccountLinkStore} only when the user confirms it before {@link #expiresAt()}.
 *
 * <p><b>Security.</b> Nothing is linked until the user has seen which identity the provider authenticated and
 * confirmed it with a CSRF-checked POST; the label comes from the provider's ID token and is untrusted text, so
 * whoever shows it must escape it. The label is cut to {@value #MAX_LABEL} characters and stripped of control
 * characters here.
 *
 * @param userHandle the logged-in user who asked to link
 * @param issuer the provider's issuer identifier
 * @param subject the subject the provider authenticated
 * @param label the ID token's {@code email}, {@code name} or {@code preferred_username}, for display; may be null
 * @param expiresAt when the pending link lapses
 */
public record PendingLink(
    String userHandle, String issuer, String subject, String label, Instant expiresAt) {
  /** The longest label kept. */
  public static final int MAX_LABEL = 200;

  public PendingLink {
    Objects.requireNonNull(userHandle, "userHandle");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (userHandle.isEmpty() || issuer.isEmpty() || subject.isEmpty()) {
      throw new IllegalArgumentException("user, issuer and subject must be present");
    }
    label = clean(label);
  }

  /** Whether the link may no longer be confirmed at {@code now}. */
  public boolean expired(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /** The identity as the user should recognise it: the label if any, else the subject, then the provider. */
  public String shownIdentity() {
    return (label != null ? label : subject) + " at " + issuer;
  }

  /** The session attribute value: a map of strings and a long. */
  public Map<String, Object> toAttribute() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user", userHandle);
    m.put("iss", issuer);
    m.put("sub", subject);
    if (label != null) {
      m.put("label", label);
    }
    m.put("exp", expiresAt.toEpochMilli());
    return m;
  }

  /** The pending link a session attribute holds, or empty when the value is missing or not one. */
  public static Optional<PendingLink> fromAttribute(Object value) {
    if (!(value instanceof Map<?, ?> m)
        || !(m.get("user") instanceof String user)
        || !(m.get("iss") instanceof String iss)
        || !(m.get("sub") instanceof String sub)
        || !(m.get("exp") instanceof Number exp)) {
      return Optional.empty();
    }
    Object label = m.get("label");
    try {
      return Optional.of(new PendingLink(
          user,
          iss,
          sub,
          label instanceof String s ? s : null,
          Instant.ofEpochMilli(exp.longValue())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static String clean(String label) {
    if (label == null) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    label
        .codePoints()
        .filter(c -> !Character.isISOControl(c) && Character.getType(c) != Character.FORMAT)
        .limit(MAX_LABEL)
        .forEach(b::appendCodePoint);
    String s = b.toString().strip();
    return s.isEmpty() ? null : s;
  }
}
