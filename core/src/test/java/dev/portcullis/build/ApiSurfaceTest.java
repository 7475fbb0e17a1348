package dev.portcullis.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.apifixture.Exposed;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.testing.ApiSurface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Core's public surface is exactly {@code public-api.txt}, no public signature names an internal type, and every
 * package says what it is for. The fixture tests show that each check can fail.
 */
class ApiSurfaceTest {
  private static final ApiSurface CORE = ApiSurface.of(KeyRing.class);
  private static final ApiSurface FIXTURE =
      ApiSurface.of(Exposed.class, "dev.portcullis.apifixture");

  @Test
  void publicTypes_areExactlyThoseListedInPublicApiTxt() {
    CORE.assertMatches(Path.of("public-api.txt"));
  }

  @Test
  void noPublicSignature_namesAnInternalType() {
    assertThat(CORE.leaks()).isEmpty();
  }

  @Test
  void everyPackage_hasAPackageInfo() {
    assertThat(ApiSurface.packagesWithoutInfo(Path.of("src/main/java"))).isEmpty();
  }

  @Test
  void fixture_surfaceHasPublicTypesOnly_andNothingFromInternalPackages() {
    assertThat(FIXTURE.typeNames())
        .containsExactly(
            "dev.portcullis.apifixture.Exposed",
            "dev.portcullis.apifixture.Exposed.Failure",
            "dev.portcullis.apifixture.Exposed.Nested");
    assertThat(FIXTURE.topLevelCount()).isEqualTo(1);
  }

  @Test
  void fixture_everyPublicOrProtectedMentionOfAnInternalType_isALeak() {
    String hidden = "dev.portcullis.apifixture.internal.Hidden";
    assertThat(FIXTURE.leaks())
        .containsExactly(
            "dev.portcullis.apifixture.Exposed.<init>(Hidden): " + hidden,
            "dev.portcullis.apifixture.Exposed.Failure.<init>(Hidden): " + hidden,
            "dev.portcullis.apifixture.Exposed.bounded(): " + hidden,
            "dev.portcullis.apifixture.Exposed.compareTo(Hidden): " + hidden,
            "dev.portcullis.apifixture.Exposed.field: " + hidden,
            "dev.portcullis.apifixture.Exposed.find(): " + hidden,
            "dev.portcullis.apifixture.Exposed.list: " + hidden,
            "dev.portcullis.apifixture.Exposed.take(Hidden[]): " + hidden,
            "dev.portcullis.apifixture.Exposed: " + hidden);
  }

  @Test
  void fixture_aListThatDiffers_failsWithTheLinesToAddAndRemove(@TempDir Path dir)
      throws Exception {
    Path list = dir.resolve("public-api.txt");
    Files.write(
        list,
        List.of(
            "# a comment",
            "dev.portcullis.apifixture.Exposed",
            "dev.portcullis.apifixture.Gone",
            "dev.portcullis.apifixture.Exposed.Nested"));

    assertThatThrownBy(() -> FIXTURE.assertMatches(list))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("+ dev.portcullis.apifixture.Exposed.Failure\n")
        .hasMessageContaining("- dev.portcullis.apifixture.Gone\n")
        .hasMessageNotContaining("+ dev.portcullis.apifixture.Exposed\n")
        .hasMessageNotContaining("Nested");

    Files.write(
        list,
        List.of(
            "dev.portcullis.apifixture.Exposed",
            "dev.portcullis.apifixture.Exposed.Failure",
            "dev.portcullis.apifixture.Exposed.Nested"));
    FIXTURE.assertMatches(list);
    Files.write(
        list,
        List.of(
            "dev.portcullis.apifixture.Exposed.Failure",
            "dev.portcullis.apifixture.Exposed",
            "dev.portcullis.apifixture.Exposed.Nested"));
    assertThatThrownBy(() -> FIXTURE.assertMatches(list)).hasMessageContaining("not sorted");
  }

  @Test
  void fixture_aPackageWithoutPackageInfo_isNamed(@TempDir Path src) throws Exception {
    Files.createDirectories(src.resolve("a/b"));
    Files.writeString(src.resolve("a/A.java"), "package a;");
    Files.writeString(src.resolve("a/package-info.java"), "package a;");
    Files.writeString(src.resolve("a/b/B.java"), "package a.b;");

    assertThat(ApiSurface.packagesWithoutInfo(src)).containsExactly("a.b");
  }
}
