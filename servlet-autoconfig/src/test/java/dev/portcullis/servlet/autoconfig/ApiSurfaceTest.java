package dev.portcullis.servlet.autoconfig;

import dev.portcullis.testing.PublicSurfaceContract;

/** The public surface of portcullis-servlet-autoconfig, as {@link PublicSurfaceContract} checks it: the initializer the container finds, nothing else. */
class ApiSurfaceTest extends PublicSurfaceContract {
  ApiSurfaceTest() {
    super(PortcullisInitializer.class);
  }
}
