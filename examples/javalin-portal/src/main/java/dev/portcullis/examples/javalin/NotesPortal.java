package dev.portcullis.examples.javalin;

import dev.portcullis.audit.AuditRules;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.javalin.PortcullisPlugin;
import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.security.RouteRole;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Shared notes on Javalin behind Portcullis: everyone who logs in reads the notes, editors add them. The login page,
 * the notes form and the logout button carry the request's CSRF token; adding a note is a route for the
 * {@link Role#EDITOR} role. The terms of use are at {@code /terms}, Portcullis' default terms path: open to everyone,
 * and with the form that accepts them for a logged-in user who has not accepted the current version, whom Portcullis
 * holds there until they do.
 *
 * <p>Run on a developer's machine, plain HTTP on loopback, with the key ring in {@code PORTCULLIS_KEY_RING}
 * ({@code KeyTool env FILE} prints it) and the two demo accounts' password in {@code NOTES_PASSWORD}:
 * {@code java dev.portcullis.examples.javalin.NotesPortal}, then open {@code http://127.0.0.1:7070/} and log in as
 * {@code editor} or {@code reader}.
 */
public final class NotesPortal {
  /** The version of the terms of use that logging in accepts. */
  public static final String TERMS = "2026-01";

  /**
   * The page for any address the portal has no page at: the same for every request, with nothing of the request in it
   * (Javalin's own 404 names the method and path it could not route).
   */
  static final String NOT_FOUND_PAGE =
      "<h1>Not found</h1><p>There is no page at this address.</p><p><a href=\"/\">Notes</a></p>";

  /**
   * The page for a request the server refuses before any route runs (a path with an encoded dot segment, a bad
   * header): the same for every such request, with the status the server chose, naming neither the request nor the
   * server (Jetty's own page names Jetty and repeats the reason).
   */
  static final String ERROR_PAGE =
      "<h1>Error</h1><p>This request cannot be served.</p><p><a href=\"/\">Notes</a></p>";

  /** The content type of every page: HTML in UTF-8, said so rather than left to the browser to guess. */
  static final String HTML = "text/html;charset=utf-8";

  /**
   * What the audit log records besides logins and logouts: every note added (a {@code POST /notes}), with the user and
   * the outcome, refusals included.
   */
  public static final AuditRules AUDIT_RULES =
      AuditRules.builder().action("/notes", "note_add").build();

  /** The route roles of this portal: each is the portal role of the same name. */
  enum Role implements RouteRole {
    EDITOR
  }

  private final List<String> notes = new CopyOnWriteArrayList<>();

  private NotesPortal() {}

  /** The portal's Javalin application with {@code portcullis} in front; not started. */
  public static Javalin create(Portcullis portcullis) {
    NotesPortal portal = new NotesPortal();
    return Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.registerPlugin(new PortcullisPlugin(portcullis));
      config.routes.get("/login", portal::login);
      config.routes.get("/terms", portal::terms);
      config.routes.post("/terms", portal::termsWithNothingToAccept);
      config.routes.get("/", portal::home);
      config.routes.post("/notes", portal::addNote, Role.EDITOR);
      config.routes.error(HttpStatus.NOT_FOUND, ctx -> html(ctx, NOT_FOUND_PAGE));
      // What Jetty refuses itself, before Javalin or Portcullis see the request.
      config.jetty.modifyServer(server -> server.setErrorHandler(new PlainErrorPage()));
    });
  }

  public static void main(String[] args) {
    String password = Objects.requireNonNull(
        System.getenv("NOTES_PASSWORD"), "set NOTES_PASSWORD to the demo accounts' password");
    SecureRandom random = new SecureRandom();
    InMemoryUserDirectory users = new InMemoryUserDirectory(PasswordHasher.standard(random))
        .add("editor", password.toCharArray(), user("u-editor", "Edith Editor", "EDITOR"))
        .add("reader", password.toCharArray(), user("u-reader", "Reggie Reader", "READER"));
    Portcullis portcullis = Portcullis.builder()
        .keyRing(KeyRingSources.fromEnvironment(System.getenv()))
        .users(users)
        .termsVersion(TERMS)
        .auditRules(AUDIT_RULES)
        .random(random)
        .transport(TransportConfig.builder().developmentMode(true).build())
        .build();
    create(portcullis).start("127.0.0.1", 7070);
  }

  /** A demo account (with the e-mail address a login requires) that has accepted the current terms. */
  static PortalUser user(String handle, String name, String role) {
    return new PortalUser(
        handle, name, handle + "@notes.example", Set.of(role), "demo", true, TERMS);
  }

  private void login(Context ctx) {
    String error = ctx.queryParam("error") == null ? "" : "<p>Those details did not work.</p>";
    html(
        ctx,
        "<h1>Log in</h1>" + error + "<form method=\"post\" action=\"/login\">"
            + "<input name=\"username\" autocomplete=\"username\">"
            + "<input name=\"password\" type=\"password\" autocomplete=\"current-password\">"
            // Logging in accepts the current terms of use; a user who has not yet must tick it.
            + "<label><input type=\"checkbox\" name=\"acceptTerms\" value=\"yes\">"
            + " I accept the <a href=\"/terms\">terms of use</a></label>"
            + returnTo(ctx) + hiddenToken(ctx) + "<button>Log in</button></form>");
  }

  /**
   * The page Portcullis sent the visitor here from ({@code ?returnTo=}), carried through the form: the login goes there
   * afterwards when it is a path of this site (Portcullis checks), else to {@code /}.
   */
  private static String returnTo(Context ctx) {
    String target = ctx.queryParam("returnTo");
    return target == null
        ? ""
        : "<input type=\"hidden\" name=\"returnTo\" value=\"" + escape(target) + "\">";
  }

  private void terms(Context ctx) {
    StringBuilder page = new StringBuilder("<h1>Terms of use</h1><p>Version ")
        .append(escape(TERMS))
        .append(".</p><ol><li>Write only notes that everyone with an account may read.</li>")
        .append("<li>Keep your password to yourself and log out on shared computers.</li></ol>");
    Optional<PortalPrincipal> me = PortcullisPlugin.principal(ctx);
    if (me.isPresent() && !TERMS.equals(me.get().user().acceptedTermsVersion())) {
      // Portcullis holds this user here, and records the acceptance this form posts.
      page.append("<form method=\"post\" action=\"/terms\">")
          .append("<label><input type=\"checkbox\" name=\"acceptTerms\" value=\"yes\" required>")
          .append(" I accept these terms</label>")
          .append(hiddenToken(ctx))
          .append("<button>Continue</button></form>");
    }
    html(ctx, page.toString());
  }

  /** Reached only when there is nothing to accept (again): Portcullis answers a needed acceptance itself. */
  private void termsWithNothingToAccept(Context ctx) {
    ctx.redirect(
        PortcullisPlugin.principal(ctx).isPresent() ? "/" : "/login", HttpStatus.SEE_OTHER);
  }

  private void home(Context ctx) {
    PortalPrincipal me = PortcullisPlugin.principal(ctx).orElseThrow();
    StringBuilder page = new StringBuilder("<h1>Notes</h1><p>Hello ")
        .append(escape(me.user().displayName()))
        .append("</p><ul>");
    notes.forEach(n -> page.append("<li>").append(escape(n)).append("</li>"));
    page.append("</ul>");
    if (me.user().hasRole(Role.EDITOR.name())) {
      page.append("<form method=\"post\" action=\"/notes\"><input name=\"text\">")
          .append(hiddenToken(ctx))
          .append("<button>Add</button></form>");
    }
    page.append("<form method=\"post\" action=\"/logout\">")
        .append(hiddenToken(ctx))
        .append("<button>Log out</button></form>");
    html(ctx, page.toString());
  }

  private void addNote(Context ctx) {
    String text = ctx.formParam("text");
    if (text == null || text.isBlank() || text.length() > 500) {
      ctx.status(400).result("A note has 1 to 500 characters.");
      return;
    }
    notes.add(text);
    ctx.redirect("/", HttpStatus.SEE_OTHER);
  }

  /**
   * Answers {@code page} as HTML that names its character set in {@code Content-Type}: {@code ctx.html} alone
   * sends {@code text/html} without one, and a browser then guesses the encoding of a page that holds users' notes (a
   * guessed ISO-2022-JP turns an escape sequence in a note into a switch that swallows the page's own markup).
   */
  static void html(Context ctx, String page) {
    ctx.contentType(HTML).result(page);
  }

  private static String hiddenToken(Context ctx) {
    return "<input type=\"hidden\" name=\"_csrf\" value=\""
        + escape(PortcullisPlugin.csrfToken(ctx)) + "\">";
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  /** Jetty's error handler for the whole server: {@link #ERROR_PAGE} with the status Jetty chose. */
  private static final class PlainErrorPage implements Request.Handler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      if (request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer status) {
        response.setStatus(status);
      }
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html;charset=utf-8");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      response.write(true, ByteBuffer.wrap(ERROR_PAGE.getBytes(StandardCharsets.UTF_8)), callback);
      return true;
    }
  }
}
