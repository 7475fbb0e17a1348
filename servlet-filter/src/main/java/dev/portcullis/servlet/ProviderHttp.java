package dev.portcullis.servlet;

import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.oauth2.sdk.http.HTTPRequestSender;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPRequest;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPResponse;
import dev.portcullis.internal.DaemonThreads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProxySelector;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP to the OpenID provider (discovery, token endpoint, JWK set), each exchange bounded as a whole: connecting,
 * sending, and receiving the status line, the headers and the last byte of the body must all happen within one
 * timeout, or the exchange fails with {@link HttpTimeoutException} and is cancelled.
 *
 * <p><b>Security.</b> A connect and read timeout per socket operation (what {@code HttpURLConnection} offers) lets a
 * provider, or anyone between the portal and it, that sends one byte just before each read times out hold a request
 * thread for as long as it likes; here the caller waits no longer than the timeout, whatever the provider does. An
 * answer larger than {@value #MAX_BODY} bytes is refused. No redirect is followed: a redirect is the provider's answer,
 * and fails the exchange as any other status but 200 does, so that neither the token request (with the authorization
 * code and the PKCE verifier) nor a request for the JWK set or the metadata goes to a host the provider names in a
 * {@code Location} header, past the check that the discovered endpoints are https. Requests go through the JVM's
 * default proxy selector, as they did through {@code HttpURLConnection}.
 */
final class ProviderHttp implements HTTPRequestSender, ResourceRetriever {
  /** The largest answer read from the provider: far beyond any discovery document, token response or JWK set. */
  static final int MAX_BODY = 512 * 1024;

  /** Headers the JDK client sets itself and refuses from the caller. */
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  private final HttpClient client;
  private final Duration timeout;

  /** @param timeout the longest one exchange may take, from connecting to the last byte of the answer */
  ProviderHttp(Duration timeout) {
    this.timeout = timeout;
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(timeout)
        // The JDK's own pool would make its threads with the context class loader of whichever
        // thread needs one first, a request's among them.
        .executor(Executors.newCachedThreadPool(DaemonThreads.named("portcullis-oidc-http")));
    ProxySelector proxies = ProxySelector.getDefault();
    if (proxies != null) {
      builder.proxy(proxies);
    }
    // The client starts its selector thread as it is built, with the building thread's context
    // class loader (a container's web application loader), and keeps it for as long as it lives.
    Thread building = Thread.currentThread();
    ClassLoader before = building.getContextClassLoader();
    building.setContextClassLoader(ProviderHttp.class.getClassLoader());
    try {
      this.client = builder.build();
    } finally {
      building.setContextClassLoader(before);
    }
  }

  /** The Nimbus OAuth SDK's requests: the token request and discovery. */
  @Override
  public ReadOnlyHTTPResponse send(ReadOnlyHTTPRequest request) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(request.getURI()).timeout(timeout);
    request.getHeaderMap().forEach((name, values) -> {
      if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(value -> b.header(name, value));
      }
    });
    String body = request.getBody();
    b.method(
        request.getMethod().name(),
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    HttpResponse<byte[]> answer = exchange(b.build());
    HTTPResponse response = new HTTPResponse(answer.statusCode());
    answer.headers().map().forEach((name, values) -> {
      if (!name.startsWith(":") && !values.isEmpty()) {
        response.setHeader(name, values.toArray(String[]::new));
      }
    });
    if (answer.body().length > 0) {
      response.setBody(new String(answer.body(), StandardCharsets.UTF_8));
    }
    return response;
  }

  /** Nimbus JOSE's requests: the provider's JWK set. */
  @Override
  public Resource retrieveResource(URL url) throws IOException {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(url.toURI()).timeout(timeout).GET().build();
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new IOException("not a URI the provider could be asked at", e);
    }
    HttpResponse<byte[]> answer = exchange(request);
    if (answer.statusCode() / 100 != 2) {
      throw new IOException("HTTP " + answer.statusCode());
    }
    return new Resource(
        new String(answer.body(), StandardCharsets.UTF_8),
        answer.headers().firstValue("Content-Type").orElse(null));
  }

  private HttpResponse<byte[]> exchange(HttpRequest request) throws IOException {
    CompletableFuture<HttpResponse<byte[]>> pending =
        client.sendAsync(request, info -> new BoundedBody());
    try {
      return pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new HttpTimeoutException("no whole answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io ? io : new IOException("exchange failed", cause);
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the OpenID provider");
    }
  }

  /** Collects the body up to {@link #MAX_BODY} bytes, and fails beyond. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer buffer : buffers) {
        if (body.isDone()) {
          return;
        }
        if (bytes.size() + buffer.remaining() > MAX_BODY) {
          subscription.cancel();
          body.completeExceptionally(new IOException("answer larger than " + MAX_BODY + " bytes"));
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.writeBytes(chunk);
      }
    }

    @Override
    public void onError(Throwable failure) {
      body.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toByteArray());
    }
  }
}
