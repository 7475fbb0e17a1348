package dev.portcullis.examples.war;

import java.net.URI;

/** The example WAR deployed on a running container. */
interface DeployedWar extends AutoCloseable {
  /** Where the container listens, e.g. {@code http://127.0.0.1:40123/}. */
  URI uri();

  /** The port of the container's HTTPS connector, or -1 when it has none. */
  default int httpsPort() {
    return -1;
  }

  /** Stops the web application's context and starts it again, in the same container and JVM. */
  void redeploy() throws Exception;

  /** Stops the context only (the container keeps running). */
  void stopContext() throws Exception;

  /** Whether the context is running (false after a failed start). */
  boolean running();
}
