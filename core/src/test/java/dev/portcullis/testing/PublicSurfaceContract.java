package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The public-surface checks every published module runs (docs/architecture.md, "Public surface"): its public types
 * are exactly those listed in its {@code public-api.txt}, so adding, removing or renaming one is a deliberate edit of
 * that list; no public signature names a type from an {@code internal} package; and every package of
 * {@code src/main/java} has a {@code package-info.java}.
 *
 * <p>A module's {@code ApiSurfaceTest} extends this class and names one of its main classes, which locates the
 * compiled classes to read.
 */
public abstract class PublicSurfaceContract {
  private final ApiSurface surface;

  protected PublicSurfaceContract(Class<?> anyMainClass) {
    this.surface = ApiSurface.of(anyMainClass);
  }

  @Test
  void publicTypes_areExactlyThoseListedInPublicApiTxt() {
    surface.assertMatches(Path.of("public-api.txt"));
  }

  @Test
  void noPublicSignature_namesAnInternalType() {
    assertThat(surface.leaks()).isEmpty();
  }

  @Test
  void everyPackage_hasAPackageInfo() {
    assertThat(ApiSurface.packagesWithoutInfo(Path.of("src/main/java"))).isEmpty();
  }
}
