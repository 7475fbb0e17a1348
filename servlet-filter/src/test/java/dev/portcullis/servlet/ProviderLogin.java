package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * The user at mock-oauth2-server's login page, which it shows when the authorization request says
 * {@code prompt=login}: signs in as {@code subject}, and the provider's ID token then carries {@code auth_time} (the
 * real time, as the provider signs with it) unless {@code authTime} says otherwise.
 */
final class ProviderLogin {
  private ProviderLogin() {}

  /**
   * Asks the provider for its discovery document once, without a tight timeout, before a portal is built against
   * it: mock-oauth2-server makes its signing key and loads its handlers on first use, which on a loaded machine can
   * take longer than the portal's discovery timeout. What is under test is the portal, not the mock's cold start.
   */
  static void warmUp(URI issuer) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                .timeout(java.time.Duration.ofSeconds(60))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("the provider's discovery document").isEqualTo(200);
    HttpResponse<String> keys = HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(issuer + "/jwks"))
                .timeout(java.time.Duration.ofSeconds(60))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(keys.statusCode()).as("the provider's key set").isEqualTo(200);
  }

  static HttpResponse<String> signIn(
      HttpClient client, String authorizeUrl, HttpResponse<String> loginPage, String subject)
      throws Exception {
    return signIn(client, authorizeUrl, loginPage, subject, System.currentTimeMillis() / 1000);
  }

  /** @param authTime the {@code auth_time} claim in epoch seconds, or negative for none */
  static HttpResponse<String> signIn(
      HttpClient client,
      String authorizeUrl,
      HttpResponse<String> loginPage,
      String subject,
      long authTime)
      throws Exception {
    return signIn(client, authorizeUrl, loginPage, subject, authTime, java.util.Map.of());
  }

  /**
   * @param authTime the {@code auth_time} claim in epoch seconds, or negative for none
   * @param stringClaims more claims with string values for the ID token, such as {@code email}
   */
  static HttpResponse<String> signIn(
      HttpClient client,
      String authorizeUrl,
      HttpResponse<String> loginPage,
      String subject,
      long authTime,
      java.util.Map<String, String> stringClaims)
      throws Exception {
    assertThat(loginPage.statusCode())
        .as("the provider asks the user to log in again")
        .isEqualTo(200);
    StringBuilder json = new StringBuilder("{");
    if (authTime >= 0) {
      json.append("\"auth_time\":").append(authTime);
    }
    for (java.util.Map.Entry<String, String> e : stringClaims.entrySet()) {
      json.append(json.length() > 1 ? "," : "")
          .append(jsonString(e.getKey()))
          .append(':')
          .append(jsonString(e.getValue()));
    }
    String claims = json.append('}').toString();
    String form = "username=" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "&claims="
        + URLEncoder.encode(claims, StandardCharsets.UTF_8);
    return client.send(
        HttpRequest.newBuilder(URI.create(authorizeUrl))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('"').toString();
  }
}
