package dev.portcullis.user;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link UserDirectory} held in memory, with Argon2id password hashes: for examples, tests and small portals whose
 * accounts come from configuration. Usernames match case-insensitively ({@link Locale#ROOT}).
 */
public final class InMemoryUserDirectory implements UserDirectory {
  private record Account(String username, String passwordHash, PortalUser user) {}

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
    if (byUsername.putIfAbsent(key, a) != null) {
      throw new IllegalArgumentException("username already present: " + username);
    }
    if (byHandle.putIfAbsent(user.handle(), a) != null) {
      byUsername.remove(key);
      throw new IllegalArgumentException("user handle already present: " + user.handle());
    }
    return this;
  }

  @Override
  public Optional<PortalUser> authenticate(String username, char[] password) {
    Account a = username == null ? null : byUsername.get(username.toLowerCase(Locale.ROOT));
    if (a == null) {
      hasher.verifyDummy(password);
      return Optional.empty();
    }
    return hasher.verify(password, a.passwordHash()) ? Optional.of(current(a)) : Optional.empty();
  }

  @Override
  public Optional<PortalUser> findByHandle(String handle) {
    Account a = handle == null ? null : byHandle.get(handle);
    return a == null ? Optional.empty() : Optional.of(current(a));
  }

  @Override
  public void recordTermsAcceptance(String handle, String version) {
    byHandle.computeIfPresent(handle, (h, a) -> {
      Account updated =
          new Account(a.username(), a.passwordHash(), a.user().withAcceptedTerms(version));
      byUsername.put(a.username(), updated);
      return updated;
    });
  }

  private Account latest(Account a) {
    return byHandle.getOrDefault(a.user().handle(), a);
  }

  private PortalUser current(Account a) {
    return latest(a).user();
  }
}
