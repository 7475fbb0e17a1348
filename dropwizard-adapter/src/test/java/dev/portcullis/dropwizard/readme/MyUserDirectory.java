package dev.portcullis.dropwizard.readme;

import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.util.Optional;
import java.util.Set;

/** Stands for the application's own accounts in the README's Dropwizard start: one provider. */
class MyUserDirectory implements UserDirectory {
  private final InMemoryUserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests())
      .add(
          "provider",
          "provider-pass".toCharArray(),
          new PortalUser(
              "u-provider",
              "Pat Provider",
              "pat@example.org",
              Set.of("PROVIDER"),
              "riverside",
              true,
              null));

  @Override
  public Optional<PortalUser> authenticate(String username, char[] password) {
    return users.authenticate(username, password);
  }

  @Override
  public Optional<PortalUser> findByHandle(String handle) {
    return users.findByHandle(handle);
  }

  @Override
  public void recordTermsAcceptance(String handle, String version) {
    users.recordTermsAcceptance(handle, version);
  }
}
