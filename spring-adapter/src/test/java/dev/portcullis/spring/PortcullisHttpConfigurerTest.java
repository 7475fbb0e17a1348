package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/** {@link PortcullisHttpConfigurer#loginEntryPoint}: the login redirect for applications' own chains. */
class PortcullisHttpConfigurerTest {
  private static MockHttpServletResponse commence(
      AuthenticationEntryPoint entryPoint, MockHttpServletRequest request) throws Exception {
    MockHttpServletResponse response = new MockHttpServletResponse();
    entryPoint.commence(request, response, new InsufficientAuthenticationException("anonymous"));
    return response;
  }

  @Test
  void underAContextPath_theLocationIsTheContextsLoginPage_andReturnToIsRelativeToTheContext()
      throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/portal/reports/1");
    request.setContextPath("/portal");
    request.setQueryString("tab=a%20b");
    request.setServerName("evil.example");
    request.addHeader("Host", "evil.example");
    MockHttpServletResponse response =
        commence(PortcullisHttpConfigurer.loginEntryPoint("/sign-in"), request);
    assertThat(response.getStatus()).isEqualTo(303);
    assertThat(response.getHeader("Location"))
        .isEqualTo("/portal/sign-in?returnTo=%2Freports%2F1%3Ftab%3Da%2520b");
  }

  @Test
  void aPageThatIsNoSafeTarget_isLeftOutOfTheRedirect() throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "//evil.example/x");
    MockHttpServletResponse response =
        commence(PortcullisHttpConfigurer.loginEntryPoint("/login"), request);
    assertThat(response.getStatus()).isEqualTo(303);
    assertThat(response.getHeader("Location")).isEqualTo("/login");
  }

  @Test
  void head_isRedirectedLikeGet_otherMethodsGetA401() throws Exception {
    AuthenticationEntryPoint entryPoint = PortcullisHttpConfigurer.loginEntryPoint("/login");
    assertThat(
            commence(entryPoint, new MockHttpServletRequest("HEAD", "/reports")).getStatus())
        .isEqualTo(303);
    for (String method : List.of("POST", "PUT", "DELETE")) {
      MockHttpServletResponse response =
          commence(entryPoint, new MockHttpServletRequest(method, "/reports"));
      assertThat(response.getStatus()).as(method).isEqualTo(401);
      assertThat(response.getHeader("Location")).as(method).isNull();
      assertThat(response.getHeader("WWW-Authenticate")).as(method).isNull();
    }
  }

  @Test
  void theLoginPath_mustBeAPathOnThisSite_withoutAQuery() {
    for (String bad :
        List.of("https://evil.example/login", "//evil.example/login", "login", "/login?x=1", "")) {
      assertThatThrownBy(() -> PortcullisHttpConfigurer.loginEntryPoint(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
