package dev.portcullis.servlet;

/**
 * The application's own access rule for a connection that outlives its request (a WebSocket), asked again at every
 * re-check of the connection ({@link PortalPrincipal#closeWhenLoginEnds}) with the account as it is then: where the
 * application, not the filter's {@code AccessPolicy}, decides who may see which path (Spring Security's filter chain,
 * say), a user who lost a role the path needs loses the connection too. Set with
 * {@link PortcullisFilter.Builder#connectionAccess}.
 *
 * <p>Called from the re-check's own thread, outside any request: it must answer from the opening request as it was
 * kept ({@link ConnectionRequest}) and the principal alone. An exception counts as a refusal (the connection is
 * closed, as a request would be refused).
 */
@FunctionalInterface
public interface ConnectionAccess {
  /**
   * Whether {@code principal} may still hold a connection opened by {@code request}, as that request would be
   * answered now.
   *
   * @param request the request that opened the connection, as it was then (without its credentials)
   * @param principal the connection's user, with the account as the re-check found it
   */
  boolean allows(ConnectionRequest request, PortalPrincipal principal);
}
