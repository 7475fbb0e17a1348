package dev.portcullis.examples.portal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code GET /privacy}: what the portal records and which cookies it sets; the table comes from the declarations. */
final class PrivacyPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient CookieNotice notice;

  PrivacyPage(CookieNotice notice) {
    this.notice = notice;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String body =
        "<p>This demonstration portal is run on your own computer. Nothing leaves it.</p>\n"
            + "<h2>What we record</h2>\n<ul>\n"
            + "<li><strong>Audit log.</strong> When you log in, log out or open a report, we record who did it, when, from"
            + " which address and whether it worked, so that misuse can be found. Passwords, cookies and session"
            + " identifiers are never recorded.</li>\n"
            + "<li><strong>Your sessions.</strong> When you log in, we keep with your session the address you came from"
            + " and the kind of browser (such as \"Firefox on Windows\", not the browser's full description), so that"
            + " your account page can show where you are logged in and let you end a session you do not recognise."
            + " They are kept only as long as that session lives: they go when you log out, when the session times"
            + " out or when you end it.</li>\n"
            + "<li><strong>Search counts.</strong> When you search for a care service, we count the words searched"
            + " for. The count is written down only once each hour is over: for each set of words, how many times it"
            + " was searched in that hour and how many of those searches found nothing, in alphabetical order. Nothing"
            + " about who searched: not your account, session or address, nor the moment you searched. Email and IP"
            + " addresses, phone numbers, postcodes, account handles, pasted codes and long numbers in a search are"
            + " replaced by placeholders.</li>\n"
            + "</ul>\n<h2 id=\"cookies\">Cookies</h2>\n<p>" + Html.escape(notice.requiredSentence())
            + " The portal sets only the cookies it needs to keep you logged"
            + " in safely. There are no advertising or analytics cookies."
            + (notice.allEndWithTheBrowser()
                ? " All of them end when you log out or close the browser."
                : "")
            + "</p>\n" + notice.htmlTable()
            + "<p>This table is made from the same declarations the portal uses to write the cookies. They are also"
            + " available as <a href=\"/cookies.json\">JSON</a>.</p>\n";
    Html.send(req, resp, HttpServletResponse.SC_OK, "Privacy and cookies", body);
  }
}
