package dev.portcullis.access;

import dev.portcullis.access.internal.PathNormaliser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Path rules, checked in the order declared; the first rule whose pattern matches decides. A pattern is exact
 * ({@code /account}), a prefix ending in {@code /*} (one more segment) or {@code /**} (the path itself and anything
 * below it). Paths that no rule matches need a logged-in user: the policy fails closed.
 *
 * <p>Rules match a {@link RequestPath} (see {@link PathNormaliser}), so patterns are lower case. A trailing slash never
 * widens access: a path ending in one is allowed only when the same path without it is allowed too, as many back ends
 * (JAX-RS, Javalin) serve {@code /admin/} as {@code /admin}; for the same reason no pattern but {@code /} ends in a
 * slash.
 */
public final class AccessPolicy {
  private final List<Rule> rules;

  private record Rule(String pattern, Kind kind, Set<String> anyOfRoles, Match match, String base) {
    Rule(String pattern, Kind kind, Set<String> anyOfRoles) {
      this(
          pattern,
          kind,
          anyOfRoles,
          pattern.endsWith("/**")
              ? Match.SUBTREE
              : pattern.endsWith("/*") ? Match.ONE_MORE : Match.EXACT,
          pattern.endsWith("/**")
              ? pattern.substring(0, pattern.length() - 3)
              : pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 1) : pattern);
    }

    /** Whether every path this rule matches is matched by {@code earlier} too. */
    boolean coveredBy(Rule earlier) {
      return switch (match) {
        case EXACT -> earlier.matches(base);
        // "/a/*" matches "/a/" and "/a/x": covered by the same pattern or by a subtree above "/a/"
        case ONE_MORE ->
          earlier.match == Match.ONE_MORE
              ? earlier.base.equals(base)
              : earlier.match == Match.SUBTREE && base.startsWith(earlier.base + "/");
        case SUBTREE ->
          earlier.match == Match.SUBTREE
              && (base.equals(earlier.base) || base.startsWith(earlier.base + "/"));
      };
    }

    /**
     * Whether this rule lets in someone that {@code later}, matching the same paths, would keep out: a public rule
     * before a rule that needs a login, a rule for any logged-in user before one that needs roles, or roles that the
     * later rule does not name.
     */
    boolean morePermissiveThan(Rule later) {
      return switch (kind) {
        case PUBLIC -> later.kind != Kind.PUBLIC;
        case AUTHENTICATED -> later.kind == Kind.ROLES;
        case ROLES -> later.kind == Kind.ROLES && !later.anyOfRoles.containsAll(anyOfRoles);
      };
    }

    /** The builder method that declares a rule of this kind, for messages. */
    String declaredBy() {
      return switch (kind) {
        case PUBLIC -> "permitAll";
        case AUTHENTICATED -> "authenticated";
        case ROLES -> "requireAnyRole";
      };
    }

    boolean matches(String path) {
      return switch (match) {
        // "/a/**": "/a" itself and anything below "/a/"; "/**": every path
        case SUBTREE ->
          path.startsWith(base)
              && (path.length() == base.length() || path.charAt(base.length()) == '/');
        // "/a/*": "/a/" plus one segment without a further slash
        case ONE_MORE -> path.startsWith(base) && path.indexOf('/', base.length()) < 0;
        case EXACT -> path.equals(base);
      };
    }
  }

  private enum Match {
    EXACT,
    ONE_MORE,
    SUBTREE
  }

  private enum Kind {
    PUBLIC,
    AUTHENTICATED,
    ROLES
  }

  private AccessPolicy(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param rawPath the request path as sent, without context path or query
   * @param roles the user's roles, or empty when the request is anonymous
   */
  public AccessDecision decide(String rawPath, Optional<Set<String>> roles) {
    Optional<RequestPath> path = RequestPath.of(rawPath);
    return path.isEmpty() ? AccessDecision.BAD_PATH : decide(path.get(), roles);
  }

  /**
   * As {@link #decide(String, Optional)}, for a path already read ({@link RequestPath#of}).
   *
   * @param roles the user's roles, or empty when the request is anonymous
   */
  public AccessDecision decide(RequestPath requestPath, Optional<Set<String>> roles) {
    String path = requestPath.value();
    AccessDecision decision = decideNormalised(path, roles);
    String bare = PathNormaliser.withoutTrailingSlash(path);
    // "/admin/" must not get past a rule for "/admin" on a back end that serves both alike.
    return decision == AccessDecision.ALLOW && bare.length() < path.length()
        ? decideNormalised(bare, roles)
        : decision;
  }

  private AccessDecision decideNormalised(String path, Optional<Set<String>> roles) {
    Rule rule = null;
    for (Rule r : rules) {
      if (r.matches(path)) {
        rule = r;
        break;
      }
    }
    if (rule != null && rule.kind() == Kind.PUBLIC) {
      return AccessDecision.ALLOW;
    }
    if (roles.isEmpty()) {
      return AccessDecision.LOGIN_REQUIRED;
    }
    if (rule == null || rule.kind() == Kind.AUTHENTICATED) {
      return AccessDecision.ALLOW;
    }
    for (String role : rule.anyOfRoles()) {
      if (roles.get().contains(role)) {
        return AccessDecision.ALLOW;
      }
    }
    return AccessDecision.FORBIDDEN;
  }

  /** Whether {@code rawPath} is public under this policy (used to let the login and terms pages through). */
  public boolean isPublic(String rawPath) {
    return decide(rawPath, Optional.empty()) == AccessDecision.ALLOW;
  }

  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();

    private Builder() {}

    /** Anyone may reach these paths. */
    public Builder permitAll(String... patterns) {
      for (String p : patterns) {
        rules.add(new Rule(check(p), Kind.PUBLIC, Set.of()));
      }
      return this;
    }

    /** Any logged-in user may reach these paths. */
    public Builder authenticated(String... patterns) {
      for (String p : patterns) {
        rules.add(new Rule(check(p), Kind.AUTHENTICATED, Set.of()));
      }
      return this;
    }

    /**
     * Logged-in users with at least one of {@code anyOfRoles} may reach {@code pattern}.
     *
     * @throws IllegalArgumentException if no role is given, or a role is null, empty or only white space
     */
    public Builder requireAnyRole(String pattern, String... anyOfRoles) {
      if (anyOfRoles.length == 0) {
        throw new IllegalArgumentException("requireAnyRole needs at least one role for " + pattern);
      }
      for (String role : anyOfRoles) {
        if (role == null || role.isBlank()) {
          // A blank role names nobody the application meant: an empty settings value or a list
          // with a trailing comma. Refused rather than matched, so it can never let anyone in.
          throw new IllegalArgumentException("requireAnyRole for " + pattern
              + " names an empty role: give role names such as ADMIN, without empty entries");
        }
      }
      rules.add(new Rule(check(pattern), Kind.ROLES, Set.of(anyOfRoles)));
      return this;
    }

    private static String check(String pattern) {
      Objects.requireNonNull(pattern, "pattern");
      String base = pattern.endsWith("/**")
          ? pattern.substring(0, pattern.length() - 3)
          : pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : pattern;
      if (!pattern.equals("/**")
          && (base.isEmpty()
              || base.contains("*")
              || PathNormaliser.normalise(base).filter(n -> n.equals(base)).isEmpty())) {
        throw new IllegalArgumentException("access pattern '" + pattern
            + "' must be a lower-case normalised path," + " optionally ending in /* or /**");
      }
      if (!pattern.equals("/") && pattern.endsWith("/")) {
        // A rule for "/docs/" would not hold for "/docs", which many back ends serve alike.
        throw new IllegalArgumentException("access pattern '" + pattern
            + "' must not end in a slash: a rule for a path also holds for it with one");
      }
      return pattern.toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException if a rule is never reached because an earlier rule matches every path it
     *     matches and lets in more users (a public subtree above a role rule, say): the later rule would be silently
     *     ignored and its paths more open than it says. An earlier rule that is stricter than a later one it covers is
     *     accepted, as it fails closed.
     */
    public AccessPolicy build() {
      for (int later = 1; later < rules.size(); later++) {
        Rule shadowed = rules.get(later);
        for (Rule earlier : rules.subList(0, later)) {
          if (shadowed.coveredBy(earlier) && earlier.morePermissiveThan(shadowed)) {
            throw new IllegalArgumentException("access pattern '" + shadowed.pattern() + "' of "
                + shadowed.declaredBy() + "(...) is never reached: the earlier "
                + earlier.declaredBy()
                + "(...) pattern '" + earlier.pattern()
                + "' matches every path it matches and lets in more"
                + " users, so the first rule would decide; narrow the earlier pattern or declare the narrower rule"
                + " first");
          }
        }
      }
      return new AccessPolicy(rules);
    }
  }
}
