package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.servlet.testing.BrowserSocket;
import dev.portcullis.spring.PortcullisHttpConfigurer;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

/**
 * An application's Spring Security chain whose rule for a WebSocket's path reads more of the request than its path
 * (the client's address, as {@code hasIpAddress} does, a query parameter, a header): the re-check of the open socket
 * asks the rule about the request that opened it, so a user who keeps the role keeps the socket, and one who loses it
 * loses it.
 */
@SpringBootTest(
    classes = {
      TestPortal.class,
      WebSocketChainReadsItsRequestTest.Chain.class,
      // FeedEndpoint at /council/feed.
      WebSocketOverTomcatTest.Feed.class
    },
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      // The test runs the re-check itself; the background one waits an hour.
      "portcullis.login.connection-recheck-interval=1h"
    })
class WebSocketChainReadsItsRequestTest {
  /** What the rule for /council/** was asked: the client's address, the channel parameter, the Upgrade header. */
  static final List<String> ASKED = new CopyOnWriteArrayList<>();

  @Configuration(proxyBeanMethods = false)
  static class Chain {
    private static final IpAddressMatcher LOOPBACK = new IpAddressMatcher("127.0.0.0/8");

    @Bean
    SecurityFilterChain portalChain(HttpSecurity http) throws Exception {
      return http.with(PortcullisHttpConfigurer.portcullis(), portcullis -> {})
          .authorizeHttpRequests(auth -> auth.dispatcherTypeMatchers(DispatcherType.ERROR)
              .permitAll()
              .requestMatchers("/login", "/terms")
              .permitAll()
              .requestMatchers("/council/**")
              .access((authentication, context) -> new AuthorizationDecision(
                  councilOfficerOnThisMachine(authentication.get(), context.getRequest())))
              .anyRequest()
              .authenticated())
          .build();
    }

    private static boolean councilOfficerOnThisMachine(
        Authentication authentication, HttpServletRequest request) {
      ASKED.add(request.getRemoteAddr() + " channel=" + request.getParameter("channel")
          + " upgrade=" + request.getHeader("upgrade") + " cookie=" + request.getHeader("Cookie"));
      return LOOPBACK.matches(request)
          && "council".equals(request.getParameter("channel"))
          && authentication.getAuthorities().stream()
              .anyMatch(a -> a.getAuthority().equals("ROLE_COUNCIL_OFFICER"));
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  PortcullisFilter filter;

  @Autowired
  UserDirectory users;

  @Test
  void theChainsRuleReadsTheOpeningRequest_atEachRecheck() throws Exception {
    Browser browser = new Browser("http://127.0.0.1:" + port);
    assertThat(browser.login("carol", "carol-pw").statusCode()).isEqualTo(303);
    BrowserSocket carol = new BrowserSocket(Duration.ofSeconds(20));
    carol.connect(
        URI.create("ws://127.0.0.1:" + port + WebSocketOverTomcatTest.FEED + "?channel=council"),
        Map.of("Cookie", browser.cookieHeader()));
    assertThat(carol.nextMessage()).isEqualTo("hello u-carol");
    OpenConnections connections = filter.openConnections().orElseThrow();
    assertThat(connections.size()).isEqualTo(1);
    ASKED.clear();

    connections.recheck();
    assertThat(ASKED)
        .as("the rule saw the opening request's address, parameter and header, and no cookie")
        .containsExactly("127.0.0.1 channel=council upgrade=websocket cookie=null");
    assertThat(connections.size())
        .as("carol, a council officer on this machine, keeps the socket")
        .isEqualTo(1);
    assertThat(carol.socket().isInputClosed()).isFalse();

    InMemoryUserDirectory directory = (InMemoryUserDirectory) users;
    try {
      assertThat(directory.update("u-carol", u -> u.withRoles(Set.of("PROVIDER"))))
          .isTrue();
      connections.recheck();
      assertThat(carol.awaitClose()).isEqualTo("1008 Login ended");
      assertThat(connections.size()).isZero();
    } finally {
      directory.update("u-carol", u -> u.withRoles(Set.of("COUNCIL_OFFICER")));
    }
  }
}
