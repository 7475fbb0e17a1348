package dev.portcullis.examples.portal;

import dev.portcullis.aspnet.FormsAuthentication;
import dev.portcullis.aspnet.FormsAuthenticationLegacyLogin;
import dev.portcullis.aspnet.WebConfig;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Optional;

/**
 * The cut-over from the ASP.NET portal this one replaces: its Forms Authentication cookie, read with the
 * {@code <machineKey>} of its web.config, logs the user in here once (then the filter removes it) until the sunset.
 * The filter does the rest ({@code PortcullisFilter.Builder.legacyLogin}): a new session, the terms gate, the audit
 * event {@code legacy_ticket_upgraded}, and each old cookie upgraded at most once.
 *
 * <p>The old portal's user names are the demo accounts' usernames ({@link DemoData#ACCOUNTS}), compared without case as
 * ASP.NET's membership provider does; the account's current state (enabled, roles) comes from the user directory.
 *
 * <p><b>Security.</b> A machine key on the public list of disclosed keys refuses to start (the bridge checks it), as
 * does a web.config that cannot be read: the portal never starts with a cut-over it cannot honour. The file's content
 * and the names in old cookies are not logged.
 */
final class LegacyCutOver {
  private LegacyCutOver() {}

  /**
   * The old portal's web.config that the options name, read once at start-up.
   *
   * @throws IllegalArgumentException when the web.config is missing, unreadable or not one the bridge reads
   * @throws IllegalStateException when its machine key is publicly disclosed or does not suit its algorithm
   */
  static WebConfig webConfig(LegacyOptions options) {
    try (InputStream in = Files.newInputStream(options.webConfig())) {
      return WebConfig.read(in);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          "the legacy web.config " + options.webConfig() + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the legacy web.config " + options.webConfig() + " cannot be read", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the legacy web.config " + options.webConfig() + " cannot be used: " + e.getMessage(), e);
    }
  }

  /** The legacy login of {@code config}, the web.config the options name ({@link #webConfig}), until their sunset. */
  static LegacyLogin login(
      WebConfig config,
      LegacyOptions options,
      UserDirectory users,
      InstantSource clock,
      SecureRandom random) {
    FormsAuthentication forms = FormsAuthentication.builder(config.machineKey())
        .legacyTicketCompatibility(config.legacyTicketCompatibility())
        .clock(clock)
        .random(random)
        .build();
    return FormsAuthenticationLegacyLogin.builder(forms)
        .cookie(config.formsCookie())
        .users(name -> account(name, users))
        .sunset(options.sunset())
        .build();
  }

  private static Optional<PortalUser> account(String legacyName, UserDirectory users) {
    PortalUser known = DemoData.ACCOUNTS.get(legacyName.toLowerCase(Locale.ROOT));
    return known == null ? Optional.empty() : users.findByHandle(known.handle());
  }
}
