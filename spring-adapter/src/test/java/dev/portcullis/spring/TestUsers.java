package dev.portcullis.spring;

import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The accounts of the test portals: alice (riverside, PROVIDER) and carol (council, COUNCIL_OFFICER), passwords
 * {@code <name>-pw}, both having accepted terms {@value #TERMS}.
 */
@Configuration(proxyBeanMethods = false)
public class TestUsers {
  public static final String TERMS = "2026-01";

  /**
   * An access policy in properties (login and terms public, a login everywhere else), for contexts without a Spring
   * Security chain: without one of the two the starter refuses to start.
   */
  public static final String[] ACCESS = {
    "portcullis.access.public-paths=/login,/terms", "portcullis.access.authenticated-paths=/**"
  };

  @Bean
  UserDirectory testUserDirectory() {
    return new InMemoryUserDirectory(PasswordHasher.forTests())
        .add(
            "alice",
            "alice-pw".toCharArray(),
            new PortalUser(
                "u-alice",
                "Alice Adams",
                "alice@riverside.example",
                Set.of("PROVIDER"),
                "riverside",
                true,
                TERMS))
        .add(
            "carol",
            "carol-pw".toCharArray(),
            new PortalUser(
                "u-carol",
                "Carol Clark",
                "carol@council.example",
                Set.of("COUNCIL_OFFICER"),
                "council",
                true,
                TERMS));
  }
}
