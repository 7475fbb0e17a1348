package dev.portcullis.spring;

import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.servlet.internal.ContainerErrorBody;
import dev.portcullis.servlet.internal.SecurityHeaders;
import jakarta.servlet.ServletConnection;
import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * On Spring Boot's embedded Tomcat, the error responses Tomcat writes itself (a request it refuses before the
 * application runs: a malformed request line, an encoded slash or dot segment, headers too large, a bad {@code Host};
 * an error no error page answered) get the security headers the filter puts on every other response, from the
 * filter's own transport configuration ({@link SecurityHeaders}), {@code Cache-Control: no-store}, and a plain-text
 * body of the status code and its standard reason phrase, naming neither Tomcat nor anything of the request.
 *
 * <p>Tomcat writes those responses in the host's error report valve. Spring Boot adds one that hides the report and
 * the server's name ({@code server.error.include-stacktrace=never}, the default) and otherwise leaves Tomcat's own,
 * which shows both; this customizer runs after Spring Boot's, takes every error report valve off the host and puts
 * {@link PlainErrorReportValve} in their place, also as the host's default valve class so that Tomcat adds no other.
 * Errors the application's error pages answer (Spring Boot's {@code /error}) are the application's, as before.
 */
final class TomcatErrorReports
    implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {
  private final Supplier<SecurityHeaders> headers;

  TomcatErrorReports(ObjectProvider<PortcullisFilter> filter) {
    this.headers = FilterSecurityHeaders.of(filter);
  }

  @Override
  public int getOrder() {
    // After Spring Boot's own customizer, which adds its error report valve.
    return Ordered.LOWEST_PRECEDENCE;
  }

  @Override
  public void customize(ConfigurableTomcatWebServerFactory factory) {
    factory.addContextCustomizers(context -> {
      Container parent = context.getParent();
      if (parent == null) {
        return;
      }
      for (Valve valve : parent.getPipeline().getValves()) {
        if (valve instanceof ErrorReportValve && !(valve instanceof PlainErrorReportValve)) {
          parent.getPipeline().removeValve(valve);
        }
      }
      parent.getPipeline().addValve(new PlainErrorReportValve(headers));
      if (parent instanceof StandardHost host) {
        // The host adds its default valve as it starts unless one of this class is there already.
        host.setErrorReportValveClass(PlainErrorReportValve.class.getName());
      }
    });
  }

  /** Tomcat's error report valve with a plain body and the filter's security headers. */
  static final class PlainErrorReportValve extends ErrorReportValve {
    private final Supplier<SecurityHeaders> headers;

    PlainErrorReportValve(Supplier<SecurityHeaders> headers) {
      this.headers = headers;
      setShowReport(false);
      setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
      int status = response.getStatus();
      // As Tomcat's own valve: only errors, only while nothing is written, and only once.
      if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
        return;
      }
      AtomicBoolean ioAllowed = new AtomicBoolean(true);
      response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
      if (!ioAllowed.get()) {
        return;
      }
      SecurityHeaders.writeEveryResponse(response::setHeader);
      if (connectionSecure(request)) {
        SecurityHeaders.strictTransportSecurity(headers)
            .ifPresent(hsts -> response.setHeader(hsts.name(), hsts.value()));
      }
      response.setHeader("Cache-Control", "no-store");
      try {
        response.setContentType(ContainerErrorBody.CONTENT_TYPE);
        Writer writer = response.getReporter();
        if (writer != null) {
          writer.write(ContainerErrorBody.text(status));
          response.finishResponse();
        }
      } catch (IOException | IllegalStateException e) {
        // The client has gone or the response cannot take a body: nothing more to send.
      }
    }

    /** Whether the request's own connection is encrypted, never a forwarded scheme. */
    private static boolean connectionSecure(Request request) {
      try {
        ServletConnection connection = request.getServletConnection();
        return connection != null && connection.isSecure();
      } catch (RuntimeException e) {
        return false;
      }
    }
  }
}
