package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.testing.ConfigOverride;
import org.junit.jupiter.api.Test;

/**
 * A name in the {@code portcullis:} block that is not one of its settings stops the start, naming it, however it is
 * misspelt (a letter, a case, a field a list entry does not have) and even when the application's own object mapper
 * ignores unknown properties: Dropwizard reads its configuration with unknown properties refused.
 */
class MisspeltBlockSettingsTest {
  /** {@link PortalApp} with an object mapper that ignores unknown properties, as some applications set it. */
  public static final class LenientMapperApp extends PortalApp {
    @Override
    public void initialize(Bootstrap<Config> bootstrap) {
      bootstrap.getObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
      super.initialize(bootstrap);
    }
  }

  private static String startFailure(Class<? extends PortalApp> app, String name) {
    return PortalStarts.refused(name, PortalStarts.app(app, ConfigOverride.config(name, "ADMIN")))
        .getMessage();
  }

  @Test
  void aMisspeltName_stopsTheStart_namingIt() {
    for (Class<? extends PortalApp> app :
        java.util.List.of(PortalApp.class, LenientMapperApp.class)) {
      assertThat(startFailure(app, "portcullis.acess.public-paths"))
          .contains("Unrecognized field at: portcullis.acess");
      assertThat(startFailure(app, "portcullis.Access.public-paths"))
          .contains("Unrecognized field at: portcullis.Access");
      assertThat(startFailure(app, "portcullis.access.rules[0].role"))
          .contains("Unrecognized field at: portcullis.access.rules.[0].role");
      assertThat(startFailure(app, "portcullis.session.idle-timout"))
          .contains("Unrecognized field at: portcullis.session.idle-timout");
    }
  }
}
