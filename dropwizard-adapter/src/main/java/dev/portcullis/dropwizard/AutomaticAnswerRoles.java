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
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.server.model.AnnotatedMethod;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.server.model.RuntimeResource;

/**
 * Gives the answers Jersey makes itself about a resource path, which list the path's methods, the roles of that
 * path's resource methods: the automatic {@code OPTIONS} answer ({@code Allow}, and the methods as text) and the
 * {@code 405} for a method the path does not have ({@code Allow}). Each is given to a caller who may call at least one
 * of the path's methods, as {@code @RolesAllowed}, {@code @PermitAll} and {@code @DenyAll} decide them for {@link
 * org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature RolesAllowedDynamicFeature}; anyone else gets the
 * {@code 403} Jersey gives for the methods themselves, without {@code Allow}. An {@code OPTIONS} method of the
 * application's own is left to its annotations.
 *
 * <p><b>Security.</b> {@code RolesAllowedDynamicFeature} checks the application's resource methods only: without this
 * filter any visitor the Portcullis filter lets through (on a public path, an anonymous one) learns what a resource
 * they may not use offers. A path with a method open to the caller keeps both answers.
 */
@Priority(Priorities.AUTHORIZATION)
final class AutomaticAnswerRoles implements ContainerRequestFilter, ContainerResponseFilter {
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
    if (!mayCallAny(uri.getMatchedRuntimeResources(), request.getSecurityContext())) {
      throw new ForbiddenException();
    }
  }

  /** Turns a {@code 405} into a {@code 403} without {@code Allow} for a caller who may call none of the methods. */
  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (response.getStatus() != 405
        || !(request instanceof ContainerRequest jersey)
        || mayCallAny(
            jersey.getUriInfo().getMatchedRuntimeResources(), request.getSecurityContext())) {
      return;
    }
    response.setStatus(403);
    response.getHeaders().remove(HttpHeaders.ALLOW);
    response.getHeaders().remove(HttpHeaders.CONTENT_TYPE);
    response.getHeaders().putSingle(HttpHeaders.CACHE_CONTROL, "no-store");
    response.setEntity(null);
  }

  /** Whether the caller may call one of the application's methods of the matched path; no when none matched. */
  private static boolean mayCallAny(List<RuntimeResource> resources, SecurityContext security) {
    if (resources.isEmpty()) {
      return false;
    }
    for (ResourceMethod method : resources.get(0).getResourceMethods()) {
      if (!method.isExtended() && mayCall(method, security)) {
        return true;
      }
    }
    return false;
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
