package dev.portcullis.servlet;

/**
 * The application's own access rule for a connection that outlives its request (a WebSocket), asked again at every
 * re-check of the connection ({@link PortalPrincipal#closeWhenLoginEnds}) with the account as it is then: where the
 * application, not the filter's {@code AccessPolicy}, decides who may see which path (Spring Security's filter chain,
 * say), a user who lost a role the path needs loses the connection too. Set with
 * {@link PortcullisFilter.Builder#connectionAccess}.
 *
 * <p>Called from the re-check's own thread, outside any request: it must answer from the path and the principal
 * alone. An exception counts as a refusal (the connection is closed, as a request would be refused).
 */
@FunctionalInterface
public interface ConnectionAccess {
  /**
   * Whether {@code principal} may still hold a connection opened on this path, as a {@code GET} of the path would
   * be answered now.
   *
   * @param contextPath the application's context path, as the opening request had it ({@code ""} for the root)
   * @param pathInContext the path after the context path, as the opening request sent it (still encoded)
   * @param principal the connection's user, with the account as the re-check found it
   */
  boolean allows(String contextPath, String pathInContext, PortalPrincipal principal);
}
