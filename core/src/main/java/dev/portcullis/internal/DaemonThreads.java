package dev.portcullis.internal;

import java.util.concurrent.ThreadFactory;

/**
 * The background threads Portcullis starts for itself (the audit log's dispatcher, the key file's watcher, the pending
 * logouts, the JDBC stores' clean-up, the OpenID Connect client's discovery and HTTP client): daemon threads whose
 * context class loader is Portcullis' own, not the one of the thread that builds them. A container starting a web
 * application (embedded Tomcat under Spring Boot) builds Portcullis with the application's loader as the context
 * loader, which such a thread would then hold, and a failed or stopped start reported the thread as the application's
 * leak.
 *
 * <p>Unsupported outside Portcullis: this package is internal.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A daemon thread named {@code name} that runs {@code task}; not started. */
  public static Thread of(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.setContextClassLoader(DaemonThreads.class.getClassLoader());
    return t;
  }

  /** Makes the threads of an executor as {@link #of} does, each named {@code name}. */
  public static ThreadFactory named(String name) {
    return task -> of(name, task);
  }
}
