package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The account page's list of the user's sessions and "end this session", over real HTTPS. */
class AccountSessionsHttpTest {
  private static final Pattern ROW = Pattern.compile("<tr><td>([^<]*)</td><td>([^<]*)</td>");
  private static final Pattern END_HANDLE =
      Pattern.compile("name=\"session\" value=\"([A-Za-z0-9_-]+)\"");

  private static List<String> handles(String page) {
    List<String> found = new ArrayList<>();
    Matcher m = END_HANDLE.matcher(page);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  private static int rows(String page) {
    int n = 0;
    Matcher m = ROW.matcher(page);
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void twoLogins_areListed_andEndingTheOther_logsItOut_andIsAudited(@TempDir Path dataDir)
      throws Exception {
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      PortalClient laptop = portal.client();
      PortalClient phone = portal.client();
      laptop.loginAs("alice");
      phone.loginAs("alice");
      PortalClient bob = portal.client();
      bob.loginAs("bob");

      String page = laptop.get("/account").body();
      assertThat(page).contains("Your sessions", "This session");
      assertThat(rows(page)).as("two sessions of alice, none of bob's").isEqualTo(2);
      assertThat(page).contains("127.0.0.1");
      List<String> others = handles(page);
      assertThat(others).hasSize(1);
      for (String cookie : phone.cookies().values()) {
        assertThat(page).as("no cookie value of the other browser").doesNotContain(cookie);
      }

      // Without the CSRF token nothing ends.
      assertThat(laptop
              .post(AccountPage.END_SESSION_PATH, Map.of("session", others.get(0)))
              .statusCode())
          .isEqualTo(403);
      assertThat(phone.get("/account").statusCode()).isEqualTo(200);

      // Bob cannot end alice's session with her handle.
      bob.get("/account");
      HttpResponse<String> foreign = bob.post(
          AccountPage.END_SESSION_PATH, Map.of("session", others.get(0), "_csrf", bob.lastCsrf));
      assertThat(foreign.headers().firstValue("Location")).hasValue("/account?ended=0");
      assertThat(phone.get("/account").statusCode()).isEqualTo(200);

      laptop.get("/account");
      HttpResponse<String> ended = laptop.post(
          AccountPage.END_SESSION_PATH, Map.of("session", others.get(0), "_csrf", laptop.lastCsrf));
      assertThat(ended.statusCode()).isEqualTo(303);
      assertThat(ended.headers().firstValue("Location")).hasValue("/account?ended=1");
      assertThat(laptop.get("/account?ended=1").body())
          .contains("The session was ended")
          .doesNotContain("End this session");

      HttpResponse<String> loggedOut = phone.get("/account");
      assertThat(loggedOut.statusCode()).as("the other browser is logged out").isEqualTo(303);
      assertThat(loggedOut.headers().firstValue("Location").orElse("")).contains("/login");
      assertThat(laptop.get("/account").statusCode()).isEqualTo(200);

      List<JsonNode> events = portal.audited("session_ended_by_user");
      assertThat(events).hasSize(2);
      assertThat(events.toString()).doesNotContain(others.get(0));
    }
  }
}
