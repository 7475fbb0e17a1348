package dev.portcullis.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletConnection;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.CharArrayWriter;
import java.io.PrintWriter;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A container's request and response in memory, for measuring what the filter itself allocates: both are reused from
 * one request to the next ({@link Request#next}, {@link Response#clear}) and cost nothing per request beyond what the
 * calls made on them need (an attribute's map entry, an enumeration of header values). Only what a GET or a form
 * POST through the filter needs is there; everything else throws.
 */
final class InMemoryHttp {
  private InMemoryHttp() {}

  private static final ServletConnection TLS_CONNECTION = connection(true);

  /** A connection of one client that used encryption, or not. */
  static ServletConnection connection(boolean secure) {
    return new ServletConnection() {
      @Override
      public String getConnectionId() {
        return "1";
      }

      @Override
      public String getProtocol() {
        return "http/1.1";
      }

      @Override
      public String getProtocolConnectionId() {
        return "";
      }

      @Override
      public boolean isSecure() {
        return secure;
      }
    };
  }

  static final class Request implements HttpServletRequest {
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<String, Object> attributes = new HashMap<>();
    private final Map<String, String[]> parameters = new HashMap<>();
    private String method = "GET";
    private String uri = "/";
    private String contentType;

    /** Starts a new request: no attributes, no parameters, no headers but {@code Host}. */
    Request next(String method, String uri) {
      this.method = method;
      this.uri = uri;
      this.contentType = null;
      attributes.clear();
      parameters.clear();
      headers.clear();
      header("Host", "portal.example");
      return this;
    }

    Request header(String name, String value) {
      headers.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
      return this;
    }

    Request form(String name, String value) {
      contentType = "application/x-www-form-urlencoded";
      parameters.put(name, new String[] {value});
      return this;
    }

    @Override
    public String getMethod() {
      return method;
    }

    @Override
    public String getRequestURI() {
      return uri;
    }

    @Override
    public String getContextPath() {
      return "";
    }

    @Override
    public String getServletPath() {
      return uri;
    }

    @Override
    public String getPathInfo() {
      return null;
    }

    @Override
    public String getQueryString() {
      return null;
    }

    @Override
    public String getHeader(String name) {
      List<String> values = headers.get(name);
      return values == null ? null : values.get(0);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      List<String> values = headers.get(name);
      return values == null ? Collections.emptyEnumeration() : Collections.enumeration(values);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      return Collections.enumeration(headers.keySet());
    }

    @Override
    public long getDateHeader(String name) {
      return -1;
    }

    @Override
    public int getIntHeader(String name) {
      String v = getHeader(name);
      return v == null ? -1 : Integer.parseInt(v);
    }

    @Override
    public Cookie[] getCookies() {
      throw new UnsupportedOperationException("the filter reads the Cookie headers");
    }

    @Override
    public Object getAttribute(String name) {
      return attributes.get(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
      return Collections.enumeration(attributes.keySet());
    }

    @Override
    public void setAttribute(String name, Object o) {
      attributes.put(name, o);
    }

    @Override
    public void removeAttribute(String name) {
      attributes.remove(name);
    }

    @Override
    public String getParameter(String name) {
      String[] v = parameters.get(name);
      return v == null ? null : v[0];
    }

    @Override
    public Enumeration<String> getParameterNames() {
      return Collections.enumeration(parameters.keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
      String[] v = parameters.get(name);
      return v == null ? null : v.clone();
    }

    @Override
    public Map<String, String[]> getParameterMap() {
      return Collections.unmodifiableMap(parameters);
    }

    @Override
    public String getContentType() {
      return contentType;
    }

    @Override
    public String getCharacterEncoding() {
      return "UTF-8";
    }

    @Override
    public void setCharacterEncoding(String env) {}

    @Override
    public int getContentLength() {
      return -1;
    }

    @Override
    public long getContentLengthLong() {
      return -1;
    }

    @Override
    public String getProtocol() {
      return "HTTP/1.1";
    }

    @Override
    public String getScheme() {
      return "https";
    }

    @Override
    public String getServerName() {
      return "portal.example";
    }

    @Override
    public int getServerPort() {
      return 443;
    }

    @Override
    public StringBuffer getRequestURL() {
      return new StringBuffer("https://portal.example").append(uri);
    }

    @Override
    public String getRemoteAddr() {
      return "192.0.2.10";
    }

    @Override
    public String getRemoteHost() {
      return "192.0.2.10";
    }

    @Override
    public int getRemotePort() {
      return 50000;
    }

    @Override
    public String getLocalName() {
      return "portal.example";
    }

    @Override
    public String getLocalAddr() {
      return "192.0.2.1";
    }

    @Override
    public int getLocalPort() {
      return 443;
    }

    @Override
    public boolean isSecure() {
      return true;
    }

    @Override
    public Locale getLocale() {
      return Locale.ROOT;
    }

    @Override
    public Enumeration<Locale> getLocales() {
      return Collections.enumeration(List.of(Locale.ROOT));
    }

    @Override
    public boolean isAsyncStarted() {
      return false;
    }

    @Override
    public boolean isAsyncSupported() {
      return false;
    }

    @Override
    public DispatcherType getDispatcherType() {
      return DispatcherType.REQUEST;
    }

    @Override
    public String getAuthType() {
      return null;
    }

    @Override
    public String getRemoteUser() {
      return null;
    }

    @Override
    public boolean isUserInRole(String role) {
      return false;
    }

    @Override
    public Principal getUserPrincipal() {
      return null;
    }

    @Override
    public String getPathTranslated() {
      throw unsupported();
    }

    @Override
    public String getRequestedSessionId() {
      throw unsupported();
    }

    @Override
    public HttpSession getSession(boolean create) {
      throw unsupported();
    }

    @Override
    public HttpSession getSession() {
      throw unsupported();
    }

    @Override
    public String changeSessionId() {
      throw unsupported();
    }

    @Override
    public boolean isRequestedSessionIdValid() {
      throw unsupported();
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
      throw unsupported();
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
      throw unsupported();
    }

    @Override
    public boolean authenticate(HttpServletResponse response) {
      throw unsupported();
    }

    @Override
    public void login(String username, String password) {
      throw unsupported();
    }

    @Override
    public void logout() {
      throw unsupported();
    }

    @Override
    public Collection<Part> getParts() {
      throw unsupported();
    }

    @Override
    public Part getPart(String name) {
      throw unsupported();
    }

    @Override
    public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) {
      throw unsupported();
    }

    @Override
    public ServletInputStream getInputStream() {
      throw unsupported();
    }

    @Override
    public BufferedReader getReader() {
      throw unsupported();
    }

    @Override
    public RequestDispatcher getRequestDispatcher(String path) {
      throw unsupported();
    }

    @Override
    public ServletContext getServletContext() {
      throw unsupported();
    }

    @Override
    public AsyncContext startAsync() {
      throw unsupported();
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
      throw unsupported();
    }

    @Override
    public AsyncContext getAsyncContext() {
      throw unsupported();
    }

    @Override
    public String getRequestId() {
      return "1";
    }

    @Override
    public String getProtocolRequestId() {
      return "";
    }

    /** A TLS connection, as {@link #isSecure()} says: the transport stage asks the connection. */
    @Override
    public ServletConnection getServletConnection() {
      return TLS_CONNECTION;
    }
  }

  /** A response that keeps its headers and body in memory; nothing commits until {@link #flushBuffer}. */
  static final class Response implements HttpServletResponse {
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();
    private final CharArrayWriter body = new CharArrayWriter(256);
    private final PrintWriter writer = new PrintWriter(body);
    private int status = 200;
    private boolean committed;
    private String contentType;

    /** Starts a new response: status 200, no headers, no body, not committed. */
    Response clear() {
      names.clear();
      values.clear();
      body.reset();
      status = 200;
      committed = false;
      contentType = null;
      return this;
    }

    /** Every value of header {@code name}, in order. */
    List<String> all(String name) {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i).equalsIgnoreCase(name)) {
          out.add(values.get(i));
        }
      }
      return out;
    }

    String body() {
      writer.flush();
      return body.toString();
    }

    @Override
    public void setHeader(String name, String value) {
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i).equalsIgnoreCase(name)) {
          names.remove(i);
          values.remove(i);
          i--;
        }
      }
      addHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
      if (!committed) {
        names.add(name);
        values.add(value);
      }
    }

    @Override
    public String getHeader(String name) {
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i).equalsIgnoreCase(name)) {
          return values.get(i);
        }
      }
      return null;
    }

    @Override
    public Collection<String> getHeaders(String name) {
      return all(name);
    }

    @Override
    public Collection<String> getHeaderNames() {
      return new ArrayList<>(names);
    }

    @Override
    public boolean containsHeader(String name) {
      return getHeader(name) != null;
    }

    @Override
    public void setDateHeader(String name, long date) {
      setHeader(name, Long.toString(date));
    }

    @Override
    public void addDateHeader(String name, long date) {
      addHeader(name, Long.toString(date));
    }

    @Override
    public void setIntHeader(String name, int value) {
      setHeader(name, Integer.toString(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
      addHeader(name, Integer.toString(value));
    }

    @Override
    public void setStatus(int sc) {
      status = sc;
    }

    @Override
    public int getStatus() {
      return status;
    }

    @Override
    public void addCookie(Cookie cookie) {
      throw new UnsupportedOperationException("the filter writes Set-Cookie headers");
    }

    @Override
    public String encodeURL(String url) {
      return url;
    }

    @Override
    public String encodeRedirectURL(String url) {
      return url;
    }

    @Override
    public void sendError(int sc, String msg) {
      status = sc;
      committed = true;
    }

    @Override
    public void sendError(int sc) {
      sendError(sc, null);
    }

    @Override
    public void sendRedirect(String location) {
      setHeader("Location", location);
      status = 302;
      committed = true;
    }

    @Override
    public String getCharacterEncoding() {
      return "UTF-8";
    }

    @Override
    public String getContentType() {
      return contentType;
    }

    @Override
    public ServletOutputStream getOutputStream() {
      throw unsupported();
    }

    @Override
    public PrintWriter getWriter() {
      return writer;
    }

    @Override
    public void setCharacterEncoding(String charset) {}

    @Override
    public void setContentLength(int len) {}

    @Override
    public void setContentLengthLong(long len) {}

    @Override
    public void setContentType(String type) {
      contentType = type;
    }

    @Override
    public void setBufferSize(int size) {}

    @Override
    public int getBufferSize() {
      return 8192;
    }

    @Override
    public void flushBuffer() {
      committed = true;
    }

    @Override
    public void resetBuffer() {
      body.reset();
    }

    @Override
    public boolean isCommitted() {
      return committed;
    }

    @Override
    public void reset() {
      clear();
    }

    @Override
    public void setLocale(Locale loc) {}

    @Override
    public Locale getLocale() {
      return Locale.ROOT;
    }
  }

  private static UnsupportedOperationException unsupported() {
    return new UnsupportedOperationException("not needed by the filter on these requests");
  }
}
