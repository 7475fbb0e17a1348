package dev.portcullis.dropwizard;

import dev.portcullis.testing.PublicSurfaceContract;

/**
 * The public surface of portcullis-dropwizard, as {@link PublicSurfaceContract} checks it: the bundle and its
 * configuration.
 */
class ApiSurfaceTest extends PublicSurfaceContract {
  ApiSurfaceTest() {
    super(PortcullisBundle.class);
  }
}
