package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.portal.LoginPage;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.TestJetty;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The login page of the README's plain-servlet quick start ({@link LoginPage}, which the README shows verbatim) on a
 * real Jetty behind {@link Portcullis#builder()}: a visitor sent to it fills in the form it renders, as a browser
 * would (every field the page holds, the hidden ones included, to the address its {@code action} names), and is
 * logged in and sent back to the page asked for; a wrong password comes back to the page, which says so.
 */
class QuickStartLoginPageTest {
  private static final Pattern ACTION = Pattern.compile("<form method=post action=\"([^\"]+)\">");
  private static final Pattern HIDDEN =
      Pattern.compile("<input type=hidden name=(\\w+) value=\"([^\"]*)\">");

  private final SecureRandom random = new SecureRandom();
  private Portcullis portcullis;
  private TestJetty jetty;
  private Browser browser;

  @BeforeEach
  void start() throws Exception {
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    portcullis = Portcullis.builder()
        .keyRing(ring)
        .users(LoginPortal.alice())
        .termsVersion(LoginPortal.TERMS)
        .build();
    jetty = TestJetty.builder().https().open();
    var context = jetty.context("/").servlet(new Home()).handler();
    context.addServlet(new ServletHolder(new LoginPage()), "/login");
    portcullis.register(context.getServletContext());
    jetty.start();
    HttpClient client = HttpClient.newBuilder()
        .sslContext(jetty.clientTls())
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    browser = new Browser(jetty.httpsBaseUri().toString().replaceAll("/$", ""), client);
  }

  @AfterEach
  void stop() throws Exception {
    jetty.close();
    portcullis.close();
  }

  @Test
  void theQuickStartsLoginPage_logsAVisitorIn_andSendsHerBackToThePageSheAskedFor()
      throws Exception {
    String sentTo = browser.get("/reports/7").headers().firstValue("Location").orElseThrow();
    assertThat(sentTo).isEqualTo("/login?returnTo=%2Freports%2F7");

    HttpResponse<String> answer = submit(sentTo, "alice", "alice-pw");

    assertThat(answer.statusCode()).isEqualTo(303);
    assertThat(answer.headers().firstValue("Location")).hasValue("/reports/7");
    assertThat(browser.get("/reports/7").body()).isEqualTo("u-alice on /reports/7");
  }

  @Test
  void aWrongPassword_comesBackToTheLoginPage_whichSaysItDidNotWork() throws Exception {
    HttpResponse<String> answer = submit("/login", "alice", "not-her-password");

    String location = answer.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith("/login?error=1");
    assertThat(browser.get(location).body()).contains("role=alert>That did not work.");
    assertThat(browser.get("/reports/7").statusCode()).as("still anonymous").isEqualTo(303);
  }

  @Test
  void theReadme_showsThisLoginPage_inThePlainServletQuickStart() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int quickStart = readme.indexOf("## Quick start: the filter");
    int next = readme.indexOf("## WAR / any servlet container", quickStart);
    assertThat(readme.substring(quickStart, next))
        .as("the quick start shows the login page a newcomer needs")
        .contains(
            "<!-- copy of: servlet-filter/src/test/java/com/example/portal/LoginPage.java -->")
        .contains("public final class LoginPage extends HttpServlet");
  }

  /** Opens {@code page}, fills in the form it shows and posts it where its {@code action} says. */
  private HttpResponse<String> submit(String page, String user, String password)
      throws IOException, InterruptedException {
    HttpResponse<String> form = browser.get(page);
    assertThat(form.statusCode()).isEqualTo(200);
    String html = form.body();
    assertThat(html)
        .contains("name=username", "name=password", "name=acceptTerms type=checkbox value=yes");
    Matcher action = ACTION.matcher(html);
    assertThat(action.find()).as("the page has a form: " + html).isTrue();
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher hidden = HIDDEN.matcher(html);
    while (hidden.find()) {
      fields.put(hidden.group(1), hidden.group(2).replace("&amp;", "&"));
    }
    assertThat(fields).containsKey("_csrf");
    fields.put("username", user);
    fields.put("password", password);
    fields.put("acceptTerms", "yes");
    return browser.post(action.group(1), fields);
  }

  /** Every other page: who is looking at which path. */
  private static final class Home extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      String who =
          req.getUserPrincipal() == null ? "anonymous" : req.getUserPrincipal().getName();
      resp.getWriter().print(who + " on " + req.getRequestURI());
    }
  }
}
