package dev.portcullis.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The request that opened a connection (a WebSocket upgrade), as a {@link ConnectionAccess} rule may read it again at
 * each re-check: what the container answered for it then, so that a rule which reads more than the path (a header, a
 * query parameter, the client's address, the scheme) judges the same request, not a stripped copy of it. The
 * {@code Cookie}, {@code Authorization} and {@code Proxy-Authorization} headers are not kept: they hold credentials,
 * and the connection's login is what the re-check itself checks.
 */
public final class ConnectionRequest {
  /** Headers not kept, lower case. */
  private static final Set<String> WITHHELD =
      Set.of("cookie", "authorization", "proxy-authorization");

  private final String contextPath;
  private final String pathInContext;
  private final String queryString;
  private final Map<String, List<String>> headers;
  private final String remoteAddr;
  private final String scheme;
  private final boolean secure;
  private final String serverName;
  private final int serverPort;

  /**
   * @param contextPath the application's context path ({@code ""} for the root)
   * @param pathInContext the path after the context path, as the request sent it (still encoded)
   * @param queryString the query as sent, or null for none
   * @param headers the request's headers by name (looked up without regard to case); {@code Cookie},
   *     {@code Authorization} and {@code Proxy-Authorization} are left out
   * @param remoteAddr the client's address as the container gave it
   * @param scheme {@code https} or {@code http}, as the container gave it
   * @param secure whether the container took the request as secure
   * @param serverName the host the request named
   * @param serverPort the port the request named
   */
  public ConnectionRequest(
      String contextPath,
      String pathInContext,
      String queryString,
      Map<String, List<String>> headers,
      String remoteAddr,
      String scheme,
      boolean secure,
      String serverName,
      int serverPort) {
    this.contextPath = Objects.requireNonNull(contextPath, "contextPath");
    this.pathInContext = Objects.requireNonNull(pathInContext, "pathInContext");
    this.queryString = queryString;
    TreeMap<String, List<String>> kept = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> {
      if (!WITHHELD.contains(name.toLowerCase(Locale.ROOT))) {
        kept.merge(name, List.copyOf(values), (a, b) -> {
          List<String> both = new ArrayList<>(a);
          both.addAll(b);
          return List.copyOf(both);
        });
      }
    });
    this.headers = Collections.unmodifiableMap(kept);
    this.remoteAddr = Objects.requireNonNull(remoteAddr, "remoteAddr");
    this.scheme = Objects.requireNonNull(scheme, "scheme");
    this.secure = secure;
    this.serverName = Objects.requireNonNull(serverName, "serverName");
    this.serverPort = serverPort;
  }

  /** What {@code request} answered, with {@code pathInContext} as the filter read it. */
  static ConnectionRequest of(HttpServletRequest request, String pathInContext) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    Enumeration<String> names = request.getHeaderNames();
    while (names != null && names.hasMoreElements()) {
      String name = names.nextElement();
      Enumeration<String> values = request.getHeaders(name);
      if (values != null && !WITHHELD.contains(name.toLowerCase(Locale.ROOT))) {
        headers.put(name, Collections.list(values));
      }
    }
    return new ConnectionRequest(
        request.getContextPath(),
        pathInContext,
        request.getQueryString(),
        headers,
        String.valueOf(request.getRemoteAddr()),
        String.valueOf(request.getScheme()),
        request.isSecure(),
        String.valueOf(request.getServerName()),
        request.getServerPort());
  }

  /** The application's context path, as the opening request had it ({@code ""} for the root). */
  public String contextPath() {
    return contextPath;
  }

  /** The path after the context path, as the opening request sent it (still encoded). */
  public String pathInContext() {
    return pathInContext;
  }

  /** The query as the opening request sent it, or null when it had none. */
  public String queryString() {
    return queryString;
  }

  /** The names of the headers kept, in no particular case. */
  public Set<String> headerNames() {
    return headers.keySet();
  }

  /** The values of a header, found without regard to case; empty when it was not sent or is not kept. */
  public List<String> headers(String name) {
    return headers.getOrDefault(name, List.of());
  }

  /** The first value of a header, or null; as {@link HttpServletRequest#getHeader}. */
  public String header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? null : values.get(0);
  }

  /** The client's address, as the container gave it. */
  public String remoteAddr() {
    return remoteAddr;
  }

  /** The request's scheme, as the container gave it. */
  public String scheme() {
    return scheme;
  }

  /** Whether the container took the request as secure. */
  public boolean isSecure() {
    return secure;
  }

  /** The host the request named. */
  public String serverName() {
    return serverName;
  }

  /** The port the request named. */
  public int serverPort() {
    return serverPort;
  }
}
