package dev.portcullis.access;

import dev.portcullis.access.internal.PathNormaliser;
import java.util.Locale;
import java.util.Optional;

/**
 * A request path in the one form that access rules ({@link AccessPolicy}) and audit rules
 * ({@link dev.portcullis.audit.AuditRules}) match: decoded once, lower case, a trailing slash kept. Made only by
 * {@link #of}, which refuses any path that servers could read two ways (path parameters, encoded slashes, double
 * encoding, dot segments, control and non-ASCII characters, more than 2,048 characters), so that a request's checks
 * read its path once and agree on it.
 */
public final class RequestPath {
  private final String value;
  private final String decoded;

  private RequestPath(String decoded) {
    this.value = decoded.toLowerCase(Locale.ROOT);
    this.decoded = decoded;
  }

  /**
   * The path as rules match it; empty when {@code rawPath} is refused (an access policy answers such a request with
   * {@link AccessDecision#BAD_PATH}).
   *
   * @param rawPath the request path as sent (still percent-encoded), without context path or query; may be null
   */
  public static Optional<RequestPath> of(String rawPath) {
    Optional<String> read = PathNormaliser.decoded(rawPath);
    return read.isEmpty() ? Optional.empty() : Optional.of(new RequestPath(read.get()));
  }

  /** The normalised path, e.g. {@code /reports/42}. */
  public String value() {
    return value;
  }

  /**
   * The path decoded as {@link #value()} is, in the letter case it was sent: where an audit record takes a resource id
   * from ({@code /reports/Q3} is a view of {@code Q3}, not {@code q3}). The same length as {@link #value()}. Rules never
   * match it.
   */
  public String decoded() {
    return decoded;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RequestPath other && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return value;
  }
}
