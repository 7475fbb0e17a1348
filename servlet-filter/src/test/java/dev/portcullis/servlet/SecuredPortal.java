package dev.portcullis.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A real Jetty 12 on loopback for the transport and access tests: {@code /app/*} behind the filter under test,
 * {@code /raw/*} the same servlet without it (the control that shows what would leak without Portcullis). A plain
 * HTTP connector always; optionally a TLS connector with a self-signed certificate made for the run. The filter is
 * built once the ports are known, so that it can redirect to the real HTTPS port.
 */
final class SecuredPortal implements AutoCloseable {
  static final char[] STORE_PASSWORD = "test-only".toCharArray();

  /** The ports the connectors listen on; {@code https} is -1 without TLS. */
  record Ports(int http, int https) {}

  /** A response read off a raw socket. Header names are lower case; repeated headers are joined with ", ". */
  record RawResponse(int status, Map<String, String> headers, String body) {}

  /** How strictly Jetty itself reads request URIs before the filter sees them. */
  enum Uris {
    /** Jetty's defaults: ambiguous URIs get a 400 from Jetty before any filter runs. */
    JETTY_DEFAULT,
    /** Jetty lets everything through, so the filter is the only barrier. */
    UNSAFE
  }

  final Ports ports;
  private final Server server;
  private final HttpClient client;

  SecuredPortal(Function<Ports, Filter> filter, HttpServlet servlet, boolean tls, Uris uris) throws Exception {
    server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    if (uris == Uris.UNSAFE) {
      http.setUriCompliance(UriCompliance.UNSAFE);
    }
    ServerConnector plain = new ServerConnector(server, new HttpConnectionFactory(http));
    plain.setHost("127.0.0.1");
    plain.setPort(0);
    server.addConnector(plain);
    plain.open();

    SSLContext clientTls = null;
    int httpsPort = -1;
    if (tls) {
      KeyStore keys = selfSigned();
      SslContextFactory.Server sslFactory = new SslContextFactory.Server();
      sslFactory.setKeyStore(keys);
      sslFactory.setKeyStorePassword(new String(STORE_PASSWORD));
      HttpConfiguration https = new HttpConfiguration(http);
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      secure.setSniHostCheck(false); // the client connects to an IP literal, which SNI cannot carry
      https.addCustomizer(secure);
      ServerConnector encrypted = new ServerConnector(server, new SslConnectionFactory(sslFactory, "http/1.1"),
          new HttpConnectionFactory(https));
      encrypted.setHost("127.0.0.1");
      encrypted.setPort(0);
      server.addConnector(encrypted);
      encrypted.open();
      httpsPort = encrypted.getLocalPort();

      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry("portal", keys.getCertificate("portal"));
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      clientTls = SSLContext.getInstance("TLS");
      clientTls.init(null, trust.getTrustManagers(), new SecureRandom());
    }
    ports = new Ports(plain.getLocalPort(), httpsPort);

    ServletContextHandler app = new ServletContextHandler();
    app.setContextPath("/app");
    FilterHolder filterHolder = new FilterHolder(filter.apply(ports));
    filterHolder.setAsyncSupported(true);
    app.addFilter(filterHolder, "/*", EnumSet.of(DispatcherType.REQUEST));
    ServletHolder servletHolder = new ServletHolder(servlet);
    servletHolder.setAsyncSupported(true);
    app.addServlet(servletHolder, "/*");
    ServletContextHandler raw = new ServletContextHandler();
    raw.setContextPath("/raw");
    raw.addServlet(new ServletHolder(servlet), "/*");
    if (uris == Uris.UNSAFE) {
      app.getServletHandler().setDecodeAmbiguousURIs(true);
      raw.getServletHandler().setDecodeAmbiguousURIs(true);
    }
    server.setHandler(new ContextHandlerCollection(app, raw));
    server.start();

    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5));
    if (clientTls != null) {
      builder.sslContext(clientTls);
    }
    client = builder.build();
  }

  URI http(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + ports.http() + pathAndQuery);
  }

  URI https(String pathAndQuery) {
    return URI.create("https://127.0.0.1:" + ports.https() + pathAndQuery);
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return client.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(URI uri, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri);
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request);
  }

  /**
   * Sends {@code method target HTTP/1.1} exactly as given (no URI parsing on the way), with {@code extraHeaders}
   * (each "Name: value") and a Host header naming the plain port unless one of them is a Host header, and reads the
   * response until the server closes the connection.
   */
  RawResponse raw(String method, String target, String... extraHeaders) throws IOException {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    if (Arrays.stream(extraHeaders).noneMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5))) {
      head.append("Host: 127.0.0.1:").append(ports.http()).append("\r\n");
    }
    for (String h : extraHeaders) {
      head.append(h).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ports.http())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return parse(socket.getInputStream().readAllBytes());
    }
  }

  /**
   * Sends {@code head} (a complete request head ending in an empty line) followed by {@code bodyPart}, then reads
   * the response without sending anything more. The socket times out after {@code timeout}.
   */
  RawResponse rawPartial(String head, byte[] bodyPart, Duration timeout) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ports.http())) {
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(bodyPart);
      out.flush();
      return parse(readResponse(socket.getInputStream()));
    }
  }

  /**
   * Reads a head and its body (by Content-Length, chunked, or up to the close), without waiting for the connection to
   * close when the body's end is known.
   */
  private static byte[] readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      got.write(b);
      if (got.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        break;
      }
    }
    Map<String, String> headers = parse(got.toByteArray()).headers();
    if (headers.containsKey("content-length")) {
      got.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; size = Integer.parseInt(line(in).trim(), 16)) {
        body.write(in.readNBytes(size));
        line(in);
      }
      return (new String(got.toByteArray(), StandardCharsets.ISO_8859_1)
          + new String(body.toByteArray(), StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
    } else {
      got.write(in.readAllBytes());
    }
    return got.toByteArray();
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      s.append((char) b);
    }
    return s.toString();
  }

  static RawResponse parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    String head = end < 0 ? text : text.substring(0, end);
    String body = end < 0 ? "" : text.substring(end + 4);
    String[] lines = head.split("\r\n");
    if (lines.length == 0 || !lines[0].startsWith("HTTP/1.1 ")) {
      return new RawResponse(-1, Map.of(), text);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
        headers.merge(name, lines[i].substring(colon + 1).trim(), (a, c) -> a + ", " + c);
      }
    }
    return new RawResponse(Integer.parseInt(lines[0].substring(9, 12)), headers, body);
  }

  /** A fresh EC key and a self-signed certificate for 127.0.0.1 and localhost, valid for a day either side of now. */
  static KeyStore selfSigned() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair pair = generator.generateKeyPair();
    X500Name name = new X500Name("CN=portcullis test");
    long now = System.currentTimeMillis();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now), new Date(
        now - 86_400_000L), new Date(now + 86_400_000L), name, pair.getPublic());
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
    X509Certificate certificate = new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("portal", pair.getPrivate(), STORE_PASSWORD, new Certificate[] {certificate});
    return store;
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
