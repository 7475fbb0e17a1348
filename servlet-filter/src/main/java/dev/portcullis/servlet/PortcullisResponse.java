package dev.portcullis.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The response the application sees. It notices every moment the container may commit the response (the buffer
 * filling up, the declared content length reached, flush, close, redirect, error) and lets the {@link Exchange}
 * write cookies and session state just before.
 *
 * <p>Body size is counted conservatively: a character written through the writer counts as the most bytes the
 * response charset can need for it, so the hooks run no later than the container's own commit.
 *
 * <p>Not thread-safe, like the container's response it wraps (see {@link Exchange} on threads).
 */
final class PortcullisResponse extends HttpServletResponseWrapper {
  private static final int UTF_8_MAX_BYTES_PER_CHAR =
      (int) Math.ceil(StandardCharsets.UTF_8.newEncoder().maxBytesPerChar());

  private final Exchange exchange;
  private long written;
  private long contentLength = -1;
  private ServletOutputStream stream;
  private PrintWriter writer;
  /** Counts header changes made through this wrapper (sets, adds, resets), for {@link #headerChanges()}. */
  private int headerChanges;
  /** Set once {@link #sendRedirect} wrote a redirect itself: the body is over. */
  private boolean redirected;

  PortcullisResponse(HttpServletResponse response, Exchange exchange) {
    super(response);
    this.exchange = exchange;
  }

  private void committing() {
    exchange.committing();
  }

  /** Called before {@code bytes} more body bytes are written. */
  private void writing(long bytes) {
    written += bytes;
    if (written >= getBufferSize() || (contentLength >= 0 && written >= contentLength)) {
      committing();
    }
  }

  /**
   * A redirect to a place on this site ({@code /account}, {@code report?id=7}) goes out as the relative reference the
   * application gave, which the browser resolves against the page it asked for; anything else is the container's.
   *
   * <p><b>Security.</b> The containers make such a location absolute from the request's {@code Host} header and
   * scheme: Undertow always, Tomcat when its context's {@code useRelativeRedirects} is off (as Spring Boot sets it
   * unless {@code server.tomcat.use-relative-redirects=true}), Jetty when {@code HttpConfiguration}'s relative
   * redirects are off. A request with {@code Host: evil.example} then had the application's own redirects send the
   * browser to {@code http://evil.example/...}, and behind a TLS-terminating proxy to plain HTTP. Only a location
   * that cannot name another host is taken over (see {@link #onThisSite}); the browser ignores the body of a redirect
   * and the application writes none after it, so, as the container would, nothing written afterwards is sent.
   */
  @Override
  public void sendRedirect(String location) throws IOException {
    if (!onThisSite(location)) {
      committing();
      super.sendRedirect(location);
      return;
    }
    redirect(location, SC_FOUND, true);
  }

  /*
   * Servlet 6.1's redirects with a status code and a choice about the buffer. This module compiles against Servlet
   * 6.0, which has none of them, so they carry no @Override: a public method with the name and parameter types of a
   * superclass method overrides it when the class is loaded, whichever API it was compiled against. On a Servlet 6.1
   * container these replace HttpServletResponseWrapper's, which pass the call straight to the container's response,
   * around this wrapper: the location made absolute from the Host header as sendRedirect(String) above describes, and
   * the response committed without the cookies, the session's state and the security headers that committing()
   * writes. On a Servlet 6.0 container they are methods nothing calls.
   */

  /**
   * Servlet 6.1's {@code sendRedirect(location, sc, clearBuffer)}: as {@link #sendRedirect(String)}, with the
   * redirect status {@code sc}; with {@code clearBuffer} false, what the application wrote so far and the container
   * still holds goes out as the redirect's body.
   *
   * @throws IllegalArgumentException when {@code sc} is not a redirect status ({@code 3xx})
   */
  public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
    if (sc < 300 || sc > 399) {
      throw new IllegalArgumentException("not a redirect status: " + sc);
    }
    if (!onThisSite(location)) {
      committing();
      ContainerRedirect.send(getResponse(), location, sc, clearBuffer);
      return;
    }
    redirect(location, sc, clearBuffer);
  }

  /** Servlet 6.1's {@code sendRedirect(location, sc)}: {@link #sendRedirect(String, int, boolean)}, buffer cleared. */
  public void sendRedirect(String location, int sc) throws IOException {
    sendRedirect(location, sc, true);
  }

  /** Servlet 6.1's {@code sendRedirect(location, clearBuffer)}: {@link #sendRedirect(String, int, boolean)} with 302. */
  public void sendRedirect(String location, boolean clearBuffer) throws IOException {
    sendRedirect(location, SC_FOUND, clearBuffer);
  }

  /** Writes a redirect to {@code location}, a place on this site, and commits the response. */
  private void redirect(String location, int sc, boolean clearBuffer) throws IOException {
    if (isCommitted()) {
      throw new IllegalStateException("sendRedirect after the response was committed");
    }
    if (clearBuffer) {
      resetBuffer();
    }
    setStatus(sc);
    setHeader("Location", location);
    if (clearBuffer) {
      setContentLength(0);
    }
    redirected = true;
    committing();
    super.flushBuffer();
  }

  /**
   * The container's own Servlet 6.1 {@code sendRedirect(String, int, boolean)}, for a location this wrapper leaves to
   * the container; looked up once, at the first such redirect (a Servlet 6.0 container never makes one).
   */
  private static final class ContainerRedirect {
    private static final MethodHandle SEND_REDIRECT = find();

    private static MethodHandle find() {
      try {
        return MethodHandles.publicLookup()
            .findVirtual(
                HttpServletResponse.class,
                "sendRedirect",
                MethodType.methodType(void.class, String.class, int.class, boolean.class));
      } catch (NoSuchMethodException | IllegalAccessException e) {
        return null;
      }
    }

    static void send(ServletResponse response, String location, int sc, boolean clearBuffer)
        throws IOException {
      if (SEND_REDIRECT == null) {
        throw new UnsupportedOperationException("sendRedirect with a status needs Servlet 6.1");
      }
      try {
        SEND_REDIRECT.invoke((HttpServletResponse) response, location, sc, clearBuffer);
      } catch (IOException | RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new IOException(e);
      }
    }
  }

  /**
   * Whether {@code location} is a reference that the browser can only resolve to this site: printable ASCII without
   * a backslash (browsers read {@code \} as {@code /}) and either a path of its own ({@code /...}, not {@code //...})
   * or a relative path, query or fragment without a scheme (no {@code :} before the first {@code /}, {@code ?} or
   * {@code #}).
   */
  static boolean onThisSite(String location) {
    if (location == null || location.isEmpty()) {
      return false;
    }
    boolean schemeMayFollow = location.charAt(0) != '/';
    if (!schemeMayFollow && location.length() > 1 && location.charAt(1) == '/') {
      return false;
    }
    for (int i = 0; i < location.length(); i++) {
      char c = location.charAt(i);
      if (c < 0x21 || c >= 0x7f || c == '\\') {
        return false;
      }
      if (schemeMayFollow) {
        if (c == ':') {
          return false;
        }
        schemeMayFollow = c != '/' && c != '?' && c != '#';
      }
    }
    return true;
  }

  @Override
  public void sendError(int sc) throws IOException {
    committing();
    super.sendError(sc);
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    committing();
    super.sendError(sc, msg);
  }

  @Override
  public void flushBuffer() throws IOException {
    committing();
    super.flushBuffer();
  }

  @Override
  public void reset() {
    super.reset();
    written = 0;
    contentLength = -1;
    headerChanges++;
    exchange.headersReset();
  }

  /**
   * The container cleared the response's headers past this wrapper (Undertow does before an exception's error page):
   * counted as a reset, so that the pipeline writes its headers and cookies again.
   */
  void containerClearedHeaders() {
    headerChanges++;
    exchange.headersReset();
  }

  /**
   * How many times headers have been set, added or reset through this response so far: a stage that wrote headers
   * need not write them again while this number is unchanged. Changes made on the container's own response, past this
   * wrapper, are not counted.
   */
  int headerChanges() {
    return headerChanges;
  }

  @Override
  public void resetBuffer() {
    super.resetBuffer();
    written = 0;
  }

  @Override
  public void setContentLength(int len) {
    super.setContentLength(len);
    contentLength = len;
  }

  @Override
  public void setContentLengthLong(long len) {
    super.setContentLengthLong(len);
    contentLength = len;
  }

  @Override
  public void setHeader(String name, String value) {
    super.setHeader(name, value);
    headerChanged(name, value);
  }

  @Override
  public void addHeader(String name, String value) {
    super.addHeader(name, value);
    headerChanged(name, value);
  }

  @Override
  public void setDateHeader(String name, long date) {
    super.setDateHeader(name, date);
    headerChanged(name, null);
  }

  @Override
  public void addDateHeader(String name, long date) {
    super.addDateHeader(name, date);
    headerChanged(name, null);
  }

  @Override
  public void setIntHeader(String name, int value) {
    super.setIntHeader(name, value);
    headerChanged(name, String.valueOf(value));
  }

  @Override
  public void addIntHeader(String name, int value) {
    super.addIntHeader(name, value);
    headerChanged(name, String.valueOf(value));
  }

  /** Counts a header change, and follows {@code Content-Length} ({@code value} null for a date header). */
  private void headerChanged(String name, String value) {
    headerChanges++;
    if ("Content-Length".equalsIgnoreCase(name)) {
      try {
        contentLength = value == null ? -1 : Long.parseLong(value.trim());
      } catch (NumberFormatException e) {
        contentLength = -1;
      }
    }
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (stream == null) {
      stream = new GuardedOutputStream(super.getOutputStream());
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    if (writer == null) {
      writer = new GuardedWriter(super.getWriter(), maxBytesPerChar());
    }
    return writer;
  }

  private int maxBytesPerChar() {
    String encoding = getCharacterEncoding();
    if (encoding == null) {
      // No charset named: count the most any charset in use needs.
      return 4;
    }
    // The usual case, without an encoder per response; the exact spellings first, as a
    // case-insensitive compare costs more than the rest of the check.
    if (encoding.equals("UTF-8")
        || encoding.equals("utf-8")
        || encoding.equalsIgnoreCase("UTF-8")) {
      return UTF_8_MAX_BYTES_PER_CHAR;
    }
    try {
      return (int) Math.ceil(Charset.forName(encoding).newEncoder().maxBytesPerChar());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // IllegalCharsetNameException and UnsupportedCharsetException are IllegalArgumentExceptions.
      return 4;
    }
  }

  private final class GuardedOutputStream extends ServletOutputStream {
    private final ServletOutputStream delegate;

    GuardedOutputStream(ServletOutputStream delegate) {
      this.delegate = delegate;
    }

    @Override
    public void write(int b) throws IOException {
      if (redirected) {
        return;
      }
      writing(1);
      delegate.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (redirected) {
        return;
      }
      writing(len);
      delegate.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      committing();
      delegate.flush();
    }

    @Override
    public void close() throws IOException {
      committing();
      delegate.close();
    }

    @Override
    public boolean isReady() {
      return delegate.isReady();
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {
      delegate.setWriteListener(writeListener);
    }
  }

  private final class GuardedWriter extends PrintWriter {
    private final PrintWriter delegate;
    private final int bytesPerChar;

    GuardedWriter(PrintWriter delegate, int bytesPerChar) {
      super(delegate);
      this.delegate = delegate;
      this.bytesPerChar = bytesPerChar;
    }

    @Override
    public void write(int c) {
      if (redirected) {
        return;
      }
      writing(bytesPerChar);
      delegate.write(c);
    }

    @Override
    public void write(char[] buf, int off, int len) {
      if (redirected) {
        return;
      }
      writing((long) len * bytesPerChar);
      delegate.write(buf, off, len);
    }

    @Override
    public void write(String s, int off, int len) {
      if (redirected) {
        return;
      }
      writing((long) len * bytesPerChar);
      delegate.write(s, off, len);
    }

    @Override
    public void println() {
      if (redirected) {
        return;
      }
      writing(2L * bytesPerChar);
      delegate.println();
    }

    @Override
    public void flush() {
      committing();
      delegate.flush();
    }

    @Override
    public void close() {
      committing();
      delegate.close();
    }

    @Override
    public boolean checkError() {
      return delegate.checkError();
    }
  }
}
