package dev.portcullis.servlet;

import dev.portcullis.session.SessionRegistry;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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

    private Builder() {}

    /** Enables server-side sessions backed by {@code sessions}. */
    public Builder sessions(SessionRegistry sessions) {
      this.sessions = Objects.requireNonNull(sessions, "sessions");
      return this;
    }

    public PortcullisFilter build() {
      List<Stage> stages = new ArrayList<>();
      if (sessions != null) {
        stages.add(new SessionStage(sessions));
      }
      return new PortcullisFilter(stages);
    }
  }
}
