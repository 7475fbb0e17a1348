package dev.portcullis.aspnet;

import dev.portcullis.testing.PublicSurfaceContract;

/** The public surface of portcullis-aspnet, as {@link PublicSurfaceContract} checks it. */
class ApiSurfaceTest extends PublicSurfaceContract {
  ApiSurfaceTest() {
    super(FormsAuthentication.class);
  }
}
