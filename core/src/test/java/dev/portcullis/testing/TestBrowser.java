package dev.portcullis.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser without rendering, over {@link HttpClient}, for tests that drive a portal over HTTP.
 *
 * <ul>
 *   <li>Cookies are kept by hand in one jar keyed by name, in the order they were first set, and sent on every
 *       request. There is no domain, path or {@code Secure} matching: a test talks to one portal. A
 *       {@code Set-Cookie} with an empty value or a {@code Max-Age} of zero or less removes the cookie.
 *   <li>Redirects are never followed, so a test sees every 3xx and its {@code Location}.
 *   <li>Every {@code Set-Cookie} header ever received is recorded as it came, for attribute checks, including those
 *       of a browser that blocks cookies.
 *   <li>{@link #blockCookies(boolean) Blocking cookies} makes it send none and keep none, as a browser set to refuse
 *       them.
 * </ul>
 *
 * <p>Portal-specific steps (logging in, logging out with the page's CSRF token) belong to a subclass or helper in the
 * module that knows the portal's pages; {@link #csrfToken(Pattern, String)} reads a token with that page's pattern.
 * Not thread-safe.
 */
public class TestBrowser {
  /** How long one request may take before the test fails. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final String base;
  private final HttpClient client;
  private final Map<String, String> jar;
  private final List<String> setCookieHeaders;
  private boolean cookiesBlocked;

  /** A browser on {@code base} (scheme, host and port, such as {@code http://127.0.0.1:8080}). */
  public TestBrowser(String base) {
    this(
        base,
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(CONNECT_TIMEOUT)
            .build());
  }

  /**
   * A browser on {@code base} that sends through {@code client}, for TLS settings or an HTTP version of the test's
   * choosing.
   *
   * @throws IllegalArgumentException if the client follows redirects
   */
  public TestBrowser(String base, HttpClient client) {
    this(base, client, new LinkedHashMap<>(), new ArrayList<>(), false);
    if (client.followRedirects() != HttpClient.Redirect.NEVER) {
      throw new IllegalArgumentException(
          "a test browser must see every redirect: use HttpClient.Redirect.NEVER");
    }
  }

  private TestBrowser(
      String base,
      HttpClient client,
      Map<String, String> jar,
      List<String> setCookieHeaders,
      boolean cookiesBlocked) {
    this.base = Objects.requireNonNull(base, "base");
    this.client = Objects.requireNonNull(client, "client");
    this.jar = jar;
    this.setCookieHeaders = setCookieHeaders;
    this.cookiesBlocked = cookiesBlocked;
  }

  /**
   * This browser addressing another server: the returned one shares this one's cookie jar and {@code Set-Cookie}
   * record (as a real browser shares cookies between two ports of one host) and starts with its blocking setting.
   */
  public TestBrowser on(String otherBase) {
    return new TestBrowser(otherBase, client, jar, setCookieHeaders, cookiesBlocked);
  }

  /** The cookie jar, name to value; live and modifiable, so a test can plant, tamper with or drop a cookie. */
  public final Map<String, String> cookies() {
    return jar;
  }

  /** Every {@code Set-Cookie} header received so far, oldest first; a read-only live view. */
  public final List<String> setCookieHeaders() {
    return Collections.unmodifiableList(setCookieHeaders);
  }

  /** The {@code Cookie} header the next request sends; empty when it sends none. */
  public final String cookieHeader() {
    if (cookiesBlocked) {
      return "";
    }
    return header(UnaryOperator.identity());
  }

  /**
   * A {@code Cookie} header of the jar's cookies, under their names, with every letter of each value in the other
   * case: values that open nothing, and that differ from {@link #cookieHeader()} in letter case only, for tests of a
   * server that must not take the one for the other. Made whether or not cookies are blocked.
   */
  public final String caseSwappedCookieHeader() {
    return header(TestBrowser::swapCase);
  }

  private String header(UnaryOperator<String> value) {
    StringBuilder header = new StringBuilder();
    jar.forEach((name, v) -> header
        .append(header.length() == 0 ? "" : "; ")
        .append(name)
        .append('=')
        .append(value.apply(v)));
    return header.toString();
  }

  private static String swapCase(String text) {
    StringBuilder swapped = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      swapped.append(
          Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
    }
    return swapped.toString();
  }

  /** While blocked, no cookie is sent and none is kept; {@code Set-Cookie} headers are still recorded. */
  public final void blockCookies(boolean blocked) {
    this.cookiesBlocked = blocked;
  }

  /** The client requests go through, for a request that must bypass the jar. */
  public final HttpClient client() {
    return client;
  }

  /** {@code path} (with any query) on this browser's server. */
  public final URI uri(String path) {
    return URI.create(base + path);
  }

  public final HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  /** POSTs {@code fields} as an HTML form would ({@code application/x-www-form-urlencoded}, UTF-8). */
  public final HttpResponse<String> post(String path, Map<String, String> fields)
      throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(fields))));
  }

  /**
   * Sends any request through the jar: adds the {@code Cookie} header and the {@linkplain #REQUEST_TIMEOUT timeout},
   * then records and keeps the response's cookies. The body is read as a string.
   */
  public HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    String cookie = cookieHeader();
    if (!cookie.isEmpty()) {
      request.header("Cookie", cookie);
    }
    HttpResponse<String> response =
        client.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    for (String header : response.headers().allValues("Set-Cookie")) {
      setCookieHeaders.add(header);
      if (!cookiesBlocked) {
        keep(header);
      }
    }
    return response;
  }

  /** {@code fields} encoded as an HTML form body, in the map's order. */
  public static String form(Map<String, String> fields) {
    StringBuilder body = new StringBuilder();
    fields.forEach((name, value) -> body.append(body.length() == 0 ? "" : "&")
        .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
        .append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return body.toString();
  }

  /** The first capture group of the first match of {@code tokenPattern} in {@code page}, if any. */
  public static Optional<String> csrfToken(Pattern tokenPattern, String page) {
    Matcher m = tokenPattern.matcher(page);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  // Parsed by hand rather than with java.net.HttpCookie.parse, which follows RFC 2965 (splits a
  // header on commas when it sees Max-Age, strips quotes), while the jar must keep exactly the
  // value the server sent.
  private void keep(String header) {
    String[] parts = header.split(";");
    int eq = parts[0].indexOf('=');
    if (eq <= 0) {
      throw new IllegalStateException("malformed Set-Cookie header: " + header);
    }
    String name = parts[0].substring(0, eq).trim();
    String value = parts[0].substring(eq + 1).trim();
    boolean expired = value.isEmpty();
    for (int i = 1; i < parts.length; i++) {
      String attribute = parts[i].trim();
      if (attribute.toLowerCase(Locale.ROOT).startsWith("max-age=")) {
        try {
          expired |= Long.parseLong(attribute.substring("max-age=".length()).trim()) <= 0;
        } catch (NumberFormatException e) {
          // A Max-Age that is not a number is ignored, as RFC 6265 says.
        }
      }
    }
    if (expired) {
      jar.remove(name);
    } else {
      jar.put(name, value);
    }
  }
}
