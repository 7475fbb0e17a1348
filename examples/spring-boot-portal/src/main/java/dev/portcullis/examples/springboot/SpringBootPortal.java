package dev.portcullis.examples.springboot;

import dev.portcullis.internal.SuppressForbidden;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;

/**
 * A small Spring MVC portal on the Portcullis starter: a login page, a reports page, a council page only council
 * officers may open ({@code @PreAuthorize}), and logout. See this module's README for how to run it.
 */
@SpringBootApplication
@EnableMethodSecurity
public class SpringBootPortal {
  /** Where the development key file goes unless {@code PORTAL_KEY_FILE} names another (see application.properties). */
  static final Path DEV_KEY_FILE = Path.of("target", "dev-keys", "portcullis-keys.txt");

  @SuppressForbidden(
      reason = "the example's entry point dates its development key with the system clock")
  public static void main(String[] args) throws IOException {
    if (System.getenv("PORTAL_KEY_FILE") == null) {
      DevKeyFile.ensure(DEV_KEY_FILE, InstantSource.system(), new SecureRandom());
    }
    SpringApplication.run(SpringBootPortal.class, args);
  }
}
