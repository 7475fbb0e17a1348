package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a refused login tells whoever sent it, over HTTPS: the same answer, byte for byte, whether the name is unknown,
 * known with a wrong password, known in another spelling, an account that may not log in given its right password,
 * or far too long. Only the audit log tells them apart, and there too an unknown name and a wrong password read alike.
 */
class RefusedLoginAnswersHttpTest {
  /** One refused login: the name and password sent, and whether the terms box was ticked. */
  private record Attempt(String username, String password, boolean acceptTerms) {}

  @Test
  void everyRefusedLogin_getsTheSameAnswer_whicheverNameItNamed(@TempDir Path dataDir)
      throws Exception {
    // A fresh portal: alice has not accepted the terms yet.
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      Map<String, Attempt> attempts = new LinkedHashMap<>();
      attempts.put("an unknown name", new Attempt("mallory", "mallory-demo-pass", true));
      attempts.put("a known name, wrong password", new Attempt("bob", "wrong-pass", true));
      attempts.put("a known name in capitals", new Attempt("BOB", "wrong-pass", true));
      attempts.put("a known name within spaces", new Attempt("  bob  ", "bob-demo-pass", true));
      attempts.put("an account without an email", new Attempt("dave", "dave-demo-pass", true));
      attempts.put("terms not accepted", new Attempt("alice", "alice-demo-pass", false));
      attempts.put("an over-long name", new Attempt("b".repeat(300), "wrong-pass", true));

      Map<String, Object> first = null;
      for (Map.Entry<String, Attempt> e : attempts.entrySet()) {
        PortalClient c = portal.client();
        c.get("/login");
        Map<String, String> cookiesBefore = Map.copyOf(c.cookies());
        Attempt a = e.getValue();
        HttpResponse<String> r = c.login(a.username(), a.password(), a.acceptTerms());

        Map<String, Object> answer = answer(r);
        assertThat(r.statusCode()).as(e.getKey()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).as(e.getKey()).hasValue("/login?error=1");
        assertThat(r.headers().allValues("Set-Cookie")).as(e.getKey()).isEmpty();
        // The browser keeps its cookie-check cookie and gets nothing else.
        assertThat(c.cookies()).as(e.getKey()).isEqualTo(cookiesBefore);
        if (first == null) {
          first = answer;
        } else {
          assertThat(answer).as(e.getKey() + " answered as an unknown name is").isEqualTo(first);
        }
      }

      // The comparison sees what matters: the right password is answered otherwise.
      HttpResponse<String> accepted = portal.client().login("bob", "bob-demo-pass", true);
      assertThat(accepted.headers().firstValue("Location")).hasValue("/reports");
      assertThat(answer(accepted)).isNotEqualTo(first);

      List<JsonNode> refusals = portal.audited("authn_login_fail");
      assertThat(refusals).hasSize(attempts.size());
      // The audit log's view: an unknown name and a wrong password are one and the same refusal, of
      // nobody.
      assertThat(auditView(refusals.get(0))).isEqualTo(auditView(refusals.get(1)));
      assertThat(refusals.get(0).has("user")).isFalse();
      assertThat(refusals.get(0).path("reason").asText()).isEqualTo("BAD_CREDENTIALS");
    }
  }

  /** Everything of a response but its date: status, every header with its values, and the body. */
  private static Map<String, Object> answer(HttpResponse<String> r) {
    Map<String, Object> answer = new TreeMap<>();
    answer.put(":status", r.statusCode());
    r.headers().map().forEach((name, values) -> {
      if (!name.equalsIgnoreCase("date")) {
        answer.put(name.toLowerCase(java.util.Locale.ROOT), values);
      }
    });
    answer.put(":body", r.body());
    return answer;
  }

  /** A record's fields but those that differ for any two records (id, time, request id, chain). */
  private static Map<String, String> auditView(JsonNode record) {
    Map<String, String> view = new TreeMap<>();
    record.fields().forEachRemaining(f -> {
      if (!List.of("id", "time", "request_id", "seq", "prev", "hash").contains(f.getKey())) {
        view.put(f.getKey(), f.getValue().asText());
      }
    });
    return view;
  }
}
