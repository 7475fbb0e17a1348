package dev.portcullis.javalin;

import io.javalin.http.BadRequestResponse;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Gives Javalin back the body of a URL-encoded form. The Portcullis filter reads the CSRF token through the servlet
 * parameters, which consumes the body, while Javalin parses form fields from the body itself. Behind the Portcullis
 * filter, this one presents the body as the form's own fields, re-encoded from the parameters the container parsed
 * (the query string's left out), so that {@code ctx.formParam} sees what the browser sent. A request whose {@code
 * Content-Type} names a charset that does not exist, or whose form body the container cannot parse, is a {@code 400}
 * with a fixed body, never the container's exception.
 */
final class FormBodyFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    String type;
    try {
      type = req.getContentType();
    } catch (RuntimeException e) {
      // Jetty's UnsupportedCharsetException for a charset that does not exist: nothing of the body
      // can be read.
      badRequest(res);
      return;
    }
    boolean form = type != null
        && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    chain.doFilter(form ? new FormBodyRequest(req) : req, res);
  }

  /** The plain answer to a request whose body cannot be read, with nothing of the request in it. */
  private static void badRequest(HttpServletResponse res) throws IOException {
    res.setStatus(HttpServletResponse.SC_BAD_REQUEST);
    res.setHeader("Cache-Control", "no-store");
    res.setContentType("text/plain;charset=utf-8");
    res.getWriter().write("Bad request.");
  }

  private static final class FormBodyRequest extends HttpServletRequestWrapper {
    private byte[] body;

    FormBodyRequest(HttpServletRequest request) {
      super(request);
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body());
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new IllegalStateException("a form body is read synchronously");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      return new BufferedReader(new InputStreamReader(getInputStream(), charset()));
    }

    @Override
    public int getContentLength() {
      return body().length;
    }

    @Override
    public long getContentLengthLong() {
      return body().length;
    }

    private Charset charset() {
      String name = getCharacterEncoding();
      return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
    }

    /**
     * The parameters' values after those the query string gave, which come first (Servlet 6.0, 3.1.1).
     *
     * @throws BadRequestResponse when the container cannot parse the body (Jetty's {@code BadMessageException} for a
     *     broken percent escape, an unknown charset): Javalin answers {@code 400}, as for a request it cannot read
     */
    private byte[] body() {
      if (body == null) {
        try {
          body = encodedFields();
        } catch (RuntimeException e) {
          throw new BadRequestResponse();
        }
      }
      return body;
    }

    private byte[] encodedFields() {
      Charset charset = charset();
      Map<String, Integer> inQuery = new HashMap<>();
      String query = getQueryString();
      if (query != null) {
        for (String pair : query.split("&", -1)) {
          int eq = pair.indexOf('=');
          try {
            inQuery.merge(
                URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), charset), 1, Integer::sum);
          } catch (IllegalArgumentException e) {
            // The container refused such a query string before any filter ran.
          }
        }
      }
      StringJoiner fields = new StringJoiner("&");
      getParameterMap().forEach((name, values) -> {
        for (int i = inQuery.getOrDefault(name, 0); i < values.length; i++) {
          fields.add(
              URLEncoder.encode(name, charset) + "=" + URLEncoder.encode(values[i], charset));
        }
      });
      return fields.toString().getBytes(charset);
    }
  }
}
