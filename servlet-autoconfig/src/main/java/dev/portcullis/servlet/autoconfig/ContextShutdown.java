package dev.portcullis.servlet.autoconfig;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.ArrayList;
import java.util.List;

/**
 * Closes what the initializer made (the audit log last) when the context stops, so that a redeployed application
 * finds its audit file free and no delivery thread of the old one is left running.
 */
final class ContextShutdown implements ServletContextListener {
  private final List<AutoCloseable> resources = new ArrayList<>();

  synchronized void closeAtShutdown(List<AutoCloseable> more) {
    resources.addAll(more);
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    List<AutoCloseable> toClose;
    synchronized (this) {
      toClose = List.copyOf(resources);
      resources.clear();
    }
    PortcullisAssembly.closeAll(toClose);
  }
}
