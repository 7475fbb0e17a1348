package dev.portcullis.sso;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@link AccountLinkStore} in memory, for one node and for tests. Every method holds one lock, so an identity and its
 * user's index always change together.
 */
final class InMemoryAccountLinkStore implements AccountLinkStore {
  private final Map<LinkedIdentity, String> users = new HashMap<>();
  private final Map<String, Set<LinkedIdentity>> identities = new HashMap<>();

  @Override
  public synchronized LinkResult link(String issuer, String subject, String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    LinkedIdentity id = identity(issuer, subject);
    String existing = users.putIfAbsent(id, userHandle);
    if (existing == null) {
      identities.computeIfAbsent(userHandle, u -> new LinkedHashSet<>()).add(id);
      return LinkResult.LINKED;
    }
    return existing.equals(userHandle) ? LinkResult.ALREADY_LINKED : LinkResult.CONFLICT;
  }

  @Override
  public synchronized Optional<String> userFor(String issuer, String subject) {
    return Optional.ofNullable(users.get(identity(issuer, subject)));
  }

  @Override
  public synchronized boolean isLinked(String userHandle) {
    return identities.containsKey(Objects.requireNonNull(userHandle, "userHandle"));
  }

  @Override
  public synchronized List<LinkedIdentity> linksOf(String userHandle) {
    return List.copyOf(
        identities.getOrDefault(Objects.requireNonNull(userHandle, "userHandle"), Set.of()));
  }

  @Override
  public synchronized boolean unlink(String issuer, String subject, String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    LinkedIdentity id = identity(issuer, subject);
    if (!users.remove(id, userHandle)) {
      return false;
    }
    Set<LinkedIdentity> own = identities.get(userHandle);
    own.remove(id);
    if (own.isEmpty()) {
      identities.remove(userHandle);
    }
    return true;
  }

  @Override
  public synchronized int unlinkAll(String userHandle) {
    Set<LinkedIdentity> own = identities.remove(Objects.requireNonNull(userHandle, "userHandle"));
    if (own == null) {
      return 0;
    }
    own.forEach(users::remove);
    return own.size();
  }

  private static LinkedIdentity identity(String issuer, String subject) {
    return new LinkedIdentity(check(issuer), check(subject));
  }

  private static String check(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("issuer and subject must be present");
    }
    return s;
  }
}
