package dev.portcullis.audit;

import dev.portcullis.access.RequestPath;
import dev.portcullis.access.internal.PathNormaliser;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which requests the filter records after the application has answered: audited actions (a path pattern such as
 * {@code /reports/{id}} names an action such as {@code report_view} and where the resource id sits) and search
 * endpoints (a path and the query parameter that holds the search), which go to the anonymous search-demand log only.
 *
 * <p>Patterns are matched against the normalised path ({@link PathNormaliser}) without its trailing slash
 * ({@code /reports/7/} is audited as {@code /reports/7}, as many back ends serve both alike): literal segments, one
 * {@code {name}} placeholder per segment at most, and a trailing {@code /**}. No pattern ends in a slash.
 *
 * <p><b>Methods.</b> What the filter records depends on the request's method as well as its path
 * ({@link #action(String, RequestPath)}, {@link #search(String, RequestPath)}; method names in any letter case):
 *
 * <ul>
 *   <li>An action is any request to its path except {@code OPTIONS} and {@code TRACE}. Those two ask about the
 *       communication options and the path, not the resource (RFC 9110, sections 9.3.7 and 9.3.8), and
 *       {@code HttpServlet} answers them without running the page, so its access check never runs and a {@code 200}
 *       would record a view that never happened. {@code HEAD} is recorded like {@code GET}: it is the same request
 *       without the body, and {@code HttpServlet} answers it by running {@code doGet}, access check included, so
 *       the outcome is the page's own; recording the attempt is the safer audit. Any other method ({@code POST},
 *       {@code DELETE}, an unknown one) is recorded too, with whatever outcome the application gave it (a page
 *       without the method answers {@code 405}, a failure).
 *   <li>A search is counted for {@code GET} and {@code POST} only, the methods that carry a person's search. A
 *       {@code HEAD} runs the search but shows nobody its results (link checkers and monitors send them), so
 *       counting it would distort the demand figures.
 * </ul>
 *
 * <p>The one-argument {@link #action(String)} and {@link #search(String)} match the path alone, whatever the method.
 */
public final class AuditRules {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{[a-z][a-zA-Z0-9]*}");

  /** An audited action that matched a request. */
  public record Match(String action, String resource) {}

  /** A pattern's segments, with {@code null} where the pattern has its placeholder. */
  private record Action(String[] segments, boolean tail, String action) {}

  private record Search(String path, String parameter, String endpoint) {}

  private final List<Action> actions;
  private final List<Search> searches;

  private AuditRules(List<Action> actions, List<Search> searches) {
    this.actions = List.copyOf(actions);
    this.searches = List.copyOf(searches);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** No audited actions, no search endpoints. */
  public static AuditRules none() {
    return builder().build();
  }

  /**
   * Whether any action is audited. A request whose path can't be read ({@link RequestPath#of} refuses it) matches no
   * rule, yet may be one of these actions to a container that reads the path its own way: a caller that must not let
   * an action go unaudited refuses such a request while this is true.
   */
  public boolean auditsActions() {
    return !actions.isEmpty();
  }

  /**
   * The action a request is audited as, with the resource: as {@link #action(RequestPath)}, and none for
   * {@code OPTIONS} and {@code TRACE}, which never act on the resource (see "Methods" above).
   */
  public Optional<Match> action(String method, RequestPath requestPath) {
    return isAction(method) ? action(requestPath) : Optional.empty();
  }

  /**
   * The search endpoint a request is counted for, and its query parameter: as {@link #search(RequestPath)}, for
   * {@code GET} and {@code POST} only (see "Methods" above).
   */
  public Optional<String[]> search(String method, RequestPath requestPath) {
    return isSearch(method) ? search(requestPath) : Optional.empty();
  }

  private static boolean isAction(String method) {
    Objects.requireNonNull(method, "method");
    return !method.equalsIgnoreCase("OPTIONS") && !method.equalsIgnoreCase("TRACE");
  }

  private static boolean isSearch(String method) {
    Objects.requireNonNull(method, "method");
    return method.equalsIgnoreCase("GET") || method.equalsIgnoreCase("POST");
  }

  /**
   * The action a request path is audited as, with the resource (the placeholder's value, or the path, in the letter
   * case sent), whatever the method; {@link #action(String, RequestPath)} is what the filter records.
   */
  public Optional<Match> action(String rawPath) {
    if (actions.isEmpty()) {
      return Optional.empty();
    }
    Optional<RequestPath> path = RequestPath.of(rawPath);
    return path.isEmpty() ? Optional.empty() : action(path.get());
  }

  /** As {@link #action(String)}, for a path already read ({@link RequestPath#of}). */
  public Optional<Match> action(RequestPath requestPath) {
    if (actions.isEmpty()) {
      return Optional.empty();
    }
    // Segment by segment in place: every request asks, and most match no rule.
    String path = PathNormaliser.withoutTrailingSlash(requestPath.value());
    int parts = 0;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        parts++;
      }
    }
    for (Action a : actions) {
      String[] segments = a.segments();
      if (parts < segments.length || (!a.tail() && parts != segments.length)) {
        continue;
      }
      int start = 1;
      int resourceStart = -1;
      int resourceEnd = -1;
      boolean ok = true;
      for (int i = 0; i < segments.length && ok; i++) {
        int end = path.indexOf('/', start);
        if (end < 0) {
          end = path.length();
        }
        String s = segments[i];
        if (s == null) {
          ok = end > start;
          resourceStart = start;
          resourceEnd = end;
        } else {
          ok = end - start == s.length() && path.regionMatches(start, s, 0, s.length());
        }
        start = end + 1;
      }
      if (ok) {
        // The id as sent: rules match the lower-cased path, but ids may be case-sensitive.
        String sent = PathNormaliser.withoutTrailingSlash(requestPath.decoded());
        String resource = resourceStart < 0 ? sent : sent.substring(resourceStart, resourceEnd);
        return Optional.of(new Match(a.action(), resource));
      }
    }
    return Optional.empty();
  }

  /**
   * The search endpoint a path is, and the query parameter that holds the search, whatever the method;
   * {@link #search(String, RequestPath)} is what the filter counts.
   */
  public Optional<String[]> search(String rawPath) {
    if (searches.isEmpty()) {
      return Optional.empty();
    }
    Optional<RequestPath> path = RequestPath.of(rawPath);
    return path.isEmpty() ? Optional.empty() : search(path.get());
  }

  /** As {@link #search(String)}, for a path already read ({@link RequestPath#of}). */
  public Optional<String[]> search(RequestPath requestPath) {
    if (searches.isEmpty()) {
      return Optional.empty();
    }
    String path = PathNormaliser.withoutTrailingSlash(requestPath.value());
    for (Search s : searches) {
      if (s.path().equals(path)) {
        return Optional.of(new String[] {s.endpoint(), s.parameter()});
      }
    }
    return Optional.empty();
  }

  public static final class Builder {
    private final List<Action> actions = new ArrayList<>();
    private final List<Search> searches = new ArrayList<>();

    private Builder() {}

    /**
     * Records requests to {@code pattern} (e.g. {@code /reports/{id}}) as {@code action} (e.g. {@code report_view},
     * an {@link AuditEventType} name) with the placeholder's value as the resource: every method but {@code OPTIONS}
     * and {@code TRACE}, {@code HEAD} included (see "Methods" above).
     */
    public Builder action(String pattern, String action) {
      AuditEventType.of(action); // validates the name
      Objects.requireNonNull(pattern, "pattern");
      boolean tail = pattern.endsWith("/**");
      String body = tail ? pattern.substring(0, pattern.length() - 3) : pattern;
      if (!body.startsWith("/") || body.length() < 2) {
        throw new IllegalArgumentException("an audited path pattern starts with '/': " + pattern);
      }
      if (body.endsWith("/")) {
        throw new IllegalArgumentException("audited path pattern '" + pattern
            + "' must not end in a slash: a pattern for a path also matches it with one");
      }
      String[] segments = body.substring(1).split("/", -1);
      for (int i = 0; i < segments.length; i++) {
        String s = segments[i];
        boolean placeholder = PLACEHOLDER.matcher(s).matches();
        if (!placeholder
            && PathNormaliser.normalise("/" + s).filter(n -> n.equals("/" + s)).isEmpty()) {
          throw new IllegalArgumentException("audited path pattern '" + pattern
              + "' must use lower-case literal segments and {name} placeholders");
        }
        if (placeholder) {
          segments[i] = null;
        }
      }
      actions.add(new Action(segments, tail, action));
      return this;
    }

    /**
     * {@code GET} and {@code POST} requests to {@code path} with query parameter {@code parameter} go to the
     * search-demand log (see "Methods" above).
     */
    public Builder searchEndpoint(String path, String parameter) {
      if (PathNormaliser.normalise(path).filter(n -> n.equals(path)).isEmpty()) {
        throw new IllegalArgumentException(
            "a search endpoint is a lower-case normalised path: " + path);
      }
      if (path.length() > 1 && path.endsWith("/")) {
        throw new IllegalArgumentException("search endpoint '" + path
            + "' must not end in a slash: the endpoint also matches its path with one");
      }
      if (parameter == null || parameter.isBlank()) {
        throw new IllegalArgumentException("a search endpoint needs its query parameter name");
      }
      searches.add(new Search(path, parameter, path));
      return this;
    }

    public AuditRules build() {
      return new AuditRules(actions, searches);
    }
  }
}
