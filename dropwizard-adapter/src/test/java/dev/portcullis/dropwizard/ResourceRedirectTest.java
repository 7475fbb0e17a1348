package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: Jersey makes the relative {@code Location} of a resource's redirect ({@code
 * Response.seeOther(URI.create("/status"))}) absolute from the request's {@code Host} header and the connection's
 * scheme. Through the trusted proxy ({@code portcullis-proxied.yml}), a request with {@code Host: evil.example} was
 * sent to {@code http://evil.example/status}: off the portal, and onto plain HTTP. Real Dropwizard, requests written
 * as sent over a socket.
 */
class ResourceRedirectTest {
  private DropwizardTestSupport<PortalApp.Config> support;

  @BeforeEach
  void start() throws Exception {
    support = new DropwizardTestSupport<>(
        PortalApp.class,
        ResourceHelpers.resourceFilePath("portcullis-proxied.yml"),
        ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()));
    support.before();
  }

  @AfterEach
  void stop() {
    support.after();
  }

  @Test
  void aResourcesRelativeRedirect_staysRelative_whateverTheHostHeader() throws Exception {
    Map<String, String> locations = new LinkedHashMap<>();
    for (String host : List.of("127.0.0.1", "evil.example", "evil.example:443")) {
      locations.put(
          host,
          location(
              "GET /status/moved HTTP/1.1",
              "Host: " + host,
              "X-Forwarded-Proto: https",
              "X-Forwarded-Host: evil.example"));
    }
    locations.put(
        "absolute-form",
        location(
            "GET http://evil.example/status/moved HTTP/1.1",
            "Host: evil.example",
            "X-Forwarded-Proto: https"));
    assertThat(locations)
        .containsExactly(
            entry("127.0.0.1", "303 /status"),
            entry("evil.example", "303 /status"),
            entry("evil.example:443", "303 /status"),
            entry("absolute-form", "303 /status"));
  }

  /** {@code <status> <Location>} of the answer to the request written exactly as given. */
  private String location(String requestLine, String... headers) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), support.getLocalPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          (requestLine + "\r\n" + String.join("\r\n", headers) + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      String status = response.split(" ", 3)[1];
      for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n")) {
        if (line.regionMatches(true, 0, "Location:", 0, 9)) {
          return status + " " + line.substring(9).trim();
        }
      }
      return status + " none";
    }
  }
}
