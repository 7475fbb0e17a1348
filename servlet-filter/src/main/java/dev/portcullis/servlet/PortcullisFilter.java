package dev.portcullis.servlet;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.sso.ReplayStore;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one filter Portcullis needs. It runs a fixed, ordered pipeline of stages (today: sessions) and hands the
 * application a request whose {@code getSession()} is backed by the Portcullis {@link SessionRegistry}; the
 * container's own session is never created.
 *
 * <p>Built from core objects configured elsewhere: {@code PortcullisFilter.builder().sessions(registry).build()}.
 * Register it before every filter that uses the session or the principal, at {@link #DEFAULT_ORDER}.
 *
 * <p><b>Security.</b> The filter adds no policy of its own: the core objects decide and the filter translates.
 * Session state and cookies are written before the response commits, whichever way it commits. Errors in Portcullis
 * stages never reach the client with detail; a failing session store reads as "no session".
 */
public final class PortcullisFilter implements Filter {
  /**
   * Where to register the filter: ahead of practically everything, so that every later filter and servlet sees the
   * Portcullis session and principal.
   */
  public static final int DEFAULT_ORDER = Integer.MIN_VALUE + 100;

  /**
   * The request attribute holding the CSRF token whenever the request has a session: put it in every form as the
   * hidden field {@code _csrf}, or send it as the header {@code X-CSRF-Token}.
   */
  public static final String CSRF_TOKEN_ATTRIBUTE = "dev.portcullis.csrf";

  private final List<Stage> stages;

  private PortcullisFilter(List<Stage> stages) {
    this.stages = List.copyOf(stages);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse httpResponse)
        || request.getAttribute(Exchange.ATTRIBUTE) != null) {
      // Not HTTP, or a forward, include or async dispatch of a request this filter already wraps.
      chain.doFilter(request, response);
      return;
    }
    Exchange exchange = new Exchange(http, httpResponse);
    request.setAttribute(Exchange.ATTRIBUTE, exchange);
    new Run(exchange, chain).proceed();
    if (!exchange.request().isAsyncStarted()) {
      // A response that never filled its buffer commits after the filter returns: write what is pending now.
      exchange.committing();
    }
  }

  /** One pass through the stages, ending in the application's chain. */
  private final class Run implements Stage.Next {
    private final Exchange exchange;
    private final FilterChain chain;
    private int next;

    Run(Exchange exchange, FilterChain chain) {
      this.exchange = exchange;
      this.chain = chain;
    }

    @Override
    public void proceed() throws IOException, ServletException {
      if (next < stages.size()) {
        stages.get(next++).handle(exchange, this);
      } else {
        chain.doFilter(exchange.request(), exchange.response());
      }
    }
  }

  /**
   * Collects the core objects the filter translates for. The pipeline order is fixed here, not by the caller:
   * transport, session, authentication, terms, access, audit (only the session stage exists so far).
   */
  public static final class Builder {
    private SessionRegistry sessions;
    private PortalLogin login;
    private AuditLog audit;
    private SecureRandom random;
    private LegacyLogin legacyLogin;
    private ReplayStore legacyUpgraded;
    private InstantSource legacyClock;

    private Builder() {}

    /**
     * Enables login, the auth-key cookie, logout, CSRF protection and the terms gate. Needs {@link #sessions}: the
     * auth cookie is bound to the session.
     *
     * @param random draws CSRF tokens
     */
    public Builder login(PortalLogin login, SecureRandom random) {
      this.login = Objects.requireNonNull(login, "login");
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Logs in a user who arrives with the replaced portal's login cookie, until {@link LegacyLogin#sunset()}, and
     * removes that cookie from the browser. Off unless set. Needs {@link #login}.
     *
     * @param upgraded remembers which legacy cookies have already logged someone in, so that each does so once;
     *     {@code ReplayStore.inMemory(clock)} on one node, a shared store on many
     * @param clock decides whether the sunset has passed
     */
    public Builder legacyLogin(LegacyLogin legacyLogin, ReplayStore upgraded, InstantSource clock) {
      this.legacyLogin = Objects.requireNonNull(legacyLogin, "legacyLogin");
      this.legacyUpgraded = Objects.requireNonNull(upgraded, "upgraded");
      this.legacyClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sends the filter's security events (login, logout, tampering, CSRF, ...) to {@code audit}. */
    public Builder audit(AuditLog audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /** Enables server-side sessions backed by {@code sessions}. */
    public Builder sessions(SessionRegistry sessions) {
      this.sessions = Objects.requireNonNull(sessions, "sessions");
      return this;
    }

    public PortcullisFilter build() {
      AuditTrail trail = audit == null ? AuditTrail.NONE : new AuditTrail(audit);
      List<Stage> stages = new ArrayList<>();
      if (sessions != null) {
        stages.add(new SessionStage(sessions));
      }
      if (legacyLogin != null && login == null) {
        throw new IllegalStateException("the legacy login upgrade needs login: it starts a Portcullis login");
      }
      if (login != null) {
        if (sessions == null) {
          throw new IllegalStateException("login needs sessions: the auth cookie is bound to the session");
        }
        stages.add(new AuthenticationStage(login, trail));
        if (legacyLogin != null) {
          String legacyName = legacyLogin.cookie().name();
          if (declaredCookies().stream().filter(c -> c.name().equals(legacyName)).count() > 1) {
            throw new IllegalStateException("the legacy cookie needs a name of its own, not " + legacyName);
          }
          stages.add(new LegacyUpgradeStage(legacyLogin, legacyUpgraded, legacyClock, login, random, trail));
        }
        stages.add(new CsrfStage(random, trail, login.loginPath()));
        stages.add(new AccountStage(login, random, trail, declaredCookies()));
        stages.add(new TermsStage(login, trail));
      }
      return new PortcullisFilter(stages);
    }

    /** Every cookie this filter may set, for logout and the cookie notice. */
    List<CookieSpec> declaredCookies() {
      List<CookieSpec> out = new ArrayList<>();
      if (sessions != null) {
        out.add(sessions.config().cookie());
      }
      if (login != null) {
        out.add(login.authCookie());
        out.add(login.cookieCheckCookie());
      }
      if (legacyLogin != null) {
        out.add(legacyLogin.cookie());
      }
      return out;
    }
  }
}
