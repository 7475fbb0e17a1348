package dev.portcullis.dropwizard;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.ContainerLifeCycle;

/**
 * Dropwizard's request log (on by default, to the console, with the client's address, the time, the request line and
 * the {@code Referer}) given each request without its query string, and its {@code Referer} without the referring
 * page's query string. The log keeps the method, path, status, sizes, agent and timing it had.
 *
 * <p><b>Security.</b> A search endpoint's terms travel in the query string ({@code GET /search?q=...}), and the page
 * after a search names it in the {@code Referer} (the filter's {@code strict-origin-when-cross-origin} sends the full
 * address within the portal); logged with the address and time, each search would be tied to its visitor, and
 * through the audit log's actions to the user, which the anonymous search-demand log is there to prevent. Query
 * strings carry other values a log should not keep as well: the single sign-on callback's code and state, and the
 * pages a visitor asked for before logging in ({@code returnTo}). Only the request log the server holds as it starts
 * is wrapped: one the application sets on the running server, or writes from a handler of its own, is not.
 */
final class RequestLogWithoutQueries extends ContainerLifeCycle implements RequestLog {
  private final RequestLog log;

  private RequestLogWithoutQueries(RequestLog log) {
    this.log = log;
    // Started and stopped with this wrapper, as the server did with the log itself.
    addBean(log);
  }

  /** Puts the wrapper around the server's request log, if it has one and it is not wrapped yet. */
  static void install(Server server) {
    RequestLog current = server.getRequestLog();
    if (current != null && !(current instanceof RequestLogWithoutQueries)) {
      server.setRequestLog(new RequestLogWithoutQueries(current));
    }
  }

  @Override
  public void log(Request request, Response response) {
    log.log(new WithoutQueries(request), response);
  }

  /** The value before its query string or fragment. */
  static String withoutQuery(String value) {
    int end = value.length();
    int query = value.indexOf('?');
    if (query >= 0) {
      end = query;
    }
    int fragment = value.indexOf('#');
    if (fragment >= 0 && fragment < end) {
      end = fragment;
    }
    return value.substring(0, end);
  }

  /** The request as the log reads it: its address without the query, its {@code Referer} without one either. */
  private static final class WithoutQueries extends Request.Wrapper {
    WithoutQueries(Request request) {
      super(request);
    }

    @Override
    public HttpURI getHttpURI() {
      HttpURI uri = super.getHttpURI();
      return uri.getQuery() == null ? uri : HttpURI.build(uri).query(null).asImmutable();
    }

    @Override
    public HttpFields getHeaders() {
      HttpFields headers = super.getHeaders();
      if (!headers.contains(HttpHeader.REFERER)) {
        return headers;
      }
      HttpFields.Mutable trimmed = HttpFields.build(headers.size());
      for (HttpField field : headers) {
        trimmed.add(
            field.getHeader() == HttpHeader.REFERER
                ? new HttpField(field.getName(), withoutQuery(field.getValue()))
                : field);
      }
      return trimmed.asImmutable();
    }
  }
}
