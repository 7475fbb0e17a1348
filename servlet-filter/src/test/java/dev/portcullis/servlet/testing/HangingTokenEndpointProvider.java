package dev.portcullis.servlet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestBrowser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An OpenID provider on loopback over plain HTTP whose discovery document answers at once and whose token endpoint
 * never answers: each token request is read and then held, its connection open, until {@link #close()}. A provider
 * that hangs while the callbacks of logins started earlier arrive, for the bound on requests waiting on it ({@code
 * SsoConfig.maxConcurrentProviderCalls()}) seen from an adapter's settings.
 */
public final class HangingTokenEndpointProvider implements AutoCloseable {
  private static final String DISCOVERY = "/.well-known/openid-configuration";

  private final ServerSocket server;
  private final String issuer;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final AtomicInteger tokenRequests = new AtomicInteger();

  public HangingTokenEndpointProvider() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    issuer = "http://127.0.0.1:" + server.getLocalPort() + "/realm";
    Thread acceptor = new Thread(this::accept, "hanging-provider");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The issuer identifier, for the portal's settings. */
  public String issuer() {
    return issuer;
  }

  /** How many token requests have arrived (each is held). */
  public int tokenRequests() {
    return tokenRequests.get();
  }

  /**
   * Waits (a minute at most) until {@code count} token requests are held; false if they did not come. Not a timing
   * assertion: the wait ends as soon as they are there.
   */
  public boolean awaitTokenRequests(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (tokenRequests.get() < count) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /**
   * Starts a new SSO login in {@code browser}: the CSRF token its {@code /login} page shows (found with {@code
   * csrfOnLoginPage}, whose first group is the token), posted to {@code /sso/login}, which must redirect to the
   * provider. Returns the portal's callback the provider would send the browser back to.
   */
  public static String callbackOfANewLogin(TestBrowser browser, Pattern csrfOnLoginPage)
      throws IOException, InterruptedException {
    String page = browser.get("/login").body();
    String csrf = TestBrowser.csrfToken(csrfOnLoginPage, page)
        .orElseThrow(() -> new AssertionError("no CSRF token on the login page: " + page));
    HttpResponse<String> start = browser.post("/sso/login", Map.of("_csrf", csrf));
    assertThat(start.statusCode()).as(start.body()).isEqualTo(303);
    return callbackFor(start.headers().firstValue("Location").orElseThrow());
  }

  /**
   * The portal's callback the provider would send the browser to after a login at {@code authorizeLocation} (the
   * portal's redirect to the authorization endpoint): the redirect URI's path with the request's state and a code.
   */
  private static String callbackFor(String authorizeLocation) {
    URI authorize = URI.create(authorizeLocation);
    String redirect = null;
    String state = null;
    for (String pair : authorize.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      String name = pair.substring(0, eq);
      String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (name.equals("redirect_uri")) {
        redirect = value;
      } else if (name.equals("state")) {
        state = value;
      }
    }
    if (redirect == null || state == null) {
      throw new IllegalArgumentException("not an authorization request: " + authorizeLocation);
    }
    return URI.create(redirect).getRawPath() + "?code=some-code&state=" + state;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> answer(s), "hanging-provider-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void answer(Socket s) {
    try {
      String head = head(s.getInputStream());
      if (head.startsWith("GET ") && head.contains(DISCOVERY)) {
        try (s) {
          String body = ("{\"issuer\":\"%1$s\",\"authorization_endpoint\":\"%1$s/authorize\","
                  + "\"token_endpoint\":\"%1$s/token\",\"jwks_uri\":\"%1$s/jwks\","
                  + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                  + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}")
              .formatted(issuer);
          byte[] content = body.getBytes(StandardCharsets.UTF_8);
          OutputStream out = s.getOutputStream();
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                  + content.length + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
          out.write(content);
          out.flush();
        }
        return;
      }
      // The token request (or anything else): read, then never answered.
      held.add(s);
      if (head.startsWith("POST ")) {
        tokenRequests.incrementAndGet();
      }
    } catch (IOException e) {
      closeQuietly(s);
    }
  }

  /** The request line and headers, up to the empty line. */
  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the request ended before its headers");
      }
      seen.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return seen.toString(StandardCharsets.ISO_8859_1);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Stops accepting and drops every held token request, which then fails at the portal. */
  @Override
  public void close() throws IOException {
    server.close();
    held.forEach(HangingTokenEndpointProvider::closeQuietly);
  }
}
