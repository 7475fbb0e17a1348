package dev.portcullis.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/**
 * An {@link AsyncContext} that lets the pipeline write its state before {@link #complete()} or {@link #dispatch}
 * hands the response back to the container, and saves once more when the async cycle ends.
 */
final class GuardedAsyncContext implements AsyncContext {
  private final AsyncContext delegate;
  private final Exchange exchange;

  GuardedAsyncContext(AsyncContext delegate, Exchange exchange) {
    this.delegate = delegate;
    this.exchange = exchange;
    delegate.addListener(new AsyncListener() {
      @Override
      public void onComplete(AsyncEvent event) {
        exchange.end(false);
      }

      @Override
      public void onTimeout(AsyncEvent event) {}

      @Override
      public void onError(AsyncEvent event) {}

      @Override
      public void onStartAsync(AsyncEvent event) {
        event.getAsyncContext().addListener(this);
      }
    });
  }

  boolean wraps(AsyncContext context) {
    return delegate == context;
  }

  @Override
  public ServletRequest getRequest() {
    return delegate.getRequest();
  }

  @Override
  public ServletResponse getResponse() {
    return delegate.getResponse();
  }

  @Override
  public boolean hasOriginalRequestAndResponse() {
    return delegate.hasOriginalRequestAndResponse();
  }

  @Override
  public void dispatch() {
    exchange.committing();
    delegate.dispatch();
  }

  @Override
  public void dispatch(String path) {
    exchange.committing();
    delegate.dispatch(path);
  }

  @Override
  public void dispatch(ServletContext context, String path) {
    exchange.committing();
    delegate.dispatch(context, path);
  }

  @Override
  public void complete() {
    exchange.committing();
    delegate.complete();
  }

  @Override
  public void start(Runnable run) {
    delegate.start(run);
  }

  @Override
  public void addListener(AsyncListener listener) {
    delegate.addListener(listener);
  }

  @Override
  public void addListener(
      AsyncListener listener, ServletRequest request, ServletResponse response) {
    delegate.addListener(listener, request, response);
  }

  @Override
  public <T extends AsyncListener> T createListener(Class<T> clazz) throws ServletException {
    return delegate.createListener(clazz);
  }

  @Override
  public void setTimeout(long timeout) {
    delegate.setTimeout(timeout);
  }

  @Override
  public long getTimeout() {
    return delegate.getTimeout();
  }
}
