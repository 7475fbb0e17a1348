package dev.portcullis.dropwizard;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

/**
 * Makes every {@code 401} and {@code 403} that Jersey answers say {@code Cache-Control: no-store}, the way the filter's
 * own refusals do: the refusal {@code @RolesAllowed} gives an anonymous visitor of a public path (which the filter
 * lets through) would otherwise carry no {@code Cache-Control} at all. Runs on the responses of exception mappers too.
 *
 * <p><b>Security.</b> A refusal depends on who asked; a shared cache that kept one would answer others with it. A
 * value the application put on the refusal is replaced.
 */
@Priority(Priorities.HEADER_DECORATOR)
final class RefusalsNotStored implements ContainerResponseFilter {
  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    int status = response.getStatus();
    if (status == 401 || status == 403) {
      response.getHeaders().putSingle("Cache-Control", "no-store");
    }
  }
}
