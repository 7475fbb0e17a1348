package dev.portcullis.servlet;

import dev.portcullis.login.PortalLogin;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A test portal's directory with the accounts an administrator has changed since it started: {@link #change} edits an
 * account as the directory then answers for it; the rest is {@link #users}', set once the portal has made them.
 */
final class ChangedAccounts implements UserDirectory {
  private final Map<String, PortalUser> changed = new ConcurrentHashMap<>();
  /** The portal's own directory, which answers for every account not changed. */
  volatile UserDirectory users;

  /** A {@link LoginPortal} whose login reads its accounts through this directory, as {@link #login} makes it. */
  LoginPortal portal() throws Exception {
    return new LoginPortal((p, filter) -> filter.login(login(p).build(), p.random));
  }

  /**
   * The login of {@code portal} reading its accounts through this directory, which from now on answers with {@code
   * portal}'s own for the accounts not changed: the portal's keys, revocations, clock and random, its terms version,
   * and tickets that live eight hours (renewed past four).
   */
  PortalLogin.Builder login(LoginPortal portal) {
    users = portal.users;
    return PortalLogin.builder()
        .keyRing(portal.ring)
        .users(this)
        .revocations(portal.revocations)
        .clock(portal.clock)
        .random(portal.random)
        .termsVersion(LoginPortal.TERMS)
        .ticketLifetime(Duration.ofHours(8));
  }

  void change(String handle, UnaryOperator<PortalUser> edit) {
    changed.put(handle, edit.apply(findByHandle(handle).orElseThrow()));
  }

  @Override
  public Optional<PortalUser> authenticate(String username, char[] password) {
    return users.authenticate(username, password).map(u -> changed.getOrDefault(u.handle(), u));
  }

  @Override
  public Optional<PortalUser> findByHandle(String handle) {
    PortalUser user = changed.get(handle);
    return user != null ? Optional.of(user) : users.findByHandle(handle);
  }

  @Override
  public void recordTermsAcceptance(String handle, String version) {
    users.recordTermsAcceptance(handle, version);
    changed.computeIfPresent(handle, (h, u) -> u.withAcceptedTerms(version));
  }
}
