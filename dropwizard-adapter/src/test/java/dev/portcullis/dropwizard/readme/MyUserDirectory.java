package dev.portcullis.dropwizard.readme;

import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.util.Optional;

/** Stands for the application's own accounts in the README's Dropwizard start: nobody can log in. */
class MyUserDirectory implements UserDirectory {
  @Override
  public Optional<PortalUser> authenticate(String username, char[] password) {
    return Optional.empty();
  }

  @Override
  public Optional<PortalUser> findByHandle(String handle) {
    return Optional.empty();
  }

  @Override
  public void recordTermsAcceptance(String handle, String version) {}
}
