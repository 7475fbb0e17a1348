package dev.portcullis.dropwizard;

import jakarta.annotation.Priority;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.server.model.AnnotatedMethod;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.server.model.RuntimeResource;

/**
 * Gives the {@code OPTIONS} answer Jersey makes itself for a resource (the methods of its path, in {@code Allow} and
 * as text) the roles of that resource: it is served to a caller who may call at least one of the path's methods, as
 * {@code @RolesAllowed}, {@code @PermitAll} and {@code @DenyAll} decide them for {@link
 * org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature RolesAllowedDynamicFeature}, and refused with {@code
 * 403} otherwise, as Jersey refuses the methods themselves. An {@code OPTIONS} method of the application's own is left
 * to its annotations.
 *
 * <p><b>Security.</b> Jersey adds the automatic {@code OPTIONS} method to every resource path without annotations of
 * its own, so {@code RolesAllowedDynamicFeature} puts no check on it: without this filter any visitor the Portcullis
 * filter lets through (on a public path, an anonymous one) learns what a resource it may not use offers. A path whose
 * methods are all open keeps its answer for everyone.
 */
@Priority(Priorities.AUTHORIZATION)
final class AutomaticOptionsRoles implements ContainerRequestFilter {
  @Override
  public void filter(ContainerRequestContext request) {
    if (!HttpMethod.OPTIONS.equals(request.getMethod())
        || !(request instanceof ContainerRequest jersey)) {
      return;
    }
    ExtendedUriInfo uri = jersey.getUriInfo();
    ResourceMethod matched = uri.getMatchedResourceMethod();
    if (matched == null || !matched.isExtended()) {
      return; // the application's own OPTIONS method, with its own annotations
    }
    List<RuntimeResource> resources = uri.getMatchedRuntimeResources();
    if (!resources.isEmpty()) {
      for (ResourceMethod method : resources.get(0).getResourceMethods()) {
        if (!method.isExtended() && mayCall(method, request.getSecurityContext())) {
          return;
        }
      }
    }
    throw new ForbiddenException();
  }

  /** Whether {@code RolesAllowedDynamicFeature} lets the caller through to {@code method}. */
  private static boolean mayCall(ResourceMethod method, SecurityContext security) {
    AnnotatedMethod annotated = new AnnotatedMethod(method.getInvocable().getDefinitionMethod());
    if (annotated.isAnnotationPresent(DenyAll.class)) {
      return false;
    }
    RolesAllowed roles = annotated.getAnnotation(RolesAllowed.class);
    if (roles == null && !annotated.isAnnotationPresent(PermitAll.class)) {
      roles =
          method.getInvocable().getHandler().getHandlerClass().getAnnotation(RolesAllowed.class);
    }
    if (roles == null) {
      return true;
    }
    if (security.getUserPrincipal() == null) {
      return false;
    }
    for (String role : roles.value()) {
      if (security.isUserInRole(role)) {
        return true;
      }
    }
    return false;
  }
}
