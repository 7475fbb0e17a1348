package dev.portcullis.sso;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@link AccountLinkStore} in memory, for one node and for tests. */
final class InMemoryAccountLinkStore implements AccountLinkStore {
  private record Identity(String issuer, String subject) {}

  private final ConcurrentHashMap<Identity, String> users = new ConcurrentHashMap<>();
  private final Set<String> linkedUsers = ConcurrentHashMap.newKeySet();

  @Override
  public LinkResult link(String issuer, String subject, String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    String existing = users.putIfAbsent(new Identity(check(issuer), check(subject)), userHandle);
    if (existing == null) {
      linkedUsers.add(userHandle);
      return LinkResult.LINKED;
    }
    return existing.equals(userHandle) ? LinkResult.ALREADY_LINKED : LinkResult.CONFLICT;
  }

  @Override
  public Optional<String> userFor(String issuer, String subject) {
    return Optional.ofNullable(users.get(new Identity(check(issuer), check(subject))));
  }

  @Override
  public boolean isLinked(String userHandle) {
    return linkedUsers.contains(userHandle);
  }

  private static String check(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("issuer and subject must be present");
    }
    return s;
  }
}
