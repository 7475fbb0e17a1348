package com.example.portal;

import dev.portcullis.aspnet.FormsAuthentication;
import dev.portcullis.aspnet.FormsAuthenticationLegacyLogin;
import dev.portcullis.aspnet.WebConfig;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.login.LegacyLogin;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionIdFormat;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Function;

/** Portcullis in front of a portal ported from ASP.NET: the old cookie names, and the old login cookie honoured once. */
public final class PortedPortalSecurity {
  /** The end of the cut-over: from then on an old login cookie is only removed. */
  public static final Instant SUNSET = Instant.parse("2027-06-30T00:00:00Z");

  private PortedPortalSecurity() {}

  /**
   * @param users the accounts, checking the old ASP.NET password hashes (see "Users' existing ASP.NET passwords")
   * @param oldLogins the account of the user name in an old login cookie (the name the old portal gave to
   *     FormsAuthentication.SetAuthCookie, usually the UserName)
   * @param dataDir holds keys.txt (KeyTool create) and the old portal's web.config
   * @param clock InstantSource.system() in production
   */
  public static Portcullis install(
      ServletContext context,
      UserDirectory users,
      Function<String, Optional<PortalUser>> oldLogins,
      Path dataDir,
      InstantSource clock)
      throws IOException {
    SecureRandom random = new SecureRandom();
    WebConfig webConfig;
    try (InputStream in = Files.newInputStream(dataDir.resolve("web.config"))) {
      // <machineKey>, <forms>, <sessionState>, <httpCookies>, <httpRuntime targetFramework>
      webConfig = WebConfig.read(in);
    }
    FormsAuthentication forms = FormsAuthentication.builder(webConfig.machineKey())
        .legacyTicketCompatibility(webConfig.legacyTicketCompatibility())
        .clock(clock)
        .random(random)
        .build();
    LegacyLogin oldLogin = FormsAuthenticationLegacyLogin.builder(forms)
        .cookie(webConfig.formsCookie()) // .ASPXAUTH or <forms name>, with its path and domain
        .users(oldLogins)
        .sunset(SUNSET)
        .build();
    // <sessionState> and <httpCookies> where they are as strict as Portcullis or stricter
    SessionConfig sessions = webConfig.sessions(SessionConfig.defaults().toBuilder()
        .idFormat(SessionIdFormat.ASPNET) // 24 characters of a-z and 0-5, as ASP.NET writes them
        .cookie(CookieSpec.builder("ASP.NET_SessionId") // or <sessionState cookieName>
            .purpose("Keeps your visit together while you use the portal")
            .dataStored("A random session number")
            .duration("Until you close the browser")
            .build())
        .build());
    Portcullis portcullis = Portcullis.builder()
        .keyRing(KeyRingSources.fromFile(dataDir.resolve("keys.txt")))
        .users(users)
        .termsVersion("2026-01")
        .clock(clock)
        .random(random)
        .sessions(sessions)
        .login(login -> login
            .cookieCheckBySessionCookie() // no cookie the old portal did not set
            // <forms> and <httpCookies> where they are as strict as Portcullis or stricter
            .authCookie(webConfig.authCookie(
                CookieSpec.builder("validPSuser") // not the legacy cookie's name
                    .purpose("Says that you are logged in")
                    .dataStored("An encrypted ticket naming your account")
                    .duration("Until you log out or close the browser")
                    .build()))
            // <forms timeout> if shorter than Portcullis' default
            .ticketLifetime(webConfig.ticketLifetime(Duration.ofHours(8))))
        .transport(TransportConfig.builder().canonicalHost("portal.example").build())
        .filter(filter -> filter.legacyLogin(oldLogin, ReplayStore.inMemory(clock), clock))
        .build();
    // <sessionState mode>: a WARN if the old servers shared sessions and these are per node
    webConfig.sessionStore(portcullis.sessionStore());
    portcullis.register(context);
    return portcullis;
  }
}
