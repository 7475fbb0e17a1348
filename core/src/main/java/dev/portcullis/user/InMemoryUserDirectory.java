package dev.portcullis.user;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A {@link UserDirectory} held in memory, with Argon2id password hashes: for examples, tests and small portals whose
 * accounts come from configuration. Usernames match case-insensitively ({@link Locale#ROOT}).
 *
 * <p>An administrator's changes ({@link #update}, {@link #remove}, {@link #setPassword}) hold from the next lookup on:
 * Portcullis reads the account on every request, so a logged-in user is treated as the changed account from their next
 * request. A new password ends no login by itself: end them with {@code PortalLogin.revokeAll} (and the user's
 * sessions with {@code SessionRegistry.deleteByUser}).
 */
public final class InMemoryUserDirectory implements UserDirectory {
  /**
   * One account; {@code found} is {@link #findByHandle}'s answer for it, made with the account so that the check of
   * every authenticated request makes none.
   */
  private record Account(
      String username, String passwordHash, PortalUser user, Optional<PortalUser> found) {
    Account(String username, String passwordHash, PortalUser user) {
      this(username, passwordHash, user, Optional.of(user));
    }
  }

  private final PasswordHasher hasher;
  private final Map<String, Account> byUsername = new ConcurrentHashMap<>();
  private final Map<String, Account> byHandle = new ConcurrentHashMap<>();

  public InMemoryUserDirectory(PasswordHasher hasher) {
    this.hasher = Objects.requireNonNull(hasher, "hasher");
  }

  /** Adds an account; its password is hashed now. */
  public InMemoryUserDirectory add(String username, char[] password, PortalUser user) {
    String key = username.toLowerCase(Locale.ROOT);
    Account a = new Account(key, hasher.hash(password), user);
    synchronized (this) {
      if (byUsername.containsKey(key)) {
        throw new IllegalArgumentException("username already present: " + username);
      }
      if (byHandle.containsKey(user.handle())) {
        throw new IllegalArgumentException("user handle already present: " + user.handle());
      }
      put(a);
    }
    return this;
  }

  /**
   * Changes the account with {@code handle} (roles, organisation, name, email, enabled, terms) to what {@code change}
   * returns for it; the username and password stay.
   *
   * @return false when there is no such account
   * @throws IllegalArgumentException when the changed account has another handle
   */
  public synchronized boolean update(String handle, UnaryOperator<PortalUser> change) {
    Objects.requireNonNull(change, "change");
    Account a = handle == null ? null : byHandle.get(handle);
    if (a == null) {
      return false;
    }
    PortalUser changed = Objects.requireNonNull(change.apply(a.user()), "the changed account");
    if (!changed.handle().equals(handle)) {
      throw new IllegalArgumentException("an update cannot change the user handle");
    }
    put(new Account(a.username(), a.passwordHash(), changed));
    return true;
  }

  /**
   * Gives the account with {@code handle} a new password, hashed now.
   *
   * @return false when there is no such account
   */
  public boolean setPassword(String handle, char[] password) {
    if (handle == null || !byHandle.containsKey(handle)) {
      return false;
    }
    // Hashed outside the lock: a hash costs far more than the change.
    String hash = hasher.hash(password);
    synchronized (this) {
      Account a = byHandle.get(handle);
      if (a == null) {
        return false;
      }
      put(new Account(a.username(), hash, a.user()));
      return true;
    }
  }

  /**
   * Removes the account with {@code handle}: its username logs in no more, and its user's next request is anonymous.
   *
   * @return false when there was no such account
   */
  public synchronized boolean remove(String handle) {
    Account a = handle == null ? null : byHandle.remove(handle);
    if (a == null) {
      return false;
    }
    byUsername.remove(a.username());
    return true;
  }

  private void put(Account a) {
    byUsername.put(a.username(), a);
    byHandle.put(a.user().handle(), a);
  }

  @Override
  public Optional<PortalUser> authenticate(String username, char[] password) {
    Account a = username == null ? null : byUsername.get(username.toLowerCase(Locale.ROOT));
    if (a == null) {
      hasher.verifyDummy(password);
      return Optional.empty();
    }
    if (!hasher.verify(password, a.passwordHash())) {
      return Optional.empty();
    }
    // The account as it is now: changed or removed while the password was checked.
    Account now = byHandle.get(a.user().handle());
    return now == null ? Optional.empty() : Optional.of(now.user());
  }

  @Override
  public Optional<PortalUser> findByHandle(String handle) {
    Account a = handle == null ? null : byHandle.get(handle);
    return a == null ? Optional.empty() : a.found();
  }

  @Override
  public synchronized void recordTermsAcceptance(String handle, String version) {
    Account a = handle == null ? null : byHandle.get(handle);
    if (a != null) {
      put(new Account(a.username(), a.passwordHash(), a.user().withAcceptedTerms(version)));
    }
  }
}
