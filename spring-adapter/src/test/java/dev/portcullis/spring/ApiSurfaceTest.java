package dev.portcullis.spring;

import dev.portcullis.testing.PublicSurfaceContract;

/** The public surface of portcullis-spring-boot-starter, as {@link PublicSurfaceContract} checks it. */
class ApiSurfaceTest extends PublicSurfaceContract {
  ApiSurfaceTest() {
    super(PortcullisAutoConfiguration.class);
  }
}
