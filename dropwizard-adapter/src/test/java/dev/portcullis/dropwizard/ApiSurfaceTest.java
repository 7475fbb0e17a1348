package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.ApiSurface;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The public surface of portcullis-dropwizard is exactly {@code public-api.txt}: the bundle and its configuration.
 * No public signature names an internal type, and every package says what it is for.
 */
class ApiSurfaceTest {
  private static final ApiSurface SURFACE = ApiSurface.of(PortcullisBundle.class);

  @Test
  void publicTypes_areExactlyThoseListedInPublicApiTxt() {
    SURFACE.assertMatches(Path.of("public-api.txt"));
  }

  @Test
  void noPublicSignature_namesAnInternalType() {
    assertThat(SURFACE.leaks()).isEmpty();
  }

  @Test
  void everyPackage_hasAPackageInfo() {
    assertThat(ApiSurface.packagesWithoutInfo(Path.of("src/main/java"))).isEmpty();
  }
}
