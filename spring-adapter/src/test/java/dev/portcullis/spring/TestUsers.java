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

  @Bean
  UserDirectory testUserDirectory() {
    return new InMemoryUserDirectory(PasswordHasher.forTests())
        .add("alice", "alice-pw".toCharArray(), new PortalUser("u-alice", "Alice Adams", "alice@riverside.example",
            Set.of("PROVIDER"), "riverside", true, TERMS))
        .add("carol", "carol-pw".toCharArray(), new PortalUser("u-carol", "Carol Clark", "carol@council.example",
            Set.of("COUNCIL_OFFICER"), "council", true, TERMS));
  }
}
