package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A plain-HTTP connector that speaks HTTP/2 (h2c), as Spring Boot's embedded Tomcat does with
 * {@code server.http2.enabled=true} and no TLS: the filter refuses a plain-HTTP form with a {@code 403}. It used to
 * add {@code Connection: close} to that answer on every protocol, and Tomcat sends the header on HTTP/2 as written,
 * which makes the response malformed there (RFC 9113 8.2.2): browsers and curl reset the stream and showed a protocol
 * error instead of the refusal. On HTTP/2 the refusal now carries no connection-specific header.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "server.http2.enabled=true",
      "portcullis.transport.canonical-host=portal.example",
      "portcullis.login.terms-version=2026-01"
    })
class PlainHttp2RefusalOverHttpTest {
  @LocalServerPort
  int port;

  @Test
  void plainHttpFormOverH2c_isRefusedWithAWellFormedHttp2Response() throws Exception {
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_2)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    // The first request upgrades the connection to h2c; the next ones travel on HTTP/2 streams.
    HttpResponse<String> page = client.send(
        HttpRequest.newBuilder(uri("/login")).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(page.statusCode()).isEqualTo(308);
    assertThat(page.headers().firstValue("Location")).hasValue("https://portal.example/login");

    for (String method : new String[] {"POST", "DELETE"}) {
      HttpResponse<String> refused = client.send(
          HttpRequest.newBuilder(uri("/login"))
              .timeout(Duration.ofSeconds(20))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .method(method, HttpRequest.BodyPublishers.ofString("username=alice&password=x"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(refused.version()).as(method).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(refused.statusCode()).as(method).isEqualTo(403);
      assertThat(refused.body()).as(method).contains("This portal only accepts HTTPS.");
      assertThat(refused.headers().map())
          .as("%s: connection-specific headers make an HTTP/2 response malformed", method)
          .doesNotContainKeys("connection", "keep-alive", "transfer-encoding", "upgrade");
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
