package dev.portcullis.servlet;

import dev.portcullis.testing.PublicSurfaceContract;

/** The public surface of portcullis-servlet, as {@link PublicSurfaceContract} checks it. */
class ApiSurfaceTest extends PublicSurfaceContract {
  ApiSurfaceTest() {
    super(PortcullisFilter.class);
  }
}
