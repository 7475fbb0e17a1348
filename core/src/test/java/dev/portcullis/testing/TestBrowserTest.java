package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared test browser against the JDK's HTTP server: {@code /set?h=...} answers with the given
 * {@code Set-Cookie} headers, every path echoes the request's {@code Cookie} header and body.
 */
class TestBrowserTest {
  private HttpServer server;
  private String base;
  private final List<String> cookieHeadersSeen = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String cookie = exchange.getRequestHeaders().getFirst("Cookie");
    synchronized (cookieHeadersSeen) {
      cookieHeadersSeen.add(cookie == null ? "" : cookie);
    }
    String path = exchange.getRequestURI().getPath();
    String query = exchange.getRequestURI().getQuery();
    if (path.equals("/set") && query != null) {
      for (String h : query.split("&")) {
        exchange.getResponseHeaders().add("Set-Cookie", h.substring("h=".length()));
      }
    }
    if (path.equals("/redirect")) {
      exchange.getResponseHeaders().add("Location", "/elsewhere");
      exchange.sendResponseHeaders(303, -1);
      exchange.close();
      return;
    }
    String body;
    try (InputStream in = exchange.getRequestBody()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    byte[] out = ("cookie=" + cookie + " body=" + body + " csrf=tok-" + path.length())
        .getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, out.length);
    exchange.getResponseBody().write(out);
    exchange.close();
  }

  private String lastCookieHeader() {
    synchronized (cookieHeadersSeen) {
      return cookieHeadersSeen.get(cookieHeadersSeen.size() - 1);
    }
  }

  @Test
  void setCookies_areKeptInOrder_sentBack_andRecordedAsTheyCame() throws Exception {
    TestBrowser b = new TestBrowser(base);
    b.get("/set?h=a=1;%20Path=/;%20HttpOnly&h=b=2");
    b.get("/set?h=a=3");

    assertThat(b.cookies()).containsExactly(Map.entry("a", "3"), Map.entry("b", "2"));
    assertThat(b.setCookieHeaders()).containsExactly("a=1; Path=/; HttpOnly", "b=2", "a=3");
    b.get("/page");
    assertThat(lastCookieHeader()).isEqualTo("a=3; b=2").isEqualTo(b.cookieHeader());
  }

  @Test
  void maxAgeZeroOrNegative_orAnEmptyValue_removesTheCookie_butAPositiveOrUnreadableMaxAgeDoesNot()
      throws Exception {
    TestBrowser b = new TestBrowser(base);
    b.get("/set?h=a=1&h=b=2&h=c=3&h=d=4&h=e=5");
    b.get(
        "/set?h=a=x;%20Max-Age=0&h=b=;%20Path=/&h=c=y;%20max-age=-1&h=d=z;%20Max-Age=60&h=e=w;%20Max-Age=soon");

    assertThat(b.cookies()).containsExactly(Map.entry("d", "z"), Map.entry("e", "w"));
    b.get("/page");
    assertThat(lastCookieHeader()).isEqualTo("d=z; e=w");
  }

  @Test
  void caseSwappedCookieHeader_keepsTheNames_andSwapsTheCaseOfEveryLetterOfTheValues() {
    TestBrowser b = new TestBrowser(base);
    b.cookies().put("Sid", "aB3-xY_z");
    b.cookies().put("tk", "Q9");

    assertThat(b.caseSwappedCookieHeader()).isEqualTo("Sid=Ab3-Xy_Z; tk=q9");
    assertThat(b.cookieHeader()).isEqualTo("Sid=aB3-xY_z; tk=Q9");
  }

  @Test
  void noCookies_meansNoCookieHeader() throws Exception {
    TestBrowser b = new TestBrowser(base);
    b.get("/page");
    assertThat(lastCookieHeader()).isEmpty();
    assertThat(b.cookieHeader()).isEmpty();
  }

  @Test
  void blockedCookies_areNeitherSentNorKept_butTheHeadersAreRecorded() throws Exception {
    TestBrowser b = new TestBrowser(base);
    b.get("/set?h=a=1");
    b.blockCookies(true);
    b.get("/set?h=b=2");
    assertThat(lastCookieHeader()).isEmpty();
    assertThat(b.cookies()).containsOnlyKeys("a");
    assertThat(b.setCookieHeaders()).containsExactly("a=1", "b=2");

    b.blockCookies(false);
    b.get("/page");
    assertThat(lastCookieHeader()).isEqualTo("a=1");
  }

  @Test
  void theJar_isLive_soATestCanPlantOrDropACookie() throws Exception {
    TestBrowser b = new TestBrowser(base);
    b.cookies().put("planted", "v");
    b.get("/page");
    assertThat(lastCookieHeader()).isEqualTo("planted=v");
    b.cookies().clear();
    b.get("/page");
    assertThat(lastCookieHeader()).isEmpty();
    assertThatThrownBy(() -> b.setCookieHeaders().add("x=1"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void redirects_areNotFollowed() throws Exception {
    HttpResponse<String> r = new TestBrowser(base).get("/redirect");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).contains("/elsewhere");
  }

  @Test
  void aClientThatFollowsRedirects_isRefused() {
    HttpClient following =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    assertThatThrownBy(() -> new TestBrowser(base, following))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void post_sendsAnEncodedForm_inTheMapsOrder() throws Exception {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("user name", "a&b=c");
    fields.put("_csrf", "é");
    assertThat(TestBrowser.form(fields)).isEqualTo("user+name=a%26b%3Dc&_csrf=%C3%A9");
    assertThat(new TestBrowser(base).post("/form", fields).body())
        .contains("body=user+name=a%26b%3Dc&_csrf=%C3%A9");
  }

  @Test
  void on_anotherServer_sharesTheJarAndTheRecord() throws Exception {
    TestBrowser first = new TestBrowser(base);
    first.get("/set?h=a=1");
    TestBrowser second = first.on(base);
    second.get("/set?h=b=2");
    assertThat(first.cookies()).containsOnlyKeys("a", "b");
    assertThat(first.setCookieHeaders()).containsExactly("a=1", "b=2");
  }

  @Test
  void aSetCookieWithoutANameValuePair_failsTheRequest() {
    TestBrowser b = new TestBrowser(base);
    assertThatThrownBy(() -> b.get("/set?h=nonsense"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nonsense");
  }

  @Test
  void csrfToken_isTheFirstGroupOfTheFirstMatch_orEmpty() {
    Pattern p = Pattern.compile("csrf=([a-z0-9-]+)");
    assertThat(TestBrowser.csrfToken(p, "x csrf=tok-1 csrf=tok-2")).contains("tok-1");
    assertThat(TestBrowser.csrfToken(p, "no token here")).isEqualTo(Optional.empty());
  }
}
