package dev.portcullis.servlet;

import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.user.PortalUser;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Test only: stands in for the authentication stage (not on this branch), so that tests can place a logged-in user
 * in front of the transport and access stages. A request carrying {@code X-Test-Roles} is logged in as user
 * {@code u-test} with those comma-separated roles (an empty value: no roles); any other request stays anonymous.
 */
final class HeaderLoginStage extends Stage {
  static final String HEADER = "X-Test-Roles";
  private static final Instant ISSUED = Instant.parse("2026-01-05T09:00:00Z");

  @Override
  public void handle(Exchange exchange, Next next)
      throws java.io.IOException, jakarta.servlet.ServletException {
    String roles = exchange.original().getHeader(HEADER);
    if (roles != null) {
      exchange.principal(principal(
          roles.isBlank()
              ? Set.of()
              : Arrays.stream(roles.split(",")).map(String::strip).collect(Collectors.toSet())));
    }
    next.proceed();
  }

  static PortalPrincipal principal(Set<String> roles) {
    PortalUser user =
        new PortalUser("u-test", "Test User", "test@example.org", roles, "org-1", true, "1");
    AuthTicket ticket = new AuthTicket(
        new byte[AuthTicket.ID_LENGTH],
        "u-test",
        "org-1",
        ISSUED,
        ISSUED.plus(Duration.ofHours(1)),
        ISSUED,
        new byte[AuthTicket.BINDING_LENGTH]);
    return new PortalPrincipal(user, ticket);
  }
}
