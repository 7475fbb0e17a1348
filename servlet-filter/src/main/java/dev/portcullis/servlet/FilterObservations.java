package dev.portcullis.servlet;

import dev.portcullis.login.LoginDecision;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.RequestReplyReceiverContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filter's Micrometer {@link Observation}s: {@value #REQUEST} around each request and {@value #LOGIN} around each
 * password or single-sign-on login. Made only when the application gives an {@link ObservationRegistry}; without one
 * the filter holds null instead and Micrometer need not be on the class path.
 *
 * <p>The request observation is a receiver context whose carrier is the request, so a tracing handler continues the
 * trace of the request's {@code traceparent} header. Key values are low-cardinality only: no path, user or address.
 */
final class FilterObservations {
  static final String REQUEST = "portcullis.request";
  static final String LOGIN = "portcullis.login";
  static final String OUTCOME = "outcome";
  static final String METHOD = "method";

  private static final Logger log = LoggerFactory.getLogger(FilterObservations.class);

  private final ObservationRegistry registry;
  /** The tracer's current trace id, or null when the audit trace id comes from the header only. */
  private final Supplier<String> currentTraceId;

  /** @param currentTraceId asked for the trace id inside each request's observation scope; null for none */
  FilterObservations(ObservationRegistry registry, Supplier<String> currentTraceId) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.currentTraceId = currentTraceId;
  }

  /** Runs the rest of the pipeline inside a {@value #REQUEST} observation. */
  void request(Exchange exchange, Stage.Next run) throws IOException, ServletException {
    RequestReplyReceiverContext<HttpServletRequest, HttpServletResponse> context =
        new RequestReplyReceiverContext<>(HttpServletRequest::getHeader);
    context.setCarrier(exchange.original());
    Observation observation = Observation.createNotStarted(REQUEST, () -> context, registry)
        .contextualName("portcullis " + exchange.method())
        .start();
    try (Observation.Scope scope = observation.openScope()) {
      if (currentTraceId != null) {
        String traced = tracerTraceId();
        if (traced != null) {
          exchange.traceId(traced);
        }
      }
      run.proceed();
    } catch (IOException | ServletException | RuntimeException | Error e) {
      observation.error(e);
      throw e;
    } finally {
      context.setResponse(exchange.response());
      observation.lowCardinalityKeyValue(KeyValue.of(OUTCOME, requestOutcome(exchange)));
      observation.stop();
    }
  }

  /**
   * The tracer's trace id for the span now in scope, in its W3C form, or null when it gives none that is valid. A
   * failing tracer is logged, never passed on: the request goes on with the header's trace id.
   */
  private String tracerTraceId() {
    try {
      return TraceParent.fromTracer(currentTraceId.get());
    } catch (RuntimeException e) {
      log.warn("the tracer's trace id could not be read: {}", e.getClass().getName());
      return null;
    }
  }

  /**
   * {@code refused} when the response says 401, 403 or 405 (the filter's and the application's refusals);
   * otherwise {@code authenticated} when the request has a logged-in user, {@code anonymous} when not.
   */
  static String requestOutcome(Exchange exchange) {
    int status = exchange.response().getStatus();
    if (status == HttpServletResponse.SC_UNAUTHORIZED
        || status == HttpServletResponse.SC_FORBIDDEN
        || status == HttpServletResponse.SC_METHOD_NOT_ALLOWED) {
      return "refused";
    }
    return exchange.principal() != null ? "authenticated" : "anonymous";
  }

  /** The login observation's outcome for {@code decision}: a store's outage is not a refused credential. */
  static String loginOutcome(LoginDecision decision) {
    if (decision instanceof LoginDecision.Refused refused) {
      return refused.unavailable() ? "unavailable" : "refused";
    }
    return "accepted";
  }

  /**
   * Asks {@code login} inside a {@value #LOGIN} observation keyed by the login's method and outcome:
   * {@code accepted}, {@code refused}, {@code unavailable} (not decided because a store did not answer,
   * {@link LoginDecision.Refused#unavailable()}) or {@code error} (the decision threw).
   */
  LoginDecision login(LoginListener.Kind kind, Supplier<LoginDecision> login) {
    Observation observation = Observation.createNotStarted(LOGIN, registry)
        .lowCardinalityKeyValue(METHOD, kind.name().toLowerCase(java.util.Locale.ROOT))
        .start();
    try (Observation.Scope scope = observation.openScope()) {
      LoginDecision decision = login.get();
      observation.lowCardinalityKeyValue(OUTCOME, loginOutcome(decision));
      return decision;
    } catch (RuntimeException | Error e) {
      observation.lowCardinalityKeyValue(OUTCOME, "error");
      observation.error(e);
      throw e;
    } finally {
      observation.stop();
    }
  }
}
