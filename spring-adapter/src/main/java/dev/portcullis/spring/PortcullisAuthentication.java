package dev.portcullis.spring;

import dev.portcullis.servlet.PortalPrincipal;
import java.util.Collection;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * What Spring Security sees of a request that Portcullis authenticated: the {@link PortalPrincipal} as principal (so
 * {@code @AuthenticationPrincipal PortalPrincipal} works), one authority {@code ROLE_<role>} per portal role, no
 * credentials.
 *
 * <p><b>Security.</b> Made only by {@link PortcullisSecurityBridge} from the principal the Portcullis filter
 * established, and by {@link SecurityChainConnectionAccess} for Spring Security's answer on an open connection; it
 * lives for one request or one question and is never stored. It cannot be serialized: the principal is not
 * serializable, so a Spring Security component that tries to put it in a session fails instead of persisting it.
 */
final class PortcullisAuthentication extends AbstractAuthenticationToken {
  private static final long serialVersionUID = 1L;

  private final PortalPrincipal principal;

  /** {@code principal} with one authority {@code rolePrefix + role} per portal role. */
  static PortcullisAuthentication of(PortalPrincipal principal, String rolePrefix) {
    List<GrantedAuthority> authorities = principal.user().roles().stream()
        .sorted()
        .<GrantedAuthority>map(role -> new SimpleGrantedAuthority(rolePrefix + role))
        .toList();
    return new PortcullisAuthentication(principal, authorities);
  }

  PortcullisAuthentication(
      PortalPrincipal principal, Collection<? extends GrantedAuthority> authorities) {
    super(authorities);
    this.principal = principal;
    setAuthenticated(true);
  }

  @Override
  public Object getCredentials() {
    return null;
  }

  @Override
  public PortalPrincipal getPrincipal() {
    return principal;
  }
}
