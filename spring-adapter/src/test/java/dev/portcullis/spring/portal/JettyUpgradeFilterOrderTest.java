package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.servlet.testing.BrowserSocket;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.ee11.servlet.FilterMapping;
import org.eclipse.jetty.ee11.servlet.ServletHandler;
import org.eclipse.jetty.ee11.websocket.servlet.WebSocketUpgradeFilter;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Where Jetty's WebSocket upgrade filter stands beside the Portcullis filter in a Spring Boot application on embedded
 * Jetty ({@code ee11}) with a Jakarta endpoint ({@link AnnotatedFeedEndpoint}). Spring Boot declares the filter after
 * the application's filters (its {@code websocketUpgradeFilterWebServerCustomizer} bean; {@link
 * WebSocketOverJettyTest} runs that application). An application that replaces that bean and leaves the filter to
 * Jetty, which puts it first, or declares it itself before the Portcullis filter, does not start; one that declares it
 * after the Portcullis filter keeps it there, and its upgrades are checked.
 */
class JettyUpgradeFilterOrderTest {
  private static final String UPGRADE_FILTER = WebSocketUpgradeFilter.class.getName();

  /** Spring Boot's declaration of the upgrade filter replaced by one that declares nothing. */
  @Configuration(proxyBeanMethods = false)
  static class UpgradeFilterLeftToJetty {
    @Bean
    WebServerFactoryCustomizer<JettyServletWebServerFactory>
        websocketUpgradeFilterWebServerCustomizer() {
      return factory -> {};
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnUpgradeFilterFirst {
    @Bean
    FilterRegistrationBean<WebSocketUpgradeFilter> upgradeFilter() {
      return upgradeFilterAt(Ordered.HIGHEST_PRECEDENCE);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnUpgradeFilterLast {
    @Bean
    FilterRegistrationBean<WebSocketUpgradeFilter> upgradeFilter() {
      return upgradeFilterAt(Ordered.LOWEST_PRECEDENCE);
    }
  }

  private static FilterRegistrationBean<WebSocketUpgradeFilter> upgradeFilterAt(int order) {
    FilterRegistrationBean<WebSocketUpgradeFilter> registration =
        new FilterRegistrationBean<>(new WebSocketUpgradeFilter());
    registration.setName(UPGRADE_FILTER);
    registration.setAsyncSupported(true);
    registration.setOrder(order);
    return registration;
  }

  private static ConfigurableApplicationContext start(Class<?>... configurations) {
    List<Class<?>> sources = new ArrayList<>(List.of(
        TestPortal.class, WebSocketOverJettyTest.Feed.class, UpgradeFilterLeftToJetty.class));
    sources.addAll(List.of(configurations));
    // Arguments, as they override the test class path's application.properties (which keeps
    // Jetty off).
    return new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
        .run(
            "--spring.autoconfigure.exclude="
                + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
            "--server.address=127.0.0.1",
            "--server.port=0",
            "--portcullis.transport.development-mode=true",
            "--portcullis.login.terms-version=2026-01",
            "--portcullis.access.public-paths=/login,/terms",
            "--portcullis.access.rules[0].pattern=/council/**",
            "--portcullis.access.rules[0].roles=COUNCIL_OFFICER",
            "--portcullis.access.authenticated-paths=/**");
  }

  /** The names of the filters of the application's Jetty context, in the order Jetty runs them. */
  static List<String> filterOrder(WebServerApplicationContext context) {
    JettyWebServer server = (JettyWebServer) context.getWebServer();
    List<String> names = new ArrayList<>();
    for (ServletHandler handler : server.getServer().getContainedBeans(ServletHandler.class)) {
      for (FilterMapping mapping : handler.getFilterMappings()) {
        names.add(mapping.getFilterName());
      }
    }
    return names;
  }

  /**
   * Regression: on Spring Boot's Jetty ({@code ee11}) the filter checked the upgrade filter's place in {@code ee10}
   * contexts only; left to Jetty, which puts it first, the upgrade filter opened an anonymous visitor's socket on a
   * path for council officers ({@code 101}).
   */
  @Test
  void upgradeFilterLeftToJetty_standsBeforeThePortcullisFilter_andStopsTheStart() {
    assertThatThrownBy(JettyUpgradeFilterOrderTest::start)
        .hasStackTraceContaining("Jetty's WebSocket upgrade filter (" + UPGRADE_FILTER
            + ") runs before the Portcullis filter (portcullisFilter)");
  }

  @Test
  void ownUpgradeFilterOrderedBeforeThePortcullisFilter_stopsTheStart() {
    assertThatThrownBy(() -> start(OwnUpgradeFilterFirst.class))
        .hasStackTraceContaining("Jetty's WebSocket upgrade filter (" + UPGRADE_FILTER
            + ") runs before the Portcullis filter (portcullisFilter)");
  }

  @Test
  void ownUpgradeFilterOrderedAfterThePortcullisFilter_isKept_andTheUpgradeIsChecked()
      throws Exception {
    try (ConfigurableApplicationContext context = start(OwnUpgradeFilterLast.class)) {
      List<String> order = filterOrder((WebServerApplicationContext) context);
      assertThat(order).containsOnlyOnce(UPGRADE_FILTER);
      assertThat(order.indexOf(UPGRADE_FILTER)).isGreaterThan(order.indexOf("portcullisFilter"));

      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      URI feed = URI.create("ws://127.0.0.1:" + port + AnnotatedFeedEndpoint.PATH);
      Map<String, String> origin = Map.of("Origin", "http://127.0.0.1:" + port);
      Throwable failure = null;
      try {
        new BrowserSocket(Duration.ofSeconds(20)).connect(feed, origin);
      } catch (ExecutionException e) {
        failure = e.getCause();
      }
      assertThat(failure)
          .as("the anonymous upgrade is refused")
          .isInstanceOf(WebSocketHandshakeException.class);
      assertThat(((WebSocketHandshakeException) failure).getResponse().statusCode())
          .isEqualTo(303);

      Browser carol = new Browser("http://127.0.0.1:" + port);
      assertThat(carol.login("carol", "carol-pw").statusCode()).isEqualTo(303);
      BrowserSocket client = new BrowserSocket(Duration.ofSeconds(20));
      client.connect(feed, Map.of("Origin", origin.get("Origin"), "Cookie", carol.cookieHeader()));
      assertThat(client.nextMessage()).isEqualTo("hello u-carol");
    }
  }
}
