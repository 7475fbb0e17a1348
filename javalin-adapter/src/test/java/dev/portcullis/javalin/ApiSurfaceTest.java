package dev.portcullis.javalin;

import dev.portcullis.testing.PublicSurfaceContract;

/** The public surface of portcullis-javalin, as {@link PublicSurfaceContract} checks it: the plugin, nothing else. */
class ApiSurfaceTest extends PublicSurfaceContract {
  ApiSurfaceTest() {
    super(PortcullisPlugin.class);
  }
}
