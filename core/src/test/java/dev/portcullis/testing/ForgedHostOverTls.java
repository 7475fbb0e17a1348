package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Requests over TLS whose SNI name and {@code Host} header disagree (the portal's name against {@link #HOSTILE} and
 * the reverse, the hostile name in both, a {@code Host} with another port, none at all), for the tests that check that
 * nothing a server answers takes a browser to a host or port the client chose, or scopes a cookie to one. Each request
 * goes over a connection of its own ({@link RawHttp#sendTls(SSLContext, int, String, String)}).
 *
 * <p>A server may refuse such a request itself (Jetty's SNI host check answers {@code 400}); that is no problem, as
 * long as the refusal names neither host.
 */
public final class ForgedHostOverTls {
  /** The name a client chooses, in the SNI extension or the {@code Host} header. */
  public static final String HOSTILE = "evil.example";

  /** The portal's own name in these tests, the one its certificate carries ({@code TestTls.make(dir, CANONICAL)}). */
  public static final String CANONICAL = "portal.example";

  private ForgedHostOverTls() {}

  /**
   * How one request names its host.
   *
   * @param sni the SNI name, or null for none
   * @param host the {@code Host} header's value, or null for a request without one (sent as HTTP/1.0, where that is
   *     allowed)
   */
  public record Naming(String sni, String host) {
    @Override
    public String toString() {
      return "SNI " + sni + ", Host " + host;
    }
  }

  /** The namings tried against a portal called {@code canonicalHost} on {@code port}. */
  public static List<Naming> namings(String canonicalHost, int port) {
    return List.of(
        new Naming(canonicalHost, HOSTILE),
        new Naming(HOSTILE, canonicalHost),
        new Naming(HOSTILE, HOSTILE),
        new Naming(canonicalHost, canonicalHost + ":" + otherPort(port)),
        new Naming(HOSTILE, HOSTILE + ":" + otherPort(port)),
        new Naming(canonicalHost, null),
        new Naming(null, HOSTILE));
  }

  /** A port that is not {@code port}: what a forged {@code Host} names instead. */
  public static int otherPort(int port) {
    return port == 65535 ? 1 : port + 1;
  }

  /**
   * The request head {@code method target} for {@code naming}: HTTP/1.1 with its {@code Host}, or HTTP/1.0 without
   * one; then {@code headers} (each "Name: value") and {@code Connection: close}. A body, when given, is sent as an
   * HTML form's with its {@code Content-Length}.
   */
  public static String request(
      Naming naming, String method, String target, String body, String... headers) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target);
    if (naming.host() == null) {
      head.append(" HTTP/1.0\r\n");
    } else {
      head.append(" HTTP/1.1\r\nHost: ").append(naming.host()).append("\r\n");
    }
    for (String header : headers) {
      head.append(header).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Type: application/x-www-form-urlencoded\r\n")
          .append("Content-Length: ")
          .append(body.getBytes(StandardCharsets.ISO_8859_1).length)
          .append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    return body == null ? head.toString() : head + body;
  }

  /**
   * What in {@code response} reflects a name or port the client chose, or would weaken a cookie: the hostile name or
   * the other port anywhere, an absolute {@code Location} (over TLS nothing redirects to another origin), a cookie with
   * a {@code Domain} or without {@code Secure}, a server error. Empty when nothing.
   */
  public static List<String> problems(Naming naming, int port, RawHttp.Response response) {
    List<String> problems = new ArrayList<>();
    String text = response.toString();
    if (text.toLowerCase(Locale.ROOT).contains(HOSTILE)) {
      problems.add("names " + HOSTILE);
    }
    if (text.contains(":" + otherPort(port))) {
      problems.add("names the port " + otherPort(port));
    }
    String location = response.header("Location");
    if (location != null && (location.contains("://") || location.startsWith("//"))) {
      problems.add("an absolute Location: " + location);
    }
    for (String cookie : response.headers("Set-Cookie")) {
      String lower = cookie.toLowerCase(Locale.ROOT);
      if (lower.contains("domain=")) {
        problems.add("a cookie with a Domain: " + cookie);
      }
      if (!lower.contains("; secure")) {
        problems.add("a cookie without Secure: " + cookie);
      }
    }
    if (response.status() >= 500 || response.status() < 0) {
      problems.add("status " + response.status());
    }
    return problems;
  }

  /** What each probe answered, and what was wrong with it. */
  public static final class Outcome {
    private final Map<String, Integer> statuses = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    /** The status of each probe, by "naming: request". */
    public Map<String, Integer> statuses() {
      return statuses;
    }

    /** Each problem found, with the probe and the whole response. */
    public List<String> problems() {
      return problems;
    }

    /**
     * Fails the test on any problem, after printing what each probe answered on {@code server} (for the reader of the
     * build log: which requests the server refused itself).
     */
    public Outcome assertNothingReflected(String server) {
      System.out.println(server + ": " + statuses);
      assertThat(problems).as(server).isEmpty();
      return this;
    }

    /** The statuses of the probes with the portal's name as SNI and {@link #HOSTILE} as {@code Host}, by request. */
    public Map<String, Integer> forgedHost() {
      return of(new Naming(CANONICAL, HOSTILE));
    }

    /** The statuses of the probes with {@link #HOSTILE} as SNI and the portal's name as {@code Host}, by request. */
    public Map<String, Integer> forgedSni() {
      return of(new Naming(HOSTILE, CANONICAL));
    }

    private Map<String, Integer> of(Naming naming) {
      String prefix = naming + ": ";
      Map<String, Integer> of = new LinkedHashMap<>();
      statuses.forEach((probe, status) -> {
        if (probe.startsWith(prefix)) {
          of.put(probe.substring(prefix.length()), status);
        }
      });
      return of;
    }

    private void record(String probe, Naming naming, int port, RawHttp.Response response) {
      statuses.put(probe, response.status());
      for (String problem : ForgedHostOverTls.problems(naming, port, response)) {
        problems.add(probe + ": " + problem + "\n" + response);
      }
    }
  }

  /**
   * For each naming, sends {@code GET} of each of {@code targets}, then a login: {@code GET loginPage}, and a
   * {@code POST} of the login form to {@code loginPath} with the page's cookies and its token (the first group of
   * {@code token}) as {@code _csrf} beside {@code fields}, and {@code GET} of each of {@code loggedInTargets} with the
   * cookies of that login, all with the same naming.
   */
  public static Outcome probe(
      SSLContext tls,
      int port,
      String canonicalHost,
      List<String> targets,
      String loginPage,
      String loginPath,
      Pattern token,
      Map<String, String> fields,
      List<String> loggedInTargets)
      throws IOException {
    Outcome outcome = new Outcome();
    for (Naming naming : namings(canonicalHost, port)) {
      for (String target : targets) {
        RawHttp.Response response =
            RawHttp.sendTls(tls, port, naming.sni(), request(naming, "GET", target, null));
        outcome.record(naming + ": GET " + target, naming, port, response);
      }
      RawHttp.Response page =
          RawHttp.sendTls(tls, port, naming.sni(), request(naming, "GET", loginPage, null));
      outcome.record(naming + ": GET " + loginPage, naming, port, page);
      Matcher m = token.matcher(page.body());
      if (page.status() != 200 || !m.find()) {
        continue; // refused by the server itself
      }
      Map<String, String> cookies = new LinkedHashMap<>();
      keep(cookies, page);
      StringBuilder form = new StringBuilder();
      Map<String, String> all = new LinkedHashMap<>(fields);
      all.put("_csrf", m.group(1));
      all.forEach((name, value) -> form.append(form.length() == 0 ? "" : "&")
          .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
      RawHttp.Response login = RawHttp.sendTls(
          tls,
          port,
          naming.sni(),
          request(naming, "POST", loginPath, form.toString(), cookieHeader(cookies)));
      outcome.record(naming + ": POST " + loginPath, naming, port, login);
      keep(cookies, login);
      for (String target : loggedInTargets) {
        RawHttp.Response response = RawHttp.sendTls(
            tls, port, naming.sni(), request(naming, "GET", target, null, cookieHeader(cookies)));
        outcome.record(naming + ": GET " + target + " logged in", naming, port, response);
      }
    }
    return outcome;
  }

  /** Keeps the cookies {@code response} sets, and drops the ones it expires. */
  private static void keep(Map<String, String> cookies, RawHttp.Response response) {
    for (String header : response.headers("Set-Cookie")) {
      String pair = header.split(";", 2)[0];
      int eq = pair.indexOf('=');
      String name = pair.substring(0, eq).trim();
      if (header.toLowerCase(Locale.ROOT).contains("max-age=0")) {
        cookies.remove(name);
      } else {
        cookies.put(name, pair.substring(eq + 1).trim());
      }
    }
  }

  private static String[] cookieHeader(Map<String, String> cookies) {
    if (cookies.isEmpty()) {
      return new String[0];
    }
    StringBuilder header = new StringBuilder("Cookie: ");
    cookies.forEach((name, value) ->
        header.append(header.length() > 8 ? "; " : "").append(name).append('=').append(value));
    return new String[] {header.toString()};
  }
}
