package dev.portcullis.servlet;

import dev.portcullis.revocation.StoreUnavailableException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A store (session store, account-link store, user directory, ...) over a working one, whose named operations
 * ({@code save}, {@code rotate}, {@code userFor}, {@code findByHandle}, ...) throw {@link StoreUnavailableException}
 * while switched on, as a database or Redis store does in an outage.
 *
 * @param <T> the store's interface
 */
final class StoreOutage<T> {
  private final AtomicReference<Set<String>> failing = new AtomicReference<>(Set.of());
  private final T store;

  private StoreOutage(Class<T> type, T working) {
    this.store = type.cast(Proxy.newProxyInstance(
        type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
          if (failing.get().contains(m.getName())) {
            throw new StoreUnavailableException(type.getSimpleName() + " unavailable (test)", null);
          }
          try {
            return m.invoke(working, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        }));
  }

  static <T> StoreOutage<T> of(Class<T> type, T working) {
    return new StoreOutage<>(type, working);
  }

  /** The store to give the portal. */
  T store() {
    return store;
  }

  /** From now on, these operations throw. */
  void fail(String... operations) {
    failing.set(Set.of(operations));
  }

  /** The store answers again. */
  void end() {
    failing.set(Set.of());
  }
}
