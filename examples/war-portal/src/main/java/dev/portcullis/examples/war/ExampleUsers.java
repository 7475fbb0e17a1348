package dev.portcullis.examples.war;

import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Set;

/**
 * The example's user directory, named in {@code portcullis.properties} as {@code portcullis.user-directory}: a public
 * class with a public constructor without parameters. A real portal adapts its own user store here.
 *
 * <p>It holds one demonstration account, {@code alice}, whose password is the system property {@value
 * #PASSWORD_PROPERTY}; without that property it holds no account at all, so a deployed example has no known password.
 */
public final class ExampleUsers implements UserDirectory {
  /** The system property holding the demonstration account's password. */
  public static final String PASSWORD_PROPERTY = "war-portal.demo-password";

  private final InMemoryUserDirectory users =
      new InMemoryUserDirectory(PasswordHasher.standard(new SecureRandom()));

  public ExampleUsers() {
    String password = System.getProperty(PASSWORD_PROPERTY);
    if (password != null && !password.isEmpty()) {
      users.add(
          "alice",
          password.toCharArray(),
          new PortalUser(
              "u-alice",
              "Alice Example",
              "alice@riverside.example",
              Set.of("PROVIDER"),
              "riverside",
              true,
              null));
    }
  }

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
