package dev.portcullis.login.internal;

import java.util.Locale;
import java.util.Optional;

/**
 * A web origin (RFC 6454) as the CSRF check compares them: scheme, host and port, the scheme's default port written
 * as none, the host in lower case. Made from an {@code Origin} header ({@link #parse}), from a configured trusted
 * origin ({@link #setting}), or from what the container says of the request ({@link #of}).
 *
 * <p><b>Security.</b> Only {@code http} and {@code https} origins of the exact form {@code scheme://host[:port]} are
 * read; anything else (a path, user information, a wildcard, {@code null}, another scheme) is not an origin, and a
 * request that sends one counts as cross-origin.
 *
 * @param scheme {@code http} or {@code https}
 * @param host a host name, an IPv4 address or a bracketed IPv6 address, in lower case
 * @param port the port, or -1 for the scheme's default
 */
public record WebOrigin(String scheme, String host, int port) {
  /** Longer {@code Origin} values are not read. */
  static final int MAX_LENGTH = 300;

  /**
   * The origin {@code value} names, or empty when it is not exactly {@code http[s]://host[:port]} (the {@code Origin}
   * header's {@code null} included).
   */
  public static Optional<WebOrigin> parse(String value) {
    if (value == null || value.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    int sep = value.indexOf("://");
    if (sep < 0) {
      return Optional.empty();
    }
    String scheme = value.substring(0, sep).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Optional.empty();
    }
    String authority = value.substring(sep + 3);
    String host;
    String port;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        return Optional.empty();
      }
      host = authority.substring(0, close + 1);
      String rest = authority.substring(close + 1);
      if (rest.isEmpty()) {
        port = null;
      } else if (rest.startsWith(":")) {
        port = rest.substring(1);
      } else {
        return Optional.empty();
      }
      if (!ipv6Literal(host)) {
        return Optional.empty();
      }
    } else {
      int colon = authority.lastIndexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      port = colon < 0 ? null : authority.substring(colon + 1);
      if (!hostName(host)) {
        return Optional.empty();
      }
    }
    int p = -1;
    if (port != null) {
      p = portNumber(port);
      if (p < 0) {
        return Optional.empty();
      }
    }
    return Optional.of(of(scheme, host, p));
  }

  /**
   * A configured trusted origin: {@code https://host} or {@code https://host:port}.
   *
   * @throws IllegalArgumentException when {@code value} is not an HTTPS origin of that form; the message says so
   */
  public static WebOrigin setting(String value) {
    WebOrigin origin = parse(value)
        .orElseThrow(() -> new IllegalArgumentException("the trusted origin '" + value
            + "' is not an origin: give https://host or https://host:port, with no path, no"
            + " wildcard and nothing else"));
    if (!origin.scheme().equals("https")) {
      throw new IllegalArgumentException("the trusted origin '" + value
          + "' is not an HTTPS origin: give https://host or https://host:port");
    }
    return origin;
  }

  /**
   * The origin of a server as a container names it, checked as {@link #parse} checks an {@code Origin} header: empty
   * when {@code host} is neither a host name, an IPv4 address nor an IPv6 address (bracketed or not), or {@code port}
   * is neither -1 (none) nor 1 to 65535.
   *
   * @param scheme {@code http} or {@code https}
   */
  public static Optional<WebOrigin> ofServer(String scheme, String host, int port) {
    if (port != -1 && (port < 1 || port > 65535)) {
      return Optional.empty();
    }
    String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    boolean valid = h.startsWith("[") ? h.endsWith("]") && ipv6Literal(h) : hostName(h);
    return valid ? Optional.of(of(scheme, h, port)) : Optional.empty();
  }

  /**
   * The origin of {@code scheme}, {@code host} and {@code port} as a container reports them: the host in lower case,
   * an IPv6 address bracketed, the scheme's default port (or a port below 1) as none.
   */
  public static WebOrigin of(String scheme, String host, int port) {
    String s = scheme.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
      h = "[" + h + "]";
    }
    return new WebOrigin(s, h, port < 1 || port == defaultPort(s) ? -1 : port);
  }

  /** 443 for {@code https}, 80 for {@code http}, -1 otherwise. */
  public static int defaultPort(String scheme) {
    return switch (scheme.toLowerCase(Locale.ROOT)) {
      case "https" -> 443;
      case "http" -> 80;
      default -> -1;
    };
  }

  /** The origin as a browser writes it: {@code scheme://host[:port]}. */
  @Override
  public String toString() {
    return scheme + "://" + host + (port < 0 ? "" : ":" + port);
  }

  private static boolean hostName(String host) {
    if (host.isEmpty() || host.length() > 253) {
      return false;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean ipv6Literal(String bracketed) {
    if (bracketed.length() < 4) {
      return false;
    }
    for (int i = 1; i < bracketed.length() - 1; i++) {
      char c = bracketed.charAt(i);
      boolean ok = (c >= '0' && c <= '9')
          || (c >= 'a' && c <= 'f')
          || (c >= 'A' && c <= 'F')
          || c == ':'
          || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The port {@code digits} name, 1 to 65535; -1 otherwise. */
  private static int portNumber(String digits) {
    if (digits.isEmpty() || digits.length() > 5) {
      return -1;
    }
    int p = 0;
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      p = p * 10 + (c - '0');
    }
    return p >= 1 && p <= 65535 ? p : -1;
  }
}
