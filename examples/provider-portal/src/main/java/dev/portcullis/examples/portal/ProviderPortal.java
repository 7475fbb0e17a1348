package dev.portcullis.examples.portal;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.internal.SuppressForbidden;
import java.security.SecureRandom;
import java.time.InstantSource;

/**
 * Starts the example provider portal (the README's command; {@code package}, not {@code compile}, because the
 * servlet filter's build needs the core test jar):
 *
 * <pre>
 * ./mvnw -q -pl examples/provider-portal -am package -DskipTests exec:java
 * ./mvnw -q -pl examples/provider-portal -am package -DskipTests exec:java -Dexec.args="--https-port 9443"
 * ./mvnw -q -pl examples/provider-portal -am package -DskipTests exec:java -Dexec.args="--profile aspnet"
 * ./mvnw -q -pl examples/provider-portal -am package -DskipTests exec:java -Dexec.args="--sso dev"
 * </pre>
 *
 * <p>Options: {@code --https-port} (8443), {@code --http-port} (8080), {@code --data-dir} (./portal-data),
 * {@code --profile} ({@code standard}, or {@code aspnet} for a ported ASP.NET portal's cookie names), {@code --sso}
 * (off; {@code dev} starts a development OpenID provider on loopback); see {@link PortalOptions} and
 * {@link SsoOptions}. Ctrl-C stops it and closes the audit log cleanly.
 */
public final class ProviderPortal {
  private ProviderPortal() {}

  @SuppressForbidden(
      reason = "the example's composition root: the one place the portal takes the system clock")
  public static void main(String[] args) throws Exception {
    PortalOptions options;
    try {
      options = PortalOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Portal portal =
        Portal.start(options, System.getenv(), InstantSource.system(), new SecureRandom());
    Runtime.getRuntime().addShutdownHook(new Thread(portal::close, "portal-shutdown"));
    String https = "https://localhost:" + portal.httpsPort() + "/";
    System.out.println();
    System.out.println("Provider portal (development) is running on this machine only:");
    System.out.println(
        "  " + https + "   (self-signed development certificate: the browser warns once)");
    System.out.println("  http://localhost:" + portal.httpPort() + "/ redirects there");
    System.out.println("  Cookies (" + options.profile().optionName() + " profile): "
        + String.join(", ", portal.cookies().stream().map(CookieSpec::name).toList()));
    System.out.println("  Log in as alice, bob, carol or dave with the password <name>-demo-pass");
    System.out.println("  carol, a council officer, also sees " + Monitoring.SERVICE_DEMAND_PATH
        + " and " + Monitoring.AUDIT_PATH);
    portal
        .sso()
        .issuer()
        .ifPresent(issuer -> System.out.println("  Single sign-on through "
            + issuer
            + (portal.sso().developmentIssuer().isPresent()
                ? " (development provider: its login page signs in any name you type)"
                : "")));
    System.out.println("  Data folder: " + portal.dataDir() + " (development keys and certificate, "
        + Portal.AUDIT_FILE + ", " + Portal.SEARCH_DEMAND_FILE + ")");
    System.out.println("  Ctrl-C stops it.");
    System.out.println();
    Thread.currentThread().join();
  }
}
