package dev.portcullis.servlet.testing;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real Jetty 12 for tests, set up as the README tells Portcullis users to: loopback only, ports chosen by the
 * system, a case-sensitive header cache. A plain HTTP connector always, and on request an HTTPS connector with the
 * test certificate (a self-signed certificate for {@code 127.0.0.1} and {@code localhost}, made once per JVM), whose
 * trust a client gets from {@link #clientTls()}.
 *
 * <p>Two steps, so that a filter can be built knowing the server's own addresses: {@link Builder#open()} binds the
 * connectors (the ports and base URIs are known from then on), then {@link #context(String)} adds servlet contexts
 * and {@link #start()} starts serving. {@link #close()} stops the server, or releases the ports if it never started.
 *
 * <pre>{@code
 * TestJetty jetty = TestJetty.builder().open();
 * jetty.context("/").filter(filterFor(jetty.baseUri())).servlet(new Pages());
 * jetty.start();
 * }</pre>
 */
public final class TestJetty implements AutoCloseable {
  /** Room for a burst of connections (load tests fire hundreds of concurrent requests). */
  private static final int ACCEPT_QUEUE_SIZE = 1024;

  private static final char[] KEY_STORE_PASSWORD = "test-only".toCharArray();
  private static final String KEY_ALIAS = "portcullis-test";

  private final Server server;
  private final ContextHandlerCollection contexts = new ContextHandlerCollection();
  private final boolean unsafeUris;
  /** The loopback address the connectors listen on, as it goes into a URI. */
  private final String host;

  private final ServerConnector plain;
  private final ServerConnector encrypted;
  private final SSLContext clientTls;
  private final InFlight inFlight = new InFlight();
  private boolean started;

  private TestJetty(Builder builder) throws Exception {
    server = builder.maxThreads > 0
        ? new Server(new QueuedThreadPool(builder.maxThreads))
        : new Server();
    unsafeUris = builder.unsafeUris;
    host = builder.ipv6 ? "[::1]" : "127.0.0.1";
    HttpConfiguration http = httpConfiguration();
    if (unsafeUris) {
      http.setUriCompliance(UriCompliance.UNSAFE);
    }
    plain = builder.http2
        ? connector(
            server, host, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http))
        : connector(server, host, new HttpConnectionFactory(http));
    server.addConnector(plain);
    if (builder.https) {
      KeyStore keys = TestCertificate.KEY_STORE;
      SslContextFactory.Server tls = new SslContextFactory.Server();
      tls.setKeyStore(keys);
      tls.setKeyStorePassword(new String(KEY_STORE_PASSWORD));
      HttpConfiguration https = new HttpConfiguration(http);
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      secure.setSniHostCheck(false); // clients connect to an IP literal, which SNI cannot carry
      https.addCustomizer(secure);
      if (builder.http2) {
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol("http/1.1");
        encrypted = connector(
            server,
            host,
            new SslConnectionFactory(tls, alpn.getProtocol()),
            alpn,
            new HTTP2ServerConnectionFactory(https),
            new HttpConnectionFactory(https));
      } else {
        encrypted = connector(
            server,
            host,
            new SslConnectionFactory(tls, "http/1.1"),
            new HttpConnectionFactory(https));
      }
      server.addConnector(encrypted);
      clientTls = trusting(keys.getCertificate(KEY_ALIAS));
    } else {
      encrypted = null;
      clientTls = null;
    }
    server.setHandler(contexts);
    try {
      plain.open();
      if (encrypted != null) {
        encrypted.open();
      }
    } catch (Exception e) {
      closeConnectors();
      throw e;
    }
  }

  /** A server with only a plain HTTP connector and Jetty's default URI checks, until told otherwise. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A loopback connector on a system-chosen port with the fixture's settings (case-sensitive header cache, a large
   * accept queue), for tests of connectors themselves.
   */
  public static ServerConnector loopbackConnector(Server server) {
    return connector(server, "127.0.0.1", new HttpConnectionFactory(httpConfiguration()));
  }

  /** Adds a servlet context at {@code contextPath} ("/" for the root); configure it before {@link #start()}. */
  public Context context(String contextPath) {
    if (started) {
      throw new IllegalStateException("contexts are added before start()");
    }
    Context context = new Context(contextPath);
    contexts.addHandler(context.handler);
    return context;
  }

  /** Starts serving the contexts added so far. */
  public TestJetty start() throws Exception {
    server.start();
    started = true;
    return this;
  }

  /** The plain HTTP port. */
  public int port() {
    return plain.getLocalPort();
  }

  /** The HTTPS port, or -1 without HTTPS. */
  public int httpsPort() {
    return encrypted == null ? -1 : encrypted.getLocalPort();
  }

  /** {@code http://127.0.0.1:port} ({@code http://[::1]:port} on IPv6), without a trailing slash. */
  public URI baseUri() {
    return URI.create("http://" + host + ":" + port());
  }

  /** {@code https://127.0.0.1:port}, without a trailing slash. */
  public URI httpsBaseUri() {
    requireHttps();
    return URI.create("https://" + host + ":" + httpsPort());
  }

  /** A client TLS context that trusts the test certificate (and nothing else). */
  public SSLContext clientTls() {
    requireHttps();
    return clientTls;
  }

  /**
   * Waits until no request is inside any context's filter chain. A client can see the response before the chain has
   * returned (Jetty completes it at {@code sendRedirect}), so what a filter does after the chain (an audit record) is
   * only certain once this returns. Asynchronous requests count until their dispatch returns, not until they complete.
   *
   * @throws AssertionError if requests are still running after {@code timeout}
   */
  public void awaitIdle(Duration timeout) throws InterruptedException {
    inFlight.awaitNone(timeout);
  }

  /** The Jetty server, for what the fixture does not offer. */
  public Server server() {
    return server;
  }

  @Override
  public void close() throws Exception {
    if (started) {
      server.stop();
    } else {
      closeConnectors();
    }
  }

  private void requireHttps() {
    if (encrypted == null) {
      throw new IllegalStateException(
          "this server has no HTTPS connector (TestJetty.builder().https())");
    }
  }

  private void closeConnectors() {
    plain.close();
    if (encrypted != null) {
      encrypted.close();
    }
  }

  private static HttpConfiguration httpConfiguration() {
    HttpConfiguration config = new HttpConfiguration();
    // Jetty's per-connection header cache matches values case-insensitively by default, which would
    // hand a cookie that differs only in case to the application as an earlier value (see
    // JettyHeaderCacheTest).
    config.setHeaderCacheCaseSensitive(true);
    return config;
  }

  private static ServerConnector connector(
      Server server, String host, org.eclipse.jetty.server.ConnectionFactory... factories) {
    ServerConnector connector = new ServerConnector(server, factories);
    connector.setHost(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
    connector.setPort(0);
    // A full listen queue makes the kernel drop connection attempts, which the client then retries
    // only after a second or more.
    connector.setAcceptQueueSize(ACCEPT_QUEUE_SIZE);
    return connector;
  }

  private static SSLContext trusting(Certificate certificate) throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry(KEY_ALIAS, certificate);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), new SecureRandom());
    return context;
  }

  /** What the server is to be; {@link #open()} binds it. */
  public static final class Builder {
    private boolean https;
    private boolean unsafeUris;
    private boolean http2;
    private int maxThreads;
    private boolean ipv6;

    private Builder() {}

    /**
     * Listens on IPv6 loopback ({@code ::1}) instead of {@code 127.0.0.1}, so that clients reach it from an IPv6
     * address. Jetty reports such a client's address in brackets ({@code [0:0:0:0:0:0:0:1]}). The test certificate
     * does not name {@code ::1}.
     */
    public Builder ipv6Loopback() {
      ipv6 = true;
      return this;
    }

    /**
     * Serves with at most {@code maxThreads} threads (Jetty's default is 200), so that a test can hold every one of
     * them with a few requests.
     */
    public Builder maxThreads(int maxThreads) {
      this.maxThreads = maxThreads;
      return this;
    }

    /**
     * Speaks HTTP/2 beside HTTP/1.1, as a server configured for browsers does: h2 through ALPN on the HTTPS connector,
     * h2c (prior knowledge or an {@code Upgrade: h2c}) on the plain one.
     */
    public Builder http2() {
      http2 = true;
      return this;
    }

    /** Adds an HTTPS connector with the test certificate, beside the plain one. */
    public Builder https() {
      https = true;
      return this;
    }

    /**
     * Jetty reads request URIs as leniently as it can (and decodes ambiguous ones), so that the filter under test is
     * the only barrier; by default Jetty answers ambiguous URIs with a 400 before any filter runs.
     */
    public Builder unsafeUris() {
      unsafeUris = true;
      return this;
    }

    /** Binds the connectors; the server serves nothing until {@link TestJetty#start()}. */
    public TestJetty open() throws Exception {
      return new TestJetty(this);
    }
  }

  /** One servlet context: a filter and a servlet on {@code /*}, optionally Jetty's own HTTP sessions. */
  public final class Context {
    private final ServletContextHandler handler = new ServletContextHandler();

    private Context(String contextPath) {
      handler.setContextPath(contextPath);
      if (unsafeUris) {
        handler.getServletHandler().setDecodeAmbiguousURIs(true);
      }
      // First, so that it wraps every filter the test adds.
      filter(inFlight);
    }

    /** Gives the context the container's HTTP sessions (what {@code ServletContextHandler.SESSIONS} does). */
    public Context containerSessions() {
      handler.setSessionHandler(new SessionHandler());
      return this;
    }

    /** Puts {@code filter} in front of every request dispatched to this context (async supported). */
    public Context filter(Filter filter) {
      FilterHolder holder = new FilterHolder(filter);
      holder.setAsyncSupported(true);
      handler.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
      return this;
    }

    /** Serves every path of this context with {@code servlet}. */
    public Context servlet(HttpServlet servlet) {
      handler.addServlet(new ServletHolder(servlet), "/*");
      return this;
    }

    /** Serves every path of this context with {@code servlet}, which may start asynchronous processing. */
    public Context asyncServlet(HttpServlet servlet) {
      ServletHolder holder = new ServletHolder(servlet);
      holder.setAsyncSupported(true);
      handler.addServlet(holder, "/*");
      return this;
    }

    /** The Jetty context, for what the fixture does not offer (e.g. its session handler's counters). */
    public ServletContextHandler handler() {
      return handler;
    }
  }

  /** Counts the requests inside a filter chain, for {@link #awaitIdle(Duration)}. */
  private static final class InFlight implements Filter {
    private int running;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      synchronized (this) {
        running++;
      }
      try {
        chain.doFilter(request, response);
      } finally {
        synchronized (this) {
          running--;
          notifyAll();
        }
      }
    }

    synchronized void awaitNone(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (running > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(running + " request(s) still running after " + timeout);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }

  /** The test certificate: made on first use, kept for the JVM's lifetime. */
  private static final class TestCertificate {
    static final KeyStore KEY_STORE = make();

    /** A fresh EC key and a self-signed certificate for 127.0.0.1 and localhost, valid for a day either side of now. */
    private static KeyStore make() {
      try {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair pair = generator.generateKeyPair();
        X500Name name = new X500Name("CN=portcullis test");
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
            name,
            BigInteger.valueOf(now),
            new Date(now - 86_400_000L),
            new Date(now + 86_400_000L),
            name,
            pair.getPublic());
        builder.addExtension(
            Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.dNSName, "localhost")
            }));
        X509Certificate certificate = new JcaX509CertificateConverter()
            .getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(
            KEY_ALIAS, pair.getPrivate(), KEY_STORE_PASSWORD, new Certificate[] {certificate});
        return store;
      } catch (Exception e) {
        throw new IllegalStateException("cannot make the test certificate", e);
      }
    }

    private TestCertificate() {}
  }
}
